package deploy

import (
	"context"
	"fmt"
	"time"
)

// verifyRounds is how many times the smoke queries run through the proxy.
const verifyRounds = 3

// blueGreen lists the steps of a blue-green deploy of rv.
func (d *Deployer) blueGreen(rec *Record, rv vars, cur *Record, allow bool) []step {
	active := d.activeColour(cur)
	idle := other(active)
	oldT, newT := d.env.Colours[active], d.env.Colours[idle]
	rec.Colour, rec.PreviousColour = idle, active
	prev := rec.PreviousRelease
	return append([]step{
		d.preflight(rv, allow),
		d.backupStep(rec),
		d.migrateStep(rec, rv, allow),
	}, d.cutover(rv.Release, prev, newT, oldT, idle, active)...)
}

// cutover moves traffic from the colour running oldRelease to a colour
// started with newRelease: start → ready → smoke → switch → verify →
// finalize → drain. It is the second half of a deploy and the whole of a
// rollback.
func (d *Deployer) cutover(newRelease, oldRelease string, newT, oldT *Target, newColour, oldColour string) []step {
	return []step{
		{
			name: "start " + newColour,
			do: func(ctx context.Context) (string, error) {
				return fmt.Sprintf("%s started with %s", newColour, newRelease), d.start(ctx, newRelease, newT, newColour)
			},
			undo:     func(ctx context.Context) error { return d.stop(ctx, newRelease, newT, newColour) },
			undoSelf: true,
		},
		{
			name: "ready",
			do: func(ctx context.Context) (string, error) {
				t0 := time.Now()
				if err := waitReady(ctx, d.client, newT.URL, d.env.ReadyTimeout); err != nil {
					return "", err
				}
				return fmt.Sprintf("%s ready after %s", newT.URL, time.Since(t0).Round(time.Millisecond)), nil
			},
		},
		{
			name: "smoke",
			do: func(ctx context.Context) (string, error) {
				if err := runSmoke(ctx, d.client, newT.URL, d.env.Smoke); err != nil {
					return "", err
				}
				return fmt.Sprintf("%d queries passed on %s directly", len(d.env.Smoke), newColour), nil
			},
		},
		{
			// The old colour stays in the upstream as a backup server:
			// should the new one die before the deploy is finished, nginx
			// retries its requests on the old one.
			name: "switch",
			do: func(ctx context.Context) (string, error) {
				t0 := time.Now()
				if err := d.switchTo(ctx, []Server{{Addr: newT.Upstream}, {Addr: oldT.Upstream, Backup: true}}); err != nil {
					return "", err
				}
				return fmt.Sprintf("proxy → %s (%s as backup), reloaded in %s", newColour, oldColour, time.Since(t0).Round(time.Millisecond)), nil
			},
			undo: func(ctx context.Context) error {
				return d.switchTo(ctx, []Server{{Addr: oldT.Upstream}})
			},
			undoSelf: true,
		},
		{
			name: "verify",
			do: func(ctx context.Context) (string, error) {
				time.Sleep(d.env.Proxy.Settle)
				// The new colour itself must still be ready: through the
				// proxy alone a dead one would be hidden by the backup.
				if err := waitReady(ctx, d.client, newT.URL, 2*time.Second); err != nil {
					return "", fmt.Errorf("%s after the switch: %w", newColour, err)
				}
				if d.env.Proxy.URL == "" {
					return newColour + " still ready (no proxy.url to verify through)", nil
				}
				for range verifyRounds {
					if err := runSmoke(ctx, d.client, d.env.Proxy.URL, d.env.Smoke); err != nil {
						return "", err
					}
				}
				if err := waitReady(ctx, d.client, newT.URL, 2*time.Second); err != nil {
					return "", fmt.Errorf("%s during verification: %w", newColour, err)
				}
				return fmt.Sprintf("%d×%d queries passed through %s", verifyRounds, len(d.env.Smoke), d.env.Proxy.URL), nil
			},
		},
		{
			name: "finalize",
			do: func(ctx context.Context) (string, error) {
				return "proxy → " + newColour + " only", d.switchTo(ctx, []Server{{Addr: newT.Upstream}})
			},
		},
		{
			name: "drain " + oldColour,
			do: func(ctx context.Context) (string, error) {
				if !boolOr(d.env.StopOld, true) {
					return fmt.Sprintf("%s kept running for an instant rollback", oldColour), nil
				}
				time.Sleep(d.env.GracePeriod)
				if err := d.stop(ctx, oldRelease, oldT, oldColour); err != nil {
					// Traffic is on the new colour: a stop that fails is
					// reported, not rolled back.
					return fmt.Sprintf("stopping %s failed (%v): stop it by hand", oldColour, err), nil
				}
				return fmt.Sprintf("%s stopped after a %s grace period (its release stays for rollback)", oldColour, d.env.GracePeriod), nil
			},
		},
	}
}
