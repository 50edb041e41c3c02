package migrate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// CreateStatements returns the statements that create every table of s on
// dialect d: each model's table followed by its indexes, in dependency order
// (see Order), then the join tables of many_to_many fields, then (PostgreSQL
// only) the foreign keys that close a cycle between tables. Every statement
// is idempotent. The list is deterministic: the same schema always yields
// the same text, which Apply checksums.
func CreateStatements(s *model.Schema, d database.Dialect) []string {
	order, late := sortModels(s)
	if d != database.Postgres {
		// SQLite checks a reference only when a row is written, so a table
		// may name one that does not exist yet: every key stays inline.
		late = nil
	}
	isLate := make(map[*model.Field]bool, len(late))
	for _, f := range late {
		isLate[f] = true
	}
	var stmts []string
	for _, m := range order {
		stmts = append(stmts, createTable(m, d, isLate))
		stmts = append(stmts, createIndexes(m)...)
	}
	made := make(map[string]bool, len(s.Models))
	for _, m := range s.Models {
		made[m.Table] = true
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			j := joinOf(f)
			if j == nil || made[j.Table] {
				continue
			}
			made[j.Table] = true
			stmts = append(stmts, createJoinTable(f, j, d)...)
		}
	}
	for _, f := range late {
		stmts = append(stmts, addForeignKey(f))
	}
	return stmts
}

// Order returns the models of s in dependency order: a model comes after the
// targets of its foreign keys and one-to-ones, and otherwise in declaration
// order. Models in a reference cycle keep declaration order among
// themselves. Loading data in this order never references a missing row
// (self references and cycles excepted).
func Order(s *model.Schema) []*model.Model {
	order, _ := sortModels(s)
	return order
}

// sortModels orders the models (see Order) and returns the key fields whose
// target is created later, which PostgreSQL must add once both tables exist.
func sortModels(s *model.Schema) (order []*model.Model, late []*model.Field) {
	done := make(map[*model.Model]bool, len(s.Models))
	ready := func(m *model.Model) bool {
		for _, f := range m.Fields {
			if t := keyTarget(f); t != nil && t != m && !done[t] {
				return false
			}
		}
		return true
	}
	for len(order) < len(s.Models) {
		var next *model.Model
		for _, m := range s.Models {
			if !done[m] && ready(m) {
				next = m
				break
			}
		}
		if next == nil {
			// A cycle: take the first model left and add its keys to the
			// models not created yet afterwards.
			for _, m := range s.Models {
				if !done[m] {
					next = m
					break
				}
			}
			for _, f := range next.Fields {
				if t := keyTarget(f); t != nil && t != next && !done[t] {
					late = append(late, f)
				}
			}
		}
		done[next] = true
		order = append(order, next)
	}
	return order, late
}

// keyTarget returns the model a foreign_key or one_to_one field references,
// or nil for any other field.
func keyTarget(f *model.Field) *model.Model {
	if (f.Type == model.TypeForeignKey || f.Type == model.TypeOneToOne) && f.Rel != nil {
		return f.Rel.Target
	}
	return nil
}

// joinOf returns the join table autogql must create for a many_to_many
// field, or nil when the field is not one or its join table is a declared
// (through) model.
func joinOf(f *model.Field) *model.JoinTable {
	if f.Type != model.TypeManyToMany || f.Rel == nil || f.Rel.Join == nil || f.Rel.Join.Through != nil {
		return nil
	}
	return f.Rel.Join
}

func createTable(m *model.Model, d database.Dialect, isLate map[*model.Field]bool) string {
	var lines []string
	for _, f := range m.Fields {
		if f.Column != "" {
			lines = append(lines, columnDef(f, d))
		}
	}
	for _, f := range m.Fields {
		if t := keyTarget(f); t != nil && !isLate[f] {
			lines = append(lines, foreignKey(m.Table, f.Column, t, onDelete(f.Rel.OnDelete)))
		}
	}
	for _, names := range m.Meta.UniqueTogether {
		cols := columnsOf(m, names)
		lines = append(lines, fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)",
			quoteIdent(indexName(m.Table, cols, "_uniq")), quoteIdents(cols)))
	}
	return createTableSQL(m.Table, lines)
}

func createTableSQL(table string, lines []string) string {
	return "CREATE TABLE IF NOT EXISTS " + quoteIdent(table) + " (\n    " +
		strings.Join(lines, ",\n    ") + "\n)"
}

// columnDef renders one column the way Django's schema editor does:
// name, type, NULL/NOT NULL, key or UNIQUE, DEFAULT, CHECK.
func columnDef(f *model.Field, d database.Dialect) string {
	var b strings.Builder
	b.WriteString(quoteIdent(f.Column))
	b.WriteByte(' ')
	b.WriteString(columnType(f, d))
	if f.Type == model.TypeAutoID {
		b.WriteString(autoKey(d))
		return b.String()
	}
	switch {
	case f.PrimaryKey:
		b.WriteString(" NOT NULL PRIMARY KEY")
	case f.Null:
		b.WriteString(" NULL")
	default:
		b.WriteString(" NOT NULL")
	}
	if !f.PrimaryKey && (f.Unique || f.Type == model.TypeOneToOne) {
		b.WriteString(" UNIQUE")
	}
	if def, ok := defaultSQL(f, d); ok {
		b.WriteString(" DEFAULT ")
		b.WriteString(def)
	}
	if c := checkSQL(f, d); c != "" {
		b.WriteString(" CHECK (")
		b.WriteString(c)
		b.WriteString(")")
	}
	return b.String()
}

