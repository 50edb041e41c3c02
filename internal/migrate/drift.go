package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/database"
)

// Difference is one way a live database differs from the state wanted.
type Difference struct {
	// Table (and Column, when the difference is a column's) it concerns.
	Table, Column string
	// Message says what differs, naming the live value first.
	Message string
	// Blocking is true when a schema that wants the state cannot be
	// served on the live database: a table or column is missing, or a
	// column's type differs. (An extra column or a missing index is not.)
	Blocking bool
}

func (d Difference) String() string {
	where := d.Table
	if d.Column != "" {
		where += "." + d.Column
	}
	return where + ": " + d.Message
}

// Drift compares the live database with want (typically FromSchema of the
// models) and lists every difference; none means the database is exactly
// what the models describe.
func Drift(ctx context.Context, db *database.DB, want *State) ([]Difference, error) {
	live, err := Introspect(ctx, db, db.Dialect())
	if err != nil {
		return nil, err
	}
	return Compare(want, live, db.Dialect()), nil
}

// Compare lists the differences between a wanted state and a live one
// (from Introspect) on dialect d, sorted by table. Constraints and indexes
// are compared by what they do (columns, target, action), not by name: a
// renamed table keeps the names its keys had, as in Django.
func Compare(want, live *State, d database.Dialect) []Difference {
	var out []Difference
	add := func(table, col, msg string, blocking bool) {
		out = append(out, Difference{Table: table, Column: col, Message: msg, Blocking: blocking})
	}
	for _, w := range want.Tables {
		l := live.Table(w.Name)
		if l == nil {
			add(w.Name, "", "table missing (the models declare it)", true)
			continue
		}
		for _, wc := range w.Columns {
			lc := l.Column(wc.Name)
			if lc == nil {
				add(w.Name, wc.Name, "column missing (the models declare it)", true)
				continue
			}
			compareColumn(w.Name, wc, lc, d, add)
		}
		for _, lc := range l.Columns {
			if w.Column(lc.Name) == nil {
				add(w.Name, lc.Name, "column not in the models", false)
			}
		}
		for _, k := range w.Constraints {
			if !slices.ContainsFunc(l.Constraints, func(x *Constraint) bool { return x.key() == k.key() }) {
				add(w.Name, "", describeConstraint(k)+" missing", false)
			}
		}
		for _, k := range l.Constraints {
			if !slices.ContainsFunc(w.Constraints, func(x *Constraint) bool { return x.key() == k.key() }) {
				add(w.Name, "", describeConstraint(k)+" not in the models", false)
			}
		}
		for _, x := range w.Indexes {
			if !slices.ContainsFunc(l.Indexes, func(y *Index) bool { return y.key() == x.key() }) {
				add(w.Name, "", "index ("+strings.Join(x.Columns, ", ")+") missing", false)
			}
		}
		for _, x := range l.Indexes {
			if !slices.ContainsFunc(w.Indexes, func(y *Index) bool { return y.key() == x.key() }) {
				add(w.Name, "", "index "+x.Name+" ("+strings.Join(x.Columns, ", ")+") not in the models", false)
			}
		}
	}
	for _, l := range live.Tables {
		if want.Table(l.Name) == nil {
			add(l.Name, "", "table not in the models", false)
		}
	}
	slices.SortStableFunc(out, func(a, b Difference) int { return strings.Compare(a.Table, b.Table) })
	return out
}

