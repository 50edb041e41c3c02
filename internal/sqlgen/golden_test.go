package sqlgen_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	// Registers the specified validation rules.
	_ "github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
	"github.com/autogql/autogql/internal/sqlgen"
)

var update = flag.Bool("update", false, "rewrite testdata/sql from the current renderer (review the diff!)")

// goldenQueries cover every statement shape the renderer has: one row,
// lists with filters of every kind, nested relations and counts, include,
// quick, pages, groups, aggregates and keyset connections.
var goldenQueries = []struct {
	name  string
	query string
	vars  string // JSON
}{
	{"post_by_id", `{ post(id: 1) { id title status is_published rating published_at author { name } category { name } } }`, ``},
	{"posts_text_lookups", `{ posts(filters: {title__icontains: "été", slug__startswith: "a_b", content__regex: "^x", status__in: [draft, published]}) { id } }`, ``},
	{"posts_number_date_lookups", `{ posts(filters: {views__range: [1, 9], rating__gte: "4.5", published_at__year: 2024, published_at__week_day: 2, published_at__date: "2024-06-12", created_at__this_week: true}) { id } }`, ``},
	{"posts_logic", `{ posts(filters: {OR: [{rating__isnull: true}, {NOT: {AND: [{views__lt: 10}, {category__isnull: false}]}}]}) { id } }`, ``},
	{"posts_relation_filters", `{ posts(filters: {author__name__icontains: "a", category__name__isnull: true, comments__content__icontains: "x", tags__name__in: ["go"], comments_count__gt: 2}) { id } }`, ``},
	{"posts_nested", `{ posts(limit: 5, order_by: ["-views"]) { id author { name } tags(order_by: ["name"]) { name } comments(limit: 2, filters: {author__isnull: false}) { content } comments_count(filters: {author__isnull: true}) } }`, ``},
	{"posts_order_paths_and_counts", `{ posts(order_by: ["category__name", "-comments_count", "rating"], offset: 3, limit: 4) { id } }`, ``},
	{"posts_include_quick", `query ($q: String) { posts(quick: $q, include: ["1", "2"], filters: {status: draft}) { id } }`, `{"q": "go"}`},
	{"posts_pages", `{ posts_pages(page: 2, per_page: 5, filters: {is_published: true}) { items { id } page_info { total_count page_count current_page per_page has_next_page has_previous_page } } }`, ``},
	{"posts_groups", `{ status: posts_groups(group_by: "status") { key label count } category: posts_groups(group_by: "category", order_by: "key") { key label count } year: posts_groups(group_by: "published_at__year", limit: 3) { key count } }`, ``},
	{"posts_aggregate", `{ posts_aggregate(filters: {views__gt: 0}) { count sum { views rating } avg { views rating } min { published_at title } max { rating } } }`, ``},
	{"posts_connection_forward", `{ posts_connection(first: 3, after: "5b22352e30222c2232225de9557a982f1df9fc", order_by: ["rating"]) { edges { cursor node { id } } page_info { has_next_page has_previous_page start_cursor end_cursor } total_count } }`, ``},
	{"posts_connection_backward", `{ posts_connection(last: 3, before: "5b22416c696365204d617274696e222c2237225df4899adb0a4ac680", order_by: ["author__name"]) { edges { node { id } } page_info { has_previous_page } } }`, ``},
	{"authors_reverse", `{ authors(quick: "x") { name posts_count posts(filters: {published_at__past_month: true}) { title } } }`, ``},
}

// TestSQLGolden renders the SQL of each golden query for each dialect and
// compares it with testdata/sql/<name>.<dialect>.sql, so every change to the
// generated SQL is reviewed as a diff. The files hold each root field's
// statement, laid out one clause per line, and the values bound to its
// parameters.
func TestSQLGolden(t *testing.T) {
	ms, err := model.Load("../../examples/blog/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 6, 12, 15, 30, 0, 0, time.UTC)
	for _, q := range goldenQueries {
		for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
			t.Run(q.name+"/"+string(d), func(t *testing.T) {
				got := render(t, g, d, q.query, q.vars, now)
				path := filepath.Join("testdata", "sql", q.name+"."+string(d)+".sql")
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
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s changed (-want +got):\n%s", path, diff)
				}
			})
		}
	}
}

// render plans a query as the engine does and lays out its statements.
func render(t *testing.T, g *gqlschema.Schema, d database.Dialect, query, varsJSON string, now time.Time) string {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if errs := validator.Validate(g.AST, doc); len(errs) > 0 {
		t.Fatalf("validate: %v", errs)
	}
	var raw map[string]any
	if varsJSON != "" {
		dec := json.NewDecoder(strings.NewReader(varsJSON))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
	}
	op := doc.Operations[0]
	vars, gerr := validator.VariableValues(g.AST, op, raw)
	if gerr != nil {
		t.Fatalf("variables: %v", gerr)
	}
	p, err := plan.Build(g, d, op, vars, plan.Options{Now: func() time.Time { return now }, CursorKey: "golden"})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	var b strings.Builder
	for _, r := range p.Roots {
		if r.Kind != plan.RootSelect {
			continue
		}
		st, err := sqlgen.Render(d, r.Query, p.Params, sqlgen.Options{})
		if err != nil {
			t.Fatalf("render %s: %v", r.Key, err)
		}
		fmt.Fprintf(&b, "-- %s\n", r.Key)
		for i, pi := range st.Params {
			v, err := p.Params[pi].Value(vars)
			if err != nil {
				t.Fatalf("param %d of %s: %v", i+1, r.Key, err)
			}
			fmt.Fprintf(&b, "-- $%d = %s\n", i+1, literal(v))
		}
		b.WriteString(layout(st.SQL))
		b.WriteString(";\n\n")
	}
	return b.String()
}

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return fmt.Sprintf("%q", x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%v", v)
}

// layout breaks a statement before its main clauses, indented by the depth
// of parentheses, so that a change shows as a small diff. Quoted strings
// and identifiers are copied as they are.
func layout(sql string) string {
	clauses := []string{"SELECT ", "FROM ", "JOIN ", "WHERE ", "GROUP BY ", "ORDER BY ", "LIMIT ", "OFFSET ", "WITH "}
	var b bytes.Buffer
	depth := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(sql[i:min(j+1, len(sql))])
			i = j
			continue
		case '(':
			depth++
		case ')':
			depth--
		}
		if i > 0 && (sql[i-1] == ' ' || sql[i-1] == '(') {
			for _, kw := range clauses {
				if strings.HasPrefix(sql[i:], kw) {
					trimmed := bytes.TrimRight(b.Bytes(), " ")
					b.Truncate(len(trimmed))
					b.WriteString("\n" + strings.Repeat("  ", max(depth, 0)))
					break
				}
			}
		}
		b.WriteByte(c)
	}
	return strings.TrimLeft(b.String(), "\n")
}
