package plan

import (
	"sort"
	"strings"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

func (b *builder) one(m *model.Model, fg fieldGroup) (Query, error) {
	f := fg.first()
	r, _ := argRef(f, "id")
	pk := m.PK
	id := b.addParam(Param{Kind: pk.ValueKind(), Value: func(vars map[string]any) (any, error) {
		v, err := r.get(vars)
		if err != nil {
			return nil, err
		}
		enc, err := encode(b.d, pk.ValueKind(), v)
		if err != nil {
			return nil, inputError("id: %s", strings.TrimPrefix(err.Error(), "invalid value: "))
		}
		return enc, nil
	}})
	sel, err := b.objectSelect(m, fg)
	if err != nil {
		return nil, err
	}
	sel.Limit, sel.Offset, sel.Include = -1, -1, -1
	return &One{Select: sel, ID: id}, nil
}

func (b *builder) list(m *model.Model, fg fieldGroup) (Query, error) {
	sel, err := b.listSelect(m, fg, true)
	if err != nil {
		return nil, err
	}
	return &List{Select: sel}, nil
}

// listSelect builds a list read from the filters, quick, include, order_by,
// limit and offset arguments of fg.
func (b *builder) listSelect(m *model.Model, fg fieldGroup, root bool) (*Select, error) {
	f := fg.first()
	sel, err := b.objectSelect(m, fg)
	if err != nil {
		return nil, err
	}
	if err := b.where(sel, fg); err != nil {
		return nil, err
	}
	sel.Include = -1
	if root {
		sel.Include = b.includeParam(m, fg)
	}
	if sel.Order, err = b.order(m, fg); err != nil {
		return nil, err
	}
	max := b.maxPageSize(m)
	lr, _ := argRef(f, "limit")
	sel.Limit = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		v, err := lr.get(vars)
		if err != nil {
			return nil, err
		}
		n, given, err := int32Value(v, "limit")
		if err != nil || !given {
			return max, err
		}
		if n < 0 {
			return nil, inputError("limit must not be negative (got %d)", n)
		}
		return min(n, max), nil
	}})
	or, _ := argRef(f, "offset")
	sel.Offset = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		v, err := or.get(vars)
		if err != nil {
			return nil, err
		}
		n, _, err := int32Value(v, "offset")
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, inputError("offset must not be negative (got %d)", n)
		}
		return n, nil
	}})
	return sel, nil
}

// where adds the filters and quick arguments of fg to sel.Where.
func (b *builder) where(sel *Select, fg fieldGroup) error {
	f := fg.first()
	var conds []*Cond
	if v, r, ok := b.argValue(f, b.g.Name("filters")); ok {
		c, err := b.filter(sel.Model, v, r)
		if err != nil {
			return err
		}
		if c != nil {
			conds = append(conds, c)
		}
	}
	if _, r, ok := b.argValue(f, b.g.Name("quick")); ok {
		conds = append(conds, b.quick(sel.Model, r))
	}
	sel.Where = and(conds...)
	return nil
}

func and(all ...*Cond) *Cond {
	var conds []*Cond
	for _, c := range all {
		if c != nil {
			conds = append(conds, c)
		}
	}
	switch len(conds) {
	case 0:
		return nil
	case 1:
		return conds[0]
	}
	return &Cond{Kind: CondAnd, Children: conds}
}

// includeParam returns the param of the include argument, or -1.
func (b *builder) includeParam(m *model.Model, fg fieldGroup) int {
	_, r, ok := b.argValue(fg.first(), "include")
	if !ok {
		return -1
	}
	return b.listParam(m.PK, r, "include")
}

