package plan

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/autogql/autogql/internal/model"
)

func (b *builder) intArg(fg fieldGroup, name string) ref {
	r, _ := argRef(fg.first(), name)
	return r
}

// pages plans posts_pages: LIMIT per_page OFFSET (page-1)*per_page, with
// page_info computed in the same statement.
func (b *builder) pages(m *model.Model, fg fieldGroup) (Query, error) {
	p := &Pages{}
	pageRef, ppRef := b.intArg(fg, "page"), b.intArg(fg, b.g.Name("per_page"))
	max := b.maxPageSize(m)
	pageAndSize := func(vars map[string]any) (int64, int64, error) {
		pv, _ := pageRef.get(vars)
		sv, _ := ppRef.get(vars)
		page, per := int64(1), int64(20)
		if n, given, err := int32Value(pv, "page"); err != nil {
			return 0, 0, err
		} else if given {
			page = n
		}
		if n, given, err := int32Value(sv, b.g.Name("per_page")); err != nil {
			return 0, 0, err
		} else if given {
			per = n
		}
		if page < 1 {
			return 0, 0, inputError("page must be at least 1 (got %d)", page)
		}
		if per < 1 {
			return 0, 0, inputError("%s must be at least 1 (got %d)", b.g.Name("per_page"), per)
		}
		return page, min(per, max), nil
	}
	sel := &Select{Model: m, Limit: -1, Offset: -1, Include: -1}
	var err error
	for _, sub := range b.subCollect(fg) {
		switch sub.first().Name {
		case "__typename":
			p.Out = append(p.Out, Part{Key: sub.key, What: "__typename", Typename: m.Name + "Page"})
		case "items":
			if sel, err = b.objectSelect(m, sub); err != nil {
				return nil, err
			}
			p.Out = append(p.Out, Part{Key: sub.key, What: "items"})
		default: // page_info
			out := Part{Key: sub.key, What: "page_info"}
			for _, pi := range b.subCollect(sub) {
				name := pi.first().Name
				if name == "__typename" {
					out.Sub = append(out.Sub, Part{Key: pi.key, What: name, Typename: "PageInfo"})
					continue
				}
				what := b.apiToSnake(name, "total_count", "page_count", "current_page", "per_page", "has_next_page", "has_previous_page")
				out.Sub = append(out.Sub, Part{Key: pi.key, What: what})
				if what == "total_count" || what == "page_count" || what == "has_next_page" {
					p.NeedCount = true
				}
			}
			p.Out = append(p.Out, out)
		}
	}
	if sel.Access, err = b.readFilter(m); err != nil {
		return nil, err
	}
	if err := b.where(sel, fg); err != nil {
		return nil, err
	}
	sel.Include = b.includeParam(m, fg)
	if sel.Order, err = b.order(m, fg); err != nil {
		return nil, err
	}
	sel.Limit = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		_, per, err := pageAndSize(vars)
		return per, err
	}})
	sel.Offset = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		page, per, err := pageAndSize(vars)
		return (page - 1) * per, err
	}})
	p.Page = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		page, _, err := pageAndSize(vars)
		return page, err
	}})
	p.PerPage = sel.Limit
	p.End = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		page, per, err := pageAndSize(vars)
		return page * per, err
	}})
	p.Select = sel
	return p, nil
}

// apiToSnake maps an API field name back to one of the given snake names.
func (b *builder) apiToSnake(api string, names ...string) string {
	for _, n := range names {
		if b.g.Name(n) == api {
			return n
		}
	}
	return api
}