// autoKey completes the definition of a 64-bit auto-increment primary key.
func autoKey(d database.Dialect) string {
	if d == database.Postgres {
		return " NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY"
	}
	return " NOT NULL PRIMARY KEY AUTOINCREMENT"
}

// columnType is the declared column type of f on d. A key column takes the
// type of the primary key it references.
func columnType(f *model.Field, d database.Dialect) string {
	if t := keyTarget(f); t != nil {
		return refType(t.PK, d)
	}
	return baseType(f, d)
}

// refType is the type of a column referencing primary key pk.
func refType(pk *model.Field, d database.Dialect) string {
	if pk.Type == model.TypeAutoID {
		return "bigint"
	}
	if t := keyTarget(pk); t != nil && t.PK != pk {
		return refType(t.PK, d)
	}
	return baseType(pk, d)
}

// defaultMaxLength is Django's max_length for field types that have one.
var defaultMaxLength = map[model.FieldType]int{
	model.TypeSlug:  50,
	model.TypeEmail: 254,
	model.TypeURL:   200,
}

func baseType(f *model.Field, d database.Dialect) string {
	pg := d == database.Postgres
	switch f.Type {
	case model.TypeString, model.TypeSlug, model.TypeEmail, model.TypeURL:
		n := f.MaxLength
		if n == 0 {
			n = defaultMaxLength[f.Type]
		}
		if n == 0 {
			return "text"
		}
		return fmt.Sprintf("varchar(%d)", n)
	case model.TypeText:
		return "text"
	case model.TypeInteger, model.TypePositiveInteger:
		return "integer"
	case model.TypeSmallInteger:
		return "smallint"
	case model.TypeBigInteger:
		return "bigint"
	case model.TypeAutoID:
		if pg {
			return "bigint"
		}
		// AUTOINCREMENT is only allowed on exactly INTEGER PRIMARY KEY
		// (the 64-bit rowid).
		return "integer"
	case model.TypeFloat:
		if pg {
			return "double precision"
		}
		return "real"
	case model.TypeDecimal:
		if !pg {
			// Text affinity: SQLite would turn a NUMERIC value into a
			// float and lose digits; text keeps the exact decimal string.
			return "text"
		}
		if f.MaxDigits == 0 {
			return "numeric"
		}
		return fmt.Sprintf("numeric(%d, %d)", f.MaxDigits, f.DecimalPlaces)
	case model.TypeBoolean:
		if pg {
			return "boolean"
		}
		return "bool"
	case model.TypeDate:
		return "date"
	case model.TypeDateTime:
		if pg {
			return "timestamp with time zone"
		}
		return "datetime"
	case model.TypeTime:
		return "time"
	case model.TypeDuration:
		if pg {
			return "interval"
		}
		return "bigint"
	case model.TypeUUID:
		if pg {
			return "uuid"
		}
		return "char(36)"
	case model.TypeJSON:
		if pg {
			return "jsonb"
		}
		return "text"
	}
	return "text"
}

// checkSQL returns the CHECK condition a column carries, or "".
func checkSQL(f *model.Field, d database.Dialect) string {
	col := quoteIdent(f.Column)
	switch {
	case f.Type == model.TypePositiveInteger:
		return col + " >= 0"
	case f.Type == model.TypeBoolean && d == database.SQLite:
		return col + " IN (0, 1)"
	case f.Type == model.TypeJSON && d == database.SQLite:
		return "json_valid(" + col + ")"
	}
	return ""
}

// defaultSQL renders a literal default as SQL. Special defaults ("now",
// "uuid4") and values the dialect cannot encode have none.
func defaultSQL(f *model.Field, d database.Dialect) (string, bool) {
	if f.Default == nil || f.Default.Special != "" || f.Default.Value == nil {
		return "", false
	}
	kind := f.ValueKind()
	v, err := d.Encode(kind, f.Default.Value)
	if err != nil {
		return "", false
	}
	return literal(v, kind)
}

