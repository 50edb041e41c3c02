package database

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/model"
)

// ErrInvalidValue wraps every value that cannot be stored in a field's kind.
var ErrInvalidValue = errors.New("invalid value")

// Storage formats SQLite uses, exactly as Django writes them.
const (
	sqliteDate = "2006-01-02"
)

// Encode converts an API value (as decoded from JSON with UseNumber or from a
// GraphQL literal: string, json.Number, int64, float64, bool, or for JSON
// fields any value) into the driver value the dialect stores for kind k.
// The error wraps ErrInvalidValue and reads well to an API client.
func (d Dialect) Encode(k model.Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case model.KindText, model.KindUUID:
		s, ok := v.(string)
		if !ok {
			return nil, invalid(v, "a string")
		}
		return s, nil
	case model.KindInt, model.KindBigInt:
		n, err := toInt64(v)
		if err != nil {
			return nil, err
		}
		if k == model.KindInt && (n > math.MaxInt32 || n < math.MinInt32) {
			return nil, fmt.Errorf("%w: %d does not fit a 32-bit Int", ErrInvalidValue, n)
		}
		return n, nil
	case model.KindFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return nil, invalid(v, "a number")
			}
			return f, nil
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return nil, invalid(v, "a number")
			}
			return f, nil
		}
		return nil, invalid(v, "a number")
	case model.KindDecimal:
		s, err := decimalText(v)
		if err != nil {
			return nil, err
		}
		return s, nil
	case model.KindBool:
		b, ok := v.(bool)
		if !ok {
			return nil, invalid(v, "true or false")
		}
		if d == SQLite {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return b, nil
	case model.KindDate:
		s, ok := v.(string)
		if !ok {
			return nil, invalid(v, "a date YYYY-MM-DD")
		}
		t, err := time.Parse(sqliteDate, s)
		if err != nil {
			return nil, invalid(v, "a date YYYY-MM-DD")
		}
		if d == SQLite {
			return t.Format(sqliteDate), nil
		}
		return t, nil
	case model.KindDateTime:
		t, err := ParseDateTime(v)
		if err != nil {
			return nil, err
		}
		if d == SQLite {
			return SQLiteDateTime(t), nil
		}
		return t, nil
	case model.KindTime:
		s, ok := v.(string)
		if !ok {
			return nil, invalid(v, "a time HH:MM:SS")
		}
		t, err := time.Parse("15:04:05.999999", s)
		if err != nil {
			if t, err = time.Parse("15:04", s); err != nil {
				return nil, invalid(v, "a time HH:MM:SS")
			}
		}
		return t.Format("15:04:05.999999"), nil
	case model.KindDuration:
		dur, err := parseDuration(v)
		if err != nil {
			return nil, err
		}
		if d == SQLite {
			return dur.Microseconds(), nil
		}
		return dur, nil
	case model.KindJSON:
		if s, ok := v.(json.RawMessage); ok {
			return string(s), nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, invalid(v, "JSON")
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("%w: kind %d cannot hold a value", ErrInvalidValue, k)
}

// SQLiteDateTime formats an instant as Django stores datetimes on SQLite:
// UTC, microseconds (all six digits) only when not zero.
func SQLiteDateTime(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// ParseDateTime accepts RFC 3339 (with or without fractional seconds or
// zone: a missing zone means UTC) and returns the instant in UTC.
func ParseDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, invalid(v, "an RFC 3339 date-time")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", sqliteDate} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, invalid(v, "an RFC 3339 date-time")
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, invalid(v, "an integer")
		}
		return int64(x), nil
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			return 0, invalid(v, "a 64-bit integer")
		}
		return n, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, invalid(v, "a 64-bit integer")
		}
		return n, nil
	}
	return 0, invalid(v, "an integer")
}

// decimalText normalises a decimal to plain text without exponent.
func decimalText(v any) (string, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = string(x)
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	default:
		return "", invalid(v, "a decimal")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/") || len(s) > 100 {
		return "", invalid(v, "a decimal")
	}
	if strings.ContainsAny(s, "eE") {
		return r.FloatString(decimalPlaces(r)), nil
	}
	return s, nil
}

func decimalPlaces(r *big.Rat) int {
	for p := 0; p < 40; p++ {
		m := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p)), nil)))
		if m.IsInt() {
			return p
		}
	}
	return 40
}

// parseDuration accepts ISO 8601 durations (P1DT2H3M4.5S, PT90S) and a
// number of seconds.
func parseDuration(v any) (time.Duration, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return 0, invalid(v, "an ISO 8601 duration")
		}
		return time.Duration(f * float64(time.Second)), nil
	case float64:
		return time.Duration(x * float64(time.Second)), nil
	case int64:
		return time.Duration(x) * time.Second, nil
	case string:
		return ParseISODuration(x)
	}
	return 0, invalid(v, "an ISO 8601 duration")
}

// ParseISODuration parses the day-time subset of ISO 8601 durations:
// [-]P[nW][nD][T[nH][nM][n[.f]S]]. Years and months are refused because
// their length is not fixed.
func ParseISODuration(s string) (time.Duration, error) {
	bad := invalid(s, "an ISO 8601 duration such as P1DT2H30M")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, bad
	}
	s = s[1:]
	var total float64
	inTime := false
	num := ""
	for _, c := range s {
		switch {
		case c == 'T':
			if inTime || num != "" {
				return 0, bad
			}
			inTime = true
		case c >= '0' && c <= '9' || c == '.':
			num += string(c)
		default:
			if num == "" {
				return 0, bad
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, bad
			}
			num = ""
			var unit float64
			switch {
			case !inTime && c == 'W':
				unit = 7 * 86400
			case !inTime && c == 'D':
				unit = 86400
			case inTime && c == 'H':
				unit = 3600
			case inTime && c == 'M':
				unit = 60
			case inTime && c == 'S':
				unit = 1
			default:
				return 0, bad
			}
			total += f * unit
		}
	}
	if num != "" || total > float64(math.MaxInt64)/float64(time.Second) {
		return 0, bad
	}
	d := time.Duration(total * float64(time.Second))
	if neg {
		d = -d
	}
	return d, nil
}

func invalid(v any, want string) error {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	if _, isString := v.(string); isString {
		s = strconv.Quote(s)
	}
	return fmt.Errorf("%w: %s is not %s", ErrInvalidValue, s, want)
}
