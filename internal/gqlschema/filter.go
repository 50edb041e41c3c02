package gqlschema

import (
	"fmt"

	"github.com/autogql/autogql/internal/model"
)

// Lookup families of SPEC §2.3.
var (
	textLookups     = []string{"exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "in", "isnull", "regex", "iregex"}
	numberLookups   = []string{"exact", "gt", "gte", "lt", "lte", "in", "range", "isnull"}
	dateLookups     = []string{"exact", "gt", "gte", "lt", "lte", "in", "range", "isnull", "year", "month", "day", "week_day"}
	relativeLookups = []string{"today", "yesterday", "this_week", "past_week", "this_month", "past_month", "this_year", "past_year"}
	eqLookups       = []string{"exact", "in", "isnull"}
	boolLookups     = []string{"exact", "isnull"}
	countLookups    = []string{"exact", "gt", "gte", "lt", "lte"}
)

// lookups returns the lookups a field supports.
func lookups(f *model.Field) []string {
	if f.Rel != nil || enumName(f) != "" || f.Type.Kind() == model.KindUUID {
		if f.PrimaryKey {
			return numberLookups
		}
		return eqLookups
	}
	if f.PrimaryKey {
		return numberLookups
	}
	switch f.Type.Kind() {
	case model.KindText:
		return textLookups
	case model.KindInt, model.KindBigInt, model.KindFloat, model.KindDecimal, model.KindTime, model.KindDuration:
		return numberLookups
	case model.KindDate:
		return append(append([]string{}, dateLookups...), relativeLookups...)
	case model.KindDateTime:
		return append(append(append([]string{}, dateLookups...), "date"), relativeLookups...)
	case model.KindBool:
		return boolLookups
	case model.KindJSON:
		return []string{"isnull"}
	}
	return eqLookups
}

// lookupType is the GraphQL input type of a lookup's value.
func lookupType(f *model.Field, lookup string) string {
	t := scalarType(f)
	switch lookup {
	case "in", "range":
		return "[" + t + "!]"
	case "isnull", "today", "yesterday", "this_week", "past_week", "this_month", "past_month", "this_year", "past_year":
		return "Boolean"
	case "year", "month", "day", "week_day":
		return "Int"
	case "date":
		return "Date"
	case "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "regex", "iregex":
		return "String"
	}
	return t
}

// filterable reports whether a field can be filtered on.
func filterable(f *model.Field) bool {
	return !f.Excluded && !f.WriteOnly && f.Type != model.TypeManyToMany
}

func (g *Schema) writeFilter(w *sdlWriter, m *model.Model) {
	n := g.names.api
	name := m.Name + "Filter"
	flt := &Filter{Model: m, Fields: map[string]*FilterField{}}
	g.Filters[name] = flt
	w.desc("", fmt.Sprintf("Conditions on %s rows; all given conditions must hold.", m.Name))
	w.line("input %s {", name)
	w.line("  AND: [%s!]\n  OR: [%s!]\n  NOT: %s", name, name, name)
	add := func(key, typ string, ff *FilterField) {
		key = n(key)
		if _, dup := flt.Fields[key]; dup {
			return
		}
		flt.Fields[key] = ff
		w.line("  %s: %s", key, typ)
	}
	var fieldLookups func(prefix string, path []*model.Edge, target *model.Model, depth int)
	fieldLookups = func(prefix string, path []*model.Edge, target *model.Model, depth int) {
		for _, f := range target.Fields {
			if !filterable(f) {
				continue
			}
			base := prefix + f.Name
			for _, l := range lookups(f) {
				ff := &FilterField{Path: path, Field: f, Lookup: l}
				if l == "exact" {
					add(base, lookupType(f, l), ff)
				}
				add(base+"__"+l, lookupType(f, l), ff)
			}
		}
		if depth <= 0 {
			return
		}
		for _, e := range target.Edges {
			if !visibleEdge(e) {
				continue
			}
			sub := append(append([]*model.Edge{}, path...), e)
			fieldLookups(prefix+e.Name+"__", sub, e.To, depth-1)
		}
	}
	fieldLookups("", nil, m, m.Meta.FilterDepth)
	for _, e := range m.Edges {
		if !visibleEdge(e) || !e.Many {
			continue
		}
		for _, l := range countLookups {
			ff := &FilterField{Count: e, Lookup: l}
			if l == "exact" {
				add(e.Name+"_count", "Int", ff)
			}
			add(e.Name+"_count__"+l, "Int", ff)
		}
	}
	w.line("}")
	w.line("")
}

// walkSortable calls visit for every field of m that can be sorted or
// grouped by — m's own and those of models reached through forward
// single-valued relations, up to two hops — with its "__" separated path.
func walkSortable(m *model.Model, visit func(prefix string, path []*model.Edge, f *model.Field)) {
	var walk func(prefix string, path []*model.Edge, target *model.Model, depth int)
	walk = func(prefix string, path []*model.Edge, target *model.Model, depth int) {
		for _, f := range target.Fields {
			if filterable(f) && f.Type.Kind() != model.KindJSON {
				visit(prefix, path, f)
			}
		}
		if depth == 0 {
			return
		}
		for _, e := range target.Edges {
			if visibleEdge(e) && !e.Many {
				walk(prefix+e.Name+"__", append(append([]*model.Edge{}, path...), e), e.To, depth-1)
			}
		}
	}
	walk("", nil, m, 2)
}

// registerOrders records the order_by names of m: sortable fields and
// counts of to-many relations.
func (g *Schema) registerOrders(m *model.Model) {
	n := g.names.api
	orders := map[string]*OrderTarget{}
	walkSortable(m, func(prefix string, path []*model.Edge, f *model.Field) {
		orders[n(prefix+f.Name)] = &OrderTarget{Path: path, Field: f}
		if f.Rel != nil {
			orders[n(prefix+f.Name+"_id")] = &OrderTarget{Path: path, Field: f}
		}
	})
	for _, e := range m.Edges {
		if visibleEdge(e) && e.Many {
			orders[n(e.Name+"_count")] = &OrderTarget{Count: e}
		}
	}
	g.Orders[m.Name] = orders
}

// registerGroups records the group_by names of m: sortable fields and the
// date parts of date and datetime fields.
func (g *Schema) registerGroups(m *model.Model) {
	n := g.names.api
	groups := map[string]*GroupTarget{}
	walkSortable(m, func(prefix string, path []*model.Edge, f *model.Field) {
		groups[n(prefix+f.Name)] = &GroupTarget{Path: path, Field: f}
		switch f.Type.Kind() {
		case model.KindDateTime:
			groups[n(prefix+f.Name+"__date")] = &GroupTarget{Path: path, Field: f, Part: "date"}
			fallthrough
		case model.KindDate:
			for _, p := range []string{"year", "month", "day", "week_day"} {
				groups[n(prefix+f.Name+"__"+p)] = &GroupTarget{Path: path, Field: f, Part: p}
			}
		}
	})
	g.Groups[m.Name] = groups
}
