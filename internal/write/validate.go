package write

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// FieldError is one problem of a mutation input, as the API reports it.
type FieldError struct {
	// Field is the input path ("title", "nested_comments.1.content"); ""
	// reports on the object as a whole (null in the response).
	Field   string
	Message string
	// Code is stable for clients: required, null, blank, invalid,
	// null_characters_not_allowed, max_length, min_length, min_value,
	// max_value, invalid_choice, invalid_email, invalid_url, invalid_slug,
	// invalid_format, max_digits, max_decimal_places, unique,
	// unique_together, not_found, protected, conflict, rolled_back.
	Code string
}

var slugRE = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)

// Integer ranges of the integer types (Django's, as the databases store them).
var intRanges = map[model.FieldType][2]int64{
	model.TypeSmallInteger:    {-32768, 32767},
	model.TypeInteger:         {-2147483648, 2147483647},
	model.TypePositiveInteger: {0, 2147483647},
}

// value validates an input value for f and returns the driver value. It
// reports every problem of the value (not only the first).
func value(d database.Dialect, f *model.Field, v any, path string) (any, []FieldError) {
	kind := f.ValueKind()
	enc, err := encode(d, kind, v)
	if err == nil {
		err = inRange(kind, v, enc)
	}
	if errors.Is(err, errNUL) {
		return nil, []FieldError{{Field: path, Code: "null_characters_not_allowed", Message: "Null characters are not allowed."}}
	}
	if err != nil {
		return nil, []FieldError{{Field: path, Code: "invalid", Message: "Enter a valid value: " + strings.TrimPrefix(err.Error(), database.ErrInvalidValue.Error()+": ") + "."}}
	}
	if f.Rel != nil {
		return enc, nil
	}
	var errs []FieldError
	add := func(code, format string, args ...any) {
		errs = append(errs, FieldError{Field: path, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	if s, ok := v.(string); ok && kind == model.KindText {
		n := utf8.RuneCountInString(s)
		switch {
		case s == "" && !f.Blank:
			add("blank", "This field cannot be blank.")
		case f.MaxLength > 0 && n > f.MaxLength:
			add("max_length", "Ensure this value has at most %d characters (it has %d).", f.MaxLength, n)
		case f.MinLength > 0 && n < f.MinLength:
			add("min_length", "Ensure this value has at least %d characters (it has %d).", f.MinLength, n)
		}
		if s != "" {
			switch f.Type {
			case model.TypeEmail:
				if !validEmail(s) {
					add("invalid_email", "Enter a valid email address.")
				}
			case model.TypeURL:
				if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					add("invalid_url", "Enter a valid URL.")
				}
			case model.TypeSlug:
				if !slugRE.MatchString(s) {
					add("invalid_slug", "Enter a valid slug consisting of letters, numbers, underscores or hyphens.")
				}
			}
		}
	}
	if len(f.Choices) > 0 {
		s := fmt.Sprint(v)
		found := false
		for _, c := range f.Choices {
			if c.Value == s {
				found = true
				break
			}
		}
		if !found {
			add("invalid_choice", "Value %q is not a valid choice.", s)
		}
	}
	if f.Regex != "" {
		if s, ok := v.(string); ok {
			if re, err := regexp.Compile(f.Regex); err == nil && !re.MatchString(s) {
				add("invalid_format", "Enter a valid value.")
			}
		}
	}
	if num, ok := numeric(enc); ok {
		if r, ok := intRanges[f.Type]; ok && (num.Cmp(big.NewFloat(float64(r[0]))) < 0 || num.Cmp(big.NewFloat(float64(r[1]))) > 0) {
			add("invalid", "Ensure this value is between %d and %d.", r[0], r[1])
		}
		if f.MinValue != nil && num.Cmp(big.NewFloat(*f.MinValue)) < 0 {
			add("min_value", "Ensure this value is greater than or equal to %v.", *f.MinValue)
		}
		if f.MaxValue != nil && num.Cmp(big.NewFloat(*f.MaxValue)) > 0 {
			add("max_value", "Ensure this value is less than or equal to %v.", *f.MaxValue)
		}
	}
	if kind == model.KindDecimal {
		errs = append(errs, decimalDigits(f, enc.(string), path)...)
	}
	return enc, errs
}

// encode is database.Dialect.Encode, stricter about UUIDs: the driver
// value is the canonical lowercase hyphenated text, whatever form of UUID
// was given, so that both databases store and compare the same value (and
// PostgreSQL never sees a malformed one).
//
// Text (and JSON) holding a NUL character is refused with errNUL:
// PostgreSQL cannot store it, so neither database does.
func encode(d database.Dialect, kind model.Kind, v any) (any, error) {
	enc, err := d.Encode(kind, v)
	if err == nil && (kind == model.KindText || kind == model.KindJSON) && hasNUL(v) {
		return nil, errNUL
	}
	if err != nil || kind != model.KindUUID || enc == nil {
		return enc, err
	}
	u, err := uuid.Parse(enc.(string))
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a UUID", database.ErrInvalidValue, enc)
	}
	return u.String(), nil
}

// errNUL is the reason text with a NUL character is refused.
var errNUL = fmt.Errorf("%w: text must not contain NUL characters", database.ErrInvalidValue)

// hasNUL reports a NUL character in a string, or in any string or key of
// a JSON value.
func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, 0)
	case json.RawMessage:
		return strings.Contains(string(x), `\u0000`)
	case []any:
		return slices.ContainsFunc(x, hasNUL)
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, 0) || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// maxDurationSeconds is the longest duration a Go time.Duration (and so
// the server) holds, about 292 years.
const maxDurationSeconds = float64(math.MaxInt64 / int64(time.Second))

