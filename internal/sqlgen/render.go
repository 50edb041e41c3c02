package sqlgen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// Statement is one SQL statement returning one row with one JSON column.
type Statement struct {
	SQL string
	// Params lists, in statement order, the plan params bound to $1, $2, …
	Params []int
}

// Options tune rendering.
type Options struct {
	// TimeZone names the zone of date parts on PostgreSQL (default "UTC").
	TimeZone string
}

// Render renders the statement answering one root query of a plan.
func Render(d database.Dialect, q plan.Query, params []plan.Param, opts Options) (Statement, error) {
	r := &renderer{params: params, local: map[int]int{}}
	tz := opts.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	switch d {
	case database.Postgres:
		r.d = postgres{tz: tz}
	case database.SQLite:
		r.d = sqlite{tz: tz}
	default:
		return Statement{}, fmt.Errorf("render: unsupported dialect %q", d)
	}
	var sql string
	switch q := q.(type) {
	case *plan.One:
		sql = r.one(q)
	case *plan.List:
		sql = "SELECT " + r.list(q.Select, "")
	case *plan.Pages:
		sql = r.pages(q)
	case *plan.Groups:
		sql = r.groups(q)
	case *plan.Aggregate:
		sql = r.aggregate(q)
	case *plan.Connection:
		sql = r.connection(q)
	default:
		return Statement{}, fmt.Errorf("render: unsupported query %T", q)
	}
	return Statement{SQL: sql, Params: r.order}, nil
}

type renderer struct {
	d      dialect
	params []plan.Param
	// local maps plan param indexes to statement parameter numbers.
	local map[int]int
	order []int
	alias int
}

// p renders plan param i, numbering params in order of first use.
func (r *renderer) p(i int) string {
	n, ok := r.local[i]
	if !ok {
		r.order = append(r.order, i)
		n = len(r.order)
		r.local[i] = n
	}
	return r.d.param(n, r.params[i])
}

// pc renders plan param i for comparison with a value of kind k.
func (r *renderer) pc(i int, k model.Kind) string { return r.d.cmp(r.p(i), k) }

func (r *renderer) next(prefix string) string {
	r.alias++
	return prefix + strconv.Itoa(r.alias)
}

func col(alias string, f *model.Field) string { return alias + "." + quoteIdent(f.Column) }

func table(m *model.Model) string { return quoteIdent(m.Table) }

// from renders "FROM <To> AS c [JOIN …]" and the condition linking c to the
// parent row p across edge e.
func (r *renderer) from(e *model.Edge, p, c string) (string, string) {
	f := "FROM " + table(e.To) + " AS " + c
	if e.Join == nil {
		return f, c + "." + quoteIdent(e.ToColumn) + " = " + p + "." + quoteIdent(e.FromColumn)
	}
	j := r.next("j")
	f += " JOIN " + quoteIdent(e.Join.Table) + " AS " + j + " ON " + j + "." + quoteIdent(e.JoinTo) + " = " + c + "." + quoteIdent(e.To.PK.Column)
	return f, j + "." + quoteIdent(e.JoinFrom) + " = " + p + "." + quoteIdent(e.From.PK.Column)
}

func where(conds []string) string {
	var nonEmpty []string
	for _, c := range conds {
		if c != "" {
			nonEmpty = append(nonEmpty, c)
		}
	}
	if len(nonEmpty) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(nonEmpty, " AND ")
}

// shape renders the JSON object of fixed-shape parts (a page, a
// connection, a bucket): __typename answers its type's name, every other
// part the SQL value returns for it, in selection order.
func (r *renderer) shape(parts []plan.Part, value func(plan.Part) string) string {
	keys := make([]string, len(parts))
	vals := make([]string, len(parts))
	for i, p := range parts {
		keys[i] = p.Key
		if p.What == "__typename" {
			vals[i] = quoteString(p.Typename)
		} else {
			vals[i] = value(p)
		}
	}
	return r.d.object(keys, vals)
}

// object renders the JSON object of one row of sel at alias a.
func (r *renderer) object(sel *plan.Select, a string) string {
	keys := make([]string, len(sel.Fields))
	vals := make([]string, len(sel.Fields))
	for i, o := range sel.Fields {
		keys[i] = o.Key
		vals[i] = r.outValue(o, a)
	}
	return r.d.object(keys, vals)
}

func (r *renderer) outValue(o plan.Out, a string) string {
	switch o.Kind {
	case plan.OutColumn, plan.OutKeyOf:
		return r.d.out(col(a, o.Field), o.Field)
	case plan.OutTypename:
		return quoteString(o.Typename)
	case plan.OutRelation:
		if o.Sub.Via.Many {
			return r.d.embed("SELECT " + r.list(o.Sub, a))
		}
		return r.d.embed(r.single(o.Sub, a))
	case plan.OutCount:
		c := r.next("t")
		from, link := r.from(o.Edge, a, c)
		return "(SELECT count(*) " + from + where([]string{link, r.cond(o.Where, c)}) + ")"
	}
	return "NULL"
}

