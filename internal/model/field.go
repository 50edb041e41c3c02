package model

import (
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// optKind is the YAML shape a field option takes.
type optKind int

const (
	optBool optKind = iota
	optInt
	optNumber
	optString
	optAny // default and choices: checked against the field's type
)

// fieldOpt describes one field option: its shape and the field types it
// applies to (nil: all types).
type fieldOpt struct {
	kind    optKind
	applies func(FieldType) bool
	// only completes "applies only to ..." when applies rejects a type.
	only string
}

// Predicates for the types an option applies to.
func isText(t FieldType) bool       { return t.Kind() == KindText }
func isTemporal(t FieldType) bool   { return t == TypeDate || t == TypeDateTime || t == TypeTime }
func isFKLike(t FieldType) bool     { return t == TypeForeignKey || t == TypeOneToOne }
func isM2M(t FieldType) bool        { return t == TypeManyToMany }
func notM2M(t FieldType) bool       { return t != TypeManyToMany }
func isDecimal(t FieldType) bool    { return t == TypeDecimal }
func choicesApply(t FieldType) bool { return !t.IsRelation() && t != TypeJSON }
func isNumeric(t FieldType) bool {
	k := t.Kind()
	return k == KindInt || k == KindBigInt || k == KindFloat || k == KindDecimal
}

const (
	onlyText     = "string, text, slug, email and url fields"
	onlyNumeric  = "integer, float and decimal fields"
	onlyTemporal = "date, datetime and time fields"
)

var fieldOptions = map[string]fieldOpt{
	"type":           {kind: optString},
	"null":           {kind: optBool},
	"blank":          {kind: optBool},
	"default":        {kind: optAny, applies: notM2M, only: "fields other than many_to_many"},
	"unique":         {kind: optBool, applies: notM2M, only: "fields other than many_to_many"},
	"db_index":       {kind: optBool, applies: notM2M, only: "fields other than many_to_many"},
	"choices":        {kind: optAny, applies: choicesApply, only: "fields that are neither relations nor json"},
	"max_length":     {kind: optInt, applies: isText, only: onlyText},
	"min_length":     {kind: optInt, applies: isText, only: onlyText},
	"regex":          {kind: optString, applies: isText, only: onlyText},
	"min_value":      {kind: optNumber, applies: isNumeric, only: onlyNumeric},
	"max_value":      {kind: optNumber, applies: isNumeric, only: onlyNumeric},
	"max_digits":     {kind: optInt, applies: isDecimal, only: "decimal fields"},
	"decimal_places": {kind: optInt, applies: isDecimal, only: "decimal fields"},
	"db_column":      {kind: optString, applies: notM2M, only: "fields other than many_to_many (use db_table for the join table)"},
	"help_text":      {kind: optString},
	"editable":       {kind: optBool},
	"write_only":     {kind: optBool},
	"deprecated":     {kind: optString},
	"auto_now":       {kind: optBool, applies: isTemporal, only: onlyTemporal},
	"auto_now_add":   {kind: optBool, applies: isTemporal, only: onlyTemporal},
	"primary_key":    {kind: optBool, applies: notM2M, only: "fields other than many_to_many"},
	"to":             {kind: optString, applies: FieldType.IsRelation, only: "foreign_key, one_to_one and many_to_many fields"},
	"on_delete":      {kind: optString, applies: isFKLike, only: "foreign_key and one_to_one fields"},
	"related_name":   {kind: optString, applies: FieldType.IsRelation, only: "foreign_key, one_to_one and many_to_many fields"},
	"through":        {kind: optString, applies: isM2M, only: "many_to_many fields"},
	"db_table":       {kind: optString, applies: isM2M, only: "many_to_many fields (use meta.db_table for a model's table)"},
	"renamed_from":   {kind: optString},
}

// fieldOptionNames is the sorted list of options, for did-you-mean hints.
var fieldOptionNames = func() []string {
	names := make([]string, 0, len(fieldOptions))
	for n := range fieldOptions {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}()

func typeNames() string { return strings.Join(typeNameList(), ", ") }

func typeNameList() []string {
	names := make([]string, len(FieldTypes))
	for i, t := range FieldTypes {
		names[i] = string(t)
	}
	return names
}

// field decodes one field declaration and checks what can be checked
// without looking at other models.
func (l *loader) field(m *Model, p pair) *Field {
	f := &Field{Name: p.name, Model: m, Pos: nodePos(p.k), Editable: true}
	src := &fieldSource{key: p.k, opts: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	l.fieldSrc[f] = src
	what := m.Name + "." + f.Name
	l.fieldName(f, src, what)

	v := deref(p.v)
	if s, ok := scalarText(v); ok && v.Tag == "!!str" {
		// Shorthand "title: text" is not supported, but say what is wanted.
		l.errorf(v, "%s: a field is a mapping such as {type: %s}", what, s)
		return f
	}
	ps := l.pairs(v, what)
	for _, q := range ps {
		src.opts[q.name] = q.v
		src.keys[q.name] = q.k
	}
	if tn := src.opt("type"); tn == nil {
		if v.Kind == yaml.MappingNode || isNull(v) {
			l.errorf(p.k, "%s: missing type (one of %s)", what, typeNames())
		}
	} else if t, ok := l.str(tn, what+": type"); ok {
		f.Type = FieldType(t)
		if slices.Contains(FieldTypes, f.Type) {
			src.known = true
		} else {
			l.errorf(tn, "%s: unknown type %q%s; valid types: %s", what, t, didYouMean(t, typeNameList()), typeNames())
		}
	}
	for _, q := range ps {
		if q.name == "type" {
			continue
		}
		opt, ok := fieldOptions[q.name]
		if !ok {
			l.errorf(q.k, "%s: unknown field option %q%s", what, q.name, didYouMean(q.name, fieldOptionNames))
			if src.misspelt == nil {
				src.misspelt = map[string]bool{}
			}
			src.misspelt[suggestion(q.name, fieldOptionNames)] = true
			delete(src.opts, q.name)
			continue
		}
		if src.known && opt.applies != nil && !opt.applies(f.Type) {
			l.errorf(q.k, "%s: %s applies only to %s", what, q.name, opt.only)
			delete(src.opts, q.name)
			continue
		}
		if !l.fieldOption(f, src, what, q, opt) {
			delete(src.opts, q.name)
		}
	}
	if f.AutoNow || f.AutoNowAdd || f.Implicit {
		f.Editable = false
	}
	if src.known {
		l.checkField(f, src, what)
	}
	return f
}

func (l *loader) fieldName(f *Field, src *fieldSource, what string) {
	name := f.Name
	switch {
	case !fieldNameRE.MatchString(name):
		l.errorf(src.key, "%s: field name %q must be snake_case (lower-case letters, digits and underscores)", what, name)
	case strings.Contains(name, "__"):
		l.errorf(src.key, "%s: field name %q must not contain \"__\" (it separates lookup paths)", what, name)
	case strings.HasSuffix(name, "_"):
		l.errorf(src.key, "%s: field name %q must not end with an underscore", what, name)
	case strings.HasSuffix(name, "_count"):
		l.errorf(src.key, "%s: field name %q is reserved: names ending in _count are relation counts", what, name)
	}
}

// fieldOption decodes one option into f; it reports false when the value
// has the wrong shape.
func (l *loader) fieldOption(f *Field, src *fieldSource, what string, q pair, opt fieldOpt) bool {
	name := what + ": " + q.name
	switch opt.kind {
	case optBool:
		b, ok := l.boolean(q.v, name)
		if !ok {
			return false
		}
		switch q.name {
		case "null":
			f.Null = b
		case "blank":
			f.Blank = b
		case "unique":
			f.Unique = b
		case "db_index":
			f.DBIndex = b
		case "editable":
			f.Editable = b
		case "write_only":
			f.WriteOnly = b
		case "auto_now":
			f.AutoNow = b
		case "auto_now_add":
			f.AutoNowAdd = b
		case "primary_key":
			f.PrimaryKey = b
		}
	case optInt:
		n, ok := l.integer(q.v, name)
		if !ok {
			return false
		}
		if n < 0 || n > math.MaxInt32 {
			l.errorf(q.v, "%s must be between 0 and %d", name, math.MaxInt32)
			return false
		}
		switch q.name {
		case "max_length":
			if n == 0 {
				l.errorf(q.v, "%s must be at least 1", name)
				return false
			}
			f.MaxLength = int(n)
		case "min_length":
			f.MinLength = int(n)
		case "max_digits":
			if n == 0 || n > 1000 {
				l.errorf(q.v, "%s must be between 1 and 1000", name)
				return false
			}
			f.MaxDigits = int(n)
		case "decimal_places":
			if n > 1000 {
				l.errorf(q.v, "%s must be between 0 and 1000", name)
				return false
			}
			f.DecimalPlaces = int(n)
		}
	case optNumber:
		x, ok := l.number(q.v, name)
		if !ok {
			return false
		}
		switch q.name {
		case "min_value":
			f.MinValue = &x
		case "max_value":
			f.MaxValue = &x
		}
	case optString:
		s, ok := l.str(q.v, name)
		if !ok {
			return false
		}
		switch q.name {
		case "regex":
			f.Regex = s
		case "db_column":
			if !tableRE.MatchString(s) {
				l.errorf(q.v, "%s %q is not a valid column name", name, s)
				return false
			}
			f.Column = s
		case "help_text":
			f.HelpText = s
		case "renamed_from":
			switch {
			case !fieldNameRE.MatchString(s):
				l.errorf(q.v, "%s %q must be the field's previous snake_case name", name, s)
				return false
			case s == f.Name:
				l.errorf(q.v, "%s names the field itself; remove it once the rename is migrated", name)
				return false
			}
			f.RenamedFrom = s
		case "deprecated":
			if strings.TrimSpace(s) == "" {
				l.errorf(q.v, "%s needs a reason, such as \"use slug instead\"", name)
				return false
			}
			f.Deprecated = s
		case "to", "on_delete", "related_name", "through", "db_table":
			if f.Rel == nil {
				f.Rel = &Relation{}
			}
			switch q.name {
			case "to":
				f.Rel.To = s
			case "on_delete":
				if !slices.Contains(onDeletes, OnDelete(s)) {
					l.errorf(q.v, "%s: unknown on_delete %q (want cascade, protect, set_null, set_default, restrict or do_nothing)%s", what, s, didYouMean(s, onDeleteNames()))
					return false
				}
				f.Rel.OnDelete = OnDelete(s)
			case "related_name":
				f.Rel.RelatedName = s
			}
		}
	case optAny:
		// default and choices are checked by checkField once every option
		// (max_length, choices, null...) is known.
	}
	return true
}

func onDeleteNames() []string {
	out := make([]string, len(onDeletes))
	for i, o := range onDeletes {
		out[i] = string(o)
	}
	return out
}

func scalarText(n *yaml.Node) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", false
	}
	return n.Value, true
}
