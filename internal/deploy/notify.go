package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// notify posts r to the environment's webhooks and Slack-compatible
// hooks. Failures are returned joined; they never change the outcome.
func (d *Deployer) notify(ctx context.Context, r *Record) []error {
	n := d.env.Notify
	if len(n.On) > 0 && !slices.Contains(n.On, r.Status) {
		return nil
	}
	var errs []error
	post := func(url string, payload any) {
		b, err := json.Marshal(payload)
		if err != nil {
			errs = append(errs, err)
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err != nil {
			errs = append(errs, err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "autogql-deploy")
		resp, err := d.client.Do(req)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify %s: %w", redactURL(url), err))
			return
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			errs = append(errs, fmt.Errorf("notify %s: status %d", redactURL(url), resp.StatusCode))
		}
	}
	for _, u := range n.Webhooks {
		post(u, map[string]any{"event": "autogql." + r.Kind, "deployment": r})
	}
	for _, u := range n.Slack {
		post(u, map[string]string{"text": summary(r)})
	}
	return errs
}

// summary is the one-line, human form of a deployment.
func summary(r *Record) string {
	icon := map[string]string{StatusSucceeded: "✅", StatusRolledBack: "↩️", StatusRollbackFailed: "🚨", StatusFailed: "❌"}[r.Status]
	s := fmt.Sprintf("%s autogql %s #%d of %s to %s: %s in %s", icon, r.Kind, r.ID, r.Release, r.Env, r.Status, r.Duration().Round(100*time.Millisecond))
	if r.Colour != "" {
		s += " (" + r.Colour + ")"
	}
	if r.FailedStep != "" {
		s += fmt.Sprintf("; step %s failed: %s", r.FailedStep, r.Error)
	}
	return s
}

// redactURL hides a webhook's path, which usually is its secret.
func redactURL(u string) string {
	if i := len("https://"); len(u) > i {
		for j := i; j < len(u); j++ {
			if u[j] == '/' {
				return u[:j] + "/…"
			}
		}
	}
	return u
}
