package plan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/cases"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

var fold = cases.Fold()

// pathLookup is a lookup below a relation path, waiting to be grouped by
// its first hop.
type pathLookup struct {
	path []*model.Edge
	ff   *gqlschema.FilterField
	val  any
	r    ref
}

// maxFilterDepth bounds the nesting of AND, OR and NOT in one filter.
// Real filters nest a few levels; the bound keeps the rendered condition
// within SQLite's expression depth (1000), which a filter nested five
// hundred NOTs deep exceeded with an internal error.
const maxFilterDepth = 100

// filter builds the condition of a filter input value on model m.
func (b *builder) filter(m *model.Model, val any, r ref) (*Cond, error) {
	return b.filterAt(m, val, r, 0)
}

// filterAt is filter at a nesting depth of AND/OR/NOT.
func (b *builder) filterAt(m *model.Model, val any, r ref, depth int) (*Cond, error) {
	obj, ok := val.(map[string]any)
	if !ok {
		return nil, nil
	}
	if depth > maxFilterDepth {
		return nil, inputError("filters nest AND, OR and NOT more than %d levels deep", maxFilterDepth)
	}
	spec := b.g.Filters[m.Name+"Filter"]
	var conds []*Cond
	var paths []pathLookup
	for _, k := range sortedKeys(obj) {
		v := obj[k]
		if v == nil {
			continue
		}
		switch k {
		case "AND", "OR":
			list, _ := v.([]any)
			var children []*Cond
			for i, e := range list {
				c, err := b.filterAt(m, e, r.key(k).index(i), depth+1)
				if err != nil {
					return nil, err
				}
				if c != nil {
					children = append(children, c)
				}
			}
			if len(children) == 0 {
				continue
			}
			kind := CondAnd
			if k == "OR" {
				kind = CondOr
			}
			conds = append(conds, &Cond{Kind: kind, Children: children})
		case "NOT":
			c, err := b.filterAt(m, v, r.key(k), depth+1)
			if err != nil {
				return nil, err
			}
			if c != nil {
				conds = append(conds, &Cond{Kind: CondNot, Children: []*Cond{c}})
			}
		default:
			ff := spec.Fields[k]
			if ff == nil {
				return nil, inputError("unknown filter %q on %s", k, m.Name)
			}
			switch {
			case ff.Count != nil:
				access, err := b.readFilter(ff.Count.To)
				if err != nil {
					return nil, err
				}
				c := &Cond{Kind: CondCount, Edge: ff.Count, Lookup: ff.Lookup, Params: []int{b.intParam(r.key(k), k)}}
				if access != nil {
					c.Children = []*Cond{access}
				}
				conds = append(conds, c)
			case len(ff.Path) > 0:
				paths = append(paths, pathLookup{path: ff.Path, ff: ff, val: v, r: r.key(k)})
			default:
				c, err := b.lookup(ff.Field, ff.Lookup, v, r.key(k), k)
				if err != nil {
					return nil, err
				}
				conds = append(conds, c)
			}
		}
	}
	exists, err := b.existsConds(paths)
	if err != nil {
		return nil, err
	}
	return and(append(conds, exists...)...), nil
}

// existsConds groups lookups by their first relation hop, so that lookups
// on the same relation in one filter object must hold for the same related
// row (Django's semantics for one filter() call).
func (b *builder) existsConds(paths []pathLookup) ([]*Cond, error) {
	var order []*model.Edge
	groups := map[*model.Edge][]pathLookup{}
	for _, p := range paths {
		e := p.path[0]
		if _, ok := groups[e]; !ok {
			order = append(order, e)
		}
		groups[e] = append(groups[e], pathLookup{path: p.path[1:], ff: p.ff, val: p.val, r: p.r})
	}
	var conds []*Cond
	for _, e := range order {
		var direct []*Cond
		var deeper []pathLookup
		for _, p := range groups[e] {
			if len(p.path) > 0 {
				deeper = append(deeper, p)
				continue
			}
			c, err := b.lookup(p.ff.Field, p.ff.Lookup, p.val, p.r, "")
			if err != nil {
				return nil, err
			}
			direct = append(direct, c)
		}
		nested, err := b.existsConds(deeper)
		if err != nil {
			return nil, err
		}
		access, err := b.readFilter(e.To)
		if err != nil {
			return nil, err
		}
		children := append(direct, nested...)
		if access != nil {
			children = append(children, access)
		}
		c := &Cond{Kind: CondExists, Edge: e, Children: children}
		if !e.Many && len(nested) == 0 {
			c.OrNone = isnullParams(direct)
		}
		conds = append(conds, c)
	}
	return conds, nil
}

