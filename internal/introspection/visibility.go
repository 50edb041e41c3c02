package introspection

import (
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// visibility records which optional parts of the prelude a schema exposes.
// It is derived from the schema on first use in an Append call; introspection
// is rare enough (a client loads it once) that caching per schema is not
// worth its lifetime management.
type visibility struct {
	// usesInt, usesFloat and usesID: graphql-js lists a built-in scalar only
	// when a field, argument or input field refers to it; String and Boolean
	// are always referenced by the introspection types themselves.
	usesInt, usesFloat, usesID bool
	// oneOf: some input object carries @oneOf, so the directive is advertised.
	oneOf bool
}

// preludeDirectives are the directives gqlparser declares itself. Only the
// ones the server implements are advertised (see directives).
var preludeDirectives = []string{"include", "skip", "deprecated", "specifiedBy", "oneOf", "defer", "stream"}

func (w *writer) visibility() *visibility {
	if w.vis != nil {
		return w.vis
	}
	v := &visibility{}
	use := func(t *ast.Type) {
		switch t.Name() {
		case "Int":
			v.usesInt = true
		case "Float":
			v.usesFloat = true
		case "ID":
			v.usesID = true
		}
	}
	useArgs := func(args ast.ArgumentDefinitionList) {
		for _, a := range args {
			use(a.Type)
		}
	}
	for _, def := range w.schema.Types {
		if def.BuiltIn {
			continue
		}
		if def.Kind == ast.InputObject && def.Directives.ForName("oneOf") != nil {
			v.oneOf = true
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			use(f.Type)
			useArgs(f.Arguments)
		}
	}
	for name, d := range w.schema.Directives {
		if !slices.Contains(preludeDirectives, name) {
			useArgs(d.Arguments)
		}
	}
	w.vis = v
	return v
}

// exposed reports whether a named type appears in __schema.types and answers
// __type(name:).
func (w *writer) exposed(def *ast.Definition) bool {
	if !def.BuiltIn {
		return true
	}
	switch def.Name {
	case "Int":
		return w.visibility().usesInt
	case "Float":
		return w.visibility().usesFloat
	case "ID":
		return w.visibility().usesID
	}
	return true
}

func (w *writer) lookup(name string) *ast.Definition {
	def := w.schema.Types[name]
	if def == nil || !w.exposed(def) {
		return nil
	}
	return def
}

// types lists the exposed named types sorted by name, so the output is
// stable (gqlparser keeps types in a map).
func (w *writer) types() []*ast.Definition {
	defs := make([]*ast.Definition, 0, len(w.schema.Types))
	for _, def := range w.schema.Types {
		if w.exposed(def) {
			defs = append(defs, def)
		}
	}
	slices.SortFunc(defs, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
	return defs
}

// directives lists the advertised directives: the specified ones the server
// implements in graphql-js order, @oneOf when used, then the schema's own
// directives by name. @defer and @stream are never advertised: the server
// does not stream responses.
func (w *writer) directives() []*ast.DirectiveDefinition {
	var out []*ast.DirectiveDefinition
	for _, name := range [...]string{"include", "skip", "deprecated", "specifiedBy"} {
		if d := w.schema.Directives[name]; d != nil {
			out = append(out, d)
		}
	}
	if d := w.schema.Directives["oneOf"]; d != nil && w.visibility().oneOf {
		out = append(out, d)
	}
	n := len(out)
	for name, d := range w.schema.Directives {
		if !slices.Contains(preludeDirectives, name) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out[n:], func(a, b *ast.DirectiveDefinition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// specLocations are the directive locations of the October 2021
// specification. gqlparser also knows DIRECTIVE_DEFINITION, an experimental
// addition (directive deprecation) that only the newest graphql-js 16
// releases parse; older clients build such a schema but cannot parse the SDL
// they print from it, and the server implements no directive there, so that
// location is not reported.
var specLocations = []ast.DirectiveLocation{
	ast.LocationQuery, ast.LocationMutation, ast.LocationSubscription, ast.LocationField,
	ast.LocationFragmentDefinition, ast.LocationFragmentSpread, ast.LocationInlineFragment,
	ast.LocationVariableDefinition, ast.LocationSchema, ast.LocationScalar, ast.LocationObject,
	ast.LocationFieldDefinition, ast.LocationArgumentDefinition, ast.LocationInterface,
	ast.LocationUnion, ast.LocationEnum, ast.LocationEnumValue, ast.LocationInputObject,
	ast.LocationInputFieldDefinition,
}

func isSpecLocation(l string) bool {
	return slices.Contains(specLocations, ast.DirectiveLocation(l))
}
