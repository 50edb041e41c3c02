package migrate

import (
	"slices"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// State is a database schema as migrations see it: tables with their
// columns, constraints and indexes, in dialect-neutral terms. FromSchema
// derives the state a models file wants, replaying migration files
// rebuilds the state they have made (ReplayState), and Introspect reads
// the state of a live database. Diff turns the difference between two
// states into operations; Compare lists it for the drift check.
type State struct {
	Tables []*Table `yaml:"tables"`
}

// Table is one table. Constraints keep their declaration order, which is
// the order CREATE TABLE lists them in.
type Table struct {
	Name        string        `yaml:"name"`
	Columns     []*Column     `yaml:"columns"`
	Constraints []*Constraint `yaml:"constraints,omitempty"`
	Indexes     []*Index      `yaml:"indexes,omitempty"`
	// Checks are the table's CHECK expressions as the database reports
	// them (Introspect only; FromSchema derives checks from column types).
	Checks []string `yaml:"-"`
	// Created orders introspected tables by creation (Introspect only).
	Created int64 `yaml:"-"`
}

// Column is one column. Type is a dialect-neutral type (see the Type*
// constants); the SQL type on each dialect follows from it.
type Column struct {
	Name          string   `yaml:"name"`
	Type          string   `yaml:"type"`
	MaxLength     int      `yaml:"max_length,omitempty"`
	MaxDigits     int      `yaml:"max_digits,omitempty"`
	DecimalPlaces int      `yaml:"decimal_places,omitempty"`
	Null          bool     `yaml:"null,omitempty"`
	PrimaryKey    bool     `yaml:"primary_key,omitempty"`
	Unique        bool     `yaml:"unique,omitempty"`
	Default       *Default `yaml:"default,omitempty,flow"`

	// SQLType is the type the database reports (Introspect only): the
	// drift check compares it with the type the models render to.
	SQLType string `yaml:"-"`
	// Checks are the CHECK expressions on this column alone (Introspect
	// only).
	Checks []string `yaml:"-"`
}

// Default is a column's DEFAULT clause, as SQL, on each dialect. An
// introspected default is known for the database's dialect only.
type Default struct {
	Postgres string `yaml:"postgres"`
	SQLite   string `yaml:"sqlite"`
}

// For returns the default's SQL on d.
func (df *Default) For(d database.Dialect) string {
	if d == database.Postgres {
		return df.Postgres
	}
	return df.SQLite
}

// Constraint kinds.
const (
	ConstraintUnique     = "unique"
	ConstraintForeignKey = "foreign_key"
	ConstraintPrimaryKey = "primary_key"
)

// Constraint is a table constraint: a unique set of columns, a foreign key
// or a composite primary key (join tables keyed by their pair).
type Constraint struct {
	Name    string   `yaml:"name,omitempty"`
	Type    string   `yaml:"type"`
	Columns []string `yaml:"columns,flow"`
	// RefTable and RefColumn are a foreign key's target; OnDelete its
	// referential action in SQL ("CASCADE", "SET NULL", "NO ACTION", …).
	RefTable  string `yaml:"ref_table,omitempty"`
	RefColumn string `yaml:"ref_column,omitempty"`
	OnDelete  string `yaml:"on_delete,omitempty"`
}

// Index is a non-unique index. A column name with a leading "-" is sorted
// descending.
type Index struct {
	Name    string   `yaml:"name"`
	Columns []string `yaml:"columns,flow"`
}

// Dialect-neutral column types.
const (
	TypeVarchar         = "varchar" // with MaxLength
	TypeText            = "text"
	TypeInteger         = "integer"
	TypePositiveInteger = "positive_integer" // integer with CHECK (col >= 0)
	TypeSmallInt        = "smallint"
	TypeBigInt          = "bigint"
	TypeAuto            = "auto" // 64-bit auto-increment primary key
	TypeFloat           = "float"
	TypeDecimal         = "decimal" // with MaxDigits and DecimalPlaces
	TypeBoolean         = "boolean"
	TypeDate            = "date"
	TypeDateTime        = "datetime"
	TypeTime            = "time"
	TypeDuration        = "duration"
	TypeUUID            = "uuid"
	TypeJSON            = "json"
)

// Table returns the table named name, or nil.
func (s *State) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (t *Table) columnIndex(name string) int {
	return slices.IndexFunc(t.Columns, func(c *Column) bool { return c.Name == name })
}

// Clone returns a deep copy of s.
func (s *State) Clone() *State {
	out := &State{Tables: make([]*Table, len(s.Tables))}
	for i, t := range s.Tables {
		out.Tables[i] = t.Clone()
	}
	return out
}

// Clone returns a deep copy of t.
func (t *Table) Clone() *Table {
	out := *t
	out.Columns = make([]*Column, len(t.Columns))
	for i, c := range t.Columns {
		out.Columns[i] = c.Clone()
	}
	out.Constraints = make([]*Constraint, len(t.Constraints))
	for i, c := range t.Constraints {
		cc := *c
		cc.Columns = slices.Clone(c.Columns)
		out.Constraints[i] = &cc
	}
	out.Indexes = make([]*Index, len(t.Indexes))
	for i, x := range t.Indexes {
		out.Indexes[i] = &Index{Name: x.Name, Columns: slices.Clone(x.Columns)}
	}
	out.Checks = slices.Clone(t.Checks)
	return &out
}

// Clone returns a copy of c.
func (c *Column) Clone() *Column {
	out := *c
	if c.Default != nil {
		d := *c.Default
		out.Default = &d
	}
	out.Checks = slices.Clone(c.Checks)
	return &out
}

// FromSchema returns the state the models of s want: the tables
// CreateStatements creates, in the same order and with the same names.
func FromSchema(s *model.Schema) *State {
	order := Order(s)
	st := &State{}
	made := map[string]bool{}
	for _, m := range order {
		st.Tables = append(st.Tables, modelTable(m))
		made[m.Table] = true
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			j := joinOf(f)
			if j == nil || made[j.Table] {
				continue
			}
			made[j.Table] = true
			st.Tables = append(st.Tables, joinTable(f, j))
		}
	}
	return st
}

