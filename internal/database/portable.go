package database

import (
	"regexp"
	"time"
)

// Helpers for autogql's own tables (API keys, users, audit log), whose
// statements are written once for both dialects.

var numberedPlaceholder = regexp.MustCompile(`\$(\d+)`)

// Rebind adapts a statement written with PostgreSQL's $N placeholders to d
// (SQLite numbers them ?N). The statement must have no $ in literals.
func Rebind(d Dialect, query string) string {
	if d == SQLite {
		return numberedPlaceholder.ReplaceAllString(query, "?$1")
	}
	return query
}

// TimeColumnType is the column type autogql's own tables use for instants:
// timestamptz on PostgreSQL, text on SQLite (UTC, fixed microseconds, so
// text order is time order).
func TimeColumnType(d Dialect) string {
	if d == SQLite {
		return "text"
	}
	return "timestamptz"
}

const fixedMicros = "2006-01-02 15:04:05.000000"

// TimeValue is the driver value of t for a TimeColumnType column (nil for
// the zero time).
func TimeValue(d Dialect, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if d == SQLite {
		return t.UTC().Format(fixedMicros)
	}
	return t.UTC()
}

// ScanTime reads a TimeColumnType column scanned into an any: time.Time on
// PostgreSQL, text on SQLite; NULL (or an unreadable value) is the zero
// time.
func ScanTime(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return x.UTC()
	case string:
		t, err := ParseDateTime(x)
		if err != nil {
			return time.Time{}
		}
		return t
	case []byte:
		return ScanTime(string(x))
	}
	return time.Time{}
}
