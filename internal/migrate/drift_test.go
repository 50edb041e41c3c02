package migrate

import (
	"context"
	"strings"
	"testing"

	"github.com/autogql/autogql/internal/testdb"
)

// TestDriftAfterCreate creates the blog and kitchen schemas and checks that
// the drift check finds nothing: introspection reads back exactly what the
// models describe, defaults, keys and indexes included.
func TestDriftAfterCreate(t *testing.T) {
	for _, sc := range schemas {
		s := loadSchema(t, sc.path)
		for _, d := range testdb.Dialects(t) {
			t.Run(sc.name+"/"+string(d), func(t *testing.T) {
				ctx := context.Background()
				db := testdb.Open(t, d)
				if _, err := Apply(ctx, db, s); err != nil {
					t.Fatal(err)
				}
				diffs, err := Drift(ctx, db, FromSchema(s))
				if err != nil {
					t.Fatal(err)
				}
				for _, df := range diffs {
					t.Errorf("unexpected difference: %s", df)
				}
			})
		}
	}
}

// TestDriftFindsChanges changes a created blog database behind the models'
// back and checks each change is reported.
func TestDriftFindsChanges(t *testing.T) {
	s := loadSchema(t, "../../examples/blog/models.yaml")
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			if _, err := Apply(ctx, db, s); err != nil {
				t.Fatal(err)
			}
			for _, st := range []string{
				`ALTER TABLE "blog_author" ADD COLUMN "nickname" text NULL`,
				`DROP INDEX "blog_post_status_published_at_b604476a_idx"`,
				`DROP TABLE "blog_comment"`,
				`CREATE TABLE "legacy" ("id" integer)`,
			} {
				if err := db.Exec(ctx, st); err != nil {
					t.Fatalf("%s: %v", st, err)
				}
			}
			diffs, err := Drift(ctx, db, FromSchema(s))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, df := range diffs {
				got = append(got, df.String())
			}
			want := []string{
				"blog_author.nickname: column not in the models",
				"blog_comment: table missing (the models declare it)",
				"blog_post: index (status, published_at) missing",
				"legacy: table not in the models",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("differences:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestServable: what serve --watch checks before it swaps in new models:
// only missing tables and columns, and other column types, count.
func TestServable(t *testing.T) {
	s := loadSchema(t, "../../examples/blog/models.yaml")
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			if _, err := Apply(ctx, db, s); err != nil {
				t.Fatal(err)
			}
			want := FromSchema(s)
			if got, err := Servable(ctx, db, d, want); err != nil || len(got) != 0 {
				t.Fatalf("Servable on the created schema = %v, %v; want nothing", got, err)
			}
			for _, st := range []string{
				`ALTER TABLE "blog_author" ADD COLUMN "nickname" text NULL`,
				`DROP INDEX "blog_post_status_published_at_b604476a_idx"`,
				`ALTER TABLE "blog_author" DROP COLUMN "bio"`,
				`DROP TABLE "blog_comment"`,
			} {
				if err := db.Exec(ctx, st); err != nil {
					t.Fatalf("%s: %v", st, err)
				}
			}
			got, err := Servable(ctx, db, d, want)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, df := range got {
				lines = append(lines, df.String())
			}
			wantLines := []string{
				"blog_author.bio: column missing (the models declare it)",
				"blog_comment: table missing (the models declare it)",
			}
			if strings.Join(lines, "\n") != strings.Join(wantLines, "\n") {
				t.Errorf("Servable:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(wantLines, "\n"))
			}
		})
	}
}
