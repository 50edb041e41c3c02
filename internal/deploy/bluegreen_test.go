package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/deploy"
)

// TestBlueGreenUnderLoad runs, on one site and under continuous load
// through nginx: a deploy that adds a field, a rollback, then three
// deploys that must fail and leave everything as it was (a smoke query
// fails, the new release never gets ready, the new colour crashes just
// after the switch).
func TestBlueGreenUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("process test")
	}
	s := newSite(t)
	// r1 runs on green (the first deploy), r2 goes to blue.
	blue, green := s.colours["blue"], s.colours["green"]

	t.Run("deploy adds a field", func(t *testing.T) {
		s.truncateLog()
		l := startLoad(t, s.proxy, 8)
		time.Sleep(300 * time.Millisecond)
		out, err := s.deploy("--release", "r2")
		time.Sleep(500 * time.Millisecond)
		l.finish()
		if err != nil {
			t.Fatalf("deploy r2: %v\n%s", err, out)
		}
		rec := s.history()[0]
		t.Logf("deploy r2: %s; switch %d ms, deploy %s; load %s", rec.Status, stepMS(rec, "switch"), rec.Duration().Round(time.Millisecond), l)
		if l.non2xx.Load() != 0 {
			t.Errorf("non-2xx responses during the deploy: %s\n%s", l, out)
		}
		if l.ok.Load() < 100 {
			t.Errorf("only %d requests served: the load did not run", l.ok.Load())
		}
		if rec.Status != deploy.StatusSucceeded || rec.Colour != "blue" || rec.Release != "r2" || rec.BackupID == "" ||
			len(rec.MigrationsApplied) != 1 || !strings.HasPrefix(rec.MigrationsApplied[0], "0002") || rec.Who != "deploy-test" {
			t.Errorf("record: %+v", rec)
		}
		r := post(s.proxy, `{ notes { id title subtitle } }`)
		if r.status != 200 || strings.Contains(r.body, "errors") {
			t.Errorf("new field through nginx: %d %s", r.status, r.body)
		}
		hits := s.upstreamHits()
		if hits[green] == 0 || hits[blue] == 0 {
			t.Errorf("upstream hits %v: want both colours (green before, blue after)", hits)
		}
		if _, err := os.Stat(filepath.Join(s.dir, "green.pid")); err == nil {
			t.Error("green still running after the drain")
		}
	})

	t.Run("rollback", func(t *testing.T) {
		s.truncateLog()
		l := startLoad(t, s.proxy, 8)
		time.Sleep(300 * time.Millisecond)
		out, err := s.run(nil, "rollback", "--file", filepath.Join(s.dir, "deploy.yaml"), "--env", "test")
		time.Sleep(500 * time.Millisecond)
		l.finish()
		if err != nil {
			t.Fatalf("rollback: %v\n%s", err, out)
		}
		recs := s.history()
		t.Logf("rollback: switch %d ms, %s; load %s", stepMS(recs[0], "switch"), recs[0].Duration().Round(time.Millisecond), l)
		if l.non2xx.Load() != 0 {
			t.Errorf("non-2xx responses during the rollback: %s\n%s", l, out)
		}
		if recs[0].Kind != deploy.KindRollback || recs[0].Status != deploy.StatusSucceeded || recs[0].Colour != "green" || recs[0].Release != "r1" {
			t.Errorf("rollback record: %+v", recs[0])
		}
		if recs[1].Status != deploy.StatusRolledBack {
			t.Errorf("the r2 deployment is %s, want rolled_back", recs[1].Status)
		}
		if r := post(s.proxy, `{ notes { subtitle } }`); !strings.Contains(r.body, "Cannot query field") {
			t.Errorf("subtitle after the rollback: %d %s (want a validation error from r1)", r.status, r.body)
		}
		if head := s.schemaHead(); !strings.HasPrefix(head, "0001") {
			t.Errorf("schema at %q after rollback, want 0001", head)
		}
	})

	// Failed deploys from green/r1 (after the rollback): traffic must stay
	// on green, blue gets nothing (but in the crash case, until it dies).
	failing := []struct {
		name, release, step string
		during              func()
	}{
		{"smoke query fails", "r2-renamed", "smoke", nil},
		{"release never ready", "r-hang", "ready", nil},
		{"new colour crashes after the switch", "r2", "verify", func() {
			// Kill green as soon as the upstream file names it primary.
			deadline := time.Now().Add(40 * time.Second)
			for time.Now().Before(deadline) {
				b, _ := os.ReadFile(s.upstream)
				if strings.Contains(string(b), "server "+blue+" max_fails") {
					pid, _ := os.ReadFile(filepath.Join(s.dir, "blue.pid"))
					_ = exec.Command("kill", "-9", strings.TrimSpace(string(pid))).Run()
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}},
	}
	for _, tc := range failing {
		t.Run(tc.name, func(t *testing.T) {
			s.truncateLog()
			l := startLoad(t, s.proxy, 8)
			if tc.during != nil {
				go tc.during()
			}
			before := s.schemaHead()
			out, err := s.deploy("--release", tc.release)
			time.Sleep(300 * time.Millisecond)
			l.finish()
			if err == nil {
				t.Fatalf("deploy %s succeeded; want a failure\n%s", tc.release, out)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Errorf("exit: %v, want exit status 1", err)
			}
			if !strings.Contains(out, "failed at step "+tc.step) || !strings.Contains(out, "rolled back") {
				t.Errorf("output does not name the failed step %s:\n%s", tc.step, out)
			}
			rec := s.history()[0]
			t.Logf("%s: %s at %s in %s; load %s", tc.release, rec.Status, rec.FailedStep, rec.Duration().Round(time.Millisecond), l)
			if rec.Status != deploy.StatusRolledBack || rec.FailedStep != tc.step {
				t.Errorf("record: status %s, failed step %q; want rolled_back at %s", rec.Status, rec.FailedStep, tc.step)
			}
			if head := s.schemaHead(); head != before {
				t.Errorf("schema at %q after the failed deploy, want %q", head, before)
			}
			if l.non2xx.Load() != 0 {
				t.Errorf("non-2xx responses: %s", l)
			}
			b, _ := os.ReadFile(s.upstream)
			if !strings.Contains(string(b), green) || strings.Contains(string(b), blue) {
				t.Errorf("upstream after the failed deploy:\n%s", b)
			}
			hits := s.upstreamHits()
			if tc.step != "verify" && hits[blue] != 0 {
				t.Errorf("nginx sent %d requests to blue: traffic left green (%v)", hits[blue], hits)
			}
			if r := post(s.proxy, `{ notes_aggregate { count } }`); r.status != 200 || !strings.Contains(strings.ReplaceAll(r.body, " ", ""), `"count":3`) {
				t.Errorf("after: %d %s", r.status, r.body)
			}
		})
	}
}
