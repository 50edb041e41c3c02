package write

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// column is one column value of an INSERT or UPDATE.
type column struct {
	f *model.Field
	v any
}

// pending are the relation writes done after the row itself exists.
type pending struct {
	sets    []linkWrite
	nested  []nestedWrite
	changed bool
}

type linkWrite struct {
	in   *gqlschema.InputField
	keys []any
}

type nestedWrite struct {
	in    *gqlschema.InputField
	items []any
	path  string
}

// columns validates the column inputs of in (create or update input of m)
// and creates nested foreign-key targets. It returns the columns to write
// and the relation writes to do afterwards.
func (s *session) columns(m *model.Model, spec *gqlschema.Input, in map[string]any, path string, wg *plan.WriteGrant) ([]column, pending, map[*model.Field]bool, error) {
	var cols []column
	var after pending
	// given holds the fields the input names, valid or not, so that an
	// invalid value is not also reported as missing.
	given := map[*model.Field]bool{}
	for _, inf := range spec.Order {
		v, present := in[inf.Name]
		if !present {
			continue
		}
		p := path + inf.Name
		if !s.writable(m, inf, wg, p) {
			if inf.Field != nil {
				given[inf.Field] = true
			}
			continue
		}
		switch inf.Kind {
		case gqlschema.InputColumn:
			f := inf.Field
			if given[f] {
				s.fail(p, "conflict", "Give %s or %s, not both.", s.w.g.Name(f.Name), s.w.g.Name("nested_"+f.Name))
				continue
			}
			given[f] = true
			if v == nil {
				if !f.Null {
					s.fail(p, "null", "This field cannot be null.")
				}
				cols = append(cols, column{f, nil})
				continue
			}
			enc, errs := value(s.w.d, f, v, p)
			s.errs = append(s.errs, errs...)
			if len(errs) > 0 {
				continue
			}
			if f.Rel != nil {
				ok, err := s.exists(f.Rel.Target, enc)
				if err != nil {
					return nil, after, given, err
				}
				if !ok {
					s.fail(p, "not_found", "%s %v does not exist.", f.Rel.Target.Name, v)
					continue
				}
			}
			cols = append(cols, column{f, enc})
		case gqlschema.InputNestedOne:
			f := inf.Field
			if v == nil {
				continue
			}
			if given[f] {
				s.fail(p, "conflict", "Give %s or %s, not both.", s.w.g.Name(f.Name), s.w.g.Name("nested_"+f.Name))
				continue
			}
			given[f] = true
			child, _ := v.(map[string]any)
			id, err := s.create(f.Rel.Target, child, p+".", nil)
			if err != nil {
				return nil, after, given, err
			}
			cols = append(cols, column{f, id})
		case gqlschema.InputSet, gqlschema.InputAdd, gqlschema.InputRemove:
			list, _ := v.([]any)
			keys, err := s.linkKeys(inf, list, p)
			if err != nil {
				return nil, after, given, err
			}
			after.sets = append(after.sets, linkWrite{in: inf, keys: keys})
		case gqlschema.InputNestedMany:
			list, _ := v.([]any)
			after.nested = append(after.nested, nestedWrite{in: inf, items: list, path: p})
		}
	}
	return cols, after, given, nil
}

