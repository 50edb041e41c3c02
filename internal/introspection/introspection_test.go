package introspection

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func loadSchema(t testing.TB, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: sdl})
	if err != nil {
		t.Fatalf("load schema: %v", err)
	}
	return s
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// execute runs every root field of the document's only operation through
// Append and returns the data object, the way the engine splices
// introspection into a response.
func execute(t testing.TB, s *ast.Schema, query string, vars map[string]any) (string, error) {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if errs := validator.Validate(s, doc); len(errs) > 0 {
		t.Fatalf("validate: %v", errs)
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(s, op, vars)
	if err != nil {
		t.Fatalf("variables: %v", err)
	}
	buf := []byte("{")
	for i, sel := range op.SelectionSet {
		f := sel.(*ast.Field)
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, f.Alias)
		buf = append(buf, ':')
		buf, err = Append(buf, s, f, coerced)
		if err != nil {
			return "", err
		}
	}
	buf = append(buf, '}')
	if !json.Valid(buf) {
		t.Fatalf("invalid JSON: %s", buf)
	}
	return string(buf), nil
}

func TestFullIntrospectionGolden(t *testing.T) {
	s := loadSchema(t, readFile(t, "schema.graphql"))
	for _, tc := range []struct{ query, golden string }{
		{"introspection_query.graphql", "introspection.golden.json"},
		{"introspection_query_oneof.graphql", "introspection_oneof.golden.json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := execute(t, s, readFile(t, tc.query), nil)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, []byte(`{"data":`+got+`}`), "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), pretty.String()); diff != "" {
				t.Errorf("introspection differs from %s (-want +got):\n%s", path, diff)
			}
		})
	}
}

const smallSDL = `
type Query {
  "A greeting."
  hello(name: String = "world"): String
}
`

