package deploy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/maintenance"
)

// instances returns the upstream servers of every instance but skip.
func (d *Deployer) instancesBut(skip *Target) []Server {
	var out []Server
	for _, in := range d.env.Instances {
		if in != skip {
			out = append(out, Server{Addr: in.Upstream})
		}
	}
	return out
}

// rolling replaces the instances one at a time: out of the upstream,
// drained, restarted with the release, ready and smoke-tested directly,
// back in. Undo puts each replaced instance back on the previous release
// the same way.
func (d *Deployer) rolling(rec *Record, rv vars, cur *Record, allow bool) []step {
	prev := rec.PreviousRelease
	steps := []step{d.preflight(rv, allow), d.backupStep(rec), d.migrateStep(rec, rv, allow)}
	replace := func(ctx context.Context, in *Target, release string) error {
		if err := d.switchTo(ctx, d.instancesBut(in)); err != nil {
			return err
		}
		time.Sleep(d.env.Proxy.Settle + d.env.GracePeriod)
		if err := d.start(ctx, release, in, ""); err != nil {
			return err
		}
		if err := waitReady(ctx, d.client, in.URL, d.env.ReadyTimeout); err != nil {
			return err
		}
		if err := runSmoke(ctx, d.client, in.URL, d.env.Smoke); err != nil {
			return err
		}
		return d.switchTo(ctx, d.instancesBut(nil))
	}
	for _, in := range d.env.Instances {
		steps = append(steps, step{
			name: "replace " + in.Name,
			do: func(ctx context.Context) (string, error) {
				return in.Name + " on " + rv.Release, replace(ctx, in, rv.Release)
			},
			undo: func(ctx context.Context) error {
				if prev == "" {
					return errors.Join(d.stop(ctx, rv.Release, in, ""), d.switchTo(ctx, d.instancesBut(in)))
				}
				return replace(ctx, in, prev)
			},
			undoSelf: true,
		})
	}
	steps = append(steps, step{name: "verify", do: func(ctx context.Context) (string, error) {
		time.Sleep(d.env.Proxy.Settle)
		if d.env.Proxy.URL == "" {
			return "no proxy.url", nil
		}
		for range verifyRounds {
			if err := runSmoke(ctx, d.client, d.env.Proxy.URL, d.env.Smoke); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%d×%d queries passed through %s", verifyRounds, len(d.env.Smoke), d.env.Proxy.URL), nil
	}})
	return steps
}

// recreate stops everything, migrates and starts again behind full
// maintenance mode (for changes the old release cannot run beside).
func (d *Deployer) recreate(rec *Record, rv vars, cur *Record, allow bool) []step {
	prev := rec.PreviousRelease
	setMode := func(ctx context.Context, on bool) error {
		var shared cache.Store
		if d.cfg.RedisURL != "" {
			r, err := cache.OpenRedis(d.cfg.RedisURL, cache.RedisOptions{DialTimeout: 2 * time.Second})
			if err != nil {
				return err
			}
			defer r.Close()
			shared = r
		}
		st := maintenance.State{On: on, By: d.cfg.Who}
		if on {
			st.Message = fmt.Sprintf("deploying %s: back shortly", rv.Release)
			st.RetryAfter = 30
		}
		if err := maintenance.NewStore(d.db, shared).Set(ctx, st); err != nil {
			return err
		}
		// Every replica polls; wait until they have all seen it.
		time.Sleep(2 * maintenance.PollInterval)
		return nil
	}
	all := func(ctx context.Context, release string, f func(context.Context, string, *Target, string) error) error {
		var errs []error
		for _, in := range d.env.Instances {
			errs = append(errs, f(ctx, release, in, ""))
		}
		return errors.Join(errs...)
	}
	return []step{
		d.preflight(rv, allow),
		d.backupStep(rec),
		{
			name: "maintenance on",
			do:   func(ctx context.Context) (string, error) { return "full maintenance", setMode(ctx, true) },
			undo: func(ctx context.Context) error { return setMode(ctx, false) },
		},
		{
			name: "stop",
			do: func(ctx context.Context) (string, error) {
				return fmt.Sprintf("%d instance(s) stopped", len(d.env.Instances)), all(ctx, prev, d.stop)
			},
			undo: func(ctx context.Context) error {
				if prev == "" {
					return nil
				}
				if err := all(ctx, prev, d.start); err != nil {
					return err
				}
				for _, in := range d.env.Instances {
					if err := waitReady(ctx, d.client, in.URL, d.env.ReadyTimeout); err != nil {
						return err
					}
				}
				return nil
			},
		},
		d.migrateStep(rec, rv, allow),
		{
			name: "start",
			do: func(ctx context.Context) (string, error) {
				return fmt.Sprintf("%d instance(s) on %s", len(d.env.Instances), rv.Release), all(ctx, rv.Release, d.start)
			},
			undo:     func(ctx context.Context) error { return all(ctx, rv.Release, d.stop) },
			undoSelf: true,
		},
		{
			name: "ready",
			do: func(ctx context.Context) (string, error) {
				for _, in := range d.env.Instances {
					if err := waitReady(ctx, d.client, in.URL, d.env.ReadyTimeout); err != nil {
						return "", err
					}
				}
				return "all ready", nil
			},
		},
		{
			// Maintenance answers 503 to GraphQL, so the smoke queries
			// run once it is off; their failure turns it back on (undo).
			name: "maintenance off",
			do:   func(ctx context.Context) (string, error) { return "", setMode(ctx, false) },
			undo: func(ctx context.Context) error { return setMode(ctx, true) },
		},
		{
			name: "smoke",
			do: func(ctx context.Context) (string, error) {
				for _, in := range d.env.Instances {
					if err := runSmoke(ctx, d.client, in.URL, d.env.Smoke); err != nil {
						return "", err
					}
				}
				return fmt.Sprintf("%d queries passed on each instance", len(d.env.Smoke)), nil
			},
		},
	}
}