func compareColumn(table string, w, l *Column, d database.Dialect, add func(table, col, msg string, blocking bool)) {
	wt, lt := canonicalType(w.SQLTypeFor(d), d), canonicalType(l.SQLType, d)
	switch {
	case wt != lt:
		// On SQLite only the type's affinity decides how values are kept
		// ("integer unsigned" is an integer like "integer").
		blocking := d == database.Postgres || affinity(wt) != affinity(lt)
		add(table, w.Name, fmt.Sprintf("type is %s, the models want %s", lt, wt), blocking)
	case (w.Type == TypeAuto) != (l.Type == TypeAuto):
		add(table, w.Name, fmt.Sprintf("auto-increment is %v, the models want %v", l.Type == TypeAuto, w.Type == TypeAuto), true)
	case (w.Type == TypePositiveInteger) != (l.Type == TypePositiveInteger):
		add(table, w.Name, fmt.Sprintf("CHECK (>= 0) is %v, the models want %v", l.Type == TypePositiveInteger, w.Type == TypePositiveInteger), false)
	}
	if w.PrimaryKey != l.PrimaryKey {
		add(table, w.Name, fmt.Sprintf("primary key is %v, the models want %v", l.PrimaryKey, w.PrimaryKey), true)
	}
	if !w.PrimaryKey && w.Null != l.Null {
		add(table, w.Name, fmt.Sprintf("%s, the models want %s", nullText(l.Null), nullText(w.Null)), false)
	}
	if !w.PrimaryKey && w.Unique != l.Unique {
		add(table, w.Name, fmt.Sprintf("unique is %v, the models want %v", l.Unique, w.Unique), false)
	}
	var wd, ld string
	if w.Default != nil {
		wd = w.Default.For(d)
	}
	if l.Default != nil {
		ld = l.Default.For(d)
	}
	if !sameDefaultValue(wd, ld) && w.Type != TypeAuto {
		add(table, w.Name, fmt.Sprintf("default is %s, the models want %s", orNone(ld), orNone(wd)), false)
	}
}

func nullText(null bool) string {
	if null {
		return "NULL"
	}
	return "NOT NULL"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func describeConstraint(k *Constraint) string {
	switch k.Type {
	case ConstraintForeignKey:
		return fmt.Sprintf("foreign key (%s) -> %s(%s) ON DELETE %s", strings.Join(k.Columns, ", "), k.RefTable, k.RefColumn, k.OnDelete)
	case ConstraintPrimaryKey:
		return "primary key (" + strings.Join(k.Columns, ", ") + ")"
	}
	return "unique (" + strings.Join(k.Columns, ", ") + ")"
}

var (
	varcharRE = regexp.MustCompile(`^varchar\((\d+)\)$`)
	charRE    = regexp.MustCompile(`^char\((\d+)\)$`)
	numericRE = regexp.MustCompile(`^numeric\((\d+),\s*(\d+)\)$`)
)

// canonicalType spells a SQL type the way the dialect's catalog does, so
// that a rendered type and a reported one compare equal.
func canonicalType(t string, d database.Dialect) string {
	t = strings.ToLower(strings.Join(strings.Fields(t), " "))
	if d != database.Postgres {
		return t
	}
	if m := varcharRE.FindStringSubmatch(t); m != nil {
		return "character varying(" + m[1] + ")"
	}
	if m := charRE.FindStringSubmatch(t); m != nil {
		return "character(" + m[1] + ")"
	}
	if m := numericRE.FindStringSubmatch(t); m != nil {
		return "numeric(" + m[1] + "," + m[2] + ")"
	}
	switch t {
	case "time":
		return "time without time zone"
	case "timestamptz":
		return "timestamp with time zone"
	}
	return t
}

// affinity is SQLite's type affinity of a declared type (SQLite's
// documentation, "Determination Of Column Affinity").
func affinity(t string) string {
	t = strings.ToUpper(t)
	switch {
	case strings.Contains(t, "INT"):
		return "INTEGER"
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return "TEXT"
	case t == "", strings.Contains(t, "BLOB"):
		return "BLOB"
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}

// pgCast matches a trailing PostgreSQL cast such as ::character varying,
// ::numeric(3,1) or ::text[].
var pgCast = regexp.MustCompile(`::[a-z][a-z0-9_ ]*(\([0-9, ]+\))?(\[\])?$`)

// DefaultValue reduces a DEFAULT expression to its value: PostgreSQL casts
// and outer parentheses removed, a string literal unquoted ("'it”s'::text"
// is "it's"). An expression that is not a literal (now(), nextval(…)) is
// returned as it is.
func DefaultValue(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := s
		if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
			s = strings.TrimSpace(s[1 : len(s)-1])
		}
		s = pgCast.ReplaceAllString(s, "")
		if s == t {
			break
		}
	}
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

// sameDefaultValue compares two DEFAULT expressions by value: as numbers,
// instants, durations, booleans or JSON when both read as one, else as
// text.
func sameDefaultValue(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	va, vb := DefaultValue(a), DefaultValue(b)
	if va == vb || strings.EqualFold(va, vb) && (strings.EqualFold(va, "true") || strings.EqualFold(va, "false")) {
		return true
	}
	if x, ok := new(big.Rat).SetString(va); ok {
		if y, ok := new(big.Rat).SetString(vb); ok {
			return x.Cmp(y) == 0
		}
	}
	if x, ok := parseInstant(va); ok {
		if y, ok := parseInstant(vb); ok {
			return x.Equal(y)
		}
	}
	if x, ok := ParseInterval(va); ok {
		if y, ok := ParseInterval(vb); ok {
			return x == y
		}
	}
	var ja, jb any
	if json.Unmarshal([]byte(va), &ja) == nil && json.Unmarshal([]byte(vb), &jb) == nil {
		x, _ := json.Marshal(ja)
		y, _ := json.Marshal(jb)
		return bytes.Equal(x, y)
	}
	return false
}

var instantLayouts = []string{
	"2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999",
	time.RFC3339Nano, time.DateOnly, "15:04:05.999999",
}

func parseInstant(s string) (time.Time, bool) {
	for _, l := range instantLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var (
	microsRE   = regexp.MustCompile(`^(-?\d+) microseconds$`)
	isoRE      = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)
	intervalRE = regexp.MustCompile(`^(?:(-?\d+) days? ?)?(?:(-?)(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?$`)
)

// ParseInterval reads a duration default: autogql's "N microseconds" and
// PostgreSQL's interval output ("1 day 02:30:00", or "P1DT2H30M" with
// intervalstyle iso_8601).
func ParseInterval(s string) (time.Duration, bool) {
	if m := microsRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		return time.Duration(n) * time.Microsecond, err == nil
	}
	if m := isoRE.FindStringSubmatch(s); m != nil && s != "P" && s != "PT" {
		days, _ := strconv.Atoi(m[1])
		h, _ := strconv.Atoi(m[2])
		mi, _ := strconv.Atoi(m[3])
		sec, _ := strconv.ParseFloat(m[4], 64)
		return time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
			time.Duration(sec*float64(time.Second)).Round(time.Microsecond), true
	}
	m := intervalRE.FindStringSubmatch(s)
	if m == nil || m[1] == "" && m[3] == "" {
		return 0, false
	}
	var d time.Duration
	if m[1] != "" {
		days, _ := strconv.Atoi(m[1])
		d += time.Duration(days) * 24 * time.Hour
	}
	if m[3] != "" {
		h, _ := strconv.Atoi(m[3])
		mi, _ := strconv.Atoi(m[4])
		sec, _ := strconv.Atoi(m[5])
		frac := m[6] + strings.Repeat("0", 6-len(m[6]))
		us, _ := strconv.Atoi(frac)
		t := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(sec)*time.Second + time.Duration(us)*time.Microsecond
		if m[2] == "-" {
			t = -t
		}
		d += t
	}
	return d, true
}

