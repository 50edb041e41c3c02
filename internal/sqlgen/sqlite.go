package sqlgen

import (
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// sqlite renders SQLite: json_object/json_group_array. A JSON value read
// back from a subquery loses its JSON subtype, so every nested subquery is
// wrapped in json() to nest as JSON rather than as a string.
type sqlite struct {
	// tz is the zone of date parts; "" or "UTC" needs no conversion.
	tz string
}

// local converts a stored UTC datetime to the configured zone's wall clock
// with the localtime(text, zone) function internal/database registers.
func (s sqlite) local(expr string, kind model.Kind) string {
	if kind != model.KindDateTime || s.tz == "" || s.tz == "UTC" {
		return expr
	}
	return "localtime(" + expr + ", " + quoteString(s.tz) + ")"
}

func (sqlite) param(n int, _ plan.Param) string { return "?" + strconv.Itoa(n) }

func (sqlite) object(keys, vals []string) string {
	return "json_object(" + keyValues(keys, vals) + ")"
}

func (sqlite) arrayAgg(elem, orderBy string) string {
	return "json_group_array(" + elem + " ORDER BY " + orderBy + ")"
}

func (sqlite) embed(sub string) string { return "json((" + sub + "))" }

func (s sqlite) out(expr string, f *model.Field) string {
	if f.PrimaryKey || f.Rel != nil {
		return "CAST(" + expr + " AS TEXT)"
	}
	switch f.Type.Kind() {
	case model.KindBigInt:
		return "CAST(" + expr + " AS TEXT)"
	case model.KindDecimal:
		return sqliteDecimal(expr, f.DecimalPlaces)
	case model.KindBool:
		return "json(CASE WHEN " + expr + " IS NULL THEN NULL WHEN " + expr + " THEN 'true' ELSE 'false' END)"
	case model.KindDateTime:
		return "(replace(" + expr + ", ' ', 'T') || 'Z')"
	case model.KindDuration:
		// No ELSE: printf would turn NULL into "0.000000".
		return "('PT' || CASE WHEN " + expr + " % 1000000 = 0 THEN " + expr + " / 1000000 WHEN " + expr + " IS NOT NULL THEN rtrim(printf('%.6f', " + expr + " / 1000000.0), '0') END || 'S')"
	case model.KindJSON:
		return "json(" + expr + ")"
	}
	return expr
}

// sqliteDecimal formats a decimal stored as text with its decimal places,
// as PostgreSQL's numeric(p,s) prints it.
func sqliteDecimal(expr string, places int) string {
	return "CASE WHEN " + expr + " IS NULL THEN NULL ELSE printf('%." + strconv.Itoa(places) + "f', " + expr + ") END"
}

func (s sqlite) text(expr string, f *model.Field) string {
	switch f.Type.Kind() {
	case model.KindBool:
		return "CASE WHEN " + expr + " IS NULL THEN NULL WHEN " + expr + " THEN 'true' ELSE 'false' END"
	case model.KindInt, model.KindFloat:
		return "CAST(" + expr + " AS TEXT)"
	}
	return s.out(expr, f)
}

func (sqlite) boolJSON(cond string) string {
	return "json(CASE WHEN " + cond + " THEN 'true' ELSE 'false' END)"
}

func (sqlite) cmp(expr string, kind model.Kind) string {
	if kind == model.KindDecimal {
		return "CAST(" + expr + " AS REAL)"
	}
	return expr
}

func (s sqlite) inList(expr, param string, kind model.Kind) string {
	return s.cmp(expr, kind) + " IN (SELECT " + s.cmp("value", kind) + " FROM json_each(" + param + "))"
}

func (sqlite) ilike(expr, param string) string {
	return "casefold(" + expr + ") LIKE " + param + ` ESCAPE '\'`
}

func (sqlite) regex(expr, param string, _ bool) string {
	return "regexp(" + param + ", " + expr + ")"
}

func (s sqlite) datePart(expr, part string, kind model.Kind) string {
	expr = s.local(expr, kind)
	switch part {
	case "year":
		return "CAST(strftime('%Y', " + expr + ") AS INTEGER)"
	case "month":
		return "CAST(strftime('%m', " + expr + ") AS INTEGER)"
	case "day":
		return "CAST(strftime('%d', " + expr + ") AS INTEGER)"
	case "week_day":
		return "(CAST(strftime('%w', " + expr + ") AS INTEGER) + 1)"
	}
	return "date(" + expr + ")"
}

func (s sqlite) dateOf(expr string) string {
	return "date(" + s.local(expr, model.KindDateTime) + ")"
}

func (sqlite) cursor(vals []string, key string) string {
	j := "json_array(" + strings.Join(vals, ", ") + ")"
	return "(lower(hex(" + j + ")) || substr(md5(" + j + " || " + key + "), 1, 16))"
}

func (s sqlite) aggregate(fn, expr string, f *model.Field) string {
	k := f.Type.Kind()
	if k == model.KindDecimal {
		if (fn == "sum" || fn == "avg") && f.MaxDigits <= maxExactDigits {
			return sqliteExactDecimal(fn, expr, f.DecimalPlaces)
		}
		return sqliteDecimal(fn+"(CAST("+expr+" AS REAL))", f.DecimalPlaces)
	}
	switch fn {
	case "sum":
		if k == model.KindFloat {
			return "sum(" + expr + ")"
		}
		return "CAST(sum(" + expr + ") AS TEXT)"
	case "avg":
		return "avg(" + expr + ")"
	}
	return s.out(fn+"("+expr+")", f)
}

// maxExactDigits is the most digits a decimal may have for SQLite to sum
// it exactly as a scaled integer: up to 15 significant digits a REAL holds
// the value closely enough that value × 10^places rounds to the exact
// integer.
const maxExactDigits = 15

// sqliteExactDecimal sums or averages a decimal column exactly. Decimals
// are text on SQLite; summing them as REAL is not exact (the average of
// 2.5 and 4.8 printed as 3.6 where PostgreSQL's numeric gives 3.65, rounded
// to 3.7). So the values are summed as integers scaled by 10^places. The
// average of those integers is rounded by round(), half away from zero as
// PostgreSQL's round(numeric) does: a quotient that is exactly k.5 is
// exactly representable, and any other lies at least 1/(2·count) away from
// k.5, far more than a REAL's error.
func sqliteExactDecimal(fn, expr string, places int) string {
	scale := "1" + strings.Repeat("0", places)
	v := "sum(CAST(round(CAST(" + expr + " AS REAL) * " + scale + ") AS INTEGER))"
	if fn == "avg" {
		v = "round(" + v + " * 1.0 / count(" + expr + "))"
	}
	return sqliteDecimal(v+" / "+scale+".0", places)
}
