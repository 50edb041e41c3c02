package introspection

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// typeRef is the value behind one __Type object: a named type, or a List or
// NonNull wrapper taken from a field, argument or input field type.
type typeRef struct {
	t   *ast.Type       // a type reference; nil for a named type
	def *ast.Definition // the named type when t is nil
	// nullable: t is the ofType of a NON_NULL, so t.NonNull is already spent.
	nullable bool
}

// resolve returns ref's kind, its definition for a named type, and its
// ofType for a wrapper.
func (w *writer) resolve(ref typeRef) (kind string, def *ast.Definition, of typeRef, err error) {
	if ref.t == nil {
		return string(ref.def.Kind), ref.def, typeRef{}, nil
	}
	switch t := ref.t; {
	case t.NonNull && !ref.nullable:
		return "NON_NULL", nil, typeRef{t: t, nullable: true}, nil
	case t.Elem != nil:
		return "LIST", nil, typeRef{t: t.Elem}, nil
	default:
		def := w.schema.Types[t.NamedType]
		if def == nil {
			return "", nil, typeRef{}, fmt.Errorf("introspection: type %q is not in the schema", t.NamedType)
		}
		return string(def.Kind), def, typeRef{}, nil
	}
}

func (w *writer) writeSchema(sets []ast.SelectionSet) error {
	s := w.schema
	return w.object("__Schema", sets, func(g *group) error {
		switch g.field.Name {
		case "description":
			w.buf = appendNullableString(w.buf, s.Description)
		case "types":
			defs := w.types()
			return w.list(len(defs), func(i int) error { return w.writeType(typeRef{def: defs[i]}, g.sets) })
		case "queryType":
			if s.Query == nil {
				return fmt.Errorf("introspection: schema has no query type")
			}
			return w.writeType(typeRef{def: s.Query}, g.sets)
		case "mutationType":
			return w.writeOptionalType(s.Mutation, g.sets)
		case "subscriptionType":
			return w.writeOptionalType(s.Subscription, g.sets)
		case "directives":
			dirs := w.directives()
			return w.list(len(dirs), func(i int) error { return w.writeDirective(dirs[i], g.sets) })
		default:
			return unknownField("__Schema", g)
		}
		return nil
	})
}

func (w *writer) writeOptionalType(def *ast.Definition, sets []ast.SelectionSet) error {
	if def == nil {
		w.buf = append(w.buf, "null"...)
		return nil
	}
	return w.writeType(typeRef{def: def}, sets)
}

func (w *writer) list(n int, item func(i int) error) error {
	w.buf = append(w.buf, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		if err := item(i); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, ']')
	return nil
}

func (w *writer) null() error {
	w.buf = append(w.buf, "null"...)
	return nil
}

func (w *writer) writeType(ref typeRef, sets []ast.SelectionSet) error {
	kind, def, of, err := w.resolve(ref)
	if err != nil {
		return err
	}
	return w.object("__Type", sets, func(g *group) error {
		args := g.field.Arguments
		switch g.field.Name {
		case "kind":
			w.buf = appendJSONString(w.buf, kind)
		case "name":
			if def == nil {
				return w.null()
			}
			w.buf = appendJSONString(w.buf, def.Name)
		case "description":
			if def == nil {
				return w.null()
			}
			w.buf = appendNullableString(w.buf, def.Description)
		case "specifiedByURL":
			if def == nil || def.Kind != ast.Scalar {
				return w.null()
			}
			url, _ := constString(def.Directives.ForName("specifiedBy"), "url")
			w.buf = appendNullableString(w.buf, url)
		case "fields":
			if def == nil || (def.Kind != ast.Object && def.Kind != ast.Interface) {
				return w.null()
			}
			fields := w.outputFields(def, w.boolArg(args, "includeDeprecated", false))
			return w.list(len(fields), func(i int) error { return w.writeField(fields[i], g.sets) })
		case "interfaces":
			if def == nil || (def.Kind != ast.Object && def.Kind != ast.Interface) {
				return w.null()
			}
			return w.writeNamedTypes(def.Interfaces, g.sets)
		case "possibleTypes":
			if def == nil {
				return w.null()
			}
			switch def.Kind {
			case ast.Union:
				return w.writeNamedTypes(def.Types, g.sets)
			case ast.Interface:
				var objs []*ast.Definition
				for _, p := range w.schema.PossibleTypes[def.Name] {
					if p.Kind == ast.Object {
						objs = append(objs, p)
					}
				}
				return w.list(len(objs), func(i int) error { return w.writeType(typeRef{def: objs[i]}, g.sets) })
			}
			return w.null()
		case "enumValues":
			if def == nil || def.Kind != ast.Enum {
				return w.null()
			}
			values := w.enumValues(def, w.boolArg(args, "includeDeprecated", false))
			return w.list(len(values), func(i int) error { return w.writeEnumValue(values[i], g.sets) })
		case "inputFields":
			if def == nil || def.Kind != ast.InputObject {
				return w.null()
			}
			values := w.inputFields(def.Fields, w.boolArg(args, "includeDeprecated", false))
			return w.list(len(values), func(i int) error { return w.writeInputValue(values[i], g.sets) })
		case "ofType":
			if def != nil {
				return w.null()
			}
			return w.writeType(of, g.sets)
		case "isOneOf":
			if def == nil || def.Kind != ast.InputObject {
				return w.null()
			}
			w.buf = appendBool(w.buf, def.Directives.ForName("oneOf") != nil)
		default:
			return unknownField("__Type", g)
		}
		return nil
	})
}

