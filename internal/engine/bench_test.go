package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/sqlgen"
	"github.com/autogql/autogql/internal/testdb"
)

// The queries of ../../shared/PERFORMANCE.md, on the example blog.
var benchQueries = map[string]string{
	"q1_post_by_id":      `query($id: ID!) { post(id: $id) { id title author { name } } }`,
	"q2_posts_comments":  `{ posts(limit: 20, filters: {is_published: true}, order_by: ["-published_at"]) { id title author { name } comments(limit: 5) { id content } } }`,
	"q3_authors_counted": `{ authors(limit: 50) { id name posts_count } }`,
	"q4_three_levels":    `{ authors(limit: 10) { name posts(limit: 10) { title comments(limit: 5) { content author { name } } } } }`,
}

func loadBlog(tb testing.TB) *gqlschema.Schema {
	tb.Helper()
	ms, err := model.Load("../../examples/blog/models.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// BenchmarkCompile measures turning a document into SQL: cold (parse,
// validate, plan, render every time) and cached (the engine's caches).
func BenchmarkCompile(b *testing.B) {
	g := loadBlog(b)
	for name, q := range benchQueries {
		vars := map[string]any{"id": "1"}
		b.Run("cold/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				doc, err := parser.ParseQuery(&ast.Source{Input: q})
				if err != nil {
					b.Fatal(err)
				}
				if errs := validator.Validate(g.AST, doc); len(errs) > 0 {
					b.Fatal(errs)
				}
				p, err := plan.Build(g, database.Postgres, doc.Operations[0], vars, plan.Options{})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range p.Roots {
					if _, err := sqlgen.Render(database.Postgres, r.Query, p.Params, sqlgen.Options{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run("cached/"+name, func(b *testing.B) {
			e := New(nil, g, Options{})
			op := e.lookup(q).doc.Operations[0]
			b.ReportAllocs()
			for b.Loop() {
				d := e.lookup(q)
				if _, err := e.compileFor(d, op, vars, database.Postgres); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bigBlog returns a database with the PERFORMANCE.md data set: 1k authors,
// 20k posts, 100k comments, 50 tags.
func bigBlog(b *testing.B, d database.Dialect) *database.DB {
	b.Helper()
	db := testdb.Open(b, d)
	ms, err := model.Load("../../examples/blog/models.yaml")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		b.Fatal(err)
	}
	opts := seed.GenerateOptions{Seed: 1, Counts: map[string]int{"Author": 1000, "Post": 20000, "Comment": 100000, "Tag": 50, "Category": 20}}
	if _, err := seed.Generate(ctx, db, ms, opts); err != nil {
		b.Fatal(err)
	}
	// The peers were measured with an index serving "newest first".
	if err := db.Exec(ctx, `CREATE INDEX bench_post_published_at ON blog_post (published_at)`); err != nil {
		b.Fatal(err)
	}
	if err := db.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkExecute measures whole requests through the engine (no HTTP) on
// both databases with 100k+ rows.
func BenchmarkExecute(b *testing.B) {
	g := loadBlog(b)
	for _, d := range testdb.Dialects(b) {
		db := bigBlog(b, d)
		e := New(db, g, Options{})
		for name, q := range benchQueries {
			b.Run(fmt.Sprintf("%s/%s", d, name), func(b *testing.B) {
				req := &Request{Query: q, Variables: map[string]any{"id": "42"}}
				buf := make([]byte, 0, 64<<10)
				b.ReportAllocs()
				for b.Loop() {
					out, res := e.Execute(context.Background(), req, buf[:0])
					if res.Outcome != OutcomeOK {
						b.Fatalf("%s", out)
					}
				}
			})
		}
	}
}