// groups plans posts_groups.
func (b *builder) groups(m *model.Model, fg fieldGroup) (Query, error) {
	f := fg.first()
	g := &Groups{Model: m}
	v, _, _ := b.argValue(f, b.g.Name("group_by"))
	name, _ := v.(string)
	g.Target = b.g.Groups[m.Name][name]
	if g.Target == nil {
		return nil, inputError("cannot group %s by %q; valid names: %s", m.Plural, name, strings.Join(validNames(b.g.Groups[m.Name]), ", "))
	}
	ov, _, _ := b.argValue(f, b.g.Name("order_by"))
	switch ov {
	case nil, "-count":
		g.Desc = true
	case "count":
	case "key":
		g.ByKey = true
	case "-key":
		g.ByKey, g.Desc = true, true
	default:
		return nil, inputError("groups order_by must be one of key, -key, count, -count (got %q)", ov)
	}
	if err := b.aggregates(m); err != nil {
		return nil, err
	}
	access, err := b.readFilter(m)
	if err != nil {
		return nil, err
	}
	for _, e := range g.Target.Path {
		if _, err := b.readFilter(e.To); err != nil {
			return nil, err
		}
	}
	sel := &Select{Model: m}
	if err := b.where(sel, fg); err != nil {
		return nil, err
	}
	g.Where = and(sel.Where, access)
	lr := b.intArg(fg, "limit")
	max := int64(b.g.Options.MaxGroupBuckets)
	g.Limit = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		v, _ := lr.get(vars)
		n, given, err := int32Value(v, "limit")
		if err != nil || !given {
			return max, err
		}
		if n < 0 {
			return nil, inputError("limit must not be negative (got %d)", n)
		}
		return min(n, max), nil
	}})
	for _, sub := range b.subCollect(fg) {
		what := sub.first().Name
		out := Part{Key: sub.key, What: what}
		if what == "__typename" {
			out.Typename = "GroupBucket"
		}
		g.Out = append(g.Out, out)
	}
	return g, nil
}

// aggregate plans posts_aggregate.
func (b *builder) aggregate(m *model.Model, fg fieldGroup) (Query, error) {
	a := &Aggregate{Model: m}
	if err := b.aggregates(m); err != nil {
		return nil, err
	}
	access, err := b.readFilter(m)
	if err != nil {
		return nil, err
	}
	sel := &Select{Model: m}
	if err := b.where(sel, fg); err != nil {
		return nil, err
	}
	a.Where = and(sel.Where, access)
	suffix := map[string]string{"sum": "Sums", "avg": "Avgs", "min": "Mins", "max": "Maxes"}
	for _, sub := range b.subCollect(fg) {
		fn := sub.first().Name
		out := AggOut{Key: sub.key, Fn: fn}
		switch fn {
		case "__typename":
			out.Typename = m.Name + "Aggregate"
		case "sum", "avg", "min", "max":
			for _, leaf := range b.subCollect(sub) {
				ln := leaf.first().Name
				if ln == "__typename" {
					out.Sub = append(out.Sub, AggOut{Key: leaf.key, Fn: ln, Typename: m.Name + suffix[fn]})
					continue
				}
				of := b.g.Objects[m.Name].Fields[ln]
				if of == nil || of.Field == nil {
					return nil, inputError("cannot aggregate %s.%s", m.Name, ln)
				}
				out.Sub = append(out.Sub, AggOut{Key: leaf.key, Fn: fn, Field: of.Field})
			}
		}
		a.Out = append(a.Out, out)
	}
	return a, nil
}

