package gqlschema_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

func build(t *testing.T, naming model.Naming) *gqlschema.Schema {
	t.Helper()
	ms, err := model.Load("../../examples/blog/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{Naming: naming})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSDLGolden keeps the generated API of the example blog under review:
// any change to names, types or arguments shows up as a diff.
func TestSDLGolden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		naming model.Naming
	}{
		{"blog.snake.graphql", model.NamingSnake},
		{"blog.camel.graphql", model.NamingCamel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := build(t, tc.naming).SDL
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("SDL differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

// TestQueryFields checks the SPEC §2.1 surface: names, argument lists and
// defaults of every root field of one model.
func TestQueryFields(t *testing.T) {
	g := build(t, model.NamingSnake)
	q := g.AST.Query
	want := map[string]string{
		"post":             "id: ID!",
		"posts":            "filters: PostFilter, quick: String, include: [ID!], order_by: [String!], offset: Int = 0, limit: Int",
		"posts_pages":      "page: Int = 1, per_page: Int = 20, filters: PostFilter, quick: String, include: [ID!], order_by: [String!]",
		"posts_groups":     `group_by: String!, order_by: String = "-count", limit: Int = 50, filters: PostFilter, quick: String`,
		"posts_aggregate":  "filters: PostFilter, quick: String",
		"posts_connection": "first: Int, after: String, last: Int, before: String, filters: PostFilter, quick: String, order_by: [String!]",
		"categories":       "filters: CategoryFilter, quick: String, include: [ID!], order_by: [String!], offset: Int = 0, limit: Int",
	}
	for name, args := range want {
		f := q.Fields.ForName(name)
		if f == nil {
			t.Errorf("Query.%s is missing", name)
			continue
		}
		var got []string
		for _, a := range f.Arguments {
			s := a.Name + ": " + a.Type.String()
			if a.DefaultValue != nil {
				s += " = " + a.DefaultValue.String()
			}
			got = append(got, s)
		}
		if diff := cmp.Diff(args, strings.Join(got, ", ")); diff != "" {
			t.Errorf("Query.%s arguments (-want +got):\n%s", name, diff)
		}
	}
}

// TestObjectAndFilterTypes checks relation fields, _count fields, raw keys,
// enums and a sample of lookups of every family.
func TestObjectAndFilterTypes(t *testing.T) {
	g := build(t, model.NamingSnake)
	for _, tc := range []struct{ typ, field, want string }{
		{"Post", "author", "Author!"},
		{"Post", "author_id", "ID!"},
		{"Post", "category", "Category"},
		{"Post", "status", "PostStatus!"},
		{"Post", "rating", "Decimal"},
		{"Post", "published_at", "DateTime"},
		{"Post", "tags", "[Tag!]!"},
		{"Post", "comments", "[Comment!]!"},
		{"Post", "comments_count", "Int!"},
		{"Author", "posts", "[Post!]!"},
		{"Tag", "posts_count", "Int!"},
		{"PostFilter", "title__icontains", "String"},
		{"PostFilter", "title__in", "[String!]"},
		{"PostFilter", "views__range", "[Int!]"},
		{"PostFilter", "published_at__week_day", "Int"},
		{"PostFilter", "published_at__this_week", "Boolean"},
		{"PostFilter", "status__in", "[PostStatus!]"},
		{"PostFilter", "author", "ID"},
		{"PostFilter", "author__name__icontains", "String"},
		{"PostFilter", "comments__content__icontains", "String"},
		{"PostFilter", "comments_count__gte", "Int"},
		{"PostFilter", "AND", "[PostFilter!]"},
		{"PostFilter", "NOT", "PostFilter"},
		{"PostAggregate", "sum", "PostSums"},
		{"PostConnection", "edges", "[PostEdge!]!"},
	} {
		def := g.AST.Types[tc.typ]
		if def == nil {
			t.Errorf("type %s is missing", tc.typ)
			continue
		}
		f := def.Fields.ForName(tc.field)
		if f == nil {
			t.Errorf("%s.%s is missing", tc.typ, tc.field)
			continue
		}
		if got := f.Type.String(); got != tc.want {
			t.Errorf("%s.%s: got %s, want %s", tc.typ, tc.field, got, tc.want)
		}
	}
	if g.AST.Types["Category"] == nil || g.AST.Query.Fields.ForName("categories_pages") == nil {
		t.Error("plural of Category must be categories")
	}
}

// TestCamelCase checks that naming: camelCase renames fields and arguments
// while keeping lookup separators.
func TestCamelCase(t *testing.T) {
	g := build(t, model.NamingCamel)
	for _, tc := range []struct{ typ, field string }{
		{"Query", "postsPages"},
		{"Query", "postsConnection"},
		{"Post", "isPublished"},
		{"Post", "commentsCount"},
		{"Post", "authorId"},
		{"PostFilter", "isPublished__exact"},
		{"PostFilter", "publishedAt__year"},
		{"PostPage", "pageInfo"},
	} {
		if g.AST.Types[tc.typ].Fields.ForName(tc.field) == nil {
			t.Errorf("%s.%s is missing in camelCase", tc.typ, tc.field)
		}
	}
	if a := g.AST.Query.Fields.ForName("postsPages").Arguments.ForName("perPage"); a == nil {
		t.Error("postsPages(perPage:) is missing")
	}
}
