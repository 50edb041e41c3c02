package migrate

import (
	"fmt"
	"slices"

	"github.com/autogql/autogql/internal/database"
)

// Operation kinds.
const (
	OpCreateTable    = "create_table"
	OpDropTable      = "drop_table"
	OpRenameTable    = "rename_table"
	OpAddColumn      = "add_column"
	OpDropColumn     = "drop_column"
	OpAlterColumn    = "alter_column"
	OpRenameColumn   = "rename_column"
	OpAddIndex       = "add_index"
	OpDropIndex      = "drop_index"
	OpAddConstraint  = "add_constraint"
	OpDropConstraint = "drop_constraint"
)

// Phases of an operation (expand/contract). An expand operation is safe
// while instances built for the previous models still serve (they neither
// read nor write what it adds); a contract operation is not (it removes or
// renames what they use, or adds a rule their writes may break), so a
// rolling deploy applies it once they are gone.
const (
	PhaseExpand   = "expand"
	PhaseContract = "contract"
)

// Operation is one step of a migration, with the SQL that makes it and the
// SQL that undoes it on each dialect. Which payload is set depends on Op:
//
//	create_table     Definition (the whole table)
//	drop_table       Definition (the table dropped, for review)
//	rename_table     From, To
//	add_column       Column
//	drop_column      Column (the column dropped)
//	alter_column     Column (new definition), Was (old definition)
//	rename_column    From, To
//	add_index        Index;  drop_index Index (the index dropped)
//	add_constraint   Constraint;  drop_constraint Constraint (the one dropped)
//
// Replaying the operations of every migration file rebuilds the state the
// files have made (ReplayState); the SQL is only run, never re-derived, so
// what was reviewed is what runs.
type Operation struct {
	Op    string `yaml:"op"`
	Table string `yaml:"table"`
	Phase string `yaml:"phase"`
	// Destructive says why the operation loses data (drops, narrowing);
	// migrate apply refuses it without --allow-destructive.
	Destructive string `yaml:"destructive,omitempty"`
	// DestructiveIfRows says what the operation does to existing rows
	// (a NOT NULL column without a default gets the type's zero value);
	// migrate apply refuses it on a table with rows without
	// --allow-destructive.
	DestructiveIfRows string `yaml:"destructive_if_rows,omitempty"`
	// DownDestructive says why undoing the operation loses data; migrate
	// rollback refuses it without --allow-destructive.
	DownDestructive string `yaml:"down_destructive,omitempty"`

	From       string      `yaml:"from,omitempty"`
	To         string      `yaml:"to,omitempty"`
	Definition *Table      `yaml:"definition,omitempty"`
	Column     *Column     `yaml:"column,omitempty"`
	Was        *Column     `yaml:"was,omitempty"`
	Index      *Index      `yaml:"index,omitempty"`
	Constraint *Constraint `yaml:"constraint,omitempty"`

	Postgres SQL `yaml:"postgres"`
	SQLite   SQL `yaml:"sqlite"`
}

// SQL is an operation's statements on one dialect: Up makes the change,
// Down undoes it. Each statement is run on its own, in order.
type SQL struct {
	Up   []string `yaml:"up,omitempty"`
	Down []string `yaml:"down,omitempty"`
}

// SQLFor returns the operation's statements on d.
func (op *Operation) SQLFor(d database.Dialect) SQL {
	if d == database.Postgres {
		return op.Postgres
	}
	return op.SQLite
}

func (op *Operation) setSQL(d database.Dialect, s SQL) {
	if d == database.Postgres {
		op.Postgres = s
	} else {
		op.SQLite = s
	}
}

// Describe is a short human name for the operation ("add_column
// blog_post.subtitle"), used in messages and migration names.
func (op *Operation) Describe() string {
	switch op.Op {
	case OpRenameTable:
		return fmt.Sprintf("%s %s to %s", op.Op, op.From, op.To)
	case OpRenameColumn:
		return fmt.Sprintf("%s %s.%s to %s", op.Op, op.Table, op.From, op.To)
	case OpAddColumn, OpDropColumn, OpAlterColumn:
		return fmt.Sprintf("%s %s.%s", op.Op, op.Table, op.Column.Name)
	case OpAddIndex, OpDropIndex:
		return fmt.Sprintf("%s %s on %s", op.Op, op.Index.Name, op.Table)
	case OpAddConstraint, OpDropConstraint:
		name := op.Constraint.Name
		if name == "" {
			name = op.Constraint.Type
		}
		return fmt.Sprintf("%s %s on %s", op.Op, name, op.Table)
	}
	return op.Op + " " + op.Table
}

