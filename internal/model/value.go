package model

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Literal values (defaults and choices) are kept in the form the API layer
// receives values in, so they can go through the same encoding as client
// input: text, uuid, decimal, date, datetime and time as string; integers
// as int64; float as float64; boolean as bool; duration as an ISO 8601
// string or int64 seconds; json as the decoded value (map[string]any,
// []any, string, int64, float64, bool or nil).

var (
	decimalRE  = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)
	durationRE = regexp.MustCompile(`^-?P(?:[0-9]+W)?(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?$`)
)

// Ranges of the integer types, as Django's database backends declare them.
var intRanges = map[FieldType][2]int64{
	TypeSmallInteger:    {-32768, 32767},
	TypeInteger:         {math.MinInt32, math.MaxInt32},
	TypePositiveInteger: {0, math.MaxInt32},
	TypeBigInteger:      {math.MinInt64, math.MaxInt64},
	TypeAutoID:          {1, math.MaxInt64},
}

// literal checks n against a value of type t for field f (whose limits
// apply when t is f's own type) and returns the value, its canonical text
// (used to compare defaults with choices) and, when n does not fit, a
// phrase completing "<value> ...".
func literal(f *Field, t FieldType, n *yaml.Node) (v any, canon string, problem string) {
	n = deref(n)
	if t == TypeJSON {
		budget := 10000
		v, problem := jsonValue(n, &budget, 0)
		if problem != "" {
			return nil, "", problem
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, "", "is not valid JSON"
		}
		return v, string(b), ""
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil, "", "must be a single value, not a list or mapping"
	}
	own := f.Type == t
	switch t.Kind() {
	case KindText:
		if n.Tag != "!!str" {
			return nil, "", "must be a string (quote it)"
		}
		if own && f.MaxLength > 0 && utf8.RuneCountInString(n.Value) > f.MaxLength {
			return nil, "", "is longer than max_length " + strconv.Itoa(f.MaxLength)
		}
		return n.Value, n.Value, ""
	case KindUUID:
		if n.Tag != "!!str" || !uuidRE.MatchString(n.Value) {
			return nil, "", "must be a UUID such as \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\""
		}
		s := strings.ToLower(strings.ReplaceAll(n.Value, "-", ""))
		s = s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
		return s, s, ""
	case KindInt, KindBigInt:
		x, ok := intValue(n)
		if !ok {
			return nil, "", "must be an integer"
		}
		if r, ok := intRanges[t]; ok && (x < r[0] || x > r[1]) {
			return nil, "", "is out of range for " + string(t) + " (" + strconv.FormatInt(r[0], 10) + " to " + strconv.FormatInt(r[1], 10) + ")"
		}
		if p := bounds(f, own, float64(x)); p != "" {
			return nil, "", p
		}
		return x, strconv.FormatInt(x, 10), ""
	case KindFloat:
		x, ok := numberValue(n)
		if !ok {
			return nil, "", "must be a number"
		}
		if p := bounds(f, own, x); p != "" {
			return nil, "", p
		}
		return x, strconv.FormatFloat(x, 'g', -1, 64), ""
	case KindDecimal:
		if (n.Tag != "!!int" && n.Tag != "!!float" && n.Tag != "!!str") || !decimalRE.MatchString(n.Value) {
			return nil, "", "must be a decimal number such as 4.5"
		}
		s := canonicalDecimal(n.Value)
		if own && f.MaxDigits > 0 {
			whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
			if whole == "0" {
				whole = ""
			}
			if len(frac) > f.DecimalPlaces || len(whole) > f.MaxDigits-f.DecimalPlaces {
				return nil, "", "does not fit max_digits " + strconv.Itoa(f.MaxDigits) + " and decimal_places " + strconv.Itoa(f.DecimalPlaces)
			}
		}
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			if p := bounds(f, own, x); p != "" {
				return nil, "", p
			}
		}
		return s, s, ""
	case KindBool:
		var b bool
		if n.Tag != "!!bool" || n.Decode(&b) != nil {
			return nil, "", "must be true or false"
		}
		return b, strconv.FormatBool(b), ""
	case KindDate:
		if n.Tag != "!!str" && n.Tag != "!!timestamp" {
			return nil, "", "must be a date YYYY-MM-DD"
		}
		d, err := time.Parse("2006-01-02", n.Value)
		if err != nil {
			return nil, "", "must be a date YYYY-MM-DD"
		}
		s := d.Format("2006-01-02")
		return s, s, ""
	case KindDateTime:
		if n.Tag != "!!str" && n.Tag != "!!timestamp" {
			return nil, "", "must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z"
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
			if d, err := time.Parse(layout, n.Value); err == nil {
				return n.Value, d.UTC().Format(time.RFC3339Nano), ""
			}
		}
		return nil, "", "must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z"
	case KindTime:
		if n.Tag != "!!str" {
			return nil, "", "must be a time HH:MM:SS"
		}
		for _, layout := range []string{"15:04:05.999999", "15:04"} {
			if d, err := time.Parse(layout, n.Value); err == nil {
				s := d.Format("15:04:05.999999")
				return s, s, ""
			}
		}
		return nil, "", "must be a time HH:MM:SS"
	case KindDuration:
		if x, ok := intValue(n); ok {
			return x, strconv.FormatInt(x, 10), ""
		}
		if n.Tag != "!!str" || !durationRE.MatchString(n.Value) || strings.HasSuffix(n.Value, "P") || strings.HasSuffix(n.Value, "T") {
			return nil, "", "must be an ISO 8601 duration such as P1DT2H30M, or whole seconds"
		}
		return n.Value, n.Value, ""
	}
	return nil, "", "cannot have a value"
}

