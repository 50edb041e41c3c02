package gqlschema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/model"
)

// namer spells model-level snake_case names in the API's convention.
type namer struct{ camel bool }

// api converts a snake_case name; "__" separated lookup paths keep their
// separators and each segment is converted on its own.
func (n namer) api(snake string) string {
	if !n.camel {
		return snake
	}
	parts := strings.Split(snake, "__")
	for i, p := range parts {
		parts[i] = model.CamelCase(p)
	}
	return strings.Join(parts, "__")
}

// sdlWriter accumulates the schema text.
type sdlWriter struct {
	b strings.Builder
}

func (w *sdlWriter) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

func (w *sdlWriter) desc(indent, text string) {
	if text == "" {
		return
	}
	w.line("%s%s", indent, strconv.Quote(text))
}

const scalarsSDL = `"64-bit integer, serialised as a string."
scalar BigInt
"Exact decimal number, serialised as a string."
scalar Decimal
"Calendar date, YYYY-MM-DD."
scalar Date
"Instant in time, RFC 3339 in UTC."
scalar DateTime @specifiedBy(url: "https://scalars.graphql.org/andimarek/date-time")
"Time of day, HH:MM:SS[.ffffff]."
scalar Time
"ISO 8601 duration such as PT90S or P1DT2H."
scalar Duration
"UUID in its canonical text form."
scalar UUID
"Any JSON value."
scalar JSON

"One group of rows sharing a value."
type GroupBucket {
  key: String
  label: String
  count: Int!
}
`

var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// enumName is the enum type of a field with choices, or "" when the field's
// values cannot all be GraphQL enum values.
func enumName(f *model.Field) string {
	if len(f.Choices) == 0 || f.Type.Kind() != model.KindText {
		return ""
	}
	for _, c := range f.Choices {
		if !graphQLName.MatchString(c.Value) || c.Value == "true" || c.Value == "false" || c.Value == "null" {
			return ""
		}
	}
	return f.Model.Name + model.PascalCase(f.Name)
}

// scalarType is the GraphQL type name of a column's values.
func scalarType(f *model.Field) string {
	if f.PrimaryKey || (f.Rel != nil && f.Type != model.TypeManyToMany) {
		return "ID"
	}
	if e := enumName(f); e != "" {
		return e
	}
	switch f.Type.Kind() {
	case model.KindText:
		return "String"
	case model.KindInt:
		return "Int"
	case model.KindBigInt:
		return "BigInt"
	case model.KindFloat:
		return "Float"
	case model.KindDecimal:
		return "Decimal"
	case model.KindBool:
		return "Boolean"
	case model.KindDate:
		return "Date"
	case model.KindDateTime:
		return "DateTime"
	case model.KindTime:
		return "Time"
	case model.KindDuration:
		return "Duration"
	case model.KindUUID:
		return "UUID"
	case model.KindJSON:
		return "JSON"
	}
	return "String"
}

// readable reports whether a field appears in object types.
func readable(f *model.Field) bool {
	return !f.Excluded && !f.WriteOnly && f.Type != model.TypeManyToMany
}

// visibleEdge reports whether an edge appears in the API.
func visibleEdge(e *model.Edge) bool {
	if e.Field.Excluded || e.Name == "+" {
		return false
	}
	for _, x := range e.From.Meta.Exclude {
		if x == e.Name {
			return false
		}
	}
	return true
}

func (g *Schema) writeSDL() string {
	w := &sdlWriter{}
	w.b.WriteString(scalarsSDL)
	g.writePageInfo(w)
	g.writeQuery(w)
	g.writeMutation(w)
	for _, m := range g.Model.Models {
		g.writeInputs(w, m)
		g.writeEnums(w, m)
		g.writeObject(w, m)
		g.writeFilter(w, m)
		g.writeListTypes(w, m)
		g.registerOrders(m)
		g.registerGroups(m)
	}
	return w.b.String()
}

