package migrate

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// Renames are the renames a diff makes instead of a drop and an add: the
// tables and columns the models say were renamed (renamed_from). Renames
// are never guessed.
type Renames struct {
	// Tables maps an old table name to its new name.
	Tables map[string]string
	// Columns maps a (new) table name to its old → new column names.
	Columns map[string]map[string]string
}

func (r *Renames) column(table, from, to string) {
	if r.Columns == nil {
		r.Columns = map[string]map[string]string{}
	}
	if r.Columns[table] == nil {
		r.Columns[table] = map[string]string{}
	}
	r.Columns[table][from] = to
}

// ErrUnsupportedChange is returned by Diff for a change it cannot make
// safely (a primary key's type, say); such a migration is written by hand.
var ErrUnsupportedChange = errors.New("unsupported schema change")

// Diff returns the operations that turn state from into state to, in an
// order each dialect can run: renames first, then drops of what goes away,
// then creations, column changes and new keys. Each operation carries its
// phase, its destructive notes and its SQL on both dialects.
func Diff(from, to *State, rn Renames) ([]*Operation, error) {
	df := &differ{cur: from.Clone()}
	if err := df.diff(to, rn); err != nil {
		return nil, err
	}
	if err := renderOps(df.ops, from); err != nil {
		return nil, err
	}
	return df.ops, nil
}

type differ struct {
	cur *State
	ops []*Operation
	// fresh holds the "table.column"s this diff creates: a key on them
	// binds no row an older instance writes.
	fresh map[string]bool
}

func (df *differ) emit(op *Operation) error {
	after := df.cur.Clone()
	if err := op.ApplyTo(after); err != nil {
		return err
	}
	op.classify(df.cur, after)
	if df.fresh == nil {
		df.fresh = map[string]bool{}
	}
	switch op.Op {
	case OpCreateTable:
		for _, c := range op.Definition.Columns {
			df.fresh[op.Table+"."+c.Name] = true
		}
	case OpAddColumn:
		df.fresh[op.Table+"."+op.Column.Name] = true
	case OpAddConstraint:
		if !slices.ContainsFunc(op.Constraint.Columns, func(c string) bool { return !df.fresh[op.Table+"."+c] }) {
			op.Phase = PhaseExpand
		}
	}
	df.ops = append(df.ops, op)
	df.cur = after
	return nil
}

func (df *differ) diff(to *State, rn Renames) error {
	for _, old := range slices.Sorted(maps.Keys(rn.Tables)) {
		nw := rn.Tables[old]
		if df.cur.Table(old) != nil && df.cur.Table(nw) == nil && to.Table(nw) != nil {
			if err := df.emit(&Operation{Op: OpRenameTable, Table: old, From: old, To: nw}); err != nil {
				return err
			}
		}
	}
	for _, want := range to.Tables {
		t := df.cur.Table(want.Name)
		if t == nil {
			continue
		}
		cols := rn.Columns[want.Name]
		for _, old := range slices.Sorted(maps.Keys(cols)) {
			nw := cols[old]
			if t.Column(old) != nil && t.Column(nw) == nil && want.Column(nw) != nil {
				if err := df.emit(&Operation{Op: OpRenameColumn, Table: want.Name, From: old, To: nw}); err != nil {
					return err
				}
				t = df.cur.Table(want.Name)
			}
		}
	}

	// Keys and indexes that go away, on the tables that stay.
	for _, want := range to.Tables {
		t := df.cur.Table(want.Name)
		if t == nil {
			continue
		}
		for _, k := range slices.Clone(t.Constraints) {
			if !slices.ContainsFunc(want.Constraints, func(w *Constraint) bool { return w.key() == k.key() }) {
				if err := df.emit(&Operation{Op: OpDropConstraint, Table: t.Name, Constraint: k}); err != nil {
					return err
				}
			}
		}
		for _, x := range slices.Clone(t.Indexes) {
			if !slices.ContainsFunc(want.Indexes, func(w *Index) bool { return w.key() == x.key() }) {
				if err := df.emit(&Operation{Op: OpDropIndex, Table: t.Name, Index: x}); err != nil {
					return err
				}
			}
		}
	}
	if err := df.dropTables(to); err != nil {
		return err
	}

	// New tables, in the order the models want them (a key's target
	// first); a key to a table created later is added once both exist.
	var late []*Operation
	for _, want := range to.Tables {
		if df.cur.Table(want.Name) != nil {
			continue
		}
		def := want.Clone()
		var keep []*Constraint
		for _, k := range def.Constraints {
			if k.Type == ConstraintForeignKey && k.RefTable != def.Name && df.cur.Table(k.RefTable) == nil {
				late = append(late, &Operation{Op: OpAddConstraint, Table: def.Name, Constraint: k})
				continue
			}
			keep = append(keep, k)
		}
		def.Constraints = keep
		if err := df.checkNames(def); err != nil {
			return err
		}
		if err := df.emit(&Operation{Op: OpCreateTable, Table: def.Name, Definition: def}); err != nil {
			return err
		}
	}

	for _, want := range to.Tables {
		t := df.cur.Table(want.Name)
		if t == nil || slices.ContainsFunc(df.ops, func(op *Operation) bool { return op.Op == OpCreateTable && op.Table == want.Name }) {
			continue
		}
		if err := df.columns(t, want); err != nil {
			return err
		}
		t = df.cur.Table(want.Name)
		for _, k := range want.Constraints {
			if !slices.ContainsFunc(t.Constraints, func(c *Constraint) bool { return c.key() == k.key() }) {
				if err := df.emit(&Operation{Op: OpAddConstraint, Table: t.Name, Constraint: k}); err != nil {
					return err
				}
			}
		}
		for _, x := range want.Indexes {
			if !slices.ContainsFunc(t.Indexes, func(c *Index) bool { return c.key() == x.key() }) {
				if err := df.emit(&Operation{Op: OpAddIndex, Table: t.Name, Index: x}); err != nil {
					return err
				}
			}
		}
	}
	for _, op := range late {
		if err := df.emit(op); err != nil {
			return err
		}
	}
	return nil
}

