package model

import "fmt"

// Schema is a validated models file: every model with its fields, resolved
// relations and database names. It is immutable once Load returns it and is
// shared by every request, so nothing may modify it afterwards.
type Schema struct {
	Version int
	// App is the optional label prefixed to default table names.
	App string
	// Naming is the API naming convention: NamingSnake (default) or NamingCamel.
	Naming Naming
	// Models in declaration order.
	Models []*Model
	// File is the path the schema was loaded from (used in messages only).
	File string
	// Roles are the named roles declared at the top level (nil when none).
	Roles map[string]*Role

	byName map[string]*Model
}

// Naming selects how API field and argument names are spelled.
type Naming string

// Naming conventions.
const (
	NamingSnake Naming = "snake_case"
	NamingCamel Naming = "camelCase"
)

// Model returns the model with the given declared name, or nil.
func (s *Schema) Model(name string) *Model { return s.byName[name] }

// Model is one declared model (a table).
type Model struct {
	// Name is the declared PascalCase name ("Post").
	Name string
	// Table is the database table ("blog_post").
	Table string
	// Singular is the snake_case API name ("post").
	Singular string
	// Plural is the API list name ("posts"): meta.plural or the English
	// plural, or "<singular>_list" when the word has no distinct plural
	// ("sheep_list"), so that it always differs from Singular.
	Plural string
	// Fields in declaration order; the implicit id (when there is one) comes first.
	Fields []*Field
	// PK is the primary key field.
	PK *Field
	// Edges are the relations readable from this model: forward foreign keys,
	// one-to-ones and many-to-manys, and the reverse side of those declared on
	// other models (unless hidden with related_name "+").
	Edges []*Edge
	Meta  Meta
	Pos   Pos

	fields map[string]*Field
	edges  map[string]*Edge
}

// Field returns the field with the given name, or nil.
func (m *Model) Field(name string) *Field { return m.fields[name] }

// Edge returns the relation with the given name, or nil.
func (m *Model) Edge(name string) *Edge { return m.edges[name] }

// Meta holds a model's meta options.
type Meta struct {
	DBTable        string
	Plural         string
	Ordering       []string
	Quick          []string
	UniqueTogether [][]string
	Indexes        [][]string
	// FilterDepth is how many relation hops field__rel__lookup filters reach (default 1).
	FilterDepth int
	Exclude     []string
	// Operations lists the mutations that exist; nil means all.
	Operations  []string
	Description string
	// MaxPageSize overrides the global max_page_size when > 0.
	MaxPageSize int
	// RenamedFrom is the model's previous name (meta.renamed_from): a hint
	// for makemigrations to rename the table (and the model's join tables)
	// instead of dropping it and creating another.
	RenamedFrom string
	// Permissions are the grants per role; nil when the model declares
	// none (then the configured default, open or closed, applies).
	Permissions map[string]*Permission
}

// FieldType is a declared field type.
type FieldType string

// Field types of the models file.
const (
	TypeString          FieldType = "string"
	TypeText            FieldType = "text"
	TypeSlug            FieldType = "slug"
	TypeEmail           FieldType = "email"
	TypeURL             FieldType = "url"
	TypeUUID            FieldType = "uuid"
	TypeInteger         FieldType = "integer"
	TypeSmallInteger    FieldType = "small_integer"
	TypeBigInteger      FieldType = "big_integer"
	TypePositiveInteger FieldType = "positive_integer"
	TypeFloat           FieldType = "float"
	TypeDecimal         FieldType = "decimal"
	TypeBoolean         FieldType = "boolean"
	TypeDate            FieldType = "date"
	TypeDateTime        FieldType = "datetime"
	TypeTime            FieldType = "time"
	TypeDuration        FieldType = "duration"
	TypeJSON            FieldType = "json"
	TypeForeignKey      FieldType = "foreign_key"
	TypeOneToOne        FieldType = "one_to_one"
	TypeManyToMany      FieldType = "many_to_many"
	// TypeAutoID is the implicit 64-bit auto-increment primary key.
	TypeAutoID FieldType = "auto"
)

// FieldTypes lists every declarable type, in documentation order.
var FieldTypes = []FieldType{
	TypeString, TypeText, TypeSlug, TypeEmail, TypeURL, TypeUUID, TypeInteger,
	TypeSmallInteger, TypeBigInteger, TypePositiveInteger, TypeFloat, TypeDecimal,
	TypeBoolean, TypeDate, TypeDateTime, TypeTime, TypeDuration, TypeJSON,
	TypeForeignKey, TypeOneToOne, TypeManyToMany,
}

// Kind groups field types by how they are filtered, compared and serialised.
type Kind int

// Field kinds.
const (
	KindText Kind = iota
	KindInt
	KindBigInt
	KindFloat
	KindDecimal
	KindBool
	KindDate
	KindDateTime
	KindTime
	KindDuration
	KindUUID
	KindJSON
	KindRelation
)

