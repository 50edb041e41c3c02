package audit

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/testdb"
)

// TestLog: mutation rows commit with their transaction (and vanish with a
// rollback), security events are queued and written by Run, Search
// filters, and Prune removes rows past the retention.
func TestLog(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := testdb.Open(t, d)
			ctx := context.Background()
			if err := EnsureTable(ctx, db); err != nil {
				t.Fatal(err)
			}
			if err := EnsureTable(ctx, db); err != nil {
				t.Fatalf("second EnsureTable: %v", err)
			}
			now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			l := New(db, Options{Now: func() time.Time { return now }, ClientIP: func(context.Context) string { return "192.0.2.7" }})
			req := &engine.Request{RequestID: "r1", Identity: &engine.Identity{ID: "u1", Roles: []string{"editor"}}}
			events := []engine.MutationEvent{{Op: "update", Model: "Post", IDs: []string{"2"}, Fields: []string{"title"}}}
			if err := db.InTx(ctx, func(tx database.Querier) error { return l.RecordMutations(ctx, tx, req, events) }); err != nil {
				t.Fatal(err)
			}
			rolledBack := context.Canceled
			err := db.InTx(ctx, func(tx database.Querier) error {
				if err := l.RecordMutations(ctx, tx, req, []engine.MutationEvent{{Op: "delete", Model: "Post", IDs: []string{"3"}}}); err != nil {
					return err
				}
				return rolledBack
			})
			if err != rolledBack {
				t.Fatal(err)
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error)
			go func() { done <- l.Run(runCtx) }()
			l.Security(ctx, Event{Event: LoginFailure, Detail: `username "ann"`, RequestID: "r2"})
			now = now.Add(time.Hour)
			l.Security(ctx, Event{Event: Denied, Actor: "u2", Role: "authenticated", Detail: "role authenticated may not read Secret", RequestID: "r3"})
			stop()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got, err := Search(ctx, db, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			want := []Event{
				{At: now, Kind: KindSecurity, Event: Denied, Actor: "u2", Role: "authenticated", RequestID: "r3", IP: "192.0.2.7", Detail: "role authenticated may not read Secret"},
				{At: now.Add(-time.Hour), Kind: KindSecurity, Event: LoginFailure, RequestID: "r2", IP: "192.0.2.7", Detail: `username "ann"`},
				{At: now.Add(-time.Hour), Kind: KindMutation, Event: "update", Actor: "u1", Role: "editor", Model: "Post", ObjectID: "2", Fields: "title", RequestID: "r1", IP: "192.0.2.7"},
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Event{}, "ID")); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			for _, tc := range []struct {
				f    Filter
				want int
			}{
				{Filter{Actor: "u1"}, 1}, {Filter{Kind: KindSecurity}, 2}, {Filter{Event: Denied}, 1},
				{Filter{Model: "Post"}, 1}, {Filter{Since: now.Add(-time.Minute)}, 1}, {Filter{Limit: 2}, 2},
			} {
				if got, err := Search(ctx, db, tc.f); err != nil || len(got) != tc.want {
					t.Errorf("Search(%+v): %d rows, %v; want %d", tc.f, len(got), err, tc.want)
				}
			}
			n, err := Prune(ctx, db, now.Add(-time.Minute))
			if err != nil || n != 2 {
				t.Errorf("prune: %d %v, want 2", n, err)
			}
		})
	}
}