// Servable lists what keeps the live database from serving want: missing
// tables and columns, and columns of another type (the Blocking
// differences of Compare). It reads only the columns, in one query, so
// serve --watch can run it on every reload while requests keep the
// database busy.
func Servable(ctx context.Context, q database.Querier, d database.Dialect, want *State) ([]Difference, error) {
	names := make([]string, len(want.Tables))
	for i, t := range want.Tables {
		names[i] = t.Name
	}
	live := &State{}
	add := func(table, column, typ string) {
		t := live.Table(table)
		if t == nil {
			t = &Table{Name: table}
			live.Tables = append(live.Tables, t)
		}
		t.Columns = append(t.Columns, &Column{Name: column, SQLType: typ})
	}
	var query string
	var args []any
	if d == database.Postgres {
		query = `SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod)
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1)
				AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`
		args = []any{names}
	} else {
		query = `SELECT m.name, p.name, lower(p.type) FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name IN (SELECT value FROM json_each(?))`
		list, _ := json.Marshal(names)
		args = []any{string(list)}
	}
	err := q.QueryRows(ctx, query, args, func(scan func(...any) error) error {
		var table, column, typ string
		if err := scan(&table, &column, &typ); err != nil {
			return err
		}
		add(table, column, strings.Join(strings.Fields(typ), " "))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check the database serves the models: %w", err)
	}
	var out []Difference
	for _, df := range Compare(want, live, d) {
		if df.Blocking && !strings.HasPrefix(df.Message, "auto-increment") && !strings.HasPrefix(df.Message, "primary key") {
			out = append(out, df)
		}
	}
	return out, nil
}