// create inserts a row of m from a create input and its nested writes;
// preset holds back-references filled by a parent.
func (s *session) create(m *model.Model, in map[string]any, path string, preset map[*model.Field]any) (any, error) {
	spec := s.w.g.Inputs[m.Name+"CreateInput"]
	wg, ok := s.grant(m, "create", path)
	if !ok {
		return nil, nil
	}
	cols, after, set, err := s.columns(m, spec, in, path, wg)
	if err != nil {
		return nil, err
	}
	cols = s.presets(m, wg, cols, set, path)
	for f, v := range preset {
		if !set[f] {
			cols = append(cols, column{f, v})
			set[f] = true
		}
	}
	for _, f := range m.Fields {
		if set[f] || f.Implicit || f.Type == model.TypeManyToMany {
			continue
		}
		if v, ok := s.defaultValue(f); ok {
			cols = append(cols, column{f, v})
			continue
		}
		switch {
		case f.Rel != nil && !f.Null && !f.Excluded:
			s.fail(path+s.w.g.Name(f.Name), "required", "This field is required: give %s or %s.", s.w.g.Name(f.Name), s.w.g.Name("nested_"+f.Name))
		case gqlschema.Required(f):
			s.fail(path+s.w.g.Name(f.Name), "required", "This field is required.")
		case f.Blank && !f.Null && f.Type.Kind() == model.KindText:
			cols = append(cols, column{f, ""})
		case !f.Null && f.Type.Kind() == model.KindBool:
			v, _ := s.w.d.Encode(model.KindBool, false)
			cols = append(cols, column{f, v})
		}
	}
	if err := s.checkUnique(m, cols, nil, path); err != nil {
		return nil, err
	}
	if len(s.errs) > 0 {
		// Something failed, so nothing will be committed: validate the
		// nested inputs without writing, to report every problem at once.
		return nil, s.relations(m, nil, after)
	}
	id, err := s.insert(m, cols, path)
	if err != nil {
		return nil, err
	}
	return id, s.relations(m, id, after)
}

// insert runs the INSERT and returns the new key (nil after a mapped
// unique violation).
func (s *session) insert(m *model.Model, cols []column, path string) (any, error) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + q(m.Table))
	args := make([]any, len(cols))
	if len(cols) == 0 {
		b.WriteString(" DEFAULT VALUES")
	} else {
		names := make([]string, len(cols))
		phs := make([]string, len(cols))
		for i, c := range cols {
			names[i], phs[i], args[i] = q(c.f.Column), s.ph(i+1), c.v
		}
		b.WriteString(" (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(phs, ", ") + ")")
	}
	b.WriteString(" RETURNING " + q(m.PK.Column))
	var id any
	err := s.guarded(func() error {
		return s.tx.QueryRows(s.ctx, b.String(), args, func(scan func(...any) error) error { return scan(&id) })
	})
	if err != nil {
		return nil, s.uniqueErrors(m, err, path)
	}
	return normalizeKey(m, id), nil
}