// single renders the one related row of a to-one relation.
func (r *renderer) single(sel *plan.Select, parent string) string {
	c := r.next("t")
	from, link := r.from(sel.Via, parent, c)
	return "SELECT " + r.object(sel, c) + " " + from + where([]string{link, r.cond(sel.Where, c), r.cond(sel.Access, c)}) + " LIMIT 1"
}

func (r *renderer) one(q *plan.One) string {
	sel := q.Select
	t := r.next("t")
	pk := sel.Model.PK
	return "SELECT " + r.object(sel, t) + " FROM " + table(sel.Model) + " AS " + t +
		where([]string{col(t, pk) + " = " + r.pc(q.ID, pk.ValueKind()), r.cond(sel.Where, t), r.cond(sel.Access, t)})
}

// orderedRows renders the inner query of a list: the base rows of sel,
// filtered, ordered and limited before any JSON is built, with computed
// order values exposed as "__oN" columns (and "__inc" for include).
func (r *renderer) orderedRows(sel *plan.Select, parent string, extra func(alias string) []string, order []plan.Order, limit int) string {
	t := r.next("t")
	cols := t + ".*"
	from := "FROM " + table(sel.Model) + " AS " + t
	conds := []string{}
	if sel.Via != nil {
		f, link := r.from(sel.Via, parent, t)
		from, conds = f, append(conds, link)
	}
	filter := r.cond(sel.Where, t)
	var orderBy []string
	if sel.Include >= 0 {
		inc := r.d.inList(col(t, sel.Model.PK), r.p(sel.Include), sel.Model.PK.ValueKind())
		cols += ", (" + inc + ") AS __inc"
		orderBy = append(orderBy, "__inc DESC")
		if filter != "" {
			filter = "(" + filter + " OR " + inc + ")"
		}
	}
	conds = append(conds, filter, r.cond(sel.Access, t))
	if extra != nil {
		conds = append(conds, extra(t)...)
	}
	for i, o := range order {
		if computed(o) {
			cols += ", " + r.orderValue(o, t) + " AS __o" + strconv.Itoa(i)
		}
	}
	orderBy = append(orderBy, r.orderTerms(order, t, false))
	sql := "SELECT " + cols + " " + from + where(conds) + " ORDER BY " + strings.Join(orderBy, ", ")
	if limit >= 0 {
		sql += " LIMIT " + r.p(limit)
	}
	if sel.Offset >= 0 {
		sql += " OFFSET " + r.p(sel.Offset)
	}
	return sql
}

// list renders the JSON array of a list read (without the leading SELECT).
func (r *renderer) list(sel *plan.Select, parent string) string {
	inner := r.orderedRows(sel, parent, nil, sel.Order, sel.Limit)
	s := r.next("s")
	orderBy := r.orderTerms(sel.Order, s, true)
	if sel.Include >= 0 {
		orderBy = s + ".__inc DESC, " + orderBy
	}
	return r.d.arrayAgg(r.object(sel, s), orderBy) + " FROM (" + inner + ") AS " + s
}

// computed reports whether an order term is not a plain column.
func computed(o plan.Order) bool { return o.Count != nil || len(o.Path) > 0 }

// orderValue renders the value an order term sorts by, for the row at a.
func (r *renderer) orderValue(o plan.Order, a string) string {
	if o.Count != nil {
		c := r.next("t")
		from, link := r.from(o.Count, a, c)
		return "(SELECT count(*) " + from + where([]string{link, r.cond(o.CountWhere, c)}) + ")"
	}
	return r.pathValue(o.Path, o.Field, a, func(x string) string { return r.d.cmp(x, o.Field.ValueKind()) })
}

// pathValue renders field f reached from alias a through forward to-one
// edges, as nested scalar subqueries.
func (r *renderer) pathValue(path []*model.Edge, f *model.Field, a string, wrap func(string) string) string {
	if len(path) == 0 {
		return wrap(col(a, f))
	}
	c := r.next("t")
	from, link := r.from(path[0], a, c)
	return "(SELECT " + r.pathValue(path[1:], f, c, wrap) + " " + from + " WHERE " + link + " LIMIT 1)"
}

// orderTerms renders ORDER BY terms. With exposed, computed terms read the
// "__oN" columns of an inner query; otherwise they are computed inline.
// NULLs sort last ascending and first descending on both databases.
func (r *renderer) orderTerms(order []plan.Order, a string, exposed bool) string {
	terms := make([]string, len(order))
	for i, o := range order {
		var e string
		switch {
		case computed(o) && exposed:
			e = a + ".__o" + strconv.Itoa(i)
		case computed(o):
			e = "__o" + strconv.Itoa(i)
		default:
			e = r.d.cmp(col(a, o.Field), o.Field.ValueKind())
		}
		terms[i] = e + direction(o)
	}
	return strings.Join(terms, ", ")
}

func direction(o plan.Order) string {
	switch {
	case o.Desc && o.Nullable():
		return " DESC NULLS FIRST"
	case o.Desc:
		return " DESC"
	case o.Nullable():
		return " ASC NULLS LAST"
	}
	return " ASC"
}
