package testdb

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
)

func TestSchemaName(t *testing.T) {
	valid := regexp.MustCompile(`^t_[a-z0-9_]{1,40}_[0-9a-f]{8}$`)
	tests := []string{
		"TestX/postgres",
		"TestLoadFixturesBad/postgres/missing_many_to_many_target_with_a_very_long_name",
		"Test Ünïcode/été",
	}
	for _, name := range tests {
		got := schemaName(name)
		if !valid.MatchString(got) || len(got) > 63 {
			t.Errorf("schemaName(%q) = %q, want t_<≤40 of [a-z0-9_]>_<8 hex>, ≤ 63 bytes", name, got)
		}
		if again := schemaName(name); again == got {
			t.Errorf("schemaName(%q) twice = %q: want a random part", name, got)
		}
	}
}

func TestDialectsEnv(t *testing.T) {
	tests := []struct {
		env  string
		want []database.Dialect
	}{
		{"", []database.Dialect{database.SQLite, database.Postgres}},
		{"sqlite", []database.Dialect{database.SQLite}},
		{" postgres , sqlite ", []database.Dialect{database.Postgres, database.SQLite}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Setenv(EnvDialects, tt.env)
			if diff := cmp.Diff(tt.want, Dialects(t)); diff != "" {
				t.Errorf("Dialects with %s=%q mismatch (-want +got):\n%s", EnvDialects, tt.env, diff)
			}
		})
	}
}

// TestOpenIsolated checks that each Open is a fresh, empty database, that
// two of them do not see each other's tables, and that a PostgreSQL schema
// is gone once its test ends.
func TestOpenIsolated(t *testing.T) {
	for _, d := range Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			var schema string
			t.Run("use", func(t *testing.T) {
				u := URL(t, d)
				a := Connect(t, u, database.Options{})
				b := Open(t, d)
				if err := a.Exec(ctx, `CREATE TABLE "only_in_a" ("x" integer)`); err != nil {
					t.Fatal(err)
				}
				if err := b.Exec(ctx, `SELECT * FROM "only_in_a"`); err == nil {
					t.Errorf("a table created in one test database is visible in another")
				}
				if d == database.Postgres {
					pu, err := url.Parse(u)
					if err != nil {
						t.Fatal(err)
					}
					schema = pu.Query().Get("search_path")
					var current string
					err = a.QueryRows(ctx, "SELECT current_schema()", nil, func(scan func(...any) error) error { return scan(&current) })
					if err != nil || current != schema || !strings.HasPrefix(schema, "t_") {
						t.Errorf("current_schema() = %q, %v; want the test schema %q", current, err, schema)
					}
				}
			})
			if d != database.Postgres {
				return
			}
			admin, err := postgresAdmin()
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			err = admin.QueryRows(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", []any{schema},
				func(scan func(...any) error) error { return scan(&n) })
			if err != nil || n != 0 {
				t.Errorf("schema %q still exists after its test (count %d, %v)", schema, n, err)
			}
		})
	}
}
