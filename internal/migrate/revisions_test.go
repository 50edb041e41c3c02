package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

// revisions are the models files of testdata/revisions, in order: each
// one change from the one before (see the comment atop each file).
const revisions = 11

func revisionPath(i int) string {
	return filepath.Join("testdata", "revisions", fmt.Sprintf("v%d.yaml", i))
}

// makeRevisions runs makemigrations over every revision in turn, writing
// the files to a temporary directory and reading them back, as the CLI
// does, and returns the migrations.
func makeRevisions(t *testing.T) []*Migration {
	t.Helper()
	dir := t.TempDir()
	var migs []*Migration
	for i := 1; i <= revisions; i++ {
		s := loadSchema(t, revisionPath(i))
		have, err := ReplayState(migs)
		if err != nil {
			t.Fatalf("v%d: replay: %v", i, err)
		}
		m, err := MakeMigration(migs, FromSchema(s), RenamesFor(s, have), "")
		if err != nil {
			t.Fatalf("v%d: %v", i, err)
		}
		if m == nil {
			t.Fatalf("v%d: no changes detected", i)
		}
		if _, err := m.Write(dir); err != nil {
			t.Fatal(err)
		}
		if migs, err = LoadDir(dir); err != nil {
			t.Fatalf("v%d: %v", i, err)
		}
		// Running makemigrations again finds nothing: the state the files
		// make is the state the models want.
		have, err = ReplayState(migs)
		if err != nil {
			t.Fatalf("v%d: replay: %v", i, err)
		}
		again, err := MakeMigration(migs, FromSchema(s), RenamesFor(s, have), "")
		if err != nil || again != nil {
			t.Fatalf("v%d: makemigrations again = %v, %v; want no changes", i, again, err)
		}
	}
	return migs
}

// TestRevisionsGolden keeps, for each revision, the migration file and
// its SQL on each dialect (up, then down) as golden files.
func TestRevisionsGolden(t *testing.T) {
	migs := makeRevisions(t)
	wantNames := []string{
		"0001_initial",
		"0002_add_blog_post_subtitle",
		"0003_rename_blog_post_title_headline",
		"0004_create_blog_post_tags",
		"0005_alter_blog_author_name",
		"0006_alter_blog_author_email",
		"0007_remove_blog_post_subtitle",
		"0008_rename_blog_tag_blog_label_and_more",
		"0009_create_blog_category_and_more",
		"0010_alter_blog_post_body_and_more",
		"0011_remove_blog_post_category_id_fk_and_more",
	}
	var names []string
	for _, m := range migs {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("migration names (-want +got):\n%s", diff)
	}
	for _, m := range migs {
		data, err := os.ReadFile(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		goldenFile(t, filepath.Join("testdata", "revisions", "golden", m.Name+".yaml"), string(data))
		for _, d := range []database.Dialect{database.Postgres, database.SQLite} {
			var b strings.Builder
			b.WriteString("-- up\n")
			b.WriteString(joinSQL(m.Up(d)))
			b.WriteString("\n-- down\n")
			b.WriteString(joinSQL(m.Down(d)))
			goldenFile(t, filepath.Join("testdata", "revisions", "golden", m.Name+"."+string(d)+".sql"), b.String())
		}
	}
	// The first file is what `autogql migrate` has always created.
	s := loadSchema(t, revisionPath(1))
	for _, d := range []database.Dialect{database.Postgres, database.SQLite} {
		if diff := cmp.Diff(CreateStatements(s, d), migs[0].Up(d)); diff != "" {
			t.Errorf("%s: 0001_initial differs from CreateStatements (-want +got):\n%s", d, diff)
		}
	}
}

func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test ./internal/migrate -update creates it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got; -update rewrites):\n%s", path, diff)
	}
}

// TestRevisionsClassified checks the phase and destructive notes the
// series gets.
func TestRevisionsClassified(t *testing.T) {
	migs := makeRevisions(t)
	var got []string
	for _, m := range migs {
		for _, op := range m.Operations {
			line := fmt.Sprintf("%s: %s [%s]", m.Name, op.Describe(), op.Phase)
			if op.Destructive != "" {
				line += " destructive: " + op.Destructive
			}
			if op.DestructiveIfRows != "" {
				line += " if rows: " + op.DestructiveIfRows
			}
			got = append(got, line)
		}
	}
	goldenFile(t, filepath.Join("testdata", "revisions", "golden", "classified.txt"), strings.Join(got, "\n")+"\n")
}

