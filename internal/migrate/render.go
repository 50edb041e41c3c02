package migrate

import (
	"fmt"
	"strings"

	"github.com/autogql/autogql/internal/database"
)

// This file renders states as SQL. The texts are exactly those of Django's
// schema editor that CreateStatements has always produced, so a table
// created from a migration file is the table `autogql migrate` created
// before migration files existed.

// columnSQL renders one column definition: name, type, NULL/NOT NULL, key
// or UNIQUE, DEFAULT, CHECK.
func columnSQL(c *Column, d database.Dialect) string {
	var b strings.Builder
	b.WriteString(quoteIdent(c.Name))
	b.WriteByte(' ')
	b.WriteString(c.SQLTypeFor(d))
	if c.Type == TypeAuto {
		b.WriteString(autoKey(d))
		return b.String()
	}
	switch {
	case c.PrimaryKey:
		b.WriteString(" NOT NULL PRIMARY KEY")
	case c.Null:
		b.WriteString(" NULL")
	default:
		b.WriteString(" NOT NULL")
	}
	if c.Unique && !c.PrimaryKey {
		b.WriteString(" UNIQUE")
	}
	if c.Default != nil && c.Default.For(d) != "" {
		b.WriteString(" DEFAULT ")
		b.WriteString(c.Default.For(d))
	}
	if chk := columnCheck(c, d); chk != "" {
		b.WriteString(" CHECK (")
		b.WriteString(chk)
		b.WriteString(")")
	}
	return b.String()
}

// columnCheck is the CHECK condition a column's type carries on d, or "".
func columnCheck(c *Column, d database.Dialect) string {
	col := quoteIdent(c.Name)
	switch {
	case c.Type == TypePositiveInteger:
		return col + " >= 0"
	case c.Type == TypeBoolean && d == database.SQLite:
		return col + " IN (0, 1)"
	case c.Type == TypeJSON && d == database.SQLite:
		return "json_valid(" + col + ")"
	}
	return ""
}

// constraintSQL renders a table constraint as CREATE TABLE lists it.
func constraintSQL(k *Constraint) string {
	switch k.Type {
	case ConstraintForeignKey:
		return fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s) ON DELETE %s DEFERRABLE INITIALLY DEFERRED",
			quoteIdent(k.Name), quoteIdents(k.Columns), quoteIdent(k.RefTable), quoteIdent(k.RefColumn), k.OnDelete)
	case ConstraintPrimaryKey:
		return fmt.Sprintf("PRIMARY KEY (%s)", quoteIdents(k.Columns))
	}
	return fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)", quoteIdent(k.Name), quoteIdents(k.Columns))
}

// createTableStmts renders CREATE TABLE for t under the name name, with
// its constraints except those skip reports, followed by its indexes.
func createTableStmts(t *Table, name string, d database.Dialect, skip func(*Constraint) bool) []string {
	lines := make([]string, 0, len(t.Columns)+len(t.Constraints))
	for _, c := range t.Columns {
		lines = append(lines, columnSQL(c, d))
	}
	for _, k := range t.Constraints {
		if skip == nil || !skip(k) {
			lines = append(lines, constraintSQL(k))
		}
	}
	stmts := []string{createTableSQL(name, lines)}
	for _, x := range t.Indexes {
		stmts = append(stmts, indexSQL(name, x))
	}
	return stmts
}

// indexSQL creates an index, idempotently.
func indexSQL(table string, x *Index) string {
	parts := make([]string, len(x.Columns))
	for i, c := range x.Columns {
		n, desc := indexColumn(c)
		parts[i] = quoteIdent(n)
		if desc {
			parts[i] += " DESC"
		}
	}
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", quoteIdent(x.Name), quoteIdent(table), strings.Join(parts, ", "))
}

// addForeignKeySQL adds a foreign key to an existing PostgreSQL table,
// guarded so that running it twice is harmless.
func addForeignKeySQL(table string, k *Constraint) string {
	return fmt.Sprintf(`DO $autogql$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s) THEN
        ALTER TABLE %s ADD %s;
    END IF;
END
$autogql$`, quoteString(quoteIdent(table)), quoteString(k.Name), quoteIdent(table), constraintSQL(k))
}