func (w *writer) writeNamedTypes(names []string, sets []ast.SelectionSet) error {
	return w.list(len(names), func(i int) error {
		def := w.schema.Types[names[i]]
		if def == nil {
			return fmt.Errorf("introspection: type %q is not in the schema", names[i])
		}
		return w.writeType(typeRef{def: def}, sets)
	})
}

// outputFields lists an object's or interface's fields, leaving out the
// __schema and __type fields gqlparser adds to the query type (introspection
// never lists meta-fields) and, unless asked, deprecated ones.
func (w *writer) outputFields(def *ast.Definition, includeDeprecated bool) []*ast.FieldDefinition {
	out := make([]*ast.FieldDefinition, 0, len(def.Fields))
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		if _, deprecated := w.deprecation(f.Directives); deprecated && !includeDeprecated {
			continue
		}
		out = append(out, f)
	}
	return out
}

func (w *writer) writeField(f *ast.FieldDefinition, sets []ast.SelectionSet) error {
	return w.object("__Field", sets, func(g *group) error {
		switch g.field.Name {
		case "name":
			w.buf = appendJSONString(w.buf, f.Name)
		case "description":
			w.buf = appendNullableString(w.buf, f.Description)
		case "args":
			args := w.arguments(f.Arguments, w.boolArg(g.field.Arguments, "includeDeprecated", false))
			return w.list(len(args), func(i int) error { return w.writeInputValue(args[i], g.sets) })
		case "type":
			return w.writeType(typeRef{t: f.Type}, g.sets)
		case "isDeprecated", "deprecationReason":
			w.writeDeprecation(g.field.Name, f.Directives)
		default:
			return unknownField("__Field", g)
		}
		return nil
	})
}

// inputValue is the value behind one __InputValue: a field or directive
// argument, or an input object field.
type inputValue struct {
	name, description string
	typ               *ast.Type
	defaultValue      *ast.Value
	directives        ast.DirectiveList
}

func (w *writer) arguments(args ast.ArgumentDefinitionList, includeDeprecated bool) []inputValue {
	out := make([]inputValue, 0, len(args))
	for _, a := range args {
		if _, deprecated := w.deprecation(a.Directives); deprecated && !includeDeprecated {
			continue
		}
		out = append(out, inputValue{a.Name, a.Description, a.Type, a.DefaultValue, a.Directives})
	}
	return out
}

func (w *writer) inputFields(fields ast.FieldList, includeDeprecated bool) []inputValue {
	out := make([]inputValue, 0, len(fields))
	for _, f := range fields {
		if _, deprecated := w.deprecation(f.Directives); deprecated && !includeDeprecated {
			continue
		}
		out = append(out, inputValue{f.Name, f.Description, f.Type, f.DefaultValue, f.Directives})
	}
	return out
}