// objectSelect builds the per-row object of a model from a selection.
func (b *builder) objectSelect(m *model.Model, fg fieldGroup) (*Select, error) {
	sel := &Select{Model: m, Limit: -1, Offset: -1, Include: -1}
	var err error
	if sel.Access, err = b.readFilter(m); err != nil {
		return nil, err
	}
	obj := b.g.Objects[m.Name]
	for _, sub := range b.subCollect(fg) {
		f := sub.first()
		if f.Name == "__typename" {
			sel.Fields = append(sel.Fields, Out{Key: sub.key, Kind: OutTypename, Typename: m.Name})
			continue
		}
		of := obj.Fields[f.Name]
		if of == nil {
			return nil, inputError("unknown field %q on %s", f.Name, m.Name)
		}
		if err := b.readable(m, f.Name); err != nil {
			return nil, err
		}
		switch of.Kind {
		case gqlschema.FieldScalar:
			kind := OutColumn
			if of.Field.Rel != nil {
				kind = OutKeyOf
			}
			sel.Fields = append(sel.Fields, Out{Key: sub.key, Kind: kind, Field: of.Field})
		case gqlschema.FieldRelation:
			var child *Select
			var err error
			if of.Edge.Many {
				child, err = b.listSelect(of.Edge.To, sub, false)
			} else {
				child, err = b.objectSelect(of.Edge.To, sub)
			}
			if err != nil {
				return nil, err
			}
			child.Via = of.Edge
			sel.Fields = append(sel.Fields, Out{Key: sub.key, Kind: OutRelation, Sub: child, Edge: of.Edge})
		case gqlschema.FieldCount:
			out := Out{Key: sub.key, Kind: OutCount, Edge: of.Edge}
			access, err := b.readFilter(of.Edge.To)
			if err != nil {
				return nil, err
			}
			out.Where = access
			if v, r, ok := b.argValue(f, b.g.Name("filters")); ok {
				c, err := b.filter(of.Edge.To, v, r)
				if err != nil {
					return nil, err
				}
				out.Where = and(c, access)
			}
			sel.Fields = append(sel.Fields, out)
		}
	}
	return sel, nil
}

// order resolves the order_by argument (or the model's default ordering)
// and appends the primary key as the final tie-breaker.
func (b *builder) order(m *model.Model, fg fieldGroup) ([]Order, error) {
	var names []string
	if v, _, ok := b.argValue(fg.first(), b.g.Name("order_by")); ok {
		list, _ := v.([]any)
		for _, x := range list {
			s, _ := x.(string)
			names = append(names, s)
		}
	} else {
		for _, o := range m.Meta.Ordering {
			names = append(names, b.g.Name(o))
		}
		if len(names) == 0 {
			names = []string{"-" + b.g.Name(m.PK.Name)}
		}
	}
	return b.orderTerms(m, names)
}

func (b *builder) orderTerms(m *model.Model, names []string) ([]Order, error) {
	targets := b.g.Orders[m.Name]
	var terms []Order
	hasPK := false
	for _, name := range names {
		desc := strings.HasPrefix(name, "-")
		t := targets[strings.TrimPrefix(name, "-")]
		if t == nil {
			return nil, inputError("cannot order %s by %q; valid names: %s", m.Plural, name, strings.Join(validNames(targets), ", "))
		}
		o := Order{Path: t.Path, Field: t.Field, Count: t.Count, Desc: desc}
		if t.Count != nil {
			var err error
			if o.CountWhere, err = b.readFilter(t.Count.To); err != nil {
				return nil, err
			}
		}
		// Ordering through a relation reads the related model.
		for _, e := range t.Path {
			if _, err := b.readFilter(e.To); err != nil {
				return nil, err
			}
		}
		terms = append(terms, o)
		if len(t.Path) == 0 && t.Field == m.PK {
			hasPK = true
			break // nothing after a unique key changes the order
		}
	}
	if !hasPK {
		desc := false
		if len(terms) > 0 {
			desc = terms[len(terms)-1].Desc
		}
		terms = append(terms, Order{Field: m.PK, Desc: desc})
	}
	return terms, nil
}

func validNames[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
