package migrate

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// schemas are the models files whose DDL is kept as golden files.
var schemas = []struct {
	name string
	path string
}{
	{"blog", "../../examples/blog/models.yaml"},
	{"kitchen", "testdata/kitchen.yaml"},
}

func loadSchema(t testing.TB, path string) *model.Schema {
	t.Helper()
	s, err := model.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return s
}

func parseSchema(t testing.TB, src string) *model.Schema {
	t.Helper()
	s, err := model.Parse("models.yaml", []byte(src))
	if err != nil {
		t.Fatalf("parse models: %v", err)
	}
	return s
}

func TestCreateStatementsGolden(t *testing.T) {
	for _, sc := range schemas {
		for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
			t.Run(sc.name+"/"+string(d), func(t *testing.T) {
				got := joinSQL(CreateStatements(loadSchema(t, sc.path), d))
				golden := filepath.Join("testdata", sc.name+"."+string(d)+".sql")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("read golden file (run go test ./internal/migrate -update to create it): %v", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("CreateStatements(%s, %s) mismatch (-want +got; -update rewrites):\n%s", sc.name, d, diff)
				}
			})
		}
	}
}

func TestCreateStatementsDeterministic(t *testing.T) {
	for _, sc := range schemas {
		for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
			a := CreateStatements(loadSchema(t, sc.path), d)
			b := CreateStatements(loadSchema(t, sc.path), d)
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("%s/%s: two renderings differ:\n%s", sc.name, d, diff)
			}
		}
	}
}

func TestOrder(t *testing.T) {
	tests := []struct {
		name   string
		models string
		want   []string
	}{
		{
			name: "targets first, else declaration order",
			models: `
models:
  Comment:
    fields:
      post: {type: foreign_key, to: Post, on_delete: cascade}
  Post:
    fields:
      author: {type: foreign_key, to: Author, on_delete: cascade}
      tags: {type: many_to_many, to: Tag}
  Tag:
    fields:
      name: {type: string, max_length: 10}
  Author:
    fields:
      boss: {type: foreign_key, to: Author, on_delete: set_null, null: true}
`,
			want: []string{"Tag", "Author", "Post", "Comment"},
		},
		{
			name: "cycle keeps declaration order",
			models: `
models:
  A:
    fields:
      b: {type: foreign_key, to: B, on_delete: cascade, null: true}
  B:
    fields:
      a: {type: foreign_key, to: A, on_delete: cascade, null: true}
  C:
    fields:
      a: {type: foreign_key, to: A, on_delete: cascade}
`,
			want: []string{"A", "B", "C"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range Order(parseSchema(t, "version: 1\n"+tt.models)) {
				got = append(got, m.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Order mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIndexName(t *testing.T) {
	tests := []struct {
		name    string
		table   string
		columns []string
		suffix  string
		want    string
	}{
		{"short", "blog_post", []string{"author_id"}, "", "blog_post_author_id_" + namesDigest(8, "blog_post", "author_id")},
		{"suffix", "blog_post", []string{"status", "published_at"}, "_idx", "blog_post_status_published_at_" + namesDigest(8, "blog_post", "status", "published_at") + "_idx"},
		{
			"long names are shortened to 63 bytes",
			"shop_a_table_with_a_remarkably_long_name_indeed", []string{"a_column_with_an_equally_long_name"}, "_fk_shop_other_table_id",
			"shop_a_table_with_a__a_column_with_an_equ_2b01e32f_fk_shop_othe", // as Django's _create_index_name
		},
		{"never starts with a digit", "1table_with_a_long_name_that_needs_truncation_xxxxxxxxxxx", []string{"col"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := indexName(tt.table, tt.columns, tt.suffix)
			if len(got) > maxNameLength {
				t.Errorf("indexName = %q: %d bytes, want ≤ %d", got, len(got), maxNameLength)
			}
			if tt.want == "" {
				if got[0] >= '0' && got[0] <= '9' {
					t.Errorf("indexName = %q starts with a digit", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("indexName = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatementsAreSingle(t *testing.T) {
	// Every statement is run on its own; none may end with a separator.
	for _, sc := range schemas {
		for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
			for _, st := range CreateStatements(loadSchema(t, sc.path), d) {
				if strings.HasSuffix(strings.TrimSpace(st), ";") {
					t.Errorf("%s/%s: statement ends with ';': %s", sc.name, d, st)
				}
			}
		}
	}
}
