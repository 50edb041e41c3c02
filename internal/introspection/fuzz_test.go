package introspection

import (
	"encoding/json"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// FuzzAppend runs arbitrary documents through Append: validated ones must
// produce valid JSON without error; anything else (including selections the
// validator rejected, with fragments left unresolved) must not panic and must
// leave dst unchanged on error.
func FuzzAppend(f *testing.F) {
	s := loadSchema(f, readFile(f, "schema.graphql"))
	for _, seed := range []string{
		`{ __type(name: $name) { name kind fields { name type { ofType { name } } } } }`,
		`query($name: String!) { __type(name: $name) { ...F possibleTypes { name } } } fragment F on __Type { name enumValues(includeDeprecated: true) { name } }`,
		`query($name: String!, $b: Boolean!) { t: __type(name: $name) { a: name @skip(if: $b) ... on __Type @include(if: $b) { kind inputFields { defaultValue } } } }`,
		`{ __schema { types { name interfaces { name } } directives { name args { name } } } }`,
		`{ __schema { queryType { fields(includeDeprecated: true) { args(includeDeprecated: true) { type { kind } } } } } }`,
		`fragment A on __Type { ofType { ...A } } { __type(name: "Post") { ...A } }`,
		`{ __type(name: "Post") { nope } }`,
	} {
		f.Add(seed, "Post")
	}
	f.Add(`query($name: String!) { __type(name: $name) { name } }`, "Run🏃Swim🏊")
	f.Fuzz(func(t *testing.T, query, name string) {
		doc, err := parser.ParseQuery(&ast.Source{Input: query})
		if err != nil {
			return
		}
		valid := len(validator.Validate(s, doc)) == 0
		vars := map[string]any{"name": name, "b": true}
		for _, op := range doc.Operations {
			for _, sel := range op.SelectionSet {
				field, ok := sel.(*ast.Field)
				if !ok || (field.Name != "__schema" && field.Name != "__type") {
					continue
				}
				dst := []byte("x")
				out, err := Append(dst, s, field, vars)
				switch {
				case err != nil && valid:
					t.Fatalf("valid document %q: %v", query, err)
				case err != nil && string(out) != "x":
					t.Fatalf("error %v but dst changed to %q", err, out)
				case err == nil && !json.Valid(out[1:]):
					t.Fatalf("invalid JSON for %q: %s", query, out[1:])
				}
			}
		}
	})
}
