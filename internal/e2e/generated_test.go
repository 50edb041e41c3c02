package e2e

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/testdb"
)

// generatedCounts is a dataset larger than every page size cap: more posts
// per author and more comments than max_page_size (100), and more distinct
// ids than max_group_buckets (200).
var generatedCounts = map[string]int{"Category": 5, "Tag": 10, "Author": 3, "Post": 360, "Comment": 1200}

// generated is an engine over seed.Generate data, with a counter of the
// statements the database runs.
type generated struct {
	engine     *engine.Engine
	statements atomic.Int64
}

func newGenerated(t *testing.T, d database.Dialect) *generated {
	t.Helper()
	g := &generated{}
	ms, schema := blogSchema(t)
	db := testdb.OpenOptions(t, d, database.Options{OnQuery: func(string) { g.statements.Add(1) }})
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	made, err := seed.Generate(ctx, db, ms, seed.GenerateOptions{Seed: 7, Counts: generatedCounts})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	for name, want := range generatedCounts {
		if made[name] != want {
			t.Fatalf("generated %d %s rows, want %d", made[name], name, want)
		}
	}
	g.engine = engine.New(db, schema, engine.Options{Now: func() time.Time { return Now }})
	return g
}

// execute runs a query and decodes the response, failing on any error.
func (g *generated) execute(t *testing.T, query string) map[string]any {
	t.Helper()
	out, _ := g.engine.Execute(context.Background(), &engine.Request{Query: query}, nil)
	var resp struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	if len(resp.Errors) > 0 || resp.Data == nil {
		t.Fatalf("query failed: %s", out)
	}
	return resp.Data
}

// TestStatementsPerRootField proves SPEC §5: each root field is one SQL
// statement, however many rows and levels it reads (no N+1).
func TestStatementsPerRootField(t *testing.T) {
	const query = `{
		authors(limit: 100) {
			name
			posts_count
			posts(limit: 100) {
				title
				comments_count
				tags { name }
				comments(limit: 100) { content author { name } }
			}
		}
		posts_pages(per_page: 50) { items { id author { name } category { name } } page_info { total_count } }
	}`
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			g := newGenerated(t, d)
			for run := range 2 { // the second run uses the cached plan
				g.statements.Store(0)
				data := g.execute(t, query)
				if got := g.statements.Load(); got != 2 {
					t.Errorf("run %d: %d statements for 2 root fields, want 2", run, got)
				}
				var posts, comments int
				for _, a := range data["authors"].([]any) {
					for _, p := range a.(map[string]any)["posts"].([]any) {
						posts++
						comments += len(p.(map[string]any)["comments"].([]any))
					}
				}
				// Three authors with 100 posts each (capped) prove the data is
				// big enough that an N+1 plan would show.
				if posts != 300 || comments < 500 {
					t.Errorf("run %d: read %d posts and %d comments, want 300 and at least 500", run, posts, comments)
				}
			}
		})
	}
}

// TestPageSizeCaps proves the caps of SPEC §2.1 on a table larger than
// them: an absent limit means max_page_size (100), a larger limit or
// per_page is clamped (and per_page reports the clamped value), nested lists
// are capped too, group buckets stop at max_group_buckets (200).
func TestPageSizeCaps(t *testing.T) {
	const query = `{
		absent: posts { id }
		large: posts(limit: 1000) { id }
		pages: posts_pages(per_page: 1000) { items { id } page_info { total_count per_page page_count } }
		connection: posts_connection(first: 1000) { edges { node { id } } page_info { has_next_page } }
		nested: authors(limit: 1) { posts { id } posts_count }
		comments(offset: 1150) { id }
		groups: posts_groups(group_by: "id", limit: 1000) { key }
	}`
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			g := newGenerated(t, d)
			data := g.execute(t, query)
			count := func(v any) int { return len(v.([]any)) }
			obj := func(v any) map[string]any { return v.(map[string]any) }
			pages := obj(data["pages"])
			info := obj(pages["page_info"])
			nested := obj(data["nested"].([]any)[0])
			checks := []struct {
				name      string
				got, want any
			}{
				{"absent limit", count(data["absent"]), 100},
				{"limit 1000", count(data["large"]), 100},
				{"per_page 1000 items", count(pages["items"]), 100},
				{"per_page 1000 reported", info["per_page"], 100.0},
				{"total_count", info["total_count"], 360.0},
				{"page_count", info["page_count"], 4.0},
				{"first 1000", count(obj(data["connection"])["edges"]), 100},
				{"has_next_page", obj(obj(data["connection"])["page_info"])["has_next_page"], true},
				{"nested posts", count(nested["posts"]), 100},
				{"nested posts_count (uncapped)", nested["posts_count"].(float64) > 100, true},
				{"comments after offset 1150", count(data["comments"]), 50},
				{"group buckets", count(data["groups"]), 200},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
				}
			}
		})
	}
}