func TestAppend(t *testing.T) {
	rich := loadSchema(t, readFile(t, "schema.graphql"))
	small := loadSchema(t, smallSDL)
	tests := []struct {
		name   string
		schema *ast.Schema
		query  string
		vars   map[string]any
		want   string
	}{
		{
			name:   "aliases and __typename",
			schema: small,
			query:  `{ s: __schema { __typename q: queryType { n: name k: kind __typename } m: mutationType { name } } }`,
			want:   `{"s":{"__typename":"__Schema","q":{"n":"Query","k":"OBJECT","__typename":"__Type"},"m":null}}`,
		},
		{
			name:   "unknown type is null",
			schema: small,
			query:  `{ __type(name: "Run🏃Swim🏊") { name } }`,
			want:   `{"__type":null}`,
		},
		{
			name:   "type name from a variable",
			schema: rich,
			query:  `query($n: String!) { __type(name: $n) { name kind description specifiedByURL } }`,
			vars:   map[string]any{"n": "DateTime"},
			want:   `{"__type":{"name":"DateTime","kind":"SCALAR","description":"An RFC 3339 date-time.","specifiedByURL":"https://www.rfc-editor.org/rfc/rfc3339"}}`,
		},
		{
			name:   "unreferenced built-in scalars are hidden",
			schema: small,
			query:  `{ i: __type(name: "Int") { name } f: __type(name: "Float") { name } id: __type(name: "ID") { name } s: __type(name: "String") { name } b: __type(name: "Boolean") { name } }`,
			want:   `{"i":null,"f":null,"id":null,"s":{"name":"String"},"b":{"name":"Boolean"}}`,
		},
		{
			name:   "types lists user, used built-in and introspection types",
			schema: small,
			query:  `{ __schema { types { name } } }`,
			want:   `{"__schema":{"types":[{"name":"Boolean"},{"name":"Query"},{"name":"String"},{"name":"__Directive"},{"name":"__DirectiveLocation"},{"name":"__EnumValue"},{"name":"__Field"},{"name":"__InputValue"},{"name":"__Schema"},{"name":"__Type"},{"name":"__TypeKind"}]}}`,
		},
		{
			name:   "meta fields are not listed",
			schema: small,
			query:  `{ __type(name: "Query") { fields { name args { name defaultValue type { name } } description } } }`,
			want:   `{"__type":{"fields":[{"name":"hello","args":[{"name":"name","defaultValue":"\"world\"","type":{"name":"String"}}],"description":"A greeting."}]}}`,
		},
		{
			name:   "fragments, inline fragments and merging",
			schema: rich,
			query: `query { __type(name: "Range") { ...A ... on __Type { name inputFields { type { kind } } } ... { kind } } }
				fragment A on __Type { name inputFields { name } }`,
			want: `{"__type":{"name":"Range","inputFields":[{"name":"from","type":{"kind":"NON_NULL"}},{"name":"to","type":{"kind":"SCALAR"}}],"kind":"INPUT_OBJECT"}}`,
		},
		{
			name:   "skip and include",
			schema: rich,
			query: `query($yes: Boolean!, $no: Boolean!) { __type(name: "Range") {
				a: name @skip(if: true) b: name @include(if: $yes) c: name @include(if: $no)
				... @skip(if: $yes) { d: name } ...F @include(if: true) kind @skip(if: false) @include(if: false) } }
				fragment F on __Type { e: name }`,
			vars: map[string]any{"yes": true, "no": false},
			want: `{"__type":{"b":"Range","e":"Range"}}`,
		},
		{
			name:   "wrapping types",
			schema: rich,
			query:  `{ __type(name: "Post") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`,
			want:   `{"__type":{"fields":[{"name":"id","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID","ofType":null}}},{"name":"created_at","type":{"kind":"SCALAR","name":"DateTime","ofType":null}},{"name":"title","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"String","ofType":null}}},{"name":"slug","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"String","ofType":null}}},{"name":"status","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"ENUM","name":"Status","ofType":null}}},{"name":"tags","type":{"kind":"LIST","name":null,"ofType":{"kind":"NON_NULL","name":null,"ofType":{"kind":"LIST","name":null,"ofType":{"kind":"SCALAR","name":"String","ofType":null}}}}},{"name":"author","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"OBJECT","name":"Author","ofType":null}}},{"name":"metadata","type":{"kind":"SCALAR","name":"JSON","ofType":null}},{"name":"legacy","type":{"kind":"SCALAR","name":"String","ofType":null}}]}}`,
		},
		{
			name:   "deprecated enum values",
			schema: rich,
			query:  `{ __type(name: "Status") { a: enumValues { name } b: enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } } }`,
			want:   `{"__type":{"a":[{"name":"DRAFT"},{"name":"PUBLISHED"}],"b":[{"name":"DRAFT","description":"Not visible yet.","isDeprecated":false,"deprecationReason":null},{"name":"PUBLISHED","description":null,"isDeprecated":false,"deprecationReason":null},{"name":"ARCHIVED","description":null,"isDeprecated":true,"deprecationReason":"No longer supported"},{"name":"HIDDEN","description":null,"isDeprecated":true,"deprecationReason":"Use ` + "`ARCHIVED`" + `."}]}}`,
		},
		{
			name:   "deprecated arguments and input fields",
			schema: rich,
			query: `query($all: Boolean) { p: __type(name: "Post") { fields(includeDeprecated: $all) { name args { name } all: args(includeDeprecated: true) { name isDeprecated deprecationReason } } }
				f: __type(name: "PostFilter") { inputFields { name } } }`,
			vars: map[string]any{"all": false},
			want: `{"p":{"fields":[{"name":"id","args":[],"all":[]},{"name":"created_at","args":[],"all":[]},{"name":"title","args":[],"all":[]},{"name":"slug","args":[],"all":[]},{"name":"status","args":[],"all":[]},{"name":"tags","args":[],"all":[]},{"name":"author","args":[],"all":[]},{"name":"metadata","args":[],"all":[]},{"name":"legacy","args":[{"name":"keep"}],"all":[{"name":"filter","isDeprecated":true,"deprecationReason":"Gone."},{"name":"keep","isDeprecated":false,"deprecationReason":null}]}]},"f":{"inputFields":[{"name":"title_contains"},{"name":"status_in"},{"name":"and"},{"name":"text"},{"name":"escaped"},{"name":"range"},{"name":"at"}]}}`,
		},
		{
			name:   "default values print as GraphQL literals",
			schema: rich,
			query:  `{ __type(name: "PostFilter") { inputFields(includeDeprecated: true) { name defaultValue } } }`,
			want:   `{"__type":{"inputFields":[{"name":"title_contains","defaultValue":null},{"name":"status_in","defaultValue":"[PUBLISHED]"},{"name":"and","defaultValue":null},{"name":"old","defaultValue":null},{"name":"text","defaultValue":"\"Block\\n\\\"string\\\" \\\\n\""},{"name":"escaped","defaultValue":"\"tab\\there\\u0001 é \\u0085\""},{"name":"range","defaultValue":"{from: 1, to: 10}"},{"name":"at","defaultValue":"\"2024-01-01T00:00:00Z\""}]}}`,
		},
		{
			name:   "interfaces and possible types",
			schema: rich,
			query: `{ n: __type(name: "Node") { interfaces { name } possibleTypes { name } } e: __type(name: "Entity") { interfaces { name } }
				u: __type(name: "SearchResult") { possibleTypes { name } interfaces { name } fields { name } } a: __type(name: "Author") { interfaces { name } possibleTypes { name } } }`,
			want: `{"n":{"interfaces":[],"possibleTypes":[{"name":"Author"},{"name":"Post"}]},"e":{"interfaces":[{"name":"Node"}]},"u":{"possibleTypes":[{"name":"Post"},{"name":"Author"}],"interfaces":null,"fields":null},"a":{"interfaces":[{"name":"Node"},{"name":"Entity"}],"possibleTypes":null}}`,
		},
		{
			name:   "isOneOf",
			schema: rich,
			query:  `{ k: __type(name: "PostKey") { isOneOf } f: __type(name: "PostFilter") { isOneOf } s: __type(name: "Status") { isOneOf } }`,
			want:   `{"k":{"isOneOf":true},"f":{"isOneOf":false},"s":{"isOneOf":null}}`,
		},
		{
			name:   "directives advertised",
			schema: rich,
			query:  `{ __schema { directives { name isRepeatable locations } } }`,
			want:   `{"__schema":{"directives":[{"name":"include","isRepeatable":false,"locations":["FIELD","FRAGMENT_SPREAD","INLINE_FRAGMENT"]},{"name":"skip","isRepeatable":false,"locations":["FIELD","FRAGMENT_SPREAD","INLINE_FRAGMENT"]},{"name":"deprecated","isRepeatable":false,"locations":["FIELD_DEFINITION","ARGUMENT_DEFINITION","INPUT_FIELD_DEFINITION","ENUM_VALUE"]},{"name":"specifiedBy","isRepeatable":false,"locations":["SCALAR"]},{"name":"oneOf","isRepeatable":false,"locations":["INPUT_OBJECT"]},{"name":"internal","isRepeatable":false,"locations":["FIELD_DEFINITION"]},{"name":"key","isRepeatable":true,"locations":["OBJECT","INTERFACE"]}]}}`,
		},
		{
			name:   "no oneOf directive when unused",
			schema: small,
			query:  `{ __schema { directives { name } } }`,
			want:   `{"__schema":{"directives":[{"name":"include"},{"name":"skip"},{"name":"deprecated"},{"name":"specifiedBy"}]}}`,
		},
		{
			name:   "directive location enum follows the spec",
			schema: small,
			query:  `{ __type(name: "__DirectiveLocation") { enumValues { name } } }`,
			want:   `{"__type":{"enumValues":[{"name":"QUERY"},{"name":"MUTATION"},{"name":"SUBSCRIPTION"},{"name":"FIELD"},{"name":"FRAGMENT_DEFINITION"},{"name":"FRAGMENT_SPREAD"},{"name":"INLINE_FRAGMENT"},{"name":"VARIABLE_DEFINITION"},{"name":"SCHEMA"},{"name":"SCALAR"},{"name":"OBJECT"},{"name":"FIELD_DEFINITION"},{"name":"ARGUMENT_DEFINITION"},{"name":"INTERFACE"},{"name":"UNION"},{"name":"ENUM"},{"name":"ENUM_VALUE"},{"name":"INPUT_OBJECT"},{"name":"INPUT_FIELD_DEFINITION"}]}}`,
		},
		{
			name:   "schema description and roots",
			schema: rich,
			query:  `{ __schema { description mutationType { name } subscriptionType { name } } }`,
			want:   `{"__schema":{"description":"A schema exercising every part of introspection.\nSecond line with \"quotes\", a backslash \\ and a tab\t.","mutationType":{"name":"Mutation"},"subscriptionType":{"name":"Subscription"}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := execute(t, tt.schema, tt.query, tt.vars)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppendErrors(t *testing.T) {
	s := loadSchema(t, smallSDL)
	dst := []byte("prefix")
	// Unvalidated selections reach Append only through a bug; they must
	// fail cleanly and leave dst alone.
	for _, q := range []string{
		`{ __schema { nope } }`,
		`{ __type(name: "Query") { fields { nope } } }`,
		`{ hello }`,
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatal(err)
		}
		f := doc.Operations[0].SelectionSet[0].(*ast.Field)
		got, err := Append(dst, s, f, nil)
		if err == nil {
			t.Errorf("%s: got no error", q)
		}
		if string(got) != "prefix" {
			t.Errorf("%s: dst = %q, want it unchanged", q, got)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"q\"b\\", `"q\"b\\"`},
		{"\n\r\t\b\f\x00\x1f", `"\n\r\t\b\f\u0000\u001f"`},
		{"é😀<>&", `"é😀<>&"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
	}
	for _, tt := range tests {
		got := string(appendJSONString(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("appendJSONString(%q) = %s: not JSON: %v", tt.in, got, err)
		} else if want := strings.ToValidUTF8(tt.in, "\ufffd"); back != want {
			t.Errorf("round trip of %q = %q, want %q", tt.in, back, want)
		}
	}
}
