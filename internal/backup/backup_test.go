package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/testdb"
)

// blogDB fills a fresh database of dialect d with the example blog and its
// fixtures and returns its URL.
func blogDB(t *testing.T, d database.Dialect) string {
	t.Helper()
	ctx := context.Background()
	url := testdb.URL(t, d)
	db := testdb.Connect(t, url, database.Options{})
	ms, err := model.Load("../../examples/blog/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../examples/blog/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadFixtures(ctx, db, ms, data); err != nil {
		t.Fatal(err)
	}
	return url
}

// freshURL returns the URL of an empty database of the same dialect: a new
// SQLite file, or a new PostgreSQL database whose search_path names the
// same schema (a PostgreSQL backup restores into the schema it was taken
// from).
func freshURL(t *testing.T, liveURL string) string {
	t.Helper()
	if strings.HasPrefix(liveURL, "sqlite:") {
		return "sqlite:" + filepath.Join(t.TempDir(), "fresh.db")
	}
	ctx := context.Background()
	admin := testdb.Connect(t, testdb.PostgresURL(), database.Options{MaxConns: 1})
	name := "autogql_fresh_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	if err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+database.QuoteIdent(name)+` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	if err := admin.Exec(ctx, `CREATE DATABASE `+database.QuoteIdent(name)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+database.QuoteIdent(name)+` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := withDatabase(liveURL, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func stats(t *testing.T, url string) map[string]TableStat {
	t.Helper()
	ctx := context.Background()
	db := testdb.Connect(t, url, database.Options{MaxConns: 1})
	schema := ""
	if db.Dialect() == database.Postgres {
		pt, err := parsePG(url)
		if err != nil {
			t.Fatal(err)
		}
		schema = pt.schema
	}
	tables, err := tablesOf(ctx, db, db.Dialect(), schema)
	if err != nil {
		t.Fatal(err)
	}
	st, err := statsOf(ctx, db, db.Dialect(), schema, tables)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return st
}

// TestRoundTrip backs up the example blog on each database, verifies the
// backup by restoring it into a scratch database, restores it into a fresh
// database and compares every table's rows and digest; a corrupted file
// fails verify and restore; a live target needs Force and keeps its
// operational tables.
func TestRoundTrip(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			live := blogDB(t, d)
			m := &Manager{Storage: NewDir(t.TempDir())}
			man, err := m.Create(ctx, live, CreateOptions{Release: "r1"})
			if err != nil {
				t.Fatal(err)
			}
			want := stats(t, live)
			if diff := cmp.Diff(want, man.Tables); diff != "" {
				t.Fatalf("manifest tables (-live +manifest):\n%s", diff)
			}
			if man.TotalRows() == 0 || man.Tables["blog_post"].Rows == 0 {
				t.Fatalf("manifest counts no posts: %+v", man.Tables)
			}
			if man.SchemaVersion != migrate.InitialName || man.Migrations != 1 || man.Release != "r1" || man.Size == 0 || len(man.SHA256) != 64 {
				t.Errorf("manifest = %+v", man)
			}
			for _, op := range OperationalTables {
				if _, ok := man.Tables[op]; ok {
					t.Errorf("operational table %s is in the backup", op)
				}
			}
			listed, err := List(ctx, m.Storage)
			if err != nil || len(listed) != 1 || listed[0].ID != man.ID {
				t.Fatalf("List = %v, %v; want the one backup", listed, err)
			}

			res, err := m.Verify(ctx, man.ID, VerifyOptions{ScratchURL: live})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if res.Rows != man.TotalRows() || res.Tables != len(man.Tables) {
				t.Errorf("verify restored %d tables / %d rows, want %d / %d", res.Tables, res.Rows, len(man.Tables), man.TotalRows())
			}

			fresh := freshURL(t, live)
			if _, err := m.Restore(ctx, man.ID, fresh, RestoreOptions{}); err != nil {
				t.Fatalf("restore into a fresh database: %v", err)
			}
			if diff := cmp.Diff(want, stats(t, fresh)); diff != "" {
				t.Errorf("fresh restore differs from the live database (-live +restored):\n%s", diff)
			}

			// A live target: refused without Force; with it, the data
			// goes back to the backup's and the deployment history stays.
			db := testdb.Connect(t, live, database.Options{MaxConns: 1})
			if err := db.Exec(ctx, `DELETE FROM blog_comment`); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(ctx, `CREATE TABLE autogql_deployments (id integer PRIMARY KEY, note text)`); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(ctx, `INSERT INTO autogql_deployments VALUES (7, 'kept')`); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Restore(ctx, man.ID, live, RestoreOptions{}); !errors.Is(err, ErrLiveTarget) {
				t.Fatalf("restore into a live database without Force: %v, want ErrLiveTarget", err)
			}
			if _, err := m.Restore(ctx, man.ID, live, RestoreOptions{Force: true}); err != nil {
				t.Fatalf("forced restore: %v", err)
			}
			if diff := cmp.Diff(want, stats(t, live)); diff != "" {
				t.Errorf("live restore (-backup +restored):\n%s", diff)
			}
			var note string
			if err := db.QueryRows(ctx, `SELECT note FROM autogql_deployments WHERE id = 7`, nil, func(scan func(...any) error) error { return scan(&note) }); err != nil || note != "kept" {
				t.Errorf("deployment history after restore: %q, %v; want it kept", note, err)
			}
			db.Close()

			// Corruption: one byte flipped in the middle of the file.
			path := filepath.Join(m.Storage.Location(), man.File)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0xff
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Verify(ctx, man.ID, VerifyOptions{ScratchURL: live}); !errors.Is(err, ErrChecksum) {
				t.Errorf("verify of a corrupted file: %v, want ErrChecksum", err)
			}
			if _, err := m.Restore(ctx, man.ID, freshURL(t, live), RestoreOptions{}); !errors.Is(err, ErrChecksum) {
				t.Errorf("restore of a corrupted file: %v, want ErrChecksum", err)
			}

			// The success was logged in the database for the metric.
			ldb := testdb.Connect(t, live, database.Options{MaxConns: 1})
			at, ok, err := LastSuccess(ctx, ldb)
			if err != nil || !ok || time.Since(at) > time.Minute {
				t.Errorf("LastSuccess = %v, %v, %v; want a moment ago", at, ok, err)
			}
		})
	}
}

// TestVerifyDetectsContentChange rewrites the manifest's digest of one
// table: the checksum still matches, but the restored copy does not.
func TestVerifyDetectsContentChange(t *testing.T) {
	ctx := context.Background()
	live := blogDB(t, database.SQLite)
	m := &Manager{Storage: NewDir(t.TempDir())}
	man, err := m.Create(ctx, live, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := man.Tables["blog_post"]
	st.Rows++
	man.Tables["blog_post"] = st
	if err := writeManifest(ctx, m.Storage, man); err != nil {
		t.Fatal(err)
	}
	_, err = m.Verify(ctx, man.ID, VerifyOptions{})
	if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "blog_post") {
		t.Errorf("verify: %v, want ErrMismatch naming blog_post", err)
	}
}

func TestLastSuccessWithoutTable(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := testdb.Open(t, d)
			_, ok, err := LastSuccess(context.Background(), db)
			if ok || err != nil {
				t.Errorf("LastSuccess on a new database = %v, %v; want false, nil", ok, err)
			}
		})
	}
}