// literal renders a driver value produced by database.Dialect.Encode.
func literal(v any, kind model.Kind) (string, bool) {
	switch x := v.(type) {
	case string:
		return quoteString(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		if x {
			return "TRUE", true
		}
		return "FALSE", true
	case time.Time:
		if kind == model.KindDate {
			return quoteString(x.Format(time.DateOnly)), true
		}
		return quoteString(x.UTC().Format("2006-01-02 15:04:05.999999-07:00")), true
	case time.Duration:
		return quoteString(strconv.FormatInt(x.Microseconds(), 10) + " microseconds"), true
	}
	return "", false
}

// onDelete maps on_delete to the referential action. protect and do_nothing
// are NO ACTION: Django refuses a protected delete in the application, and
// the deferred constraint still refuses a dangling reference at commit.
func onDelete(o model.OnDelete) string {
	switch o {
	case model.Cascade:
		return "CASCADE"
	case model.SetNull:
		return "SET NULL"
	case model.SetDefault:
		return "SET DEFAULT"
	case model.Restrict:
		return "RESTRICT"
	}
	return "NO ACTION"
}

// foreignKey renders a named, deferred foreign key table constraint.
func foreignKey(table, column string, target *model.Model, action string) string {
	name := indexName(table, []string{column}, "_fk_"+target.Table+"_"+target.PK.Column)
	return fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s DEFERRABLE INITIALLY DEFERRED",
		quoteIdent(name), quoteIdent(column), quoteIdent(target.Table), quoteIdent(target.PK.Column), action)
}

// addForeignKey adds a key left out of CREATE TABLE (PostgreSQL, cycles
// only), guarded so that running it twice is harmless.
func addForeignKey(f *model.Field) string {
	m := f.Model
	t := keyTarget(f)
	name := indexName(m.Table, []string{f.Column}, "_fk_"+t.Table+"_"+t.PK.Column)
	return fmt.Sprintf(`DO $autogql$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s) THEN
        ALTER TABLE %s ADD %s;
    END IF;
END
$autogql$`, quoteString(quoteIdent(m.Table)), quoteString(name), quoteIdent(m.Table),
		foreignKey(m.Table, f.Column, t, onDelete(f.Rel.OnDelete)))
}

// createIndexes returns the indexes of a model's table: one per key column
// and per db_index field (unless a unique constraint already indexes it),
// then meta.indexes. A leading "-" on a field in meta.indexes sorts it
// descending.
func createIndexes(m *model.Model) []string {
	var stmts []string
	for _, f := range m.Fields {
		if f.Column == "" || f.PrimaryKey || f.Unique || f.Type == model.TypeOneToOne {
			continue
		}
		if keyTarget(f) != nil || f.DBIndex {
			stmts = append(stmts, createIndex(m.Table, []string{f.Column}, nil, ""))
		}
	}
	for _, names := range m.Meta.Indexes {
		cols := make([]string, len(names))
		desc := make([]bool, len(names))
		for i, n := range names {
			desc[i] = strings.HasPrefix(n, "-")
			cols[i] = columnsOf(m, []string{strings.TrimPrefix(n, "-")})[0]
		}
		stmts = append(stmts, createIndex(m.Table, cols, desc, "_idx"))
	}
	return stmts
}

func createIndex(table string, cols []string, desc []bool, suffix string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quoteIdent(c)
		if i < len(desc) && desc[i] {
			parts[i] += " DESC"
		}
	}
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
		quoteIdent(indexName(table, cols, suffix)), quoteIdent(table), strings.Join(parts, ", "))
}

// columnsOf maps field names to column names; a name that is not a field is
// taken as a column name (the models loader has already validated both).
func columnsOf(m *model.Model, names []string) []string {
	cols := make([]string, len(names))
	for i, n := range names {
		cols[i] = n
		if f := m.Field(n); f != nil && f.Column != "" {
			cols[i] = f.Column
		}
	}
	return cols
}

// createJoinTable creates the table linking a many_to_many field's model
// to its target, with a unique pair and an index per side. Deleting either
// row deletes the link.
func createJoinTable(f *model.Field, j *model.JoinTable, d database.Dialect) []string {
	src, dst := f.Model, f.Rel.Target
	var lines []string
	if j.HasID {
		lines = append(lines, quoteIdent("id")+" "+baseType(&model.Field{Type: model.TypeAutoID}, d)+autoKey(d))
	}
	pair := []string{j.SourceColumn, j.TargetColumn}
	lines = append(lines,
		quoteIdent(j.SourceColumn)+" "+refType(src.PK, d)+" NOT NULL",
		quoteIdent(j.TargetColumn)+" "+refType(dst.PK, d)+" NOT NULL",
	)
	if j.HasID {
		lines = append(lines, fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)",
			quoteIdent(indexName(j.Table, pair, "_uniq")), quoteIdents(pair)))
	} else {
		lines = append(lines, fmt.Sprintf("PRIMARY KEY (%s)", quoteIdents(pair)))
	}
	lines = append(lines,
		foreignKey(j.Table, j.SourceColumn, src, "CASCADE"),
		foreignKey(j.Table, j.TargetColumn, dst, "CASCADE"),
	)
	stmts := []string{createTableSQL(j.Table, lines)}
	if j.HasID {
		// As Django does: one index per side besides the unique pair.
		// Without an id the primary key (source first) serves the source.
		stmts = append(stmts, createIndex(j.Table, []string{j.SourceColumn}, nil, ""))
	}
	stmts = append(stmts, createIndex(j.Table, []string{j.TargetColumn}, nil, ""))
	return stmts
}