// inverse returns the operation that undoes op (payloads only).
func (op *Operation) inverse() *Operation {
	inv := &Operation{Table: op.Table, Definition: op.Definition, Column: op.Column, Index: op.Index, Constraint: op.Constraint}
	switch op.Op {
	case OpCreateTable:
		inv.Op = OpDropTable
	case OpDropTable:
		inv.Op = OpCreateTable
	case OpRenameTable:
		inv.Op, inv.Table, inv.From, inv.To = OpRenameTable, op.To, op.To, op.From
	case OpAddColumn:
		inv.Op = OpDropColumn
	case OpDropColumn:
		inv.Op = OpAddColumn
	case OpAlterColumn:
		inv.Op, inv.Column, inv.Was = OpAlterColumn, op.Was, op.Column
	case OpRenameColumn:
		inv.Op, inv.From, inv.To = OpRenameColumn, op.To, op.From
	case OpAddIndex:
		inv.Op = OpDropIndex
	case OpDropIndex:
		inv.Op = OpAddIndex
	case OpAddConstraint:
		inv.Op = OpDropConstraint
	case OpDropConstraint:
		inv.Op = OpAddConstraint
	}
	return inv
}

// ApplyTo changes st as the operation changes the database. It fails when
// the operation does not fit the state (a hand-edited or out-of-order
// file).
func (op *Operation) ApplyTo(st *State) error {
	if op.Op == OpCreateTable {
		if op.Definition == nil || op.Definition.Name != op.Table {
			return fmt.Errorf("%s: definition missing or named differently", op.Describe())
		}
		if st.Table(op.Table) != nil {
			return fmt.Errorf("%s: table exists already", op.Describe())
		}
		st.Tables = append(st.Tables, op.Definition.Clone())
		return nil
	}
	t := st.Table(op.Table)
	if t == nil {
		return fmt.Errorf("%s: no table %s", op.Describe(), op.Table)
	}
	switch op.Op {
	case OpDropTable:
		st.Tables = slices.DeleteFunc(st.Tables, func(x *Table) bool { return x == t })
	case OpRenameTable:
		if st.Table(op.To) != nil {
			return fmt.Errorf("%s: table %s exists already", op.Describe(), op.To)
		}
		t.Name = op.To
		for _, x := range st.Tables {
			for _, k := range x.Constraints {
				if k.RefTable == op.From {
					k.RefTable = op.To
				}
			}
		}
	case OpAddColumn:
		if op.Column == nil || t.Column(op.Column.Name) != nil {
			return fmt.Errorf("%s: column missing or exists already", op.Describe())
		}
		t.Columns = append(t.Columns, op.Column.Clone())
	case OpDropColumn:
		i := t.columnIndex(op.Column.Name)
		if i < 0 {
			return fmt.Errorf("%s: no such column", op.Describe())
		}
		name := op.Column.Name
		t.Columns = slices.Delete(t.Columns, i, i+1)
		t.Indexes = slices.DeleteFunc(t.Indexes, func(x *Index) bool { return x.uses(name) })
		t.Constraints = slices.DeleteFunc(t.Constraints, func(k *Constraint) bool { return k.uses(name) })
	case OpAlterColumn:
		i := t.columnIndex(op.Column.Name)
		if i < 0 {
			return fmt.Errorf("%s: no such column", op.Describe())
		}
		t.Columns[i] = op.Column.Clone()
	case OpRenameColumn:
		c := t.Column(op.From)
		if c == nil || t.Column(op.To) != nil {
			return fmt.Errorf("%s: no column %s, or %s exists already", op.Describe(), op.From, op.To)
		}
		c.Name = op.To
		for _, x := range t.Indexes {
			for i, col := range x.Columns {
				if n, desc := indexColumn(col); n == op.From {
					x.Columns[i] = op.To
					if desc {
						x.Columns[i] = "-" + op.To
					}
				}
			}
		}
		for _, k := range t.Constraints {
			for i, col := range k.Columns {
				if col == op.From {
					k.Columns[i] = op.To
				}
			}
		}
		for _, x := range st.Tables {
			for _, k := range x.Constraints {
				if k.RefTable == t.Name && k.RefColumn == op.From {
					k.RefColumn = op.To
				}
			}
		}
	case OpAddIndex:
		if op.Index == nil {
			return fmt.Errorf("%s: index missing", op.Describe())
		}
		t.Indexes = append(t.Indexes, &Index{Name: op.Index.Name, Columns: slices.Clone(op.Index.Columns)})
	case OpDropIndex:
		n := len(t.Indexes)
		t.Indexes = slices.DeleteFunc(t.Indexes, func(x *Index) bool { return x.Name == op.Index.Name })
		if len(t.Indexes) == n {
			return fmt.Errorf("%s: no such index", op.Describe())
		}
	case OpAddConstraint:
		if op.Constraint == nil {
			return fmt.Errorf("%s: constraint missing", op.Describe())
		}
		k := *op.Constraint
		k.Columns = slices.Clone(k.Columns)
		t.Constraints = append(t.Constraints, &k)
	case OpDropConstraint:
		n := len(t.Constraints)
		key := op.Constraint.key()
		t.Constraints = slices.DeleteFunc(t.Constraints, func(k *Constraint) bool {
			if op.Constraint.Name != "" && k.Name != "" {
				return k.Name == op.Constraint.Name
			}
			return k.key() == key
		})
		if len(t.Constraints) == n {
			return fmt.Errorf("%s: no such constraint", op.Describe())
		}
	default:
		return fmt.Errorf("unknown operation %q", op.Op)
	}
	return nil
}

