package seed

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

func readExample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("../../examples/blog/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLoadFixturesExample(t *testing.T) {
	s := loadSchema(t, blogModels)
	data := readExample(t)
	wantLoaded := map[string]int{"Category": 5, "Tag": 8, "Author": 6, "Post": 30, "Comment": 60}
	wantTables := map[string]int{"Category": 5, "Tag": 8, "Author": 6, "Post": 30, "Comment": 60, "Post.tags": 37}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			for i := range 2 { // loading twice updates in place
				got, err := LoadFixtures(ctx, db, s, data)
				if err != nil {
					t.Fatalf("LoadFixtures #%d: %v", i+1, err)
				}
				if diff := cmp.Diff(wantLoaded, got); diff != "" {
					t.Errorf("LoadFixtures #%d counts mismatch (-want +got):\n%s", i+1, diff)
				}
				if diff := cmp.Diff(wantTables, tableCounts(t, db, s)); diff != "" {
					t.Errorf("after load #%d, table counts mismatch (-want +got):\n%s", i+1, diff)
				}
			}
			if bad := orphans(t, db, s); len(bad) > 0 {
				t.Errorf("dangling references: %v", bad)
			}
			rows := dump(t, db, s)
			wantPost := row{
				"id": "1", "title": "Why we moved our API to GraphQL", "slug": "why-we-moved-our-api-to-graphql",
				"content": "For years our REST endpoints grew one query parameter at a time. GraphQL let clients ask for exactly what they render, and let us delete a dozen endpoints nobody could explain.",
				"status":  "published", "is_published": "true", "views": "1840", "rating": "4.6",
				"published_at": "2024-01-26T17:13:00Z", "author_id": "1", "category_id": "1",
				"created_at": "2024-01-26T14:13:00Z", "updated_at": "2024-01-29T16:13:00Z",
			}
			if diff := cmp.Diff(wantPost, rows["Post"][0]); diff != "" {
				t.Errorf("post 1 mismatch (-want +got):\n%s", diff)
			}
			wantDraft := row{"rating": "<nil>", "published_at": "<nil>", "status": "draft", "is_published": "false"}
			draft := rows["Post"][4]
			for k, v := range wantDraft {
				if draft[k] != v {
					t.Errorf("post 5 %s = %q, want %q", k, draft[k], v)
				}
			}
			if diff := cmp.Diff([]row{{"post_id": "1", "tag_id": "1"}, {"post_id": "1", "tag_id": "3"}}, rows["Post.tags"][:2]); diff != "" {
				t.Errorf("links of post 1 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFixturesYAMLDefaults(t *testing.T) {
	s := loadSchema(t, blogModels)
	data := []byte(`
- model: author
  pk: 7
  fields: {name: "Zoë Ødegaard", email: zoe@example.com}
- model: Blog.Post
  fields:
    title: Ünïcode everywhere
    slug: unicode-everywhere
    content: été, naïve, Straße
    author: 7
    tags: []
    published_at: 2024-05-01 10:00:00
- model: BLOG.POST
  pk: 12
  fields: {title: Second, slug: second, content: "", author_id: 7, rating: 4.5, views: 3}
`)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			before := time.Now().UTC().Add(-time.Second)
			got, err := LoadFixtures(ctx, db, s, data)
			if err != nil {
				t.Fatalf("LoadFixtures: %v", err)
			}
			if diff := cmp.Diff(map[string]int{"Author": 1, "Post": 2}, got); diff != "" {
				t.Errorf("counts mismatch (-want +got):\n%s", diff)
			}
			rows := dump(t, db, s)
			if diff := cmp.Diff([]row{{"id": "7", "name": "Zoë Ødegaard", "email": "zoe@example.com", "bio": ""}}, rows["Author"]); diff != "" {
				t.Errorf("author mismatch (-want +got):\n%s", diff)
			}
			if len(rows["Post"]) != 2 {
				t.Fatalf("got %d posts, want 2", len(rows["Post"]))
			}
			p := rows["Post"][0]
			created, err := time.Parse(time.RFC3339Nano, p["created_at"])
			if err != nil || created.Before(before) || created.After(time.Now().Add(time.Second)) {
				t.Errorf("created_at = %q, want about now (auto_now_add)", p["created_at"])
			}
			if p["updated_at"] != p["created_at"] {
				t.Errorf("updated_at = %q, want the same moment as created_at %q", p["updated_at"], p["created_at"])
			}
			for _, r := range rows["Post"] {
				delete(r, "created_at")
				delete(r, "updated_at")
			}
			want := []row{
				{"id": "1", "title": "Ünïcode everywhere", "slug": "unicode-everywhere", "content": "été, naïve, Straße",
					"status": "draft", "is_published": "false", "views": "0", "rating": "<nil>",
					"published_at": "2024-05-01T10:00:00Z", "author_id": "7", "category_id": "<nil>"},
				{"id": "12", "title": "Second", "slug": "second", "content": "",
					"status": "draft", "is_published": "false", "views": "3", "rating": "4.5",
					"published_at": "<nil>", "author_id": "7", "category_id": "<nil>"},
			}
			if diff := cmp.Diff(want, rows["Post"]); diff != "" {
				t.Errorf("posts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadFixturesSequence checks that rows inserted without a pk after
// fixtures with explicit pks get fresh keys (PostgreSQL's identity sequence
// is moved past the loaded ids).
func TestLoadFixturesSequence(t *testing.T) {
	s := loadSchema(t, blogModels)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			if _, err := LoadFixtures(ctx, db, s, readExample(t)); err != nil {
				t.Fatal(err)
			}
			more := `[{"model": "tag", "fields": {"name": "new"}}, {"model": "tag", "fields": {"name": "newer"}}]`
			if _, err := LoadFixtures(ctx, db, s, []byte(more)); err != nil {
				t.Fatalf("load tags without pk: %v", err)
			}
			if err := db.Exec(ctx, `INSERT INTO "blog_tag" ("name") VALUES ('newest')`); err != nil {
				t.Fatalf("insert without id: %v", err)
			}
			got := dump(t, db, s)["Tag"][8:]
			want := []row{{"id": "9", "name": "new"}, {"id": "10", "name": "newer"}, {"id": "11", "name": "newest"}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("new tags mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFixturesReplacesLinks(t *testing.T) {
	s := loadSchema(t, blogModels)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			if _, err := LoadFixtures(ctx, db, s, readExample(t)); err != nil {
				t.Fatal(err)
			}
			update := `[{"model": "blog.post", "pk": 1, "fields": {"title": "Renamed", "slug": "renamed", "content": "x", "author": 2, "tags": [5, 5, 6]}}]`
			if _, err := LoadFixtures(ctx, db, s, []byte(update)); err != nil {
				t.Fatalf("update: %v", err)
			}
			rows := dump(t, db, s)
			p := rows["Post"][0]
			if p["title"] != "Renamed" || p["author_id"] != "2" || p["views"] != "0" {
				t.Errorf("post 1 = %v; want the new title and author, and views back to its default", p)
			}
			var links []row
			for _, r := range rows["Post.tags"] {
				if r["post_id"] == "1" {
					links = append(links, r)
				}
			}
			if diff := cmp.Diff([]row{{"post_id": "1", "tag_id": "5"}, {"post_id": "1", "tag_id": "6"}}, links); diff != "" {
				t.Errorf("links of post 1 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFixturesBad(t *testing.T) {
	s := loadSchema(t, blogModels)
	goodPost := `{"model": "blog.post", "pk": 100, "fields": {"title": "Fine", "slug": "fine", "content": "ok", "author": 1}}`
	tests := []struct {
		name    string
		data    string
		wantErr error
		// wantMsg is the whole message; "" when it quotes the database.
		wantMsg string
		// wantIndex is the FixtureError's object, when one is expected.
		wantIndex int
	}{
		{
			name:    "not a list",
			data:    `{"model": "blog.tag", "pk": 50, "fields": {"name": "x"}}`,
			wantErr: ErrMalformed,
			wantMsg: "load fixtures: malformed fixture: json: cannot unmarshal object into Go value of type []seed.rawObject",
		},
		{
			name:    "unknown key",
			data:    `[{"model": "blog.tag", "pks": 50, "fields": {"name": "x"}}]`,
			wantErr: ErrMalformed,
			wantMsg: `load fixtures: malformed fixture: json: unknown field "pks"`,
		},
		{
			name:      "unknown model",
			data:      `[` + goodPost + `, {"model": "blog.pots", "pk": 1, "fields": {}}]`,
			wantErr:   ErrUnknownModel,
			wantIndex: 2,
			wantMsg:   `load fixtures: object 2 (blog.pots pk 1): unknown model "blog.pots" (models: Category, Tag, Author, Post, Comment)`,
		},
		{
			name:      "wrong app label",
			data:      `[{"model": "shop.post", "pk": 1, "fields": {}}]`,
			wantErr:   ErrUnknownModel,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (shop.post pk 1): unknown model "shop.post" (models: Category, Tag, Author, Post, Comment)`,
		},
		{
			name:      "unknown field",
			data:      `[` + goodPost + `, {"model": "blog.post", "pk": 101, "fields": {"titel": "x"}}]`,
			wantErr:   ErrUnknownField,
			wantIndex: 2,
			wantMsg:   `load fixtures: object 2 (Post pk 101): field "titel": unknown field (fields of Post: id, title, slug, content, status, is_published, views, rating, published_at, author, category, tags, created_at, updated_at)`,
		},
		{
			name:      "wrong type",
			data:      `[` + goodPost + `, {"model": "blog.post", "pk": 101, "fields": {"title": 5, "slug": "s", "content": "c", "author": 1}}]`,
			wantErr:   database.ErrInvalidValue,
			wantIndex: 2,
			wantMsg:   `load fixtures: object 2 (Post pk 101): field "title": invalid value: 5 is not a string`,
		},
		{
			name:      "wrong key type",
			data:      `[{"model": "blog.post", "pk": "one", "fields": {"title": "t", "slug": "s", "content": "c", "author": 1}}]`,
			wantErr:   database.ErrInvalidValue,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (Post pk one): field "pk": invalid value: "one" is not a 64-bit integer`,
		},
		{
			name:      "null where not nullable",
			data:      `[{"model": "blog.post", "pk": 101, "fields": {"title": null, "slug": "s", "content": "c", "author": 1}}]`,
			wantErr:   database.ErrInvalidValue,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (Post pk 101): field "title": invalid value: null is not allowed (the field is not nullable)`,
		},
		{
			name:      "not a choice",
			data:      `[{"model": "blog.post", "pk": 101, "fields": {"title": "t", "slug": "s", "content": "c", "author": 1, "status": "deleted"}}]`,
			wantErr:   database.ErrInvalidValue,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (Post pk 101): field "status": invalid value: "deleted" is not one of the choices (draft, published, archived)`,
		},
		{
			name:      "too long",
			data:      `[{"model": "blog.tag", "pk": 60, "fields": {"name": "` + strings.Repeat("é", 51) + `"}}]`,
			wantErr:   database.ErrInvalidValue,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (Tag pk 60): field "name": invalid value: 51 characters is longer than max_length 50`,
		},
		{
			name:      "missing required value",
			data:      `[{"model": "blog.post", "pk": 101, "fields": {"title": "t", "slug": "s", "content": "c"}}]`,
			wantErr:   ErrMissingValue,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (Post pk 101): field "author": missing value: the field is required (not nullable, no default)`,
		},
		{
			name:      "missing foreign key target",
			data:      `[` + goodPost + `, {"model": "blog.comment", "pk": 500, "fields": {"post": 999, "content": "c"}}]`,
			wantErr:   ErrMissingTarget,
			wantIndex: 2,
			wantMsg:   `load fixtures: object 2 (Comment pk 500): field "post": missing related object: there is no Post with pk 999`,
		},
		{
			name:      "missing many_to_many target",
			data:      `[{"model": "blog.post", "pk": 101, "fields": {"title": "t", "slug": "s", "content": "c", "author": 1, "tags": [1, 99]}}]`,
			wantErr:   ErrMissingTarget,
			wantIndex: 1,
			wantMsg:   `load fixtures: object 1 (Post pk 101): field "tags": missing related object: there is no Tag with pk 99`,
		},
		{
			name:      "unique violation",
			data:      `[` + goodPost + `, {"model": "blog.tag", "pk": 70, "fields": {"name": "go"}}]`,
			wantIndex: 2,
		},
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			if _, err := LoadFixtures(ctx, db, s, readExample(t)); err != nil {
				t.Fatal(err)
			}
			before := dump(t, db, s)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := LoadFixtures(ctx, db, s, []byte(tt.data))
					if err == nil {
						t.Fatalf("LoadFixtures = %v, nil; want an error", got)
					}
					if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
						t.Errorf("error %q does not wrap %v", err, tt.wantErr)
					}
					if tt.wantMsg != "" && err.Error() != tt.wantMsg {
						t.Errorf("error = %q\nwant    %q", err, tt.wantMsg)
					}
					var fe *FixtureError
					if tt.wantIndex > 0 && (!errors.As(err, &fe) || fe.Index != tt.wantIndex) {
						t.Errorf("error %q: want a *FixtureError for object %d", err, tt.wantIndex)
					}
					if diff := cmp.Diff(before, dump(t, db, s)); diff != "" {
						t.Errorf("a failed load changed the data (-before +after):\n%s", diff)
					}
				})
			}
		})
	}
}
