package sqlgen

import (
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// postgres renders PostgreSQL: json_build_object/json_agg (the json family,
// cheaper than jsonb and order-preserving), typed parameters.
type postgres struct {
	// tz is the time zone name for date parts.
	tz string
}

// pgTypes are the parameter types of kinds whose Go values pgx encodes
// directly.
var pgTypes = map[model.Kind]string{
	model.KindInt: "bigint", model.KindBigInt: "bigint", model.KindFloat: "float8",
	model.KindBool: "boolean", model.KindDate: "date", model.KindDateTime: "timestamptz",
	model.KindDuration: "interval",
}

// pgTextTypes are the column types of kinds whose parameters are Go
// strings: they are sent as text and cast.
var pgTextTypes = map[model.Kind]string{
	model.KindDecimal: "numeric", model.KindUUID: "uuid", model.KindTime: "time", model.KindJSON: "jsonb",
}

// paramTypes are the types of params that are not column values.
var paramTypes = map[string]string{"int": "bigint", "bool": "boolean", "text": "text", "float": "float8"}

// param renders $n with a cast, so PostgreSQL never has to guess a type:
// params that are not column values by their Type, column values (and
// lists of them, Type "list") by their kind.
func (postgres) param(n int, p plan.Param) string {
	s := "$" + strconv.Itoa(n)
	if t, ok := paramTypes[p.Type]; ok {
		return s + "::" + t
	}
	array := ""
	if p.Type == "list" {
		array = "[]"
	}
	if t, ok := pgTypes[p.Kind]; ok {
		return s + "::" + t + array
	}
	if t, ok := pgTextTypes[p.Kind]; ok {
		return s + "::text" + array + "::" + t + array
	}
	return s + "::text" + array
}

func (postgres) object(keys, vals []string) string {
	var b strings.Builder
	if len(keys) > 50 {
		// json_build_object takes at most 100 arguments: build wide objects
		// from a row instead (row_to_json keeps the column order).
		b.WriteString("(SELECT row_to_json(__w) FROM (SELECT ")
		for i := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(vals[i] + " AS " + quoteIdent(keys[i]))
		}
		b.WriteString(") AS __w)")
		return b.String()
	}
	return "json_build_object(" + keyValues(keys, vals) + ")"
}

func (postgres) arrayAgg(elem, orderBy string) string {
	return "coalesce(json_agg(" + elem + " ORDER BY " + orderBy + "), '[]'::json)"
}

func (postgres) embed(sub string) string { return "(" + sub + ")" }

func (p postgres) out(expr string, f *model.Field) string {
	if f.PrimaryKey || f.Rel != nil {
		return expr + "::text"
	}
	switch f.Type.Kind() {
	case model.KindBigInt, model.KindDecimal, model.KindUUID, model.KindTime:
		return expr + "::text"
	case model.KindDate:
		return "to_char(" + expr + ", 'YYYY-MM-DD')"
	case model.KindDateTime:
		return pgDateTime(expr)
	case model.KindDuration:
		return "('PT' || trim_scale(extract(epoch from " + expr + "))::text || 'S')"
	case model.KindJSON:
		return expr + "::json"
	}
	return expr
}

// pgDateTime renders RFC 3339 in UTC with microseconds only when present,
// matching how SQLite stores datetimes (Django's format).
func pgDateTime(expr string) string {
	return "(to_char(" + expr + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_trunc('second', " + expr +
		") = " + expr + " THEN '' ELSE to_char(" + expr + " AT TIME ZONE 'UTC', '.US') END || 'Z')"
}

func (p postgres) text(expr string, f *model.Field) string {
	switch f.Type.Kind() {
	case model.KindBool:
		return "CASE WHEN " + expr + " THEN 'true' WHEN NOT " + expr + " THEN 'false' END"
	case model.KindText:
		if !f.PrimaryKey && f.Rel == nil {
			return expr
		}
	}
	return p.out(expr, f) + "::text"
}

func (postgres) boolJSON(cond string) string { return "(" + cond + ")" }

func (postgres) cmp(expr string, _ model.Kind) string { return expr }

func (postgres) inList(expr, param string, _ model.Kind) string {
	return expr + " = ANY(" + param + ")"
}

func (postgres) ilike(expr, param string) string {
	return expr + " ILIKE " + param + ` ESCAPE '\'`
}

func (postgres) regex(expr, param string, insensitive bool) string {
	if insensitive {
		return expr + " ~* " + param
	}
	return expr + " ~ " + param
}

func (p postgres) local(expr string, kind model.Kind) string {
	if kind == model.KindDateTime {
		return "(" + expr + " AT TIME ZONE " + quoteString(p.tz) + ")"
	}
	return expr
}

func (p postgres) datePart(expr, part string, kind model.Kind) string {
	e := p.local(expr, kind)
	switch part {
	case "week_day":
		return "(extract(dow from " + e + ")::int + 1)"
	case "date":
		return e + "::date"
	}
	return "extract(" + part + " from " + e + ")::int"
}

func (p postgres) dateOf(expr string) string {
	return p.local(expr, model.KindDateTime) + "::date"
}

// cursor builds the JSON array text by hand: json_build_array puts a space
// after each comma, and the cursor must be byte-for-byte the one SQLite's
// json_array gives, so a client sees the same cursors on both databases.
func (postgres) cursor(vals []string, key string) string {
	elems := make([]string, len(vals))
	for i, v := range vals {
		elems[i] = "coalesce(to_json(" + v + ")::text, 'null')"
	}
	j := "('[' || " + strings.Join(elems, " || ',' || ") + " || ']')"
	return "(encode(convert_to(" + j + ", 'UTF8'), 'hex') || substr(md5(" + j + " || " + key + "), 1, 16))"
}

func (p postgres) aggregate(fn, expr string, f *model.Field) string {
	k := f.Type.Kind()
	switch fn {
	case "sum":
		if k == model.KindFloat {
			return "sum(" + expr + ")"
		}
		return "sum(" + expr + ")::text"
	case "avg":
		if k == model.KindDecimal {
			return "round(avg(" + expr + "), " + strconv.Itoa(f.DecimalPlaces) + ")::text"
		}
		return "avg(" + expr + ")::float8"
	}
	return p.out(fn+"("+expr+")", f)
}