// guarded runs a write whose constraint errors are mapped to field errors.
// On PostgreSQL a failed statement aborts the transaction, so the write runs
// under a savepoint that is rolled back on error, keeping the transaction
// usable for the remaining validation.
func (s *session) guarded(write func() error) error {
	if s.w.d != database.Postgres {
		return write()
	}
	if err := s.tx.Exec(s.ctx, "SAVEPOINT autogql_write"); err != nil {
		return err
	}
	if err := write(); err != nil {
		if rerr := s.tx.Exec(s.ctx, "ROLLBACK TO SAVEPOINT autogql_write"); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return s.tx.Exec(s.ctx, "RELEASE SAVEPOINT autogql_write")
}

// normalizeKey turns a scanned key into the driver value reads bind.
func normalizeKey(m *model.Model, id any) any {
	switch x := id.(type) {
	case int32:
		return int64(x)
	case []byte:
		return string(x)
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	}
	return id
}

// update applies an update input to the row with key v.
func (s *session) update(m *model.Model, v any, in map[string]any, path string) (any, error) {
	id, ok := s.key(m, v, path+"id")
	if !ok {
		return nil, nil
	}
	found, err := s.admitted(m, id)
	if err != nil {
		return nil, err
	}
	if !found {
		s.fail(path+"id", "not_found", "%s %v does not exist.", m.Name, v)
		return nil, nil
	}
	wg, ok := s.grant(m, "update", path)
	if !ok {
		return nil, nil
	}
	cols, after, set, err := s.columns(m, s.w.g.Inputs[m.Name+"UpdateInput"], in, path, wg)
	if err != nil {
		return nil, err
	}
	cols = s.presets(m, wg, cols, set, path)
	for _, f := range m.Fields {
		if f.AutoNow {
			cols = append(cols, column{f, s.nowFor(f)})
		}
	}
	if err := s.checkUnique(m, cols, id, path); err != nil {
		return nil, err
	}
	if len(s.errs) > 0 {
		return nil, s.relations(m, nil, after)
	}
	if len(cols) > 0 {
		sets := make([]string, len(cols))
		args := make([]any, 0, len(cols)+1)
		for i, c := range cols {
			sets[i] = q(c.f.Column) + " = " + s.ph(i+1)
			args = append(args, c.v)
		}
		args = append(args, id)
		sql := "UPDATE " + q(m.Table) + " SET " + strings.Join(sets, ", ") + " WHERE " + q(m.PK.Column) + " = " + s.ph(len(args))
		if err := s.guarded(func() error { return s.tx.Exec(s.ctx, sql, args...) }); err != nil {
			if err := s.uniqueErrors(m, err, path); err != nil {
				return nil, err
			}
			return nil, s.relations(m, nil, after)
		}
	}
	return id, s.relations(m, id, after)
}

// relations performs the many_to_many and nested writes of a row. With a
// nil id (the row was not written because the field failed) it only
// validates the nested inputs.
func (s *session) relations(m *model.Model, id any, after pending) error {
	for _, l := range after.sets {
		if id == nil {
			break
		}
		e, keys := l.in.Edge, l.keys
		jt, from, to := q(e.Join.Table), q(e.JoinFrom), q(e.JoinTo)
		if l.in.Kind == gqlschema.InputSet {
			// As Django's set(): links that stay are kept (with their
			// through model's values), the others go, new ones are added.
			sql := "DELETE FROM " + jt + " WHERE " + from + " = " + s.ph(1)
			args := []any{id}
			if len(keys) > 0 {
				phs := make([]string, len(keys))
				for i, k := range keys {
					phs[i] = s.ph(i + 2)
					args = append(args, k)
				}
				sql += " AND " + to + " NOT IN (" + strings.Join(phs, ", ") + ")"
			}
			if err := s.tx.Exec(s.ctx, sql, args...); err != nil {
				return err
			}
		}
		for _, k := range keys {
			var err error
			if l.in.Kind == gqlschema.InputRemove {
				err = s.tx.Exec(s.ctx, "DELETE FROM "+jt+" WHERE "+from+" = "+s.ph(1)+" AND "+to+" = "+s.ph(2), id, k)
			} else {
				err = s.link(e, id, k)
			}
			if err != nil {
				return err
			}
		}
	}
	for _, n := range after.nested {
		e := n.in.Edge
		if e.Join != nil && len(n.items) > 0 && !s.linkable(e, n.path) {
			continue
		}
		for i, item := range n.items {
			child, _ := item.(map[string]any)
			p := n.path + "." + strconv.Itoa(i) + "."
			if e.Join != nil {
				k, err := s.create(e.To, child, p, nil)
				if err != nil {
					return err
				}
				if id != nil && k != nil {
					if err := s.link(e, id, k); err != nil {
						return err
					}
				}
				continue
			}
			// Reverse foreign key: the child's key column points back here.
			if _, err := s.create(e.To, child, p, map[*model.Field]any{e.Field: id}); err != nil {
				return err
			}
		}
	}
	return nil
}

// link inserts one join row unless it exists. The other fields of an
// explicit through model get their defaults, as Django's add() gives them
// (throughFields has checked that they have one).
func (s *session) link(e *model.Edge, from, to any) error {
	jt, fc, tc := q(e.Join.Table), q(e.JoinFrom), q(e.JoinTo)
	names := []string{fc, tc}
	vals := []string{s.ph(1), s.ph(2)}
	args := []any{from, to}
	extra, _ := s.throughFields(e)
	for _, c := range extra {
		args = append(args, c.v)
		names = append(names, q(c.f.Column))
		vals = append(vals, s.ph(len(args)))
	}
	return s.tx.Exec(s.ctx, "INSERT INTO "+jt+" ("+strings.Join(names, ", ")+") SELECT "+strings.Join(vals, ", ")+
		" WHERE NOT EXISTS (SELECT 1 FROM "+jt+" WHERE "+fc+" = "+s.ph(1)+" AND "+tc+" = "+s.ph(2)+")", args...)
}

// throughFields returns the values a new link row of an explicit through
// model needs besides its two keys, and the first field that needs a value
// but has no default (nil when there is none).
func (s *session) throughFields(e *model.Edge) ([]column, *model.Field) {
	tm := e.Join.Through
	if tm == nil {
		return nil, nil
	}
	var cols []column
	for _, f := range tm.Fields {
		if f.Implicit || f.Column == "" || f.Column == e.JoinFrom || f.Column == e.JoinTo {
			continue
		}
		if v, ok := s.defaultValue(f); ok {
			cols = append(cols, column{f, v})
			continue
		}
		switch {
		case f.Null:
		case f.Blank && f.Type.Kind() == model.KindText:
			cols = append(cols, column{f, ""})
		case f.Type.Kind() == model.KindBool:
			v, _ := s.w.d.Encode(model.KindBool, false)
			cols = append(cols, column{f, v})
		default:
			return nil, f
		}
	}
	return cols, nil
}

// linkable reports, at path, a many_to_many whose through model has a
// field that a new link cannot fill.
func (s *session) linkable(e *model.Edge, path string) bool {
	if _, f := s.throughFields(e); f != nil {
		s.fail(path, "invalid", "Links through %s cannot be made here: %s has no default.", e.Join.Through.Name, s.w.g.Name(f.Name))
		return false
	}
	return true
}

// linkKeys encodes the keys of a many_to_many link list and reports those
// that do not exist (removing a link to a missing row is not an error).
func (s *session) linkKeys(in *gqlschema.InputField, ids []any, path string) ([]any, error) {
	target := in.Edge.To
	if in.Kind != gqlschema.InputRemove && len(ids) > 0 && !s.linkable(in.Edge, path) {
		return nil, nil
	}
	var keys []any
	var missing []string
	for i, v := range ids {
		k, ok := s.key(target, v, path+"."+strconv.Itoa(i))
		if !ok {
			continue
		}
		if in.Kind != gqlschema.InputRemove {
			found, err := s.exists(target, k)
			if err != nil {
				return nil, err
			}
			if !found {
				missing = append(missing, fmt.Sprint(v))
				continue
			}
		}
		keys = append(keys, k)
	}
	if len(missing) > 0 {
		s.fail(path, "not_found", "%s %s not found.", target.Name, strings.Join(missing, ", "))
	}
	return keys, nil
}

// currentValues adds to vals the stored values of the row self for the
// fields of m's unique_together groups that vals lacks, when vals has
// another field of the group.
func (s *session) currentValues(m *model.Model, self any, vals map[*model.Field]any) error {
	var need []*model.Field
	for _, group := range m.Meta.UniqueTogether {
		partial := false
		for _, name := range group {
			if _, ok := vals[m.Field(name)]; ok {
				partial = true
			}
		}
		if !partial {
			continue
		}
		for _, name := range group {
			if f := m.Field(name); !slices.Contains(need, f) {
				if _, ok := vals[f]; !ok {
					need = append(need, f)
				}
			}
		}
	}
	if len(need) == 0 {
		return nil
	}
	names := make([]string, len(need))
	for i, f := range need {
		names[i] = q(f.Column)
	}
	return s.tx.QueryRows(s.ctx, "SELECT "+strings.Join(names, ", ")+" FROM "+q(m.Table)+" WHERE "+q(m.PK.Column)+" = "+s.ph(1), []any{self},
		func(scan func(...any) error) error {
			got := make([]any, len(need))
			ptrs := make([]any, len(need))
			for i := range got {
				ptrs[i] = &got[i]
			}
			if err := scan(ptrs...); err != nil {
				return err
			}
			for i, f := range need {
				vals[f] = got[i]
			}
			return nil
		})
}

// checkUnique reports values that would break unique or unique_together,
// excluding the row being updated (self).
func (s *session) checkUnique(m *model.Model, cols []column, self any, path string) error {
	vals := map[*model.Field]any{}
	given := map[*model.Field]any{}
	for _, c := range cols {
		vals[c.f] = c.v
		given[c.f] = c.v
	}
	check := func(fields []*model.Field) (bool, error) {
		conds := make([]string, len(fields))
		args := make([]any, len(fields))
		for i, f := range fields {
			conds[i] = q(f.Column) + " = " + s.ph(i+1)
			args[i] = vals[f]
		}
		if self != nil {
			args = append(args, self)
			conds = append(conds, q(m.PK.Column)+" <> "+s.ph(len(args)))
		}
		taken := false
		err := s.tx.QueryRows(s.ctx, "SELECT 1 FROM "+q(m.Table)+" WHERE "+strings.Join(conds, " AND ")+" LIMIT 1", args,
			func(func(...any) error) error { taken = true; return nil })
		return taken, err
	}
	for _, f := range m.Fields {
		if v, ok := given[f]; !ok || v == nil || !(f.Unique || f.Type == model.TypeOneToOne) || f.PrimaryKey && self != nil {
			continue
		}
		taken, err := check([]*model.Field{f})
		if err != nil {
			return err
		}
		if taken {
			s.fail(path+s.w.g.Name(f.Name), "unique", "%s with this %s already exists.", m.Name, strings.ReplaceAll(f.Name, "_", " "))
		}
	}
	if self != nil {
		// An update that sets part of a unique_together group is checked
		// with the row's current values for the rest, as Django does.
		if err := s.currentValues(m, self, vals); err != nil {
			return err
		}
	}
	for _, group := range m.Meta.UniqueTogether {
		var fields []*model.Field
		complete, touched := true, false
		for _, name := range group {
			f := m.Field(name)
			if _, ok := given[f]; ok {
				touched = true
			}
			if v, ok := vals[f]; !ok || v == nil {
				complete = false
				break
			}
			fields = append(fields, f)
		}
		if !complete || !touched {
			continue
		}
		taken, err := check(fields)
		if err != nil {
			return err
		}
		if taken {
			s.fail(strings.TrimSuffix(path, "."), "unique_together", "%s with this %s already exists.", m.Name, strings.Join(group, " and "))
		}
	}
	return nil
}

var (
	sqliteUnique = regexp.MustCompile(`^UNIQUE constraint failed: (.+)`)
	pgKey        = regexp.MustCompile(`^Key \((.+?)\)=`)
)

// uniqueColumns extracts the columns of a unique violation from a driver
// error (none when the database does not say).
func uniqueColumns(err error) ([]string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if pe.Code != "23505" {
			return nil, false
		}
		m := pgKey.FindStringSubmatch(pe.Detail)
		if m == nil {
			return nil, true
		}
		var cols []string
		for _, c := range strings.Split(m[1], ", ") {
			cols = append(cols, strings.Trim(c, `"`))
		}
		return cols, true
	}
	msg := err.Error()
	i := strings.Index(msg, "UNIQUE constraint failed: ")
	if i < 0 {
		return nil, false
	}
	m := sqliteUnique.FindStringSubmatch(msg[i:])
	var cols []string
	for _, c := range strings.Split(m[1], ", ") {
		// "table.column", possibly followed by the driver's " (2067)".
		c, _, _ = strings.Cut(c, " ")
		if _, col, ok := strings.Cut(c, "."); ok {
			cols = append(cols, col)
		}
	}
	return cols, true
}