// classify sets the phase and destructive notes of op, given the state
// before it (before) and after it (after).
func (op *Operation) classify(before, after *State) {
	op.Phase, op.Destructive, op.DestructiveIfRows = effect(op, before)
	_, op.DownDestructive, _ = effect(op.inverse(), after)
}

// effect classifies one operation against the state before it.
func effect(op *Operation, before *State) (phase, destructive, ifRows string) {
	switch op.Op {
	case OpCreateTable, OpAddIndex:
		return PhaseExpand, "", ""
	case OpDropTable:
		return PhaseContract, "drops table " + op.Table + " and its rows", ""
	case OpRenameTable, OpRenameColumn, OpDropIndex:
		return PhaseContract, "", ""
	case OpAddColumn:
		c := op.Column
		if c.Unique || c.PrimaryKey {
			phase = PhaseContract
		} else {
			phase = PhaseExpand
		}
		if !c.Null && c.Default == nil && c.Type != TypeAuto {
			return PhaseContract, "", fmt.Sprintf("adds NOT NULL column %s.%s without a default: existing rows get %s", op.Table, c.Name, zeroSQL(c, database.Postgres))
		}
		return phase, "", ""
	case OpDropColumn:
		return PhaseContract, fmt.Sprintf("drops column %s.%s and its values", op.Table, op.Column.Name), ""
	case OpAlterColumn:
		return alterEffect(op.Table, op.Was, op.Column)
	case OpAddConstraint:
		return PhaseContract, "", ""
	case OpDropConstraint:
		return PhaseExpand, "", ""
	}
	return PhaseContract, "", ""
}

// alterEffect classifies a column change: widening and relaxing are
// expand steps; narrowing and changing the kind of a type lose data;
// tightening NULL without a default makes values up.
func alterEffect(table string, was, now *Column) (phase, destructive, ifRows string) {
	phase = PhaseExpand
	where := table + "." + now.Name
	if was.Type != now.Type || was.MaxLength != now.MaxLength || was.MaxDigits != now.MaxDigits || was.DecimalPlaces != now.DecimalPlaces {
		if !widens(was, now) {
			phase = PhaseContract
			destructive = fmt.Sprintf("changes %s from %s to %s: values that do not fit are refused or cut", where, describeType(was), describeType(now))
		}
	}
	if was.Null && !now.Null {
		phase = PhaseContract
		if now.Default == nil {
			ifRows = fmt.Sprintf("makes %s NOT NULL without a default: NULLs in existing rows become %s", where, zeroSQL(now, database.Postgres))
		}
	}
	if now.Unique && !was.Unique {
		phase = PhaseContract
	}
	return phase, destructive, ifRows
}

// widens reports whether every value of type was fits type now unchanged.
func widens(was, now *Column) bool {
	rank := map[string]int{TypeSmallInt: 1, TypeInteger: 2, TypePositiveInteger: 2, TypeBigInt: 3}
	switch {
	case was.Type == TypeVarchar && now.Type == TypeVarchar:
		return now.MaxLength >= was.MaxLength
	case was.Type == TypeVarchar && now.Type == TypeText:
		return true
	case was.Type == TypeDecimal && now.Type == TypeDecimal:
		return now.DecimalPlaces >= was.DecimalPlaces && now.MaxDigits-now.DecimalPlaces >= was.MaxDigits-was.DecimalPlaces
	case rank[was.Type] > 0 && rank[now.Type] > 0:
		// positive_integer → integer drops a CHECK: wider. integer →
		// positive_integer adds one: narrower.
		if now.Type == TypePositiveInteger && was.Type != TypePositiveInteger {
			return false
		}
		return rank[now.Type] >= rank[was.Type]
	}
	return false
}

