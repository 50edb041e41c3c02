// Package testdb gives tests a fresh, empty, real database of each dialect,
// so that one table of cases runs on SQLite and PostgreSQL alike:
//
//	for _, d := range testdb.Dialects(t) {
//		t.Run(string(d), func(t *testing.T) {
//			db := testdb.Open(t, d)
//			…
//		})
//	}
//
// SQLite databases are files in t.TempDir(). Each PostgreSQL database is a
// schema of its own, t_<test name>_<random>, created in the server named by
// AUTOGQL_TEST_POSTGRES (default DefaultPostgresURL) and reached through
// search_path, so tests may run in parallel and leave nothing behind: the
// schema is dropped in t.Cleanup.
//
// When PostgreSQL cannot be reached its subtests are skipped with the reason,
// unless AUTOGQL_REQUIRE_SERVICES=1 (as in CI), which makes that a failure.
// AUTOGQL_TEST_DIALECTS (comma-separated, e.g. "sqlite") narrows Dialects.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
)

// Environment variables read by this package.
const (
	EnvPostgres        = "AUTOGQL_TEST_POSTGRES"
	EnvRequireServices = "AUTOGQL_REQUIRE_SERVICES"
	EnvDialects        = "AUTOGQL_TEST_DIALECTS"
)

// DefaultPostgresURL is the server used when AUTOGQL_TEST_POSTGRES is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects returns the dialects every end-to-end case should run on: both,
// unless AUTOGQL_TEST_DIALECTS names a subset. An unreachable PostgreSQL is
// reported by Open (a skip, or a failure when services are required), not
// here, so that the skip shows against each case.
func Dialects(t testing.TB) []database.Dialect {
	t.Helper()
	all := []database.Dialect{database.SQLite, database.Postgres}
	env := strings.TrimSpace(os.Getenv(EnvDialects))
	if env == "" {
		return all
	}
	var ds []database.Dialect
	for _, name := range strings.Split(env, ",") {
		d := database.Dialect(strings.TrimSpace(name))
		if d != database.SQLite && d != database.Postgres {
			t.Fatalf("%s=%q: unknown dialect %q (want sqlite, postgres)", EnvDialects, env, d)
		}
		ds = append(ds, d)
	}
	return ds
}

// Open returns a connection to a fresh, empty database of dialect d, closed
// (and, on PostgreSQL, dropped) when the test ends.
func Open(t testing.TB, d database.Dialect) *database.DB {
	t.Helper()
	return OpenOptions(t, d, database.Options{})
}

// OpenOptions is Open with database options (for example OnQuery to count
// statements).
func OpenOptions(t testing.TB, d database.Dialect, opts database.Options) *database.DB {
	t.Helper()
	return Connect(t, URL(t, d), opts)
}

// Connect opens url (typically from URL) and closes it when the test ends.
// Use it to give one test several pools on the same database.
func Connect(t testing.TB, url string, opts database.Options) *database.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := database.Open(ctx, url, opts)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// URL creates a fresh, empty database of dialect d and returns the URL that
// reaches it ("sqlite:/tmp/…/test.db" or "postgres://…?search_path=t_…"), for
// tests that hand a URL to the program (a CLI run, a server). The database is
// removed when the test ends; connections opened on it must be closed by
// then (Cleanup functions run last-registered first, so a Connect after URL
// is closed before the schema is dropped).
func URL(t testing.TB, d database.Dialect) string {
	t.Helper()
	switch d {
	case database.SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	case database.Postgres:
		return postgresSchema(t)
	}
	t.Fatalf("testdb: unknown dialect %q", d)
	return ""
}

// PostgresURL returns the URL of the PostgreSQL test server.
func PostgresURL() string {
	if u := os.Getenv(EnvPostgres); u != "" {
		return u
	}
	return DefaultPostgresURL
}

var (
	pgOnce  sync.Once
	pgAdmin *database.DB // shared by every test in the binary; never closed
	pgErr   error
)

// postgresAdmin connects once per test binary to the server where the test
// schemas are made.
func postgresAdmin() (*database.DB, error) {
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgAdmin, pgErr = database.Open(ctx, PostgresURL(), database.Options{MaxConns: 2})
	})
	return pgAdmin, pgErr
}

func postgresSchema(t testing.TB) string {
	t.Helper()
	admin, err := postgresAdmin()
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL unreachable at %s (set %s): %v", redact(PostgresURL()), EnvPostgres, err)
		if os.Getenv(EnvRequireServices) == "1" {
			t.Fatalf("%s; %s=1 requires it", msg, EnvRequireServices)
		}
		t.Skipf("%s; skipping (%s=1 makes this a failure)", msg, EnvRequireServices)
	}
	schema := schemaName(t.Name())
	ctx := context.Background()
	if err := admin.Exec(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		t.Fatalf("create test schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin.Exec(ctx, `DROP SCHEMA "`+schema+`" CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// schemaName derives a unique, readable schema name from the test name:
// t_<lowercase letters, digits and _ of the name, ≤ 40>_<8 random hex>.
func schemaName(test string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 40 {
			break
		}
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return "t_" + b.String() + "_" + hex.EncodeToString(rnd[:])
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