// isnullParams returns the params of conds when every one is an isnull
// lookup, else nil.
func isnullParams(conds []*Cond) []int {
	var params []int
	for _, c := range conds {
		if c.Kind != CondLookup || c.Lookup != "isnull" {
			return nil
		}
		params = append(params, c.Params[0])
	}
	return params
}

// lookup builds the condition for one lookup on a column of the current row.
func (b *builder) lookup(f *model.Field, lookup string, val any, r ref, name string) (*Cond, error) {
	c := &Cond{Kind: CondLookup, Field: f, Lookup: lookup}
	kind := f.ValueKind()
	label := name
	if label == "" {
		label = f.Name + "__" + lookup
	}
	switch lookup {
	case "exact", "gt", "gte", "lt", "lte":
		c.Params = []int{b.valueParam(kind, r, label, nil)}
	case "in":
		c.Params = []int{b.listParam(f, r, label)}
	case "range":
		c.Params = []int{
			b.valueParam(kind, r.index(0), label, rangeCheck(r)),
			b.valueParam(kind, r.index(1), label, rangeCheck(r)),
		}
	case "isnull":
		c.Params = []int{b.boolParam(r)}
	case "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith":
		c.Params = []int{b.likeParam(lookup, r, label)}
	case "regex", "iregex":
		c.Params = []int{b.regexParam(lookup == "iregex", r, label)}
	case "year", "month", "day", "week_day":
		c.Params = []int{b.intParam(r, label)}
	case "date":
		c.Params = []int{b.valueParam(model.KindDate, r, label, nil)}
	case "today", "yesterday", "this_week", "past_week", "this_month", "past_month", "this_year", "past_year":
		lo, hi := b.relativeParams(f, lookup)
		c.Params = []int{lo, hi, b.boolParam(r)}
	default:
		return nil, fmt.Errorf("%w: lookup %q is not supported", ErrInput, lookup)
	}
	return c, nil
}

func rangeCheck(r ref) func(vars map[string]any) error {
	return func(vars map[string]any) error {
		v, _ := r.get(vars)
		if list, _ := v.([]any); len(list) != 2 {
			return inputError("range takes exactly two values [low, high]")
		}
		return nil
	}
}

// valueParam binds a column value of the given kind.
func (b *builder) valueParam(kind model.Kind, r ref, label string, check func(map[string]any) error) int {
	d := b.d
	return b.addParam(Param{Kind: kind, Value: func(vars map[string]any) (any, error) {
		if check != nil {
			if err := check(vars); err != nil {
				return nil, err
			}
		}
		v, err := r.get(vars)
		if err != nil {
			return nil, err
		}
		enc, err := encode(d, kind, v)
		if err != nil {
			return nil, inputError("%s: %s", label, strings.TrimPrefix(err.Error(), database.ErrInvalidValue.Error()+": "))
		}
		return enc, nil
	}})
}

// errNUL is the reason text with a NUL character is refused.
const errNUL = "text must not contain NUL characters"

