package database_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

// TestPoolOptions: PgBouncer mode (no server-side prepared statements)
// runs the same statements, every statement is timed, and the pool
// reports its size on both dialects.
func TestPoolOptions(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			var observed atomic.Int64
			db := testdb.OpenOptions(t, d, database.Options{
				MaxConns: 3, MinConns: 1, MaxConnLifetime: time.Minute, MaxConnIdleTime: time.Minute,
				PgBouncer: d == database.Postgres, StatementTimeout: time.Minute,
				Observe: func(time.Duration) { observed.Add(1) },
			})
			ctx := context.Background()
			query := `SELECT json_array(?)`
			if d == database.Postgres {
				query = `SELECT json_build_array($1::int)`
			}
			for range 3 { // the same text thrice: no "prepared statement already exists"
				out, err := db.AppendJSON(ctx, nil, query, 7)
				if err != nil || string(out) != "[7]" {
					t.Fatalf("got %s, %v", out, err)
				}
			}
			if n := observed.Load(); n != 3 {
				t.Errorf("observed %d statements, want 3", n)
			}
			st := db.PoolStats()
			if st.Max != 3 || st.Total < 1 || st.InUse != 0 {
				t.Errorf("pool stats %+v, want max 3, total ≥ 1, none in use", st)
			}
		})
	}
}
