package health

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestThresholds(t *testing.T) {
	slowPing := func(ctx context.Context) error { time.Sleep(30 * time.Millisecond); return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	ok := func(context.Context) error { return nil }
	for _, tc := range []struct {
		name      string
		opts      Options
		want      Status
		component func(Report) Status
	}{
		{"all well", Options{PingDB: ok}, Healthy, func(r Report) Status { return r.Components.Database.Status }},
		{"database down is critical", Options{PingDB: down}, Critical, func(r Report) Status { return r.Components.Database.Status }},
		{"slow database is a warning", Options{PingDB: slowPing, Thresholds: Thresholds{DatabaseLatencyWarning: 10 * time.Millisecond}}, Warning, func(r Report) Status { return r.Components.Database.Status }},
		{"busy pool is a warning", Options{PingDB: ok, Pool: func() PoolStats { return PoolStats{Max: 10, InUse: 9, Total: 10} }, Thresholds: Thresholds{PoolUsageWarning: 0.9}}, Warning, func(r Report) Status { return r.Components.Database.Status }},
		{"redis down is a warning", Options{PingDB: ok, PingCache: down}, Warning, func(r Report) Status { return r.Components.Cache.Status }},
		{"pending migrations are critical", Options{PingDB: ok, PendingMigrations: func(context.Context) (int, error) { return 2, nil }}, Critical, func(r Report) Status { return r.Components.Migrations.Status }},
		{"little disk is critical", Options{PingDB: ok, Thresholds: Thresholds{DiskFreeCriticalBytes: 1 << 62}}, Critical, func(r Report) Status { return r.Components.System.Status }},
		{"memory above the threshold is a warning", Options{PingDB: ok, Thresholds: Thresholds{MemoryWarningBytes: 1}}, Warning, func(r Report) Status { return r.Components.System.Status }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(tc.opts).Report(context.Background())
			if got := tc.component(r); got != tc.want {
				t.Errorf("component %s, want %s (%+v)", got, tc.want, r.Components)
			}
			if r.Status != tc.want {
				t.Errorf("overall %s, want %s (the worst component)", r.Status, tc.want)
			}
		})
	}
}

func TestReadyLatchesMigrationsAndDrains(t *testing.T) {
	calls := 0
	c := New(Options{PingDB: func(context.Context) error { return nil }, PendingMigrations: func(context.Context) (int, error) {
		calls++
		if calls == 1 {
			return 1, nil
		}
		return 0, nil
	}})
	ctx := context.Background()
	if err := c.Ready(ctx); !errors.Is(err, ErrMigrationsPending) {
		t.Errorf("first: %v, want pending", err)
	}
	for range 3 {
		if err := c.Ready(ctx); err != nil {
			t.Errorf("after migrating: %v", err)
		}
	}
	if calls != 2 {
		t.Errorf("migration history read %d times, want 2 (latched once applied)", calls)
	}
	c.SetDraining()
	if err := c.Ready(ctx); !errors.Is(err, ErrDraining) {
		t.Errorf("draining: %v", err)
	}
	if Healthy.ExitCode() != 0 || Warning.ExitCode() != 1 || Critical.ExitCode() != 2 {
		t.Error("exit codes")
	}
}
