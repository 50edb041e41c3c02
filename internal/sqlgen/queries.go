package sqlgen

import (
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// pages renders an offset page with its page_info; the total count, when
// needed, comes from a count over the same conditions in the same statement.
func (r *renderer) pages(q *plan.Pages) string {
	sql := "SELECT " + r.shape(q.Out, func(o plan.Part) string {
		if o.What == "items" {
			return r.d.embed("SELECT " + r.list(q.Select, ""))
		}
		return r.shape(o.Sub, func(pi plan.Part) string { // page_info
			switch pi.What {
			case "total_count":
				return "c.n"
			case "page_count":
				return "((c.n + " + r.p(q.PerPage) + " - 1) / " + r.p(q.PerPage) + ")"
			case "current_page":
				return r.p(q.Page)
			case "per_page":
				return r.p(q.PerPage)
			case "has_next_page":
				return r.d.boolJSON("c.n > " + r.p(q.End))
			default: // has_previous_page
				return r.d.boolJSON(r.p(q.Page) + " > 1")
			}
		})
	})
	if q.NeedCount {
		t := r.next("t")
		filter := r.cond(q.Select.Where, t)
		access := r.cond(q.Select.Access, t)
		if q.Select.Include >= 0 && filter != "" {
			filter = "(" + filter + " OR " + r.d.inList(col(t, q.Select.Model.PK), r.p(q.Select.Include), q.Select.Model.PK.ValueKind()) + ")"
		}
		sql += " FROM (SELECT count(*) AS n FROM " + table(q.Select.Model) + " AS " + t + where([]string{filter, access}) + ") AS c"
	}
	return sql
}

// groups renders group buckets: rows grouped by the raw value, ordered and
// limited, then keys and labels formatted per bucket.
func (r *renderer) groups(q *plan.Groups) string {
	t := r.next("t")
	target := q.Target
	raw := r.pathValue(target.Path, target.Field, t, func(x string) string {
		switch target.Part {
		case "":
			return r.d.cmp(x, target.Field.ValueKind())
		case "date":
			if target.Field.Type.Kind() == model.KindDate {
				return x
			}
			return r.d.dateOf(x)
		}
		return r.d.datePart(x, target.Part, target.Field.Type.Kind())
	})
	var order string
	switch {
	case q.ByKey && q.Desc:
		order = "r DESC NULLS LAST"
	case q.ByKey:
		order = "r ASC NULLS LAST"
	case q.Desc:
		order = "n DESC, r ASC NULLS LAST"
	default:
		order = "n ASC, r ASC NULLS LAST"
	}
	inner := "SELECT r, count(*) AS n FROM (SELECT " + raw + " AS r FROM " + table(q.Model) + " AS " + t +
		where([]string{r.cond(q.Where, t)}) + ") AS x GROUP BY r ORDER BY " + order + " LIMIT " + r.p(q.Limit)
	key := r.groupKey("g.r", target)
	obj := r.shape(q.Out, func(o plan.Part) string {
		switch o.What {
		case "key":
			return key
		case "label":
			return r.groupLabel("g.r", key, target)
		default: // count
			return "g.n"
		}
	})
	outer := strings.NewReplacer("r ", "g.r ", "n ", "g.n ").Replace(order)
	return "SELECT " + r.d.arrayAgg(obj, outer) + " FROM (" + inner + ") AS g"
}

// groupKey formats a bucket's raw value as the key text.
func (r *renderer) groupKey(raw string, g *gqlschema.GroupTarget) string {
	switch g.Part {
	case "":
		return r.d.text(raw, g.Field)
	case "date":
		return r.d.text(raw, dateField)
	}
	return r.d.text(raw, intField)
}

// Stand-in fields for formatting date parts.
var (
	dateField = &model.Field{Type: model.TypeDate}
	intField  = &model.Field{Type: model.TypeInteger}
)

// groupLabel renders a bucket's label: the choice label for fields with
// choices, the related row's first text field for a foreign key, else the key.
func (r *renderer) groupLabel(raw, key string, g *gqlschema.GroupTarget) string {
	f := g.Field
	if g.Part != "" {
		return key
	}
	if len(f.Choices) > 0 {
		var b strings.Builder
		b.WriteString("CASE " + key)
		for _, c := range f.Choices {
			label := c.Label
			if label == "" {
				label = c.Value
			}
			b.WriteString(" WHEN " + quoteString(c.Value) + " THEN " + quoteString(label))
		}
		b.WriteString(" ELSE " + key + " END")
		return b.String()
	}
	if f.Rel != nil && f.Rel.Target != nil {
		for _, tf := range f.Rel.Target.Fields {
			if tf.Type.Kind() == model.KindText && !tf.Excluded && !tf.WriteOnly {
				t := r.next("t")
				pk := f.Rel.Target.PK
				return "(SELECT " + col(t, tf) + " FROM " + table(f.Rel.Target) + " AS " + t + " WHERE " + col(t, pk) + " = " + raw + ")"
			}
		}
	}
	return key
}

// aggregate renders count/sum/avg/min/max over the filtered rows.
func (r *renderer) aggregate(q *plan.Aggregate) string {
	t := r.next("t")
	var keys, vals []string
	for _, o := range q.Out {
		keys = append(keys, o.Key)
		switch o.Fn {
		case "__typename":
			vals = append(vals, quoteString(o.Typename))
		case "count":
			vals = append(vals, "count(*)")
		default:
			var sk, sv []string
			for _, s := range o.Sub {
				sk = append(sk, s.Key)
				if s.Fn == "__typename" {
					sv = append(sv, quoteString(s.Typename))
					continue
				}
				sv = append(sv, r.d.aggregate(s.Fn, col(t, s.Field), s.Field))
			}
			vals = append(vals, r.d.object(sk, sv))
		}
	}
	return "SELECT " + r.d.object(keys, vals) + " FROM " + table(q.Model) + " AS " + t + where([]string{r.cond(q.Where, t)})
}

// connection renders a keyset page: rows after/before the cursors in the
// requested direction, one extra row to learn whether more exist, cursors
// built from each row's order values.
func (r *renderer) connection(q *plan.Connection) string {
	sel := q.Select
	order := sel.Order
	fetch := order
	if q.Backward {
		fetch = reversed(order)
	}
	inner := r.orderedRows(sel, "", func(t string) []string {
		var conds []string
		if q.After != nil {
			conds = append(conds, r.keyset(order, q.After, t))
		}
		if q.Before != nil {
			conds = append(conds, r.keyset(reversed(order), q.Before, t))
		}
		return conds
	}, fetch, q.LimitPlus)
	e := r.next("e")
	cursorVals := make([]string, len(order))
	for i, o := range order {
		switch {
		case o.Count != nil:
			cursorVals[i] = e + ".__o" + strconv.Itoa(i)
		case computed(o):
			cursorVals[i] = r.d.out(e+".__o"+strconv.Itoa(i), o.Field)
		default:
			cursorVals[i] = r.d.out(col(e, o.Field), o.Field)
		}
	}
	// The key param is numbered on first use: render it only when a cursor
	// is selected, as PostgreSQL cannot type an unused parameter.
	cursor := func() string { return r.d.cursor(cursorVals, r.p(q.Key)) }
	// The page is rendered only when something reads it: its LIMIT param
	// would otherwise be numbered but unused, which PostgreSQL refuses
	// (total_count alone).
	needPage := false
	for _, o := range q.Out {
		for _, s := range o.Sub {
			needPage = needPage || o.What == "page_info" && (s.What == "start_cursor" || s.What == "end_cursor")
		}
		needPage = needPage || o.What == "edges"
	}
	var pageSQL string
	if needPage {
		pageSQL = "SELECT * FROM s ORDER BY " + r.orderTerms(fetch, "s", true) + " LIMIT " + r.p(q.Limit)
	}
	obj := r.shape(q.Out, func(o plan.Part) string {
		switch o.What {
		case "edges":
			edge := r.shape(o.Sub, func(s plan.Part) string {
				if s.What == "cursor" {
					return cursor()
				}
				return r.object(sel, e) // node
			})
			return r.d.embed("SELECT " + r.d.arrayAgg(edge, r.orderTerms(order, e, true)) + " FROM (" + pageSQL + ") AS " + e)
		case "total_count":
			c := r.next("t")
			return "(SELECT count(*) FROM " + table(sel.Model) + " AS " + c + where([]string{r.cond(sel.Where, c), r.cond(sel.Access, c)}) + ")"
		}
		more := "(SELECT count(*) FROM s) > " + r.p(q.Limit) // page_info
		return r.shape(o.Sub, func(s plan.Part) string {
			switch s.What {
			case "has_next_page":
				if q.Backward {
					return r.d.boolJSON(strconv.FormatBool(q.Before != nil))
				}
				return r.d.boolJSON(more)
			case "has_previous_page":
				if q.Backward {
					return r.d.boolJSON(more)
				}
				return r.d.boolJSON(strconv.FormatBool(q.After != nil))
			case "start_cursor":
				return "(SELECT " + cursor() + " FROM (" + pageSQL + ") AS " + e + " ORDER BY " + r.orderTerms(order, e, true) + " LIMIT 1)"
			default: // end_cursor
				return "(SELECT " + cursor() + " FROM (" + pageSQL + ") AS " + e + " ORDER BY " + r.orderTerms(reversed(order), e, true) + " LIMIT 1)"
			}
		})
	})
	return "WITH s AS (" + inner + ") SELECT " + obj
}

func reversed(order []plan.Order) []plan.Order {
	out := make([]plan.Order, len(order))
	for i, o := range order {
		o.Desc = !o.Desc
		out[i] = o
	}
	return out
}

// keyset renders "the row comes strictly after the cursor" in the given
// order: (x1 > v1) OR (x1 = v1 AND ((x2 > v2) OR …)), NULL-aware for
// nullable terms (NULLs are greatest: last ascending, first descending).
func (r *renderer) keyset(order []plan.Order, c *plan.Cursor, a string) string {
	var build func(i int) string
	build = func(i int) string {
		o := order[i]
		kind := model.KindBigInt
		if o.Count == nil {
			kind = o.Field.ValueKind()
		}
		x := r.orderValue(o, a)
		v := r.pc(c.Values[i], kind)
		op := ">"
		if o.Desc {
			op = "<"
		}
		var gt, eq string
		if o.Nullable() {
			flag := r.p(c.Nulls[i])
			if o.Desc {
				gt = "COALESCE(" + flag + " AND " + x + " IS NOT NULL, FALSE) OR COALESCE(" + x + " " + op + " " + v + ", FALSE)"
			} else {
				gt = "COALESCE(" + x + " IS NULL AND NOT " + flag + ", FALSE) OR COALESCE(" + x + " " + op + " " + v + ", FALSE)"
			}
			eq = "(COALESCE(" + x + " IS NULL AND " + flag + ", FALSE) OR COALESCE(" + x + " = " + v + ", FALSE))"
		} else {
			gt = x + " " + op + " " + v
			eq = x + " = " + v
		}
		if i == len(order)-1 {
			return "(" + gt + ")"
		}
		return "(" + gt + " OR (" + eq + " AND " + build(i+1) + "))"
	}
	return build(0)
}