// inRange refuses values both databases cannot store alike: NaN and
// infinite floats (not JSON; SQLite stores NaN as NULL), dates outside
// years 1 to 9999 (Python's range, which Django and the SQLite text format
// assume; PostgreSQL would shift year 0), and durations a time.Duration
// cannot hold (they would wrap around).
func inRange(kind model.Kind, v, enc any) error {
	switch kind {
	case model.KindFloat:
		if x, ok := enc.(float64); ok && (math.IsNaN(x) || math.IsInf(x, 0)) {
			return fmt.Errorf("%w: %v is not a finite number", database.ErrInvalidValue, v)
		}
	case model.KindDate, model.KindDateTime:
		var t time.Time
		var err error
		if kind == model.KindDate {
			t, err = time.Parse(time.DateOnly, fmt.Sprint(v))
		} else {
			t, err = database.ParseDateTime(v)
		}
		if err == nil && (t.Year() < 1 || t.Year() > 9999) {
			return fmt.Errorf("%w: year %d is outside 1 to 9999", database.ErrInvalidValue, t.Year())
		}
	case model.KindDuration:
		var secs float64
		switch x := v.(type) {
		case json.Number:
			secs, _ = x.Float64()
		case float64:
			secs = x
		case int64:
			secs = float64(x)
		}
		if math.Abs(secs) > maxDurationSeconds {
			return fmt.Errorf("%w: %v seconds is too long a duration", database.ErrInvalidValue, v)
		}
	}
	return nil
}

// validEmail accepts a bare address whose domain has a dot, or is
// localhost, as Django's EmailValidator does.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	domain := s[strings.LastIndex(s, "@")+1:]
	return domain == "localhost" || strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

// numeric returns an encoded number as a big.Float.
func numeric(v any) (*big.Float, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Float).SetInt64(x), true
	case float64:
		if math.IsNaN(x) {
			return nil, false
		}
		return big.NewFloat(x), true
	case string:
		f, ok := new(big.Float).SetString(x)
		return f, ok
	}
	return nil, false
}

// decimalDigits checks max_digits and decimal_places as Django's
// DecimalValidator does.
func decimalDigits(f *model.Field, s, path string) []FieldError {
	s = strings.TrimLeft(s, "+-")
	whole, frac, _ := strings.Cut(s, ".")
	whole = strings.TrimLeft(whole, "0")
	frac = strings.TrimRight(frac, "0")
	var errs []FieldError
	if len(frac) > f.DecimalPlaces {
		errs = append(errs, FieldError{Field: path, Code: "max_decimal_places", Message: fmt.Sprintf("Ensure that there are no more than %d decimal places.", f.DecimalPlaces)})
	}
	if len(whole)+len(frac) > f.MaxDigits {
		errs = append(errs, FieldError{Field: path, Code: "max_digits", Message: fmt.Sprintf("Ensure that there are no more than %d digits in total.", f.MaxDigits)})
	} else if len(whole) > f.MaxDigits-f.DecimalPlaces {
		errs = append(errs, FieldError{Field: path, Code: "max_digits", Message: fmt.Sprintf("Ensure that there are no more than %d digits before the decimal point.", f.MaxDigits-f.DecimalPlaces)})
	}
	return errs
}
