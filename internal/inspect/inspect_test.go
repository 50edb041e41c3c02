package inspect

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/schemadiff"
	"github.com/autogql/autogql/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func load(t *testing.T, path string) *model.Schema {
	t.Helper()
	s, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// inspectDB inspects db and loads the models it writes.
func inspectDB(t *testing.T, db *database.DB, app string) (*Result, *model.Schema) {
	t.Helper()
	st, err := migrate.Introspect(context.Background(), db, db.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Models(st, Options{App: app, Dialect: db.Dialect()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := model.Parse("inspected.yaml", res.YAML)
	if err != nil {
		t.Fatalf("inspected models do not load: %v\n%s", err, res.YAML)
	}
	return res, s
}

func api(t *testing.T, s *model.Schema) *gqlschema.Schema {
	t.Helper()
	g, err := gqlschema.Build(s, gqlschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestRoundTrip creates a database from models, inspects it, and checks
// the inspected models describe that database exactly (the drift check
// finds nothing). For the example blog it also checks the API: identical,
// type for type and argument for argument, to the blog's models without
// the options a database cannot hold (testdata/blog_view.yaml).
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name, path, app string
	}{
		{"blog", "../../examples/blog/models.yaml", "blog"},
		{"kitchen", "../migrate/testdata/kitchen.yaml", "shop"},
	} {
		s := load(t, tc.path)
		for _, d := range testdb.Dialects(t) {
			t.Run(tc.name+"/"+string(d), func(t *testing.T) {
				ctx := context.Background()
				db := testdb.Open(t, d)
				if _, err := migrate.Apply(ctx, db, s); err != nil {
					t.Fatal(err)
				}
				res, got := inspectDB(t, db, tc.app)
				diffs, err := migrate.Drift(ctx, db, migrate.FromSchema(got))
				if err != nil {
					t.Fatal(err)
				}
				for _, df := range diffs {
					t.Errorf("the inspected models differ from the database: %s", df)
				}
				golden(t, filepath.Join("testdata", tc.name+"."+string(d)+".yaml"), string(res.YAML))
				if tc.name != "blog" {
					return
				}
				viewSrc, err := os.ReadFile("testdata/blog_view.yaml")
				if err != nil {
					t.Fatal(err)
				}
				if d == database.SQLite {
					viewSrc = []byte(strings.Replace(string(viewSrc),
						"{type: decimal, max_digits: 3, decimal_places: 1, null: true}", "{type: text, null: true}", 1))
				}
				view, err := model.Parse("blog_view.yaml", viewSrc)
				if err != nil {
					t.Fatal(err)
				}
				changes := schemadiff.Diff(api(t, view).AST, api(t, got).AST)
				for _, c := range changes {
					t.Errorf("API of the inspected models differs from the blog's: %s", c)
				}
			})
		}
	}
}

// TestDjango inspects the schema Django creates for a small app (a
// many-to-many, a CHECK constraint for choices, a positive integer, a
// unique pair, db_index) and checks the models it writes.
func TestDjango(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			src, err := os.ReadFile(filepath.Join("testdata", "django."+string(d)+".sql"))
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range strings.Split(string(src), ";\n") {
				if st = strings.TrimSpace(stripComments(st)); st != "" {
					if err := db.Exec(ctx, st); err != nil {
						t.Fatalf("%s: %v", st, err)
					}
				}
			}
			res, got := inspectDB(t, db, "library")
			golden(t, filepath.Join("testdata", "django."+string(d)+".yaml"), string(res.YAML)+warningsText(res))

			book := got.Model("Book")
			if book == nil || book.Field("genres") == nil || book.Field("genres").Type != model.TypeManyToMany {
				t.Fatalf("Book.genres is not a many_to_many:\n%s", res.YAML)
			}
			var choices []string
			for _, c := range book.Field("status").Choices {
				choices = append(choices, c.Value)
			}
			if diff := cmp.Diff([]string{"draft", "published", "archived"}, choices); diff != "" {
				t.Errorf("status choices from the CHECK constraint (-want +got):\n%s", diff)
			}
			if book.Field("pages").Type != model.TypePositiveInteger {
				t.Errorf("pages is %s, want positive_integer", book.Field("pages").Type)
			}

			// What still differs is what Django makes that autogql does
			// not: its LIKE indexes on PostgreSQL, its table of applied
			// migrations, its CHECK for choices, and keys without ON DELETE
			// (Django cascades in Python).
			diffs, err := migrate.Drift(ctx, db, migrate.FromSchema(got))
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, df := range diffs {
				lines = append(lines, df.String())
			}
			golden(t, filepath.Join("testdata", "django."+string(d)+".drift"), strings.Join(lines, "\n")+"\n")
		})
	}
}

func warningsText(r *Result) string {
	var b strings.Builder
	for _, w := range r.Warnings {
		b.WriteString("# warning: " + w + "\n")
	}
	return b.String()
}

func stripComments(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test ./internal/inspect -update creates it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