// encode converts an API value for a column of kind k (database.Encode),
// refusing text with NUL characters: PostgreSQL cannot hold or compare
// them (SQLSTATE 22021, which would surface as an internal error), and
// SQLite refuses them too so both databases answer alike.
func encode(d database.Dialect, k model.Kind, v any) (any, error) {
	enc, err := d.Encode(k, v)
	if err != nil {
		return nil, err
	}
	if s, ok := enc.(string); ok && strings.ContainsRune(s, 0) {
		return nil, fmt.Errorf("%w: %s", database.ErrInvalidValue, errNUL)
	}
	return enc, nil
}

// listParam binds a list of values compared with column f: a typed array on
// PostgreSQL, a JSON array for json_each on SQLite.
func (b *builder) listParam(f *model.Field, r ref, label string) int {
	d := b.d
	kind := f.ValueKind()
	return b.addParam(Param{Kind: kind, Type: "list", Value: func(vars map[string]any) (any, error) {
		v, err := r.get(vars)
		if err != nil {
			return nil, err
		}
		list, _ := v.([]any)
		enc := make([]any, len(list))
		for i, x := range list {
			if enc[i], err = encode(d, kind, x); err != nil {
				return nil, inputError("%s: %s", label, strings.TrimPrefix(err.Error(), database.ErrInvalidValue.Error()+": "))
			}
		}
		return encodeList(d, kind, enc)
	}})
}

// encodeList shapes encoded values as one list parameter.
func encodeList(d database.Dialect, kind model.Kind, vals []any) (any, error) {
	if d == database.SQLite {
		b, err := json.Marshal(vals)
		return string(b), err
	}
	switch kind {
	case model.KindInt, model.KindBigInt:
		out := make([]int64, len(vals))
		for i, v := range vals {
			out[i] = v.(int64)
		}
		return out, nil
	case model.KindFloat:
		out := make([]float64, len(vals))
		for i, v := range vals {
			out[i] = v.(float64)
		}
		return out, nil
	case model.KindBool:
		out := make([]bool, len(vals))
		for i, v := range vals {
			out[i] = v.(bool)
		}
		return out, nil
	case model.KindDate, model.KindDateTime:
		out := make([]time.Time, len(vals))
		for i, v := range vals {
			out[i] = v.(time.Time)
		}
		return out, nil
	case model.KindDuration:
		out := make([]time.Duration, len(vals))
		for i, v := range vals {
			out[i] = v.(time.Duration)
		}
		return out, nil
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprint(v)
	}
	return out, nil
}

func (b *builder) boolParam(r ref) int {
	d := b.d
	return b.addParam(Param{Kind: model.KindBool, Type: "bool", Value: func(vars map[string]any) (any, error) {
		v, err := r.get(vars)
		if err != nil {
			return nil, err
		}
		t, _ := v.(bool)
		return d.Encode(model.KindBool, t)
	}})
}

func (b *builder) intParam(r ref, label string) int {
	return b.addParam(Param{Kind: model.KindBigInt, Type: "int", Value: func(vars map[string]any) (any, error) {
		v, err := r.get(vars)
		if err != nil {
			return nil, err
		}
		n, given, err := int32Value(v, label)
		if err != nil {
			return nil, err
		}
		if !given {
			return nil, inputError("%s: want an integer", label)
		}
		return n, nil
	}})
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// textParam binds a string argument (never one with a NUL, which
// PostgreSQL refuses) after shaping it with pattern.
func (b *builder) textParam(r ref, label string, pattern func(string) (string, error)) int {
	return b.addParam(Param{Kind: model.KindText, Type: "text", Value: func(vars map[string]any) (any, error) {
		v, err := r.get(vars)
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, inputError("%s: want a string", label)
		}
		if strings.ContainsRune(s, 0) {
			return nil, inputError("%s: %s", label, errNUL)
		}
		return pattern(s)
	}})
}

