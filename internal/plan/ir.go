package plan

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

// Operation is the plan of one GraphQL operation: its root fields in
// response order and the parameters their SQL reads.
type Operation struct {
	Type ast.Operation
	Name string
	// Roots in response order.
	Roots []*Root
	// Params are evaluated against the request's variables for each
	// execution; SQL refers to them by index.
	Params []Param
}

// RootKind says how a root field is answered.
type RootKind int

// Root kinds.
const (
	// RootTypename answers a constant string.
	RootTypename RootKind = iota
	// RootIntrospection is answered from the schema, without SQL.
	RootIntrospection
	// RootSelect is answered by one SQL statement.
	RootSelect
	// RootMutation writes, then reads the written rows for its payload.
	RootMutation
)

// Root is one root field of the operation.
type Root struct {
	Key  string
	Kind RootKind
	// Typename for RootTypename.
	Typename string
	// Field for RootIntrospection.
	Field *ast.Field
	// Query for RootSelect.
	Query Query
	// Mutation for RootMutation.
	Mutation *Mutation
}

// Query is the read a root field performs; one of *One, *List, *Pages,
// *Groups, *Aggregate, *Connection.
type Query interface{ query() }

// One reads one row by primary key.
type One struct {
	Select *Select
	ID     int // param index of the key
}

// List reads a list of rows.
type List struct{ Select *Select }

// Pages reads one page of rows with page information.
type Pages struct {
	Select *Select
	// Key of the items list and of page_info, with the page_info fields.
	Out []Part
	// Param indexes.
	Page, PerPage, End int
	// NeedCount is true when page_info needs the total count.
	NeedCount bool
}

// Part is one key of a fixed-shape object (a page, a connection, a
// mutation payload) or of an object inside it (Sub). What names the schema
// field it answers, in snake_case:
//   - Page: "items", "page_info" with "total_count", "page_count",
//     "current_page", "per_page", "has_next_page", "has_previous_page";
//   - Connection: "edges" with "cursor", "node"; "page_info" with
//     "has_next_page", "has_previous_page", "start_cursor", "end_cursor";
//     "total_count";
//   - payload: "ok", "object", "objects", "errors" with "field",
//     "message", "code";
//
// and "__typename" anywhere, answered with Typename.
type Part struct {
	Key      string
	What     string
	Typename string
	Sub      []Part
}

// Groups reads group buckets.
type Groups struct {
	Model  *model.Model
	Where  *Cond
	Target *gqlschema.GroupTarget
	// ByKey orders by key instead of count; Desc reverses.
	ByKey, Desc bool
	Limit       int    // param index
	Out         []Part // "key", "label", "count", "__typename"
}

// Aggregate reads count/sum/avg/min/max.
type Aggregate struct {
	Model *model.Model
	Where *Cond
	Out   []AggOut
}

// AggOut is one field of an aggregate object.
type AggOut struct {
	Key string
	// Fn is "count", "sum", "avg", "min", "max" or "__typename".
	Fn       string
	Typename string
	// Sub holds the per-field values of sum/avg/min/max.
	Sub []AggOut
	// Field for a value inside Sub.
	Field *model.Field
}

// Connection reads a keyset-paginated slice of rows.
type Connection struct {
	Select *Select
	// Backward is true for last/before.
	Backward bool
	// Limit is the param index of n (the page size), LimitPlus of n+1.
	Limit, LimitPlus int
	// Key is the param index of the cursor check key.
	Key int
	// After and Before are the cursor conditions (nil when absent).
	After, Before *Cursor
	Out           []Part
	NeedTotal     bool
}

// Cursor is a keyset position: one param per order term (and a null flag
// param for nullable terms).
type Cursor struct {
	Values []int
	Nulls  []int // -1 when the term is not nullable
}

func (*One) query()        {}
func (*List) query()       {}
func (*Pages) query()      {}
func (*Groups) query()     {}
func (*Aggregate) query()  {}
func (*Connection) query() {}

// Select reads rows of one model and shapes each as a JSON object.
type Select struct {
	Model *model.Model
	// Via links the rows to the parent row (nil at the root).
	Via *model.Edge
	// Where filters the rows (nil = all rows): the request's filters and
	// quick search.
	Where *Cond
	// Access is the roles' row filter (nil = all rows). It is AND-ed apart
	// from Where so that include cannot reach around it.
	Access *Cond
	// Include is the param index of a list of ids returned first, or -1.
	Include int
	// Order terms; the primary key is always the last term.
	Order []Order
	// Limit and Offset are param indexes, or -1 for none.
	Limit, Offset int
	// Fields of each row's object, in response order.
	Fields []Out
}

// Out is one key of an object.
type Out struct {
	Key  string
	Kind OutKind
	// Field for OutColumn.
	Field *model.Field
	// Typename for OutTypename.
	Typename string
	// Sub for OutRelation (Sub.Via is the edge).
	Sub *Select
	// Edge and Where for OutCount.
	Edge  *model.Edge
	Where *Cond
}

// OutKind is what an object key holds.
type OutKind int

// Output kinds.
const (
	OutColumn OutKind = iota
	OutTypename
	OutRelation
	OutCount
	// OutKeyOf is the raw key of a relation (author_id), Field is the FK.
	OutKeyOf
)

// Order is one ORDER BY term.
type Order struct {
	Path  []*model.Edge
	Field *model.Field
	Count *model.Edge
	// CountWhere is the row filter of the counted rows.
	CountWhere *Cond
	Desc       bool
}

// Nullable reports whether the term's value can be NULL.
func (o Order) Nullable() bool {
	if o.Count != nil {
		return false
	}
	if len(o.Path) > 0 {
		return true
	}
	return o.Field.Null
}

// CondKind is the kind of a condition node.
type CondKind int

// Condition kinds.
const (
	CondAnd CondKind = iota
	CondOr
	CondNot
	// CondLookup compares a column of the current row.
	CondLookup
	// CondExists holds when some row across Edge matches Sub.
	CondExists
	// CondCount compares the number of rows across Edge.
	CondCount
	// CondQuick is the quick-search condition.
	CondQuick
	// CondIn holds when the primary key is in the list param (include).
	CondIn
)

// Cond is a boolean condition tree over the rows of one model.
type Cond struct {
	Kind     CondKind
	Children []*Cond
	// Field and Lookup for CondLookup; Params holds the param indexes the
	// lookup reads (one, two for range and relative dates).
	Field  *model.Field
	Lookup string
	Params []int
	// Edge for CondExists and CondCount; Children of CondCount filter the
	// counted rows.
	Edge *model.Edge
	// Quick fields for CondQuick: text fields compare with Params[0],
	// numeric ones with Params[1].
	Quick []*model.Field
	// OrNone, for CondExists across a forward (to-one) edge whose lookups
	// are all isnull, holds their boolean params: when every one is true
	// the condition also holds for rows without a related row, as Django's
	// LEFT JOIN gives (category__name__isnull: true matches posts without
	// a category).
	OrNone []int
}

// Param produces one SQL parameter from the request's variables.
type Param struct {
	// Value computes the driver value.
	Value func(vars map[string]any) (any, error)
	// Kind is the value's kind when it is a column value; used by
	// renderers that need a type (PostgreSQL casts).
	Kind model.Kind
	// Type says how the renderer must type the param: "" for a value
	// compared with a column, "int", "bool", "float", "list" (a list
	// compared with a column), "text".
	Type string
}

// DB is the dialect for which params are encoded.
type DB = database.Dialect