func (w *writer) writeInputValue(v inputValue, sets []ast.SelectionSet) error {
	return w.object("__InputValue", sets, func(g *group) error {
		switch g.field.Name {
		case "name":
			w.buf = appendJSONString(w.buf, v.name)
		case "description":
			w.buf = appendNullableString(w.buf, v.description)
		case "type":
			return w.writeType(typeRef{t: v.typ}, g.sets)
		case "defaultValue":
			if v.defaultValue == nil {
				return w.null()
			}
			// The literal is short; format it on the stack-sized scratch
			// and escape it as one JSON string.
			var scratch [64]byte
			w.buf = appendJSONString(w.buf, string(appendLiteral(scratch[:0], v.defaultValue)))
		case "isDeprecated", "deprecationReason":
			w.writeDeprecation(g.field.Name, v.directives)
		default:
			return unknownField("__InputValue", g)
		}
		return nil
	})
}

func (w *writer) enumValues(def *ast.Definition, includeDeprecated bool) []*ast.EnumValueDefinition {
	out := make([]*ast.EnumValueDefinition, 0, len(def.EnumValues))
	for _, v := range def.EnumValues {
		if def.Name == "__DirectiveLocation" && !isSpecLocation(v.Name) {
			continue
		}
		if _, deprecated := w.deprecation(v.Directives); deprecated && !includeDeprecated {
			continue
		}
		out = append(out, v)
	}
	return out
}

func (w *writer) writeEnumValue(v *ast.EnumValueDefinition, sets []ast.SelectionSet) error {
	return w.object("__EnumValue", sets, func(g *group) error {
		switch g.field.Name {
		case "name":
			w.buf = appendJSONString(w.buf, v.Name)
		case "description":
			w.buf = appendNullableString(w.buf, v.Description)
		case "isDeprecated", "deprecationReason":
			w.writeDeprecation(g.field.Name, v.Directives)
		default:
			return unknownField("__EnumValue", g)
		}
		return nil
	})
}

func (w *writer) writeDirective(d *ast.DirectiveDefinition, sets []ast.SelectionSet) error {
	return w.object("__Directive", sets, func(g *group) error {
		switch g.field.Name {
		case "name":
			w.buf = appendJSONString(w.buf, d.Name)
		case "description":
			w.buf = appendNullableString(w.buf, d.Description)
		case "isRepeatable":
			w.buf = appendBool(w.buf, d.IsRepeatable)
		case "locations":
			w.buf = append(w.buf, '[')
			n := 0
			for _, l := range d.Locations {
				if !isSpecLocation(string(l)) {
					continue
				}
				if n > 0 {
					w.buf = append(w.buf, ',')
				}
				w.buf = appendJSONString(w.buf, string(l))
				n++
			}
			w.buf = append(w.buf, ']')
		case "args":
			args := w.arguments(d.Arguments, w.boolArg(g.field.Arguments, "includeDeprecated", false))
			return w.list(len(args), func(i int) error { return w.writeInputValue(args[i], g.sets) })
		default:
			return unknownField("__Directive", g)
		}
		return nil
	})
}

// deprecation reports whether dirs carry @deprecated and its reason: the
// given one, or the directive's declared default. An explicit null reason
// counts as not deprecated, as in graphql-js, whose isDeprecated is
// "deprecationReason != null".
func (w *writer) deprecation(dirs ast.DirectiveList) (reason string, deprecated bool) {
	d := dirs.ForName("deprecated")
	if d == nil {
		return "", false
	}
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		if a.Value.Kind == ast.NullValue {
			return "", false
		}
		if s, ok := constString(d, "reason"); ok {
			return s, true
		}
	}
	if def := w.schema.Directives["deprecated"]; def != nil {
		if a := def.Arguments.ForName("reason"); a != nil && a.DefaultValue != nil &&
			(a.DefaultValue.Kind == ast.StringValue || a.DefaultValue.Kind == ast.BlockValue) {
			return a.DefaultValue.Raw, true
		}
	}
	return "No longer supported", true
}

func (w *writer) writeDeprecation(field string, dirs ast.DirectiveList) {
	reason, deprecated := w.deprecation(dirs)
	switch {
	case field == "isDeprecated":
		w.buf = appendBool(w.buf, deprecated)
	case deprecated:
		w.buf = appendJSONString(w.buf, reason)
	default:
		w.buf = append(w.buf, "null"...)
	}
}

// constString reads a string argument of a directive in the schema (where
// values are constants).
func constString(d *ast.Directive, arg string) (string, bool) {
	if d == nil {
		return "", false
	}
	a := d.Arguments.ForName(arg)
	if a == nil || a.Value == nil || (a.Value.Kind != ast.StringValue && a.Value.Kind != ast.BlockValue) {
		return "", false
	}
	return a.Value.Raw, true
}