// dropUniqueSQL drops the PostgreSQL unique constraints on exactly cols,
// whatever their names: a column declared UNIQUE in CREATE TABLE gets a
// name PostgreSQL chose (<table>_<column>_key).
func dropUniqueSQL(table string, cols []string) string {
	attrs := make([]string, len(cols))
	for i, c := range cols {
		attrs[i] = fmt.Sprintf("(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s)",
			quoteString(quoteIdent(table)), quoteString(c))
	}
	return fmt.Sprintf(`DO $autogql$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT conname FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype = 'u' AND conkey = ARRAY[%s]::int2[]
    LOOP
        EXECUTE format('ALTER TABLE %%I DROP CONSTRAINT %%I', %s, r.conname);
    END LOOP;
END
$autogql$`, quoteString(quoteIdent(table)), strings.Join(attrs, ", "), quoteString(table))
}

// rebuildSQL is SQLite's documented procedure for the table changes ALTER
// TABLE cannot make ("making other kinds of table schema changes"): create
// the new definition under a temporary name, copy the rows, drop the old
// table, rename the new one, and recreate its indexes. exprs gives the
// value of a new column from the old row (default: the column of the same
// name, or the column's default when the old table has none). The caller
// runs it inside a transaction with foreign key enforcement off
// (database.InMigrationTx), which also checks the keys before committing.
func rebuildSQL(old, new *Table, exprs map[string]string) []string {
	tmp := "new__" + new.Name
	create := createTableStmts(new, tmp, database.SQLite, nil)[0]
	var cols, vals []string
	for _, c := range new.Columns {
		e, ok := exprs[c.Name]
		if !ok {
			if old.Column(c.Name) == nil {
				continue // takes its default
			}
			e = quoteIdent(c.Name)
		}
		cols = append(cols, quoteIdent(c.Name))
		vals = append(vals, e)
	}
	out := []string{create}
	if len(cols) > 0 {
		out = append(out, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s",
			quoteIdent(tmp), strings.Join(cols, ", "), strings.Join(vals, ", "), quoteIdent(old.Name)))
	}
	out = append(out,
		"DROP TABLE "+quoteIdent(old.Name),
		fmt.Sprintf("ALTER TABLE %s RENAME TO %s", quoteIdent(tmp), quoteIdent(new.Name)))
	// The indexes were made on the temporary name; CREATE INDEX names the
	// table, so they are made again after the rename instead.
	for _, x := range new.Indexes {
		out = append(out, indexSQL(new.Name, x))
	}
	return out
}

// zeroSQL is the value existing rows get when a NOT NULL column without a
// default is added or tightened: the type's zero value.
func zeroSQL(c *Column, d database.Dialect) string {
	pg := d == database.Postgres
	switch c.Type {
	case TypeVarchar, TypeText:
		return "''"
	case TypeBoolean:
		if pg {
			return "FALSE"
		}
		return "0"
	case TypeDecimal:
		if pg {
			return "0"
		}
		return "'0'"
	case TypeDate:
		return "'1970-01-01'"
	case TypeDateTime:
		if pg {
			return "'1970-01-01 00:00:00+00:00'"
		}
		return "'1970-01-01 00:00:00'"
	case TypeTime:
		return "'00:00:00'"
	case TypeDuration:
		if pg {
			return "'0 microseconds'"
		}
		return "0"
	case TypeUUID:
		return "'00000000-0000-0000-0000-000000000000'"
	case TypeJSON:
		return "'{}'"
	}
	return "0"
}

// fillSQL is what fills NULLs of c: its default, else its zero value.
func fillSQL(c *Column, d database.Dialect) string {
	if c.Default != nil && c.Default.For(d) != "" {
		return c.Default.For(d)
	}
	return zeroSQL(c, d)
}
