package sqlgen

import (
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// dialect renders the SQL that differs between databases. The statement
// shapes are shared; only JSON construction, value formatting, parameters
// and a few operators differ.
type dialect interface {
	// param renders statement parameter n (1-based) of plan param p.
	param(n int, p plan.Param) string
	// object builds a JSON object from keys and JSON-ready values.
	object(keys, vals []string) string
	// arrayAgg aggregates JSON elements into an array ('[]' when empty).
	arrayAgg(elem, orderBy string) string
	// embed wraps a scalar subquery yielding JSON so it nests as JSON.
	embed(subquery string) string
	// out formats a column value (expr) of field f for the JSON response.
	out(expr string, f *model.Field) string
	// text formats a value of field f as text (group keys).
	text(expr string, f *model.Field) string
	// boolJSON turns a SQL condition into a JSON boolean.
	boolJSON(cond string) string
	// cmp wraps a column for comparisons (SQLite compares decimals as REAL).
	cmp(expr string, kind model.Kind) string
	// inList tests expr against a list parameter.
	inList(expr, param string, kind model.Kind) string
	// ilike matches a case-folded pattern parameter.
	ilike(expr, param string) string
	// regex matches a regular expression parameter.
	regex(expr, param string, insensitive bool) string
	// datePart extracts year, month, day or week_day (Django numbering) as an integer.
	datePart(expr, part string, kind model.Kind) string
	// dateOf extracts the date of a datetime.
	dateOf(expr string) string
	// cursor renders the opaque cursor of a row's order values: the hex of
	// their JSON array and the first 16 hex digits of md5(JSON || key).
	cursor(vals []string, key string) string
	// aggregate renders sum/avg/min/max of a field, formatted for JSON.
	aggregate(fn, expr string, f *model.Field) string
}

// Short names for the quoting helpers of internal/database, used throughout
// this package's SQL building.
var (
	quoteIdent  = database.QuoteIdent
	quoteString = database.QuoteString
)

// keyValues renders the arguments of a JSON object constructor:
// 'key1', value1, 'key2', value2, …
func keyValues(keys, vals []string) string {
	var b strings.Builder
	for i := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(keys[i]) + ", " + vals[i])
	}
	return b.String()
}