func modelTable(m *model.Model) *Table {
	t := &Table{Name: m.Table}
	for _, f := range m.Fields {
		if f.Column != "" {
			t.Columns = append(t.Columns, fieldColumn(f))
		}
	}
	for _, f := range m.Fields {
		if target := keyTarget(f); target != nil {
			t.Constraints = append(t.Constraints, fkConstraint(m.Table, f.Column, target, onDelete(f.Rel.OnDelete)))
		}
	}
	for _, names := range m.Meta.UniqueTogether {
		cols := columnsOf(m, names)
		t.Constraints = append(t.Constraints, &Constraint{
			Name: indexName(m.Table, cols, "_uniq"), Type: ConstraintUnique, Columns: cols,
		})
	}
	for _, f := range m.Fields {
		if f.Column == "" || f.PrimaryKey || f.Unique || f.Type == model.TypeOneToOne {
			continue
		}
		if keyTarget(f) != nil || f.DBIndex {
			t.Indexes = append(t.Indexes, &Index{Name: indexName(m.Table, []string{f.Column}, ""), Columns: []string{f.Column}})
		}
	}
	for _, names := range m.Meta.Indexes {
		cols := make([]string, len(names))
		keys := make([]string, len(names))
		for i, n := range names {
			desc := strings.HasPrefix(n, "-")
			cols[i] = columnsOf(m, []string{strings.TrimPrefix(n, "-")})[0]
			keys[i] = cols[i]
			if desc {
				keys[i] = "-" + cols[i]
			}
		}
		t.Indexes = append(t.Indexes, &Index{Name: indexName(m.Table, cols, "_idx"), Columns: keys})
	}
	return t
}

func fkConstraint(table, column string, target *model.Model, action string) *Constraint {
	return &Constraint{
		Name:      indexName(table, []string{column}, "_fk_"+target.Table+"_"+target.PK.Column),
		Type:      ConstraintForeignKey,
		Columns:   []string{column},
		RefTable:  target.Table,
		RefColumn: target.PK.Column,
		OnDelete:  action,
	}
}

func joinTable(f *model.Field, j *model.JoinTable) *Table {
	src, dst := f.Model, f.Rel.Target
	t := &Table{Name: j.Table}
	if j.HasID {
		t.Columns = append(t.Columns, &Column{Name: "id", Type: TypeAuto, PrimaryKey: true})
	}
	srcCol, dstCol := refColumn(src.PK), refColumn(dst.PK)
	srcCol.Name, dstCol.Name = j.SourceColumn, j.TargetColumn
	t.Columns = append(t.Columns, srcCol, dstCol)
	pair := []string{j.SourceColumn, j.TargetColumn}
	if j.HasID {
		t.Constraints = append(t.Constraints, &Constraint{Name: indexName(j.Table, pair, "_uniq"), Type: ConstraintUnique, Columns: pair})
	} else {
		t.Constraints = append(t.Constraints, &Constraint{Type: ConstraintPrimaryKey, Columns: pair})
	}
	t.Constraints = append(t.Constraints,
		fkConstraint(j.Table, j.SourceColumn, src, "CASCADE"),
		fkConstraint(j.Table, j.TargetColumn, dst, "CASCADE"))
	if j.HasID {
		t.Indexes = append(t.Indexes, &Index{Name: indexName(j.Table, []string{j.SourceColumn}, ""), Columns: []string{j.SourceColumn}})
	}
	t.Indexes = append(t.Indexes, &Index{Name: indexName(j.Table, []string{j.TargetColumn}, ""), Columns: []string{j.TargetColumn}})
	return t
}

