package model

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkField checks a field on its own, once all its options are decoded:
// required options, option combinations, choices and the default. Checks
// that need other models (relation targets, reverse names) are in resolve.go.
func (l *loader) checkField(f *Field, src *fieldSource, what string) {
	if f.Name == "id" && !f.PrimaryKey {
		l.errorf(src.key, "%s: a field named id must have primary_key: true (every model has an implicit id primary key)", what)
	}
	switch f.Type {
	case TypeString:
		if !src.has("max_length") {
			l.errorf(src.key, "%s: string needs max_length (or use type text)", what)
		}
	case TypeDecimal:
		for _, o := range []string{"max_digits", "decimal_places"} {
			if !src.has(o) {
				l.errorf(src.key, "%s: decimal needs %s", what, o)
			}
		}
		if f.MaxDigits > 0 && f.DecimalPlaces > f.MaxDigits {
			l.errorf(src.at("decimal_places"), "%s: decimal_places %d is more than max_digits %d", what, f.DecimalPlaces, f.MaxDigits)
		}
	}
	if f.MaxLength > 0 && f.MinLength > f.MaxLength {
		l.errorf(src.at("min_length"), "%s: min_length %d is more than max_length %d", what, f.MinLength, f.MaxLength)
	}
	if f.MinValue != nil && f.MaxValue != nil && *f.MinValue > *f.MaxValue {
		l.errorf(src.at("min_value"), "%s: min_value %s is more than max_value %s", what, fmtNum(*f.MinValue), fmtNum(*f.MaxValue))
	}
	if f.Regex != "" {
		if _, err := regexp.Compile(f.Regex); err != nil {
			l.errorf(src.at("regex"), "%s: regex does not compile: %s", what, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
	if f.AutoNow && f.AutoNowAdd {
		l.errorf(src.at("auto_now_add"), "%s: auto_now and auto_now_add are mutually exclusive", what)
	}
	if (f.AutoNow || f.AutoNowAdd) && src.opt("default") != nil {
		l.errorf(src.at("default"), "%s: default and auto_now/auto_now_add are mutually exclusive", what)
	}
	if f.PrimaryKey && f.Null {
		l.errorf(src.at("null"), "%s: a primary key cannot be null", what)
	}
	if f.WriteOnly && src.opt("editable") != nil && !f.Editable {
		l.errorf(src.at("write_only"), "%s: write_only and editable: false are contradictory (the field could be neither read nor written)", what)
	}
	if f.Type.IsRelation() {
		l.checkRelationOptions(f, src, what)
	}
	if n := src.opt("choices"); n != nil {
		l.choices(f, n, what)
	}
	if n := src.opt("default"); n != nil && !f.Type.IsRelation() {
		l.fieldDefault(f, f.Type, n, what)
	}
}

func (l *loader) checkRelationOptions(f *Field, src *fieldSource, what string) {
	if f.Rel == nil {
		f.Rel = &Relation{}
	}
	r := f.Rel
	if !src.has("to") {
		l.errorf(src.key, "%s: %s needs to (the target model)", what, f.Type)
	}
	if f.Type != TypeManyToMany {
		switch {
		case r.OnDelete == "" && !src.has("on_delete"):
			l.errorf(src.key, "%s: %s needs on_delete (cascade, protect, set_null, set_default, restrict or do_nothing)", what, f.Type)
		case r.OnDelete == SetNull && !f.Null:
			l.errorf(src.at("on_delete"), "%s: on_delete set_null needs null: true", what)
		case r.OnDelete == SetDefault && !src.has("default"):
			l.errorf(src.at("on_delete"), "%s: on_delete set_default needs a default", what)
		}
	}
	if n := src.opt("related_name"); n != nil {
		if p := relatedNameProblem(r.RelatedName); p != "" {
			l.errorf(n, "%s: related_name %q %s", what, r.RelatedName, p)
		}
	}
}

// relatedNameProblem says why a related_name cannot name a reverse edge.
func relatedNameProblem(name string) string {
	switch {
	case name == "+":
		return ""
	case !identRE.MatchString(name):
		return "must be an identifier (letters, digits, underscores) or \"+\" to hide the reverse side"
	case strings.HasPrefix(name, "__") || strings.Contains(name, "__"):
		return "must not contain \"__\" (it separates lookup paths)"
	case strings.HasSuffix(name, "_count"):
		return "is reserved: names ending in _count are relation counts"
	}
	return ""
}

// choices decodes a field's choices: a list of values, of [value, label]
// pairs, or of {value, label} mappings.
func (l *loader) choices(f *Field, n *yaml.Node, what string) {
	items, ok := l.list(n, what+": choices")
	if !ok {
		return
	}
	if len(items) == 0 {
		l.errorf(n, "%s: choices must not be empty", what)
		return
	}
	seen := map[string]bool{}
	for _, it := range items {
		var vn, label *yaml.Node
		switch it.Kind {
		case yaml.SequenceNode:
			if len(it.Content) != 2 {
				l.errorf(it, "%s: a choice pair is [value, label]", what)
				continue
			}
			vn, label = deref(it.Content[0]), deref(it.Content[1])
		case yaml.MappingNode:
			for _, p := range l.pairs(it, what+": choice") {
				switch p.name {
				case "value":
					vn = p.v
				case "label":
					label = p.v
				default:
					l.errorf(p.k, "%s: unknown choice key %q (want value and label)", what, p.name)
				}
			}
			if vn == nil {
				l.errorf(it, "%s: a choice mapping needs value", what)
				continue
			}
		default:
			vn = it
		}
		_, canon, problem := literal(f, f.Type, vn)
		if problem != "" {
			l.errorf(vn, "%s: choice %s %s", what, show(vn), problem)
			continue
		}
		if seen[canon] {
			l.errorf(vn, "%s: choice %s is listed twice", what, show(vn))
			continue
		}
		seen[canon] = true
		c := Choice{Value: canon, Label: canon}
		if label != nil {
			s, ok := scalarText(label)
			if !ok || isNull(label) {
				l.errorf(label, "%s: a choice label must be text", what)
				continue
			}
			c.Label = s
		}
		f.Choices = append(f.Choices, c)
	}
}

// fieldDefault decodes a field's default as a value of type t (the
// target's primary key type for foreign keys).
func (l *loader) fieldDefault(f *Field, t FieldType, n *yaml.Node, what string) {
	n = deref(n)
	if isNull(n) && t != TypeJSON {
		if !f.Null {
			l.errorf(n, "%s: default null needs null: true", what)
			return
		}
		f.Default = &Default{}
		return
	}
	if s, ok := scalarText(n); ok && n.Tag == "!!str" {
		switch {
		case s == "now" && isTemporal(t):
			f.Default = &Default{Special: "now"}
			return
		case s == "uuid4" && t == TypeUUID:
			f.Default = &Default{Special: "uuid4"}
			return
		}
	}
	v, canon, problem := literal(f, t, n)
	if problem != "" {
		hint := ""
		switch {
		case isTemporal(t):
			hint = " (or now)"
		case t == TypeUUID:
			hint = " (or uuid4)"
		}
		if t == TypeJSON {
			l.errorf(n, "%s: json default %s", what, problem)
		} else {
			l.errorf(n, "%s: default %s %s%s", what, show(n), problem, hint)
		}
		return
	}
	if len(f.Choices) > 0 && !hasChoice(f.Choices, canon) {
		vals := make([]string, len(f.Choices))
		for i, c := range f.Choices {
			vals[i] = c.Value
		}
		l.errorf(n, "%s: default %s is not one of the choices (%s)", what, show(n), strings.Join(vals, ", "))
		return
	}
	f.Default = &Default{Value: v}
}

func hasChoice(cs []Choice, v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