// writePageInfo writes the page information types shared by every model.
func (g *Schema) writePageInfo(w *sdlWriter) {
	n := g.names.api
	w.line(`"Position of a page in an offset-paginated list."`)
	w.line("type PageInfo {")
	for _, f := range []string{"total_count", "page_count", "current_page", "per_page"} {
		w.line("  %s: Int!", n(f))
	}
	w.line("  %s: Boolean!\n  %s: Boolean!\n}\n", n("has_next_page"), n("has_previous_page"))
	w.line(`"Position of a page in a cursor-paginated list."`)
	w.line("type CursorPageInfo {\n  %s: Boolean!\n  %s: Boolean!\n  %s: String\n  %s: String\n}\n",
		n("has_next_page"), n("has_previous_page"), n("start_cursor"), n("end_cursor"))
}

func (g *Schema) writeQuery(w *sdlWriter) {
	n := g.names.api
	w.line("type Query {")
	for _, m := range g.Model.Models {
		filterArgs := fmt.Sprintf("%s: %sFilter, %s: String", n("filters"), m.Name, n("quick"))
		add := func(name string, kind RootKind, args, typ string) {
			g.Roots[n(name)] = &Root{Kind: kind, Model: m}
			w.line("  %s%s: %s", n(name), args, typ)
		}
		w.desc("  ", fmt.Sprintf("One %s by primary key, or null.", m.Name))
		add(m.Singular, RootOne, "(id: ID!)", m.Name)
		add(m.Plural, RootList, fmt.Sprintf("(%s, include: [ID!], %s: [String!], offset: Int = 0, limit: Int)", filterArgs, n("order_by")), fmt.Sprintf("[%s!]!", m.Name))
		add(m.Plural+"_pages", RootPages, fmt.Sprintf("(page: Int = 1, %s: Int = 20, %s, include: [ID!], %s: [String!])", n("per_page"), filterArgs, n("order_by")), m.Name+"Page!")
		add(m.Plural+"_groups", RootGroups, fmt.Sprintf("(%s: String!, %s: String = \"-count\", limit: Int = 50, %s)", n("group_by"), n("order_by"), filterArgs), "[GroupBucket!]!")
		add(m.Plural+"_aggregate", RootAggregate, fmt.Sprintf("(%s)", filterArgs), m.Name+"Aggregate!")
		add(m.Plural+"_connection", RootConnection, fmt.Sprintf("(first: Int, after: String, last: Int, before: String, %s, %s: [String!])", filterArgs, n("order_by")), m.Name+"Connection!")
	}
	w.line("}")
	w.line("")
}

func (g *Schema) writeEnums(w *sdlWriter, m *model.Model) {
	for _, f := range m.Fields {
		e := enumName(f)
		if e == "" || f.Excluded {
			continue
		}
		w.line("enum %s {", e)
		for _, c := range f.Choices {
			if c.Label != "" && c.Label != c.Value {
				w.desc("  ", c.Label)
			}
			w.line("  %s", c.Value)
		}
		w.line("}")
		w.line("")
	}
}

func deprecated(reason string) string {
	if reason == "" {
		return ""
	}
	return " @deprecated(reason: " + strconv.Quote(reason) + ")"
}