// fieldColumn is the column of a field that has one.
func fieldColumn(f *model.Field) *Column {
	var c *Column
	if t := keyTarget(f); t != nil {
		c = refColumn(t.PK)
	} else {
		c = typeColumn(f)
	}
	c.Name = f.Column
	switch {
	case f.Type == model.TypeAutoID:
		c.PrimaryKey = true
		return c
	case f.PrimaryKey:
		c.PrimaryKey = true
	default:
		c.Null = f.Null
		c.Unique = f.Unique || f.Type == model.TypeOneToOne
	}
	pg, okPG := defaultSQL(f, database.Postgres)
	sq, okSQ := defaultSQL(f, database.SQLite)
	if okPG || okSQ {
		c.Default = &Default{Postgres: pg, SQLite: sq}
	}
	return c
}

// refColumn is the column type of a reference to primary key pk (no name,
// no options).
func refColumn(pk *model.Field) *Column {
	if pk.Type == model.TypeAutoID {
		return &Column{Type: TypeBigInt}
	}
	if t := keyTarget(pk); t != nil && t.PK != pk {
		return refColumn(t.PK)
	}
	c := typeColumn(pk)
	if c.Type == TypePositiveInteger {
		// A reference carries the type, not the key's CHECK.
		c.Type = TypeInteger
	}
	return c
}

// typeColumn maps a field's declared type to a neutral column type.
func typeColumn(f *model.Field) *Column {
	switch f.Type {
	case model.TypeString, model.TypeSlug, model.TypeEmail, model.TypeURL:
		n := f.MaxLength
		if n == 0 {
			n = defaultMaxLength[f.Type]
		}
		if n == 0 {
			return &Column{Type: TypeText}
		}
		return &Column{Type: TypeVarchar, MaxLength: n}
	case model.TypeDecimal:
		return &Column{Type: TypeDecimal, MaxDigits: f.MaxDigits, DecimalPlaces: f.DecimalPlaces}
	}
	return &Column{Type: neutralTypes[f.Type]}
}

var neutralTypes = map[model.FieldType]string{
	model.TypeText:            TypeText,
	model.TypeInteger:         TypeInteger,
	model.TypePositiveInteger: TypePositiveInteger,
	model.TypeSmallInteger:    TypeSmallInt,
	model.TypeBigInteger:      TypeBigInt,
	model.TypeAutoID:          TypeAuto,
	model.TypeFloat:           TypeFloat,
	model.TypeBoolean:         TypeBoolean,
	model.TypeDate:            TypeDate,
	model.TypeDateTime:        TypeDateTime,
	model.TypeTime:            TypeTime,
	model.TypeDuration:        TypeDuration,
	model.TypeUUID:            TypeUUID,
	model.TypeJSON:            TypeJSON,
}

// fieldType is the model field type that renders a neutral column type.
func (c *Column) fieldType() model.FieldType {
	switch c.Type {
	case TypeVarchar:
		return model.TypeString
	case TypeDecimal:
		return model.TypeDecimal
	}
	for ft, nt := range neutralTypes {
		if nt == c.Type {
			return ft
		}
	}
	return ""
}

// SQLTypeFor returns the column's SQL type on d, as CREATE TABLE declares
// it. A type the neutral set does not know (an introspected one) is
// returned as the database reported it.
func (c *Column) SQLTypeFor(d database.Dialect) string {
	ft := c.fieldType()
	if ft == "" {
		return c.SQLType
	}
	return baseType(&model.Field{Type: ft, MaxLength: c.MaxLength, MaxDigits: c.MaxDigits, DecimalPlaces: c.DecimalPlaces}, d)
}

// sameColumn reports whether two columns have the same definition (names
// aside).
func sameColumn(a, b *Column) bool {
	return a.Type == b.Type && a.MaxLength == b.MaxLength && a.MaxDigits == b.MaxDigits &&
		a.DecimalPlaces == b.DecimalPlaces && a.Null == b.Null && a.PrimaryKey == b.PrimaryKey &&
		a.Unique == b.Unique && sameDefault(a.Default, b.Default)
}

func sameDefault(a, b *Default) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// key identifies a constraint by what it does, not by its name: renaming
// a table keeps the names Django gave its constraints, as Django does.
func (c *Constraint) key() string {
	k := c.Type + "(" + strings.Join(c.Columns, ",") + ")"
	if c.Type == ConstraintForeignKey {
		k += "->" + c.RefTable + "(" + c.RefColumn + ") " + c.OnDelete
	}
	return k
}

// key identifies an index by its columns and directions.
func (x *Index) key() string { return strings.Join(x.Columns, ",") }

// indexColumn splits an index column into its name and direction.
func indexColumn(c string) (name string, desc bool) {
	if n, ok := strings.CutPrefix(c, "-"); ok {
		return n, true
	}
	return c, false
}

// references reports whether the constraint or index uses column col.
func (c *Constraint) uses(col string) bool { return slices.Contains(c.Columns, col) }

func (x *Index) uses(col string) bool {
	for _, c := range x.Columns {
		if n, _ := indexColumn(c); n == col {
			return true
		}
	}
	return false
}