// writable reports whether the roles may set an input field; a refusal is
// a forbidden field error. Preset fields are set by the server only.
func (s *session) writable(m *model.Model, inf *gqlschema.InputField, wg *plan.WriteGrant, path string) bool {
	base := inf.Edge
	name := ""
	switch {
	case inf.Field != nil:
		name = inf.Field.Name
	case base != nil:
		name = base.Name
	}
	if inf.Field != nil && wg.Preset[inf.Field] != nil {
		s.fail(path, "forbidden", "%s is set by the server for your role.", s.w.g.Name(name))
		return false
	}
	if wg.Fields != nil && !wg.Fields[s.w.g.Name(name)] {
		s.fail(path, "forbidden", "Your role may not set %s.%s.", m.Name, s.w.g.Name(name))
		return false
	}
	return true
}

// presets adds the server-set values of the grant (constants or identity
// values such as $user.id).
func (s *session) presets(m *model.Model, wg *plan.WriteGrant, cols []column, set map[*model.Field]bool, path string) []column {
	for f, lit := range wg.Preset {
		v, err := lit.Value(s.vars)
		if err == nil {
			v, err = s.w.d.Encode(f.ValueKind(), v)
		}
		if err != nil || v == nil {
			s.fail(strings.TrimSuffix(path, "."), "forbidden", "The preset of %s.%s has no value for your identity.", m.Name, f.Name)
			continue
		}
		cols = append(cols, column{f, v})
		set[f] = true
	}
	return cols
}