// Kind returns the field type's kind.
func (t FieldType) Kind() Kind {
	switch t {
	case TypeString, TypeText, TypeSlug, TypeEmail, TypeURL:
		return KindText
	case TypeInteger, TypeSmallInteger, TypePositiveInteger:
		return KindInt
	case TypeBigInteger, TypeAutoID:
		return KindBigInt
	case TypeFloat:
		return KindFloat
	case TypeDecimal:
		return KindDecimal
	case TypeBoolean:
		return KindBool
	case TypeDate:
		return KindDate
	case TypeDateTime:
		return KindDateTime
	case TypeTime:
		return KindTime
	case TypeDuration:
		return KindDuration
	case TypeUUID:
		return KindUUID
	case TypeJSON:
		return KindJSON
	default:
		return KindRelation
	}
}

// IsRelation reports whether the type declares a relation.
func (t FieldType) IsRelation() bool {
	return t == TypeForeignKey || t == TypeOneToOne || t == TypeManyToMany
}

// Field is one declared field. For foreign keys and one-to-ones the field is
// also the key column (Column is "author_id"); many-to-many fields have no
// column on the model's table.
type Field struct {
	Name string
	Type FieldType
	// Column is the database column; empty for many_to_many.
	Column string
	// Model is the owning model.
	Model *Model

	Null, Blank, Unique, DBIndex, PrimaryKey bool
	// Editable is false for editable: false fields (left out of inputs).
	Editable   bool
	WriteOnly  bool
	AutoNow    bool
	AutoNowAdd bool
	// Excluded is true when meta.exclude names the field.
	Excluded bool
	// Implicit marks the generated id primary key.
	Implicit bool

	Default   *Default
	Choices   []Choice
	MaxLength int // 0 = none
	MinLength int // 0 = none
	MinValue  *float64
	MaxValue  *float64
	// MaxDigits and DecimalPlaces apply to decimal fields.
	MaxDigits     int
	DecimalPlaces int
	Regex         string
	HelpText      string
	Deprecated    string
	// RenamedFrom is the field's previous name (renamed_from): a hint for
	// makemigrations to rename the column (or a many_to_many's join table)
	// instead of dropping it and adding another.
	RenamedFrom string

	// Rel is set for foreign_key, one_to_one and many_to_many fields.
	Rel *Relation
	Pos Pos
}

// ValueKind is the kind of the stored value: for a foreign key, the kind of
// the target's primary key.
func (f *Field) ValueKind() Kind {
	if f.Rel != nil && f.Rel.Target != nil && f.Type != TypeManyToMany {
		return f.Rel.Target.PK.Type.Kind()
	}
	return f.Type.Kind()
}

// Default is a field default: a literal value, or one of the special values
// "now" and "uuid4".
type Default struct {
	// Special is "now", "uuid4" or "" for a literal.
	Special string
	// Value is the literal in the form API input arrives in, so it goes
	// through the same encoding: text, uuid, decimal, date, datetime and
	// time as string; integer types and foreign keys to integer keys as
	// int64; float as float64; boolean as bool; duration as an ISO 8601
	// string or int64 seconds; json as the decoded value; nil for null.
	Value any
}

// Choice is one allowed value of a field with choices.
type Choice struct {
	Value string
	Label string
}

// OnDelete is a relation's on_delete behaviour.
type OnDelete string

// on_delete behaviours.
const (
	Cascade    OnDelete = "cascade"
	Protect    OnDelete = "protect"
	SetNull    OnDelete = "set_null"
	SetDefault OnDelete = "set_default"
	Restrict   OnDelete = "restrict"
	DoNothing  OnDelete = "do_nothing"
)

// Relation describes a foreign_key, one_to_one or many_to_many field.
type Relation struct {
	// To is the declared target model name; Target the resolved model.
	To     string
	Target *Model
	// OnDelete applies to foreign_key and one_to_one.
	OnDelete OnDelete
	// RelatedName names the reverse side on the target; "+" hides it.
	// After Load it is never empty (Django's defaults are filled in).
	RelatedName string
	// Join describes the join table of a many_to_many.
	Join *JoinTable
}

// JoinTable is the table linking the two sides of a many_to_many.
type JoinTable struct {
	Table string
	// SourceColumn references the declaring model ("post_id"),
	// TargetColumn the target model ("tag_id").
	SourceColumn string
	TargetColumn string
	// HasID is false for join tables keyed by the pair alone.
	HasID bool
	// Through is the explicit join model, when declared.
	Through *Model
}

// Edge is a relation as seen from one model, whichever side declared it.
type Edge struct {
	// Name is the API name: the field name, or the related_name on the reverse side.
	Name string
	From *Model
	To   *Model
	// Many is true for reverse foreign keys and both sides of many_to_many.
	Many bool
	// Reverse is true when the relation was declared on To.
	Reverse bool
	// Field is the declaring field (on From when forward, on To when reverse).
	Field *Field
	// For direct relations (no join table): FromColumn on From's table equals
	// ToColumn on To's table. For many_to_many they are the primary key
	// columns of From and To, which JoinFrom and JoinTo reference.
	FromColumn string
	ToColumn   string
	// Join is set for many_to_many: Join.Table links From (JoinFrom) and To (JoinTo).
	Join     *JoinTable
	JoinFrom string
	JoinTo   string
}

// Pos is a position in the models file.
type Pos struct {
	Line, Col int
}

// Error is one problem in a models file, reported as file:line:col: message.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}