// connection plans posts_connection: keyset pagination over the order
// terms; cursors encode the order values of a row (and the primary key).
func (b *builder) connection(m *model.Model, fg fieldGroup) (Query, error) {
	f := fg.first()
	c := &Connection{}
	_, _, hasFirst := b.argValue(f, "first")
	_, _, hasLast := b.argValue(f, "last")
	if hasFirst && hasLast {
		return nil, inputError("pass first or last, not both")
	}
	c.Backward = hasLast
	sel := &Select{Model: m, Limit: -1, Offset: -1, Include: -1}
	var err error
	for _, sub := range b.subCollect(fg) {
		name := sub.first().Name
		switch name {
		case "__typename":
			c.Out = append(c.Out, Part{Key: sub.key, What: name, Typename: m.Name + "Connection"})
		case "edges":
			out := Part{Key: sub.key, What: "edges"}
			for _, e := range b.subCollect(sub) {
				en := e.first().Name
				switch en {
				case "__typename":
					out.Sub = append(out.Sub, Part{Key: e.key, What: en, Typename: m.Name + "Edge"})
				case "node":
					if sel, err = b.objectSelect(m, e); err != nil {
						return nil, err
					}
					out.Sub = append(out.Sub, Part{Key: e.key, What: "node"})
				default:
					out.Sub = append(out.Sub, Part{Key: e.key, What: "cursor"})
				}
			}
			c.Out = append(c.Out, out)
		default:
			what := b.apiToSnake(name, "page_info", "total_count")
			out := Part{Key: sub.key, What: what}
			if what == "total_count" {
				c.NeedTotal = true
			}
			for _, pi := range b.subCollect(sub) {
				pn := pi.first().Name
				if pn == "__typename" {
					out.Sub = append(out.Sub, Part{Key: pi.key, What: pn, Typename: "CursorPageInfo"})
					continue
				}
				out.Sub = append(out.Sub, Part{Key: pi.key, What: b.apiToSnake(pn, "has_next_page", "has_previous_page", "start_cursor", "end_cursor")})
			}
			c.Out = append(c.Out, out)
		}
	}
	if sel.Access, err = b.readFilter(m); err != nil {
		return nil, err
	}
	if err := b.where(sel, fg); err != nil {
		return nil, err
	}
	if sel.Order, err = b.order(m, fg); err != nil {
		return nil, err
	}
	c.Select = sel
	nName := "first"
	if c.Backward {
		nName = "last"
	}
	nRef := b.intArg(fg, nName)
	max := b.maxPageSize(m)
	size := func(vars map[string]any) (int64, error) {
		v, _ := nRef.get(vars)
		n, given, err := int32Value(v, nName)
		if err != nil || !given {
			return max, err
		}
		if n < 0 {
			return 0, inputError("%s must not be negative (got %d)", nName, n)
		}
		return min(n, max), nil
	}
	c.Limit = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) { return size(vars) }})
	c.LimitPlus = b.addParam(Param{Type: "int", Value: func(vars map[string]any) (any, error) {
		n, err := size(vars)
		return n + 1, err
	}})
	key := b.opts.CursorKey
	c.Key = b.addParam(Param{Kind: model.KindText, Type: "text", Value: func(map[string]any) (any, error) { return key, nil }})
	if _, r, ok := b.argValue(f, "after"); ok {
		c.After = b.cursor(sel.Order, r)
	}
	if _, r, ok := b.argValue(f, "before"); ok {
		c.Before = b.cursor(sel.Order, r)
	}
	return c, nil
}

// cursor binds the values of a cursor argument, one param per order term
// plus a null flag for nullable terms. A cursor is the hex of a JSON array
// of the row's order values as the API renders them, followed by a check:
// the first 16 hex digits of md5(JSON || CursorKey). A cursor that was
// edited, or made for another order or schema, fails the check.
func (b *builder) cursor(order []Order, r ref) *Cursor {
	key := b.opts.CursorKey
	decode := func(vars map[string]any) ([]any, error) {
		v, _ := r.get(vars)
		s, _ := v.(string)
		if len(s) < cursorCheckLen {
			return nil, inputError("invalid cursor")
		}
		raw, err := hex.DecodeString(s[:len(s)-cursorCheckLen])
		if err != nil {
			return nil, inputError("invalid cursor")
		}
		sum := md5.Sum(append(raw, key...))
		if hex.EncodeToString(sum[:])[:cursorCheckLen] != s[len(s)-cursorCheckLen:] {
			return nil, inputError("invalid cursor: it was changed, or made for another order or schema version")
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		var vals []any
		if err := dec.Decode(&vals); err != nil || len(vals) != len(order) {
			return nil, inputError("invalid cursor")
		}
		return vals, nil
	}
	cur := &Cursor{}
	for i, o := range order {
		kind := orderKind(o)
		cur.Values = append(cur.Values, b.addParam(Param{Kind: kind, Value: func(vars map[string]any) (any, error) {
			vals, err := decode(vars)
			if err != nil {
				return nil, err
			}
			enc, err := encode(b.d, kind, vals[i])
			if err != nil {
				return nil, inputError("invalid cursor")
			}
			return enc, nil
		}}))
		flag := -1
		if o.Nullable() {
			flag = b.addParam(Param{Kind: model.KindBool, Type: "bool", Value: func(vars map[string]any) (any, error) {
				vals, err := decode(vars)
				if err != nil {
					return nil, err
				}
				return b.d.Encode(model.KindBool, vals[i] == nil)
			}})
		}
		cur.Nulls = append(cur.Nulls, flag)
	}
	return cur
}

// cursorCheckLen is the length of a cursor's check (hex digits).
const cursorCheckLen = 16

// orderKind is the kind of an order term's value.
func orderKind(o Order) model.Kind {
	if o.Count != nil {
		return model.KindBigInt
	}
	return o.Field.ValueKind()
}