func describeType(c *Column) string {
	switch c.Type {
	case TypeVarchar:
		return fmt.Sprintf("varchar(%d)", c.MaxLength)
	case TypeDecimal:
		return fmt.Sprintf("decimal(%d, %d)", c.MaxDigits, c.DecimalPlaces)
	}
	return c.Type
}

// render returns the statements that make op on d, given the state before
// it. folded lists the constraints SQLite creates inline with their table
// (see renderMigration).
func (op *Operation) render(before *State, d database.Dialect, folded []*Constraint) ([]string, error) {
	pg := d == database.Postgres
	t := before.Table(op.Table)
	table := quoteIdent(op.Table)
	alter := "ALTER TABLE " + table + " "
	switch op.Op {
	case OpCreateTable:
		def := op.Definition
		if len(folded) > 0 {
			def = withFolded(def, folded)
		}
		return createTableStmts(def, def.Name, d, nil), nil
	}
	if t == nil {
		return nil, fmt.Errorf("%s: no table %s", op.Describe(), op.Table)
	}
	after := before.Clone()
	if err := op.ApplyTo(after); err != nil {
		return nil, err
	}
	newT := after.Table(op.Table)
	if op.Op == OpRenameTable {
		newT = after.Table(op.To)
	}
	switch op.Op {
	case OpDropTable:
		return []string{"DROP TABLE " + table}, nil
	case OpRenameTable:
		return []string{alter + "RENAME TO " + quoteIdent(op.To)}, nil
	case OpRenameColumn:
		return []string{alter + "RENAME COLUMN " + quoteIdent(op.From) + " TO " + quoteIdent(op.To)}, nil
	case OpAddIndex:
		return []string{indexSQL(op.Table, op.Index)}, nil
	case OpDropIndex:
		return []string{"DROP INDEX " + quoteIdent(op.Index.Name)}, nil
	case OpAddColumn:
		c := op.Column
		fill := !c.Null && c.Default == nil && c.Type != TypeAuto
		if pg {
			if !fill {
				return []string{alter + "ADD COLUMN " + columnSQL(c, d)}, nil
			}
			// Existing rows get the zero value through a temporary
			// default, which is dropped again: the models declare none.
			tmp := c.Clone()
			tmp.Default = &Default{Postgres: zeroSQL(c, d)}
			return []string{
				alter + "ADD COLUMN " + columnSQL(tmp, d),
				alter + "ALTER COLUMN " + quoteIdent(c.Name) + " DROP DEFAULT",
			}, nil
		}
		if !fill && !c.Unique && !c.PrimaryKey {
			return []string{alter + "ADD COLUMN " + columnSQL(c, d)}, nil
		}
		return rebuildSQL(t, newT, map[string]string{c.Name: fillSQL(c, d)}), nil
	case OpDropColumn:
		c := t.Column(op.Column.Name)
		if pg {
			return []string{alter + "DROP COLUMN " + quoteIdent(c.Name)}, nil
		}
		if !c.Unique && !c.PrimaryKey && !usedByKeys(t, c.Name) {
			return []string{alter + "DROP COLUMN " + quoteIdent(c.Name)}, nil
		}
		return rebuildSQL(t, newT, nil), nil
	case OpAlterColumn:
		was := t.Column(op.Column.Name)
		if pg {
			return alterColumnPG(op.Table, was, op.Column), nil
		}
		exprs := map[string]string{}
		if was.Null && !op.Column.Null {
			exprs[op.Column.Name] = fmt.Sprintf("coalesce(%s, %s)", quoteIdent(was.Name), fillSQL(op.Column, d))
		}
		return rebuildSQL(t, newT, exprs), nil
	case OpAddConstraint:
		k := op.Constraint
		if !pg {
			if slices.Contains(folded, k) {
				return nil, nil // created inline with its table
			}
			return rebuildSQL(t, newT, nil), nil
		}
		switch k.Type {
		case ConstraintForeignKey:
			return []string{addForeignKeySQL(op.Table, k)}, nil
		case ConstraintPrimaryKey:
			return []string{alter + "ADD PRIMARY KEY (" + quoteIdents(k.Columns) + ")"}, nil
		}
		return []string{alter + "ADD " + constraintSQL(k)}, nil
	case OpDropConstraint:
		k := op.Constraint
		if !pg {
			return rebuildSQL(t, newT, nil), nil
		}
		switch {
		case k.Name != "":
			return []string{alter + "DROP CONSTRAINT " + quoteIdent(k.Name)}, nil
		case k.Type == ConstraintUnique:
			return []string{dropUniqueSQL(op.Table, k.Columns)}, nil
		}
		return nil, fmt.Errorf("%s: an unnamed %s constraint cannot be dropped on PostgreSQL", op.Describe(), k.Type)
	}
	return nil, fmt.Errorf("unknown operation %q", op.Op)
}

