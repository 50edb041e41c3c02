package plan

import (
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

// Options tune planning.
type Options struct {
	// TimeZone for relative date lookups and date parts (default UTC).
	TimeZone *time.Location
	// Now returns the current time (default time.Now); tests fix it.
	Now func() time.Time
	// CursorKey is mixed into the check of connection cursors, so a
	// cursor only decodes for the deployment that made it.
	CursorKey string
	// Roles are the request's roles with their inherited ones (default
	// anonymous); meta.permissions grants are looked up for them.
	Roles []string
	// Closed denies models that declare no permissions (production);
	// otherwise such models are open to every role.
	Closed bool
}

type builder struct {
	g      *gqlschema.Schema
	d      database.Dialect
	vars   map[string]any
	opts   Options
	op     *Operation
	access *access
}

// Build plans a validated operation. vars are the request's coerced
// variables: the planner reads only their shape (null-ness, filter
// structure, order_by/group_by names, @skip/@include conditions); every
// value is read again from each request's variables through Params.
func Build(g *gqlschema.Schema, d database.Dialect, op *ast.OperationDefinition, vars map[string]any, opts Options) (*Operation, error) {
	if opts.TimeZone == nil {
		opts.TimeZone = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Roles) == 0 {
		opts.Roles = []string{model.RoleAnonymous}
	}
	b := &builder{g: g, d: d, vars: vars, opts: opts, op: &Operation{Type: op.Operation, Name: op.Name}}
	b.access = &access{g: g, roles: opts.Roles, closed: opts.Closed, vars: vars}
	if op.Operation != ast.Query && op.Operation != ast.Mutation {
		return nil, inputError("%s operations are not supported", op.Operation)
	}
	for _, grp := range b.collect(op.SelectionSet) {
		root, err := b.root(grp)
		if err != nil {
			return nil, &PathError{Key: grp.key, Err: err}
		}
		b.op.Roots = append(b.op.Roots, root)
	}
	return b.op, nil
}

// fieldGroup is every occurrence of one response key in a selection set;
// their sub-selections merge.
type fieldGroup struct {
	key    string
	fields []*ast.Field
}

func (fg fieldGroup) first() *ast.Field { return fg.fields[0] }

// collect flattens fragments and applies @skip/@include, keeping the first
// occurrence order of response keys.
func (b *builder) collect(sets ...ast.SelectionSet) []fieldGroup {
	var out []fieldGroup
	index := map[string]int{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if !b.included(s.Directives) {
					continue
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if i, ok := index[key]; ok {
					out[i].fields = append(out[i].fields, s)
					continue
				}
				index[key] = len(out)
				out = append(out, fieldGroup{key: key, fields: []*ast.Field{s}})
			case *ast.InlineFragment:
				if b.included(s.Directives) {
					walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if b.included(s.Directives) && s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		walk(set)
	}
	return out
}

// subCollect collects the merged sub-selections of a field group.
func (b *builder) subCollect(fg fieldGroup) []fieldGroup {
	sets := make([]ast.SelectionSet, len(fg.fields))
	for i, f := range fg.fields {
		sets[i] = f.SelectionSet
	}
	return b.collect(sets...)
}

func (b *builder) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		v, _ := d.ArgumentMap(b.vars)["if"].(bool)
		if d.Name == "skip" && v || d.Name == "include" && !v {
			return false
		}
	}
	return true
}

func (b *builder) root(fg fieldGroup) (*Root, error) {
	f := fg.first()
	switch f.Name {
	case "__typename":
		typename := "Query"
		if b.op.Type == ast.Mutation {
			typename = "Mutation"
		}
		return &Root{Key: fg.key, Kind: RootTypename, Typename: typename}, nil
	case "__schema", "__type":
		return &Root{Key: fg.key, Kind: RootIntrospection, Field: f}, nil
	}
	if b.op.Type == ast.Mutation {
		mr := b.g.Mutations[f.Name]
		if mr == nil {
			return nil, fmt.Errorf("%w: unknown mutation %q", ErrInput, f.Name)
		}
		mu, err := b.mutation(mr, fg)
		if err != nil {
			return nil, err
		}
		return &Root{Key: fg.key, Kind: RootMutation, Mutation: mu}, nil
	}
	r := b.g.Roots[f.Name]
	if r == nil {
		return nil, fmt.Errorf("%w: unknown root field %q", ErrInput, f.Name)
	}
	var (
		q   Query
		err error
	)
	switch r.Kind {
	case gqlschema.RootOne:
		q, err = b.one(r.Model, fg)
	case gqlschema.RootList:
		q, err = b.list(r.Model, fg)
	case gqlschema.RootPages:
		q, err = b.pages(r.Model, fg)
	case gqlschema.RootGroups:
		q, err = b.groups(r.Model, fg)
	case gqlschema.RootAggregate:
		q, err = b.aggregate(r.Model, fg)
	case gqlschema.RootConnection:
		q, err = b.connection(r.Model, fg)
	}
	if err != nil {
		return nil, err
	}
	return &Root{Key: fg.key, Kind: RootSelect, Query: q}, nil
}

// argRef locates an argument's value: as written, or the schema default.
func argRef(f *ast.Field, name string) (ref, bool) {
	for _, a := range f.Arguments {
		if a.Name == name {
			return ref{root: a.Value}, true
		}
	}
	if f.Definition != nil {
		if def := f.Definition.Arguments.ForName(name); def != nil && def.DefaultValue != nil {
			return ref{root: def.DefaultValue}, true
		}
	}
	return ref{}, false
}

// argValue evaluates an argument for planning (its shape).
func (b *builder) argValue(f *ast.Field, name string) (any, ref, bool) {
	r, ok := argRef(f, name)
	if !ok {
		return nil, r, false
	}
	v, err := r.get(b.vars)
	if err != nil || v == nil {
		return nil, r, false
	}
	return v, r, true
}

// addParam appends a param and returns its index.
func (b *builder) addParam(p Param) int {
	b.op.Params = append(b.op.Params, p)
	return len(b.op.Params) - 1
}
