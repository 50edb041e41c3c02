package maintenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/database"
)

// Table holds the state, one row with id 1.
const Table = "autogql_maintenance"

// RedisKey mirrors the state in Redis.
const RedisKey = "autogql:maintenance"

// DefaultRetryAfter is the Retry-After of full maintenance when none is given.
const DefaultRetryAfter = 60 * time.Second

// State is the maintenance mode.
type State struct {
	// On takes the API out of service: every request but the health
	// endpoints gets 503 MAINTENANCE.
	On bool `json:"on"`
	// ReadOnly (with On) refuses mutations only; queries are served.
	ReadOnly bool `json:"read_only,omitempty"`
	// Message is shown to clients in the error.
	Message string `json:"message,omitempty"`
	// RetryAfter is sent as Retry-After, in seconds (0: DefaultRetryAfter).
	RetryAfter int `json:"retry_after,omitempty"`
	// Since is when the mode was last set; By who set it.
	Since time.Time `json:"since"`
	By    string    `json:"by,omitempty"`
}

// Mode names the state: "off", "full" or "read-only".
func (s State) Mode() string {
	switch {
	case !s.On:
		return "off"
	case s.ReadOnly:
		return "read-only"
	default:
		return "full"
	}
}

// Text is the client-facing message.
func (s State) Text() string {
	if s.Message != "" {
		return s.Message
	}
	if s.ReadOnly {
		return "the service is in read-only maintenance: changes are refused, queries are served"
	}
	return "the service is down for maintenance"
}

// RetryAfterSeconds is the Retry-After value.
func (s State) RetryAfterSeconds() int {
	if s.RetryAfter <= 0 {
		return int(DefaultRetryAfter / time.Second)
	}
	return s.RetryAfter
}

// Store reads and writes the state. It does no I/O until called.
type Store struct {
	db    *database.DB
	redis cache.Store // nil without Redis
	// known is set once the table exists, so polls stop asking the catalog.
	known bool
}

// NewStore returns a Store over db and, when not nil, a Redis store.
func NewStore(db *database.DB, redis cache.Store) *Store {
	return &Store{db: db, redis: redis}
}

func (s *Store) createTable(ctx context.Context) error {
	err := s.db.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+database.QuoteIdent(Table)+` (
    "id" integer PRIMARY KEY,
    "state" text NOT NULL,
    "updated_at" text NOT NULL
)`)
	if err != nil {
		return fmt.Errorf("create %s: %w", Table, err)
	}
	return nil
}

// Set records st in the database, then in Redis. A failed Redis write
// removes the key (so watchers fall back to the database) and is
// reported: the database holds the new state either way.
func (s *Store) Set(ctx context.Context, st State) error {
	if st.Since.IsZero() {
		st.Since = time.Now().UTC()
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := s.createTable(ctx); err != nil {
		return err
	}
	upsert := `INSERT INTO ` + database.QuoteIdent(Table) + ` ("id", "state", "updated_at") VALUES (1, ?, ?)
ON CONFLICT ("id") DO UPDATE SET "state" = excluded."state", "updated_at" = excluded."updated_at"`
	if s.db.Dialect() == database.Postgres {
		upsert = strings.Replace(strings.Replace(upsert, "?", "$1", 1), "?", "$2", 1)
	}
	if err := s.db.Exec(ctx, upsert, string(b), st.Since.Format(time.RFC3339Nano)); err != nil {
		return fmt.Errorf("record maintenance mode: %w", err)
	}
	if s.redis != nil {
		if err := s.redis.Set(ctx, RedisKey, b, 0); err != nil {
			derr := s.redis.Delete(ctx, RedisKey)
			return fmt.Errorf("maintenance mode recorded in the database, but Redis was not updated (replicas read the database when the key is missing; removing it: %v): %w", derr, err)
		}
	}
	return nil
}

// Get reads the state: Redis first when configured, then the database.
// A database without the table is "off".
func (s *Store) Get(ctx context.Context) (State, error) {
	if s.redis != nil {
		b, found, err := s.redis.Get(ctx, RedisKey)
		if err == nil && found {
			var st State
			if err := json.Unmarshal(b, &st); err == nil {
				return st, nil
			}
		}
	}
	return s.fromDB(ctx)
}

func (s *Store) fromDB(ctx context.Context) (State, error) {
	if !s.known {
		ok, err := tableExists(ctx, s.db, Table)
		if err != nil {
			return State{}, fmt.Errorf("read maintenance mode: %w", err)
		}
		if !ok {
			return State{}, nil
		}
		s.known = true
	}
	var raw string
	found := false
	err := s.db.QueryRows(ctx, `SELECT "state" FROM `+database.QuoteIdent(Table)+` WHERE "id" = 1`, nil, func(scan func(...any) error) error {
		found = true
		return scan(&raw)
	})
	if err != nil {
		return State{}, fmt.Errorf("read maintenance mode: %w", err)
	}
	if !found {
		return State{}, nil
	}
	var st State
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return State{}, fmt.Errorf("read maintenance mode: %w", err)
	}
	return st, nil
}

// tableExists asks the catalog, so a poll never fails on a missing table
// (which PostgreSQL would log as an error every time).
func tableExists(ctx context.Context, db *database.DB, name string) (bool, error) {
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if db.Dialect() == database.Postgres {
		q = `SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = $1`
	}
	var n int64
	if err := db.QueryRows(ctx, q, []any{name}, func(scan func(...any) error) error { return scan(&n) }); err != nil {
		return false, err
	}
	return n > 0, nil
}

// ErrUnavailable is what Watcher.Load returns when neither store answers.
var ErrUnavailable = errors.New("maintenance state unavailable")
