package sqlgen

import (
	"strings"

	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

var comparisons = map[string]string{"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// cond renders a condition on the row at alias a ("" for nil).
func (r *renderer) cond(c *plan.Cond, a string) string {
	if c == nil {
		return ""
	}
	switch c.Kind {
	case plan.CondAnd, plan.CondOr:
		sep := " AND "
		if c.Kind == plan.CondOr {
			sep = " OR "
		}
		parts := make([]string, 0, len(c.Children))
		for _, ch := range c.Children {
			parts = append(parts, r.cond(ch, a))
		}
		return balanced(parts, sep)
	case plan.CondNot:
		// Like Django's exclude(), rows where the condition is unknown
		// (NULL columns) are kept.
		return "NOT COALESCE(" + r.cond(c.Children[0], a) + ", FALSE)"
	case plan.CondLookup:
		return r.lookup(c, a)
	case plan.CondExists:
		t := r.next("t")
		from, link := r.from(c.Edge, a, t)
		conds := []string{link}
		for _, ch := range c.Children {
			conds = append(conds, r.cond(ch, t))
		}
		exists := "EXISTS (SELECT 1 " + from + where(conds) + ")"
		if len(c.OrNone) == 0 {
			return exists
		}
		// No related row: every isnull lookup sees NULL, so the condition
		// holds when each asked for isnull: true.
		n := r.next("t")
		from, link = r.from(c.Edge, a, n)
		none := []string{"NOT EXISTS (SELECT 1 " + from + " WHERE " + link + ")"}
		for _, p := range c.OrNone {
			none = append(none, r.p(p))
		}
		return "(" + exists + " OR (" + strings.Join(none, " AND ") + "))"
	case plan.CondCount:
		t := r.next("t")
		from, link := r.from(c.Edge, a, t)
		conds := []string{link}
		for _, ch := range c.Children {
			conds = append(conds, r.cond(ch, t))
		}
		return "(SELECT count(*) " + from + where(conds) + ") " + comparisons[c.Lookup] + " " + r.p(c.Params[0])
	case plan.CondQuick:
		var parts []string
		for _, f := range c.Quick {
			x := col(a, f)
			switch f.Type.Kind() {
			case model.KindText:
				parts = append(parts, r.d.ilike(x, r.p(c.Params[0])))
			case model.KindInt, model.KindBigInt, model.KindFloat, model.KindDecimal:
				parts = append(parts, r.d.cmp(x, model.KindDecimal)+" = "+r.p(c.Params[1]))
			}
		}
		if len(parts) == 0 {
			return "FALSE"
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	return "FALSE"
}

// balanced joins conditions with sep. Long lists are grouped in nested
// halves: SQLite parses "a OR b OR c …" as a chain as deep as the list and
// refuses expressions deeper than 1000, so an OR of a thousand filters
// would fail; halves keep the depth logarithmic.
func balanced(parts []string, sep string) string {
	const flat = 16
	if len(parts) <= flat {
		return "(" + strings.Join(parts, sep) + ")"
	}
	mid := len(parts) / 2
	return "(" + balanced(parts[:mid], sep) + sep + balanced(parts[mid:], sep) + ")"
}

// lookup renders one Django lookup on a column.
func (r *renderer) lookup(c *plan.Cond, a string) string {
	f := c.Field
	kind := f.ValueKind()
	x := col(a, f)
	cx := r.d.cmp(x, kind)
	switch c.Lookup {
	case "exact", "gt", "gte", "lt", "lte":
		return cx + " " + comparisons[c.Lookup] + " " + r.pc(c.Params[0], kind)
	case "in":
		return r.d.inList(x, r.p(c.Params[0]), kind)
	case "range":
		return cx + " BETWEEN " + r.pc(c.Params[0], kind) + " AND " + r.pc(c.Params[1], kind)
	case "isnull":
		return "((" + x + " IS NULL) = " + r.p(c.Params[0]) + ")"
	case "iexact", "icontains", "istartswith", "iendswith":
		return r.d.ilike(x, r.p(c.Params[0]))
	case "contains", "startswith", "endswith":
		return x + " LIKE " + r.p(c.Params[0]) + ` ESCAPE '\'`
	case "regex", "iregex":
		return r.d.regex(x, r.p(c.Params[0]), c.Lookup == "iregex")
	case "year", "month", "day", "week_day":
		return r.d.datePart(x, c.Lookup, f.Type.Kind()) + " = " + r.p(c.Params[0])
	case "date":
		if f.Type.Kind() == model.KindDate {
			return x + " = " + r.pc(c.Params[0], model.KindDate)
		}
		return r.d.dateOf(x) + " = " + r.pc(c.Params[0], model.KindDate)
	default: // relative date lookups: [low, high) and the wanted truth value
		return "(COALESCE(" + x + " >= " + r.p(c.Params[0]) + " AND " + x + " < " + r.p(c.Params[1]) + ", FALSE) = " + r.p(c.Params[2]) + ")"
	}
}