func (g *Schema) writeObject(w *sdlWriter, m *model.Model) {
	n := g.names.api
	obj := &Object{Model: m, Fields: map[string]*ObjectField{}}
	g.Objects[m.Name] = obj
	desc := m.Meta.Description
	w.desc("", desc)
	w.line("type %s {", m.Name)
	for _, f := range m.Fields {
		if !readable(f) {
			continue
		}
		typ := scalarType(f)
		if !f.Null || f.PrimaryKey {
			typ += "!"
		}
		name := f.Name
		if f.Rel != nil {
			name = f.Name + "_id"
		}
		w.desc("  ", f.HelpText)
		w.line("  %s: %s%s", n(name), typ, deprecated(f.Deprecated))
		obj.Fields[n(name)] = &ObjectField{Kind: FieldScalar, Field: f}
	}
	for _, e := range m.Edges {
		if !visibleEdge(e) {
			continue
		}
		switch {
		case !e.Many:
			typ := e.To.Name
			if !e.Reverse && !e.Field.Null {
				typ += "!"
			}
			if !e.Reverse {
				w.desc("  ", e.Field.HelpText)
			}
			w.line("  %s: %s%s", n(e.Name), typ, deprecated(depReason(e)))
		default:
			w.line("  %s(%s: %sFilter, %s: [String!], limit: Int, offset: Int = 0): [%s!]!%s",
				n(e.Name), n("filters"), e.To.Name, n("order_by"), e.To.Name, deprecated(depReason(e)))
			w.line("  %s(%s: %sFilter): Int!", n(e.Name+"_count"), n("filters"), e.To.Name)
			obj.Fields[n(e.Name+"_count")] = &ObjectField{Kind: FieldCount, Edge: e}
		}
		obj.Fields[n(e.Name)] = &ObjectField{Kind: FieldRelation, Edge: e}
	}
	w.line("}")
	w.line("")
}

func depReason(e *model.Edge) string {
	if e.Reverse {
		return ""
	}
	return e.Field.Deprecated
}

func (g *Schema) writeListTypes(w *sdlWriter, m *model.Model) {
	n := g.names.api
	w.line("type %sPage {\n  items: [%s!]!\n  %s: PageInfo!\n}\n", m.Name, m.Name, n("page_info"))
	w.line("type %sEdge {\n  cursor: String!\n  node: %s!\n}\n", m.Name, m.Name)
	w.line("type %sConnection {\n  edges: [%sEdge!]!\n  %s: CursorPageInfo!\n  %s: Int!\n}\n", m.Name, m.Name, n("page_info"), n("total_count"))
	w.line("type %sAggregate {", m.Name)
	w.line("  count: Int!")
	parts := []struct{ name, suffix string }{{"sum", "Sums"}, {"avg", "Avgs"}, {"min", "Mins"}, {"max", "Maxes"}}
	var bodies []string
	for _, p := range parts {
		var b strings.Builder
		for _, f := range m.Fields {
			if !readable(f) || f.PrimaryKey || f.Rel != nil {
				continue
			}
			if t := aggregateType(p.name, f); t != "" {
				fmt.Fprintf(&b, "  %s: %s\n", n(f.Name), t)
			}
		}
		bodies = append(bodies, b.String())
		if b.Len() > 0 {
			w.line("  %s: %s%s", p.name, m.Name, p.suffix)
		}
	}
	w.line("}")
	w.line("")
	for i, p := range parts {
		if bodies[i] == "" {
			continue
		}
		w.line("type %s%s {\n%s}\n", m.Name, p.suffix, bodies[i])
	}
}

// aggregateType is the GraphQL type of an aggregate over f, or "" when the
// aggregate does not apply.
func aggregateType(fn string, f *model.Field) string {
	k := f.Type.Kind()
	numeric := k == model.KindInt || k == model.KindBigInt || k == model.KindFloat || k == model.KindDecimal
	switch fn {
	case "sum":
		switch k {
		case model.KindInt, model.KindBigInt:
			return "BigInt"
		case model.KindFloat:
			return "Float"
		case model.KindDecimal:
			return "Decimal"
		}
	case "avg":
		switch k {
		case model.KindInt, model.KindBigInt, model.KindFloat:
			return "Float"
		case model.KindDecimal:
			return "Decimal"
		}
	case "min", "max":
		if numeric || k == model.KindDate || k == model.KindDateTime || k == model.KindTime || (k == model.KindText && enumName(f) == "") {
			return scalarType(f)
		}
	}
	return ""
}