// rowCheck reads a value the round trip expects to survive every step.
type rowCheck struct {
	query string
	want  string
}

// TestRevisionsRoundTrip applies the series one migration at a time,
// rolls it all back one at a time, and applies it all again, on both
// databases. After every step the live schema is exactly what that
// revision's models describe (the drift check finds nothing) and the rows
// written at the start keep their values in the columns the step left
// alone.
func TestRevisionsRoundTrip(t *testing.T) {
	migs := makeRevisions(t)
	schemas := make([]*State, revisions+1)
	schemas[0] = &State{}
	for i := 1; i <= revisions; i++ {
		schemas[i] = FromSchema(loadSchema(t, revisionPath(i)))
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			up := UpOptions{AllowDestructive: true}
			noDrift := func(step string, at int) {
				t.Helper()
				diffs, err := Drift(ctx, db, schemas[at])
				if err != nil {
					t.Fatalf("%s: drift: %v", step, err)
				}
				for _, df := range diffs {
					t.Errorf("%s: drift against v%d: %s", step, at, df)
				}
			}
			// The title column is renamed by 0003.
			title := func(at int) string {
				if at >= 3 {
					return "headline"
				}
				return "title"
			}
			intact := func(step string, at int) {
				t.Helper()
				if at == 0 {
					return
				}
				checks := []rowCheck{
					{`SELECT "name" FROM "blog_author" WHERE "id" = 1`, "Ada"},
					{`SELECT "email" FROM "blog_author" WHERE "id" = 1`, "ada@example.com"},
					{`SELECT "` + title(at) + `" FROM "blog_post" WHERE "id" = 1`, "Hello"},
					{`SELECT "body" FROM "blog_post" WHERE "id" = 1`, "First post"},
					{`SELECT CAST("author_id" AS TEXT) FROM "blog_post" WHERE "id" = 1`, "1"},
				}
				for _, c := range checks {
					var got string
					var err error
					for range 2 {
						// A column whose type changed invalidates pgx's
						// cached statement for it: the first try after the
						// change fails ("cached plan must not change
						// result type") and drops the statement.
						err = db.QueryRows(ctx, c.query, nil, func(scan func(...any) error) error { return scan(&got) })
						if err == nil || !strings.Contains(err.Error(), "0A000") {
							break
						}
					}
					if err != nil || got != c.want {
						t.Errorf("%s: %s = %q, %v; want %q", step, c.query, got, err, c.want)
					}
				}
			}
			for i, m := range migs {
				res, err := Up(ctx, db, migs[:i+1], up)
				if err != nil {
					t.Fatalf("apply %s: %v", m.Name, err)
				}
				if len(res.Applied) != 1 || res.Applied[0] != m.Name {
					t.Fatalf("apply %s: applied %v", m.Name, res.Applied)
				}
				if i == 0 {
					for _, st := range []string{
						`INSERT INTO "blog_author" ("id", "name", "email") VALUES (1, 'Ada', 'ada@example.com')`,
						`INSERT INTO "blog_post" ("id", "title", "body", "author_id") VALUES (1, 'Hello', 'First post', 1)`,
					} {
						if err := db.Exec(ctx, st); err != nil {
							t.Fatal(err)
						}
					}
				}
				noDrift("apply "+m.Name, i+1)
				intact("apply "+m.Name, i+1)
			}
			for i := len(migs) - 1; i >= 0; i-- {
				done, err := Down(ctx, db, migs, i, DownOptions{AllowDestructive: true})
				if err != nil {
					t.Fatalf("roll back %s: %v", migs[i].Name, err)
				}
				if len(done) != 1 || done[0] != migs[i].Name {
					t.Fatalf("roll back to %d: rolled back %v", i, done)
				}
				noDrift("roll back "+migs[i].Name, i)
				intact("roll back "+migs[i].Name, i)
			}
			res, err := Up(ctx, db, migs, up)
			if err != nil || len(res.Applied) != len(migs) {
				t.Fatalf("apply all again: %v, %v", res.Applied, err)
			}
			noDrift("apply all again", revisions)
			st, unknown, err := StatusOf(ctx, db, migs)
			if err != nil || len(unknown) != 0 {
				t.Fatalf("status: %v, %v", unknown, err)
			}
			for _, s := range st {
				if !s.Applied || s.Checksum != s.Migration.Checksum(d) {
					t.Errorf("%s: applied %v checksum %s; want applied with %s", s.Migration.Name, s.Applied, s.Checksum, s.Migration.Checksum(d))
				}
			}
		})
	}
}
