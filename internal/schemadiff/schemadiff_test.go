package schemadiff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

func load(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		t.Fatalf("load schema: %v\n%s", err, sdl)
	}
	return s
}

const base = `
type Query {
  post(id: ID!): Post
  posts(limit: Int, order_by: [String!], status: PostStatus = draft): [Post!]!
}
interface Node { id: ID! }
type Post implements Node {
  id: ID!
  title: String!
  subtitle: String
  tags: [String]
  status: PostStatus!
}
enum PostStatus { draft published }
input PostFilter { title: String, views__gte: Int! }
union Result = Post
`

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		old  string
		new  string
		want []string
	}{
		{"identical", base, base, nil},
		{
			"type removed", base,
			replace(base, "union Result = Post\n", ""),
			[]string{"BREAKING  Result: union was removed"},
		},
		{
			"type kind changed", base,
			replace(base, "union Result = Post", "scalar Result"),
			[]string{"BREAKING  Result: changed from union to scalar"},
		},
		{
			"field removed and added", base,
			replace(base, "  subtitle: String\n", "  summary: String\n"),
			[]string{"BREAKING  Post.subtitle: field was removed", "SAFE      Post.summary: field was added"},
		},
		{
			"output nullable to non-null is safe, non-null to nullable breaks", base,
			replace(replace(base, "  subtitle: String\n", "  subtitle: String!\n"), "  title: String!", "  title: String"),
			[]string{"BREAKING  Post.title: type changed from String! to String", "SAFE      Post.subtitle: type changed from String to String!"},
		},
		{
			"output type changed", base,
			replace(base, "  tags: [String]", "  tags: String"),
			[]string{"BREAKING  Post.tags: type changed from [String] to String"},
		},
		{
			"argument removed, required added, optional added", base,
			replace(base, "post(id: ID!): Post", "post(slug: String!, preview: Boolean): Post"),
			[]string{
				"BREAKING  Query.post(id:): argument was removed",
				"BREAKING  Query.post(slug:): required argument was added",
				"DANGEROUS Query.post(preview:): optional argument was added",
			},
		},
		{
			"nullable argument made non-null breaks; non-null made nullable is safe", base,
			replace(replace(base, "posts(limit: Int,", "posts(limit: Int!,"), "post(id: ID!)", "post(id: ID)"),
			[]string{"BREAKING  Query.posts(limit:): type changed from Int to Int!", "SAFE      Query.post(id:): type changed from ID! to ID"},
		},
		{
			"argument default changed", base,
			replace(base, "status: PostStatus = draft", "status: PostStatus = published"),
			[]string{"DANGEROUS Query.posts(status:): default changed from draft to published"},
		},
		{
			"enum value removed and added", base,
			replace(base, "enum PostStatus { draft published }", "enum PostStatus { draft archived }"),
			[]string{"BREAKING  PostStatus.published: enum value was removed", "DANGEROUS PostStatus.archived: enum value was added (clients switching over the values may not handle it)"},
		},
		{
			"input fields", base,
			replace(base, "input PostFilter { title: String, views__gte: Int! }", "input PostFilter { views__gte: Int, slug: String!, rating: Float }"),
			[]string{
				"BREAKING  PostFilter.slug: required input field was added",
				"BREAKING  PostFilter.title: input field was removed",
				"DANGEROUS PostFilter.rating: optional input field was added",
				"SAFE      PostFilter.views__gte: type changed from Int! to Int",
			},
		},
		{
			"interface removed", base,
			replace(base, "type Post implements Node {", "type Post {"),
			[]string{"BREAKING  Post: no longer implements Node"},
		},
		{
			"union member added", replace(base, "union Result = Post", "type Page { id: ID! }\nunion Result = Post"),
			replace(base, "union Result = Post", "type Page { id: ID! }\nunion Result = Post | Page"),
			[]string{"DANGEROUS Result: member Page was added"},
		},
		{
			"deprecation", base,
			replace(base, "  subtitle: String\n", "  subtitle: String @deprecated(reason: \"gone soon\")\n"),
			[]string{"SAFE      Post.subtitle: field was deprecated"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Diff(load(t, tt.old), load(t, tt.new)) {
				got = append(got, c.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func replace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("replace: " + old + " not in the schema")
	}
	return strings.Replace(s, old, new, 1)
}
