package introspection

import (
	"errors"
	"fmt"
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// ErrNotIntrospection is returned by Append for a root field other than
// __schema and __type.
var ErrNotIntrospection = errors.New("not an introspection root field")

// Append appends to dst the JSON value of field, a validated __schema or
// __type(name:) root field of an operation on s: an object holding the
// selected fields in selection order under their response keys (aliases
// included), or null when __type names a type the schema does not expose.
//
// vars are the operation's coerced variable values; they feed arguments
// (__type's name, includeDeprecated) and @skip/@include conditions. Fragment
// spreads must have been resolved by gqlparser's validator (their Definition
// set), as the engine's document cache does.
//
// Append never panics on a malformed selection; it reports an unknown field
// as an error. On error dst is returned unchanged.
func Append(dst []byte, s *ast.Schema, field *ast.Field, vars map[string]any) ([]byte, error) {
	if s == nil || field == nil {
		return dst, errors.New("introspection: nil schema or field")
	}
	w := writer{schema: s, vars: vars, buf: dst}
	var err error
	switch field.Name {
	case "__schema":
		err = w.writeSchema(selectionSets(nil, field))
	case "__type":
		name, _ := w.stringArg(field.Arguments, "name")
		if def := w.lookup(name); def == nil {
			w.buf = append(w.buf, "null"...)
		} else {
			err = w.writeType(typeRef{def: def}, selectionSets(nil, field))
		}
	default:
		err = fmt.Errorf("introspection: %q: %w", field.Name, ErrNotIntrospection)
	}
	if err != nil {
		return dst, err
	}
	return w.buf, nil
}

// writer holds the state of one Append call.
type writer struct {
	schema *ast.Schema
	vars   map[string]any
	buf    []byte

	// vis is computed on first use: which built-in types are exposed.
	vis *visibility
	// depth counts nested objects; see maxDepth.
	depth int
}

// maxDepth bounds object nesting. Validated documents cannot recurse (no
// fragment cycles) and the engine limits depth far below this; the bound
// turns a document that slipped past validation into an error instead of a
// stack overflow, which would kill the process.
const maxDepth = 256

// ErrTooDeep is returned by Append for a selection nested deeper than the
// introspection writer allows.
var ErrTooDeep = errors.New("introspection: selection nested too deeply")

// group is the set of fields that share one response key in a selection
// (GraphQL's CollectFields): they resolve once, with their sub-selections
// merged.
type group struct {
	key   string
	field *ast.Field
	sets  []ast.SelectionSet
}

func selectionSets(sets []ast.SelectionSet, f *ast.Field) []ast.SelectionSet {
	if len(f.SelectionSet) > 0 {
		sets = append(sets, f.SelectionSet)
	}
	return sets
}

// object writes a JSON object for an introspection type named typeName: one
// member per response key of the merged selection sets, __typename answered
// here and every other field by resolve.
func (w *writer) object(typeName string, sets []ast.SelectionSet, resolve func(g *group) error) error {
	if w.depth++; w.depth > maxDepth {
		return ErrTooDeep
	}
	defer func() { w.depth-- }()
	groups := w.collect(typeName, sets)
	w.buf = append(w.buf, '{')
	for i := range groups {
		g := &groups[i]
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendJSONString(w.buf, g.key)
		w.buf = append(w.buf, ':')
		if g.field.Name == "__typename" {
			w.buf = appendJSONString(w.buf, typeName)
			continue
		}
		if err := resolve(g); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, '}')
	return nil
}

// collector gathers response keys in first-seen order. Small selections use
// a linear scan; a map takes over past a few dozen keys so a hostile
// document with thousands of aliases stays linear.
type collector struct {
	typeName string
	groups   []group
	index    map[string]int
	visited  []string
}

const collectorMapThreshold = 32

func (w *writer) collect(typeName string, sets []ast.SelectionSet) []group {
	c := collector{typeName: typeName}
	for _, set := range sets {
		w.collectSet(&c, set)
	}
	return c.groups
}

func (w *writer) collectSet(c *collector, set ast.SelectionSet) {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if !w.included(sel.Directives) {
				continue
			}
			c.add(sel)
		case *ast.InlineFragment:
			if !w.included(sel.Directives) || !applies(sel.TypeCondition, c.typeName) {
				continue
			}
			w.collectSet(c, sel.SelectionSet)
		case *ast.FragmentSpread:
			if !w.included(sel.Directives) || slices.Contains(c.visited, sel.Name) {
				continue
			}
			c.visited = append(c.visited, sel.Name)
			def := sel.Definition
			if def == nil || !applies(def.TypeCondition, c.typeName) {
				continue
			}
			w.collectSet(c, def.SelectionSet)
		}
	}
}