// likeParam binds the LIKE pattern of a text lookup. Case-insensitive
// lookups fold the pattern here; the SQL folds the column.
func (b *builder) likeParam(lookup string, r ref, label string) int {
	sqlite := b.d == database.SQLite
	return b.textParam(r, label, func(s string) (string, error) {
		if sqlite && strings.HasPrefix(lookup, "i") {
			s = fold.String(s)
		}
		s = likeEscaper.Replace(s)
		switch strings.TrimPrefix(lookup, "i") {
		case "contains":
			s = "%" + s + "%"
		case "startswith":
			s += "%"
		case "endswith":
			s = "%" + s
		}
		return s, nil
	})
}

// regexParam binds a regular expression. SQLite matches with Go's regexp
// (RE2 syntax); checking the pattern here makes a bad one a clear input
// error rather than a failed statement, and keeps the accepted syntax the
// same on PostgreSQL.
func (b *builder) regexParam(insensitive bool, r ref, label string) int {
	sqlite := b.d == database.SQLite
	return b.textParam(r, label, func(s string) (string, error) {
		if _, err := regexp.Compile(s); err != nil {
			return "", inputError("%s: invalid regular expression: %s", label, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		if sqlite && insensitive {
			s = "(?i)" + s
		}
		return s, nil
	})
}

// relativeParams binds the [low, high) bounds of a relative date lookup,
// computed in the configured time zone at execution time; weeks start on Monday.
func (b *builder) relativeParams(f *model.Field, lookup string) (int, int) {
	bounds := func(vars map[string]any) (time.Time, time.Time) {
		now := b.opts.Now().In(b.opts.TimeZone)
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, b.opts.TimeZone)
		switch lookup {
		case "today":
			return day, day.AddDate(0, 0, 1)
		case "yesterday":
			return day.AddDate(0, 0, -1), day
		case "this_week":
			start := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
			return start, start.AddDate(0, 0, 7)
		case "past_week":
			return day.AddDate(0, 0, -6), day.AddDate(0, 0, 1)
		case "this_month":
			start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, b.opts.TimeZone)
			return start, start.AddDate(0, 1, 0)
		case "past_month":
			return day.AddDate(0, -1, 1), day.AddDate(0, 0, 1)
		case "this_year":
			start := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, b.opts.TimeZone)
			return start, start.AddDate(1, 0, 0)
		default: // past_year
			return day.AddDate(-1, 0, 1), day.AddDate(0, 0, 1)
		}
	}
	kind := f.Type.Kind()
	enc := func(t time.Time) (any, error) {
		if kind == model.KindDate {
			return b.d.Encode(kind, t.Format("2006-01-02"))
		}
		return b.d.Encode(kind, t.UTC().Format(time.RFC3339Nano))
	}
	lo := b.addParam(Param{Kind: kind, Value: func(vars map[string]any) (any, error) {
		l, _ := bounds(vars)
		return enc(l)
	}})
	hi := b.addParam(Param{Kind: kind, Value: func(vars map[string]any) (any, error) {
		_, h := bounds(vars)
		return enc(h)
	}})
	return lo, hi
}

// quick builds the quick-search condition: a case-insensitive substring
// match OR-ed across meta.quick fields (default: every readable text field);
// numeric quick fields match exactly when the text is a number.
func (b *builder) quick(m *model.Model, r ref) *Cond {
	var fields []*model.Field
	if len(m.Meta.Quick) > 0 {
		for _, n := range m.Meta.Quick {
			if f := m.Field(n); f != nil {
				fields = append(fields, f)
			}
		}
	} else {
		for _, f := range m.Fields {
			if f.Type.Kind() == model.KindText && !f.Excluded && !f.WriteOnly {
				fields = append(fields, f)
			}
		}
	}
	text := b.likeParam("icontains", r, b.g.Name("quick"))
	num := b.addParam(Param{Kind: model.KindFloat, Type: "float", Value: func(vars map[string]any) (any, error) {
		v, _ := r.get(vars)
		s, _ := v.(string)
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, nil
		}
		return f, nil
	}})
	return &Cond{Kind: CondQuick, Quick: fields, Params: []int{text, num}}
}
