package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// runSmoke posts each smoke query to base's /graphql/ and checks it.
func runSmoke(ctx context.Context, c *http.Client, base string, smoke []Smoke) error {
	for _, s := range smoke {
		if err := s.check(ctx, c, base); err != nil {
			return fmt.Errorf("smoke %s via %s: %w", s.Name, base, err)
		}
	}
	return nil
}

func (s Smoke) check(ctx context.Context, c *http.Client, base string) error {
	body, err := json.Marshal(map[string]any{"query": s.Query, "variables": s.Variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/graphql/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != s.ExpectStatus {
		return fmt.Errorf("status %d, want %d: %s", resp.StatusCode, s.ExpectStatus, trim(b))
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("response is not JSON: %w: %s", err, trim(b))
	}
	if errs, ok := doc["errors"]; ok && !s.AllowErrors {
		return fmt.Errorf("response has errors: %v", errs)
	}
	for _, sub := range s.Contains {
		if !bytes.Contains(b, []byte(sub)) {
			return fmt.Errorf("response lacks %q: %s", sub, trim(b))
		}
	}
	for path, want := range s.Expect {
		got, ok := lookup(doc, path)
		if !ok {
			return fmt.Errorf("%s: absent from the response: %s", path, trim(b))
		}
		if !sameValue(got, want) {
			return fmt.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	return nil
}

// lookup follows a dotted path ("data.notes.0.title") through objects and
// arrays.
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// sameValue compares a decoded response value with a YAML expectation:
// numbers by value, the rest by their JSON form.
func sameValue(got, want any) bool {
	if n, ok := got.(json.Number); ok {
		g, err := n.Float64()
		if err != nil {
			return false
		}
		switch w := want.(type) {
		case int:
			return g == float64(w)
		case int64:
			return g == float64(w)
		case float64:
			return g == w
		}
		return false
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	return reflect.DeepEqual(gb, wb)
}

func trim(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// waitReady polls base's /readyz until it answers 200 or timeout passes.
// exited, when not nil, reports a process that died meanwhile.
func waitReady(ctx context.Context, c *http.Client, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := "no answer"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/readyz not ready within %s (last: %s)", base, timeout, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