// bounds checks x against the field's min_value and max_value.
func bounds(f *Field, own bool, x float64) string {
	if !own {
		return ""
	}
	if f.MinValue != nil && x < *f.MinValue {
		return "is less than min_value " + strconv.FormatFloat(*f.MinValue, 'g', -1, 64)
	}
	if f.MaxValue != nil && x > *f.MaxValue {
		return "is more than max_value " + strconv.FormatFloat(*f.MaxValue, 'g', -1, 64)
	}
	return ""
}

// canonicalDecimal writes a decimal without sign noise or insignificant
// zeros: "+004.50" → "4.5", "-0.0" → "0".
func canonicalDecimal(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// jsonValue converts a YAML node to the value JSON would decode to. budget
// bounds the work, since aliases can make a small file a huge tree.
func jsonValue(n *yaml.Node, budget *int, depth int) (any, string) {
	n = deref(n)
	*budget--
	if n == nil || *budget < 0 || depth > 100 {
		return nil, "is too large or too deeply nested"
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if k == nil || k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, "is not valid JSON: object keys must be strings"
			}
			if _, dup := m[k.Value]; dup {
				return nil, "is not valid JSON: duplicate key " + strconv.Quote(k.Value)
			}
			v, p := jsonValue(n.Content[i+1], budget, depth+1)
			if p != "" {
				return nil, p
			}
			m[k.Value] = v
		}
		return m, ""
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, p := jsonValue(c, budget, depth+1)
			if p != "" {
				return nil, p
			}
			s = append(s, v)
		}
		return s, ""
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, ""
		case "!!bool":
			var b bool
			if n.Decode(&b) != nil {
				return nil, "is not valid JSON"
			}
			return b, ""
		case "!!int":
			if x, ok := intValue(n); ok {
				return x, ""
			}
			return nil, "is not valid JSON: integer out of range"
		case "!!float":
			x, ok := numberValue(n)
			if !ok {
				return nil, "is not valid JSON: NaN and infinity have no JSON form"
			}
			return x, ""
		case "!!str", "!!timestamp":
			if !utf8.ValidString(n.Value) {
				return nil, "is not valid JSON: invalid UTF-8"
			}
			return n.Value, ""
		}
		return nil, "is not valid JSON: unsupported YAML tag " + n.Tag
	}
	return nil, "is not valid JSON"
}

// show renders a YAML value for a message.
func show(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil:
		return "value"
	case n.Kind == yaml.MappingNode:
		return "mapping"
	case n.Kind == yaml.SequenceNode:
		return "list"
	}
	v := n.Value
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:37]) + "..."
	}
	if n.Tag == "!!str" {
		return strconv.Quote(v)
	}
	return v
}