func (c *collector) add(f *ast.Field) {
	key := f.Alias
	if key == "" {
		key = f.Name
	}
	i := c.find(key)
	if i < 0 {
		i = len(c.groups)
		c.groups = append(c.groups, group{key: key, field: f})
		if c.index != nil {
			c.index[key] = i
		} else if len(c.groups) > collectorMapThreshold {
			c.index = make(map[string]int, 2*len(c.groups))
			for j := range c.groups {
				c.index[c.groups[j].key] = j
			}
		}
	}
	if len(f.SelectionSet) > 0 {
		c.groups[i].sets = append(c.groups[i].sets, f.SelectionSet)
	}
}

func (c *collector) find(key string) int {
	if c.index != nil {
		if i, ok := c.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range c.groups {
		if c.groups[i].key == key {
			return i
		}
	}
	return -1
}

// applies reports whether a fragment with the given type condition applies
// to an object of type typeName. Introspection types implement no interface
// and belong to no union, so only an exact match (or no condition) applies.
func applies(condition, typeName string) bool {
	return condition == "" || condition == typeName
}

// included evaluates @skip and @include.
func (w *writer) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		switch d.Name {
		case "skip":
			if w.boolArg(d.Arguments, "if", false) {
				return false
			}
		case "include":
			if !w.boolArg(d.Arguments, "if", true) {
				return false
			}
		}
	}
	return true
}

// argValue resolves an argument to its literal or variable value. It reads
// the few scalar arguments introspection has directly rather than through
// ast.Field.ArgumentMap, which panics on malformed literals and needs the
// field definition set.
func (w *writer) argValue(args ast.ArgumentList, name string) (*ast.Value, any, bool) {
	a := args.ForName(name)
	if a == nil || a.Value == nil {
		return nil, nil, false
	}
	v := a.Value
	if v.Kind != ast.Variable {
		return v, nil, true
	}
	if x, ok := w.vars[v.Raw]; ok {
		return nil, x, true
	}
	if vd := v.VariableDefinition; vd != nil && vd.DefaultValue != nil && vd.DefaultValue.Kind != ast.Variable {
		return vd.DefaultValue, nil, true
	}
	return nil, nil, false
}

func (w *writer) boolArg(args ast.ArgumentList, name string, def bool) bool {
	lit, x, ok := w.argValue(args, name)
	switch {
	case !ok:
		return def
	case lit != nil:
		if lit.Kind == ast.BooleanValue {
			return lit.Raw == "true"
		}
		return def
	default:
		if b, ok := x.(bool); ok {
			return b
		}
		return def
	}
}

func (w *writer) stringArg(args ast.ArgumentList, name string) (string, bool) {
	lit, x, ok := w.argValue(args, name)
	switch {
	case !ok:
		return "", false
	case lit != nil:
		if lit.Kind == ast.StringValue || lit.Kind == ast.BlockValue {
			return lit.Raw, true
		}
		return "", false
	default:
		s, ok := x.(string)
		return s, ok
	}
}

func unknownField(typeName string, g *group) error {
	return fmt.Errorf("introspection: cannot query field %q on type %q", g.field.Name, typeName)
}