// dropTables drops the tables to does not have, referencing tables first;
// keys that close a cycle among them are dropped before.
func (df *differ) dropTables(to *State) error {
	var gone []*Table
	for _, t := range df.cur.Tables {
		if to.Table(t.Name) == nil {
			gone = append(gone, t)
		}
	}
	isGone := func(name string) bool {
		return slices.ContainsFunc(gone, func(t *Table) bool { return t.Name == name })
	}
	for len(gone) > 0 {
		// A table no other table still to be dropped references.
		pick := -1
		for i, t := range gone {
			referenced := false
			for _, o := range gone {
				if o != t && slices.ContainsFunc(o.Constraints, func(k *Constraint) bool {
					return k.Type == ConstraintForeignKey && k.RefTable == t.Name
				}) {
					referenced = true
					break
				}
			}
			if !referenced {
				pick = i
				break
			}
		}
		if pick < 0 {
			// A cycle: drop the first table's keys to the others.
			t := df.cur.Table(gone[0].Name)
			for _, k := range slices.Clone(t.Constraints) {
				if k.Type == ConstraintForeignKey && k.RefTable != t.Name && isGone(k.RefTable) {
					if err := df.emit(&Operation{Op: OpDropConstraint, Table: t.Name, Constraint: k}); err != nil {
						return err
					}
				}
			}
			gone[0] = df.cur.Table(t.Name)
			continue
		}
		t := gone[pick]
		if err := df.emit(&Operation{Op: OpDropTable, Table: t.Name, Definition: t.Clone()}); err != nil {
			return err
		}
		gone = slices.Delete(gone, pick, pick+1)
	}
	return nil
}