// usedByKeys reports whether an index or constraint of t uses col.
func usedByKeys(t *Table, col string) bool {
	for _, x := range t.Indexes {
		if x.uses(col) {
			return true
		}
	}
	for _, k := range t.Constraints {
		if k.uses(col) {
			return true
		}
	}
	return false
}

// alterColumnPG changes a column in place on PostgreSQL.
func alterColumnPG(table string, was, now *Column) []string {
	d := database.Postgres
	alter := "ALTER TABLE " + quoteIdent(table) + " ALTER COLUMN " + quoteIdent(now.Name) + " "
	var out []string
	typeChanged := was.SQLTypeFor(d) != now.SQLTypeFor(d)
	defaultChanged := !sameDefault(was.Default, now.Default)
	if typeChanged && was.Default != nil && was.Default.Postgres != "" {
		// The old default may not cast to the new type.
		out = append(out, alter+"DROP DEFAULT")
		defaultChanged = true
	}
	if was.Unique && !now.Unique {
		out = append(out, dropUniqueSQL(table, []string{now.Name}))
	}
	if was.Type == TypePositiveInteger && now.Type != TypePositiveInteger {
		out = append(out, dropCheckSQL(table, now.Name))
	}
	if typeChanged {
		typ := now.SQLTypeFor(d)
		out = append(out, fmt.Sprintf("%sTYPE %s USING %s::%s", alter, typ, quoteIdent(now.Name), typ))
	}
	if now.Type == TypePositiveInteger && was.Type != TypePositiveInteger {
		out = append(out, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s)", quoteIdent(table),
			quoteIdent(indexName(table, []string{now.Name}, "_check")), columnCheck(now, d)))
	}
	if defaultChanged {
		if now.Default != nil && now.Default.Postgres != "" {
			out = append(out, alter+"SET DEFAULT "+now.Default.Postgres)
		} else if !typeChanged || was.Default == nil {
			out = append(out, alter+"DROP DEFAULT")
		}
	}
	switch {
	case was.Null && !now.Null:
		out = append(out,
			fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s IS NULL", quoteIdent(table), quoteIdent(now.Name), fillSQL(now, d), quoteIdent(now.Name)),
			alter+"SET NOT NULL")
	case !was.Null && now.Null:
		out = append(out, alter+"DROP NOT NULL")
	}
	if now.Unique && !was.Unique {
		out = append(out, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (%s)", quoteIdent(table),
			quoteIdent(indexName(table, []string{now.Name}, "_uniq")), quoteIdent(now.Name)))
	}
	return out
}

// dropCheckSQL drops the PostgreSQL CHECK constraints on exactly column
// col, whatever their names (an inline CHECK is named <table>_<col>_check).
func dropCheckSQL(table, col string) string {
	return fmt.Sprintf(`DO $autogql$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT conname FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype = 'c'
          AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = %s::regclass AND attname = %s)]::int2[]
    LOOP
        EXECUTE format('ALTER TABLE %%I DROP CONSTRAINT %%I', %s, r.conname);
    END LOOP;
END
$autogql$`, quoteString(quoteIdent(table)), quoteString(quoteIdent(table)), quoteString(col), quoteString(table))
}

// withFolded returns def with the foreign keys in folded inserted where
// CREATE TABLE lists a model's keys: among its other foreign keys in
// column order, before any unique constraint.
func withFolded(def *Table, folded []*Constraint) *Table {
	out := def.Clone()
	for _, k := range folded {
		col := out.columnIndex(k.Columns[0])
		at := len(out.Constraints)
		for i, x := range out.Constraints {
			if x.Type == ConstraintForeignKey && out.columnIndex(x.Columns[0]) > col || x.Type == ConstraintUnique {
				at = i
				break
			}
		}
		kk := *k
		out.Constraints = slices.Insert(out.Constraints, at, &kk)
	}
	return out
}