// columns emits the column drops, additions and changes that turn t into
// want.
func (df *differ) columns(t, want *Table) error {
	for _, c := range slices.Clone(t.Columns) {
		if want.Column(c.Name) == nil {
			if c.PrimaryKey {
				return fmt.Errorf("%w: %s.%s is the primary key and the models drop it; write this migration by hand", ErrUnsupportedChange, t.Name, c.Name)
			}
			if err := df.emit(&Operation{Op: OpDropColumn, Table: t.Name, Column: c.Clone()}); err != nil {
				return err
			}
		}
	}
	for _, c := range want.Columns {
		have := df.cur.Table(t.Name).Column(c.Name)
		switch {
		case have == nil:
			if c.PrimaryKey {
				return fmt.Errorf("%w: %s.%s is a new primary key; write this migration by hand", ErrUnsupportedChange, t.Name, c.Name)
			}
			if err := df.emit(&Operation{Op: OpAddColumn, Table: t.Name, Column: c.Clone()}); err != nil {
				return err
			}
		case !sameColumn(have, c):
			if have.PrimaryKey != c.PrimaryKey || (have.Type == TypeAuto) != (c.Type == TypeAuto) ||
				c.PrimaryKey && have.SQLTypeFor(database.Postgres) != c.SQLTypeFor(database.Postgres) {
				return fmt.Errorf("%w: the primary key %s.%s changes (%s to %s); write this migration by hand",
					ErrUnsupportedChange, t.Name, c.Name, describeType(have), describeType(c))
			}
			if err := df.emit(&Operation{Op: OpAlterColumn, Table: t.Name, Column: c.Clone(), Was: have.Clone()}); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkNames refuses a new table whose index or constraint names another
// table already uses: PostgreSQL names are per schema, and CREATE INDEX IF
// NOT EXISTS would silently skip it. (A renamed table keeps its old index
// names, as in Django, so a new table taking the old name collides.)
func (df *differ) checkNames(def *Table) error {
	used := map[string]string{}
	for _, t := range df.cur.Tables {
		for _, x := range t.Indexes {
			used[x.Name] = t.Name
		}
		for _, k := range t.Constraints {
			if k.Name != "" {
				used[k.Name] = t.Name
			}
		}
	}
	for _, x := range def.Indexes {
		if other, ok := used[x.Name]; ok {
			return fmt.Errorf("%w: index %s of new table %s is already an index of %s (a renamed table keeps its index names); rename that index by hand first", ErrUnsupportedChange, x.Name, def.Name, other)
		}
	}
	return nil
}

// renderOps fills in the SQL of each operation on both dialects, each
// rendered against the state the operations before it leave.
func renderOps(ops []*Operation, before *State) error {
	for _, d := range []database.Dialect{database.Postgres, database.SQLite} {
		folded := map[*Operation][]*Constraint{}
		isFolded := map[*Constraint]bool{}
		if d == database.SQLite {
			// SQLite checks a reference when a row is written, so a key
			// to a table created later in the same migration stays in
			// CREATE TABLE (as CreateStatements has it), not in a rebuild.
			for i, op := range ops {
				if op.Op != OpAddConstraint || op.Constraint.Type != ConstraintForeignKey {
					continue
				}
				for _, c := range ops[:i] {
					if c.Op == OpCreateTable && c.Table == op.Table {
						folded[c] = append(folded[c], op.Constraint)
						isFolded[op.Constraint] = true
					}
				}
			}
		}
		st := before.Clone()
		for _, op := range ops {
			var fold []*Constraint
			switch {
			case op.Op == OpCreateTable:
				fold = folded[op]
			case op.Op == OpAddConstraint && isFolded[op.Constraint]:
				fold = []*Constraint{op.Constraint}
			}
			up, err := op.render(st, d, fold)
			if err != nil {
				return err
			}
			after := st.Clone()
			if err := op.ApplyTo(after); err != nil {
				return err
			}
			var down []string
			if !(op.Op == OpAddConstraint && isFolded[op.Constraint]) {
				inv := op.inverse()
				if down, err = inv.render(after, d, nil); err != nil {
					return err
				}
			}
			op.setSQL(d, SQL{Up: up, Down: down})
			st = after
		}
	}
	return nil
}

// RenamesFor derives the renames of s's renamed_from hints against the
// state old: a renamed model's table (default names only: an explicit
// meta.db_table is taken as unchanged), the join tables and join columns
// of many_to_many fields whose model, target or name changed, and renamed
// columns. A hint whose rename is already in old (the new name exists) is
// ignored, so hints may stay in the models file after the migration.
func RenamesFor(s *model.Schema, old *State) Renames {
	var rn Renames
	oldName := func(m *model.Model) string {
		if m.Meta.RenamedFrom != "" {
			return m.Meta.RenamedFrom
		}
		return m.Name
	}
	oldTable := func(m *model.Model) string {
		if m.Meta.RenamedFrom == "" || m.Meta.DBTable != "" {
			return m.Table
		}
		t := strings.ToLower(m.Meta.RenamedFrom)
		if s.App != "" {
			t = s.App + "_" + t
		}
		return t
	}
	tableRename := func(from, to string) {
		if from == to || old.Table(from) == nil || old.Table(to) != nil {
			return
		}
		if rn.Tables == nil {
			rn.Tables = map[string]string{}
		}
		rn.Tables[from] = to
	}
	for _, m := range s.Models {
		tableRename(oldTable(m), m.Table)
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			if f.RenamedFrom == "" || f.Type == model.TypeManyToMany || f.Column == "" {
				continue
			}
			from := f.RenamedFrom
			if f.Type == model.TypeForeignKey || f.Type == model.TypeOneToOne {
				from += "_id"
			}
			if from != f.Column {
				rn.column(m.Table, from, f.Column)
			}
		}
		for _, f := range m.Fields {
			j := joinOf(f)
			if j == nil {
				continue
			}
			target := f.Rel.Target
			table := j.Table
			if j.Table == m.Table+"_"+f.Name { // the default name
				field := f.Name
				if f.RenamedFrom != "" {
					field = f.RenamedFrom
				}
				table = oldTable(m) + "_" + field
			}
			tableRename(table, j.Table)
			src, dst := strings.ToLower(oldName(m)), strings.ToLower(oldName(target))
			var oldSrc, oldDst string
			if m == target {
				oldSrc, oldDst = "from_"+src+"_id", "to_"+dst+"_id"
			} else {
				oldSrc, oldDst = src+"_id", dst+"_id"
			}
			if oldSrc != j.SourceColumn {
				rn.column(j.Table, oldSrc, j.SourceColumn)
			}
			if oldDst != j.TargetColumn {
				rn.column(j.Table, oldDst, j.TargetColumn)
			}
		}
	}
	return rn
}
