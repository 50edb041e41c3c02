package model

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// resolve fills in everything derived from the declarations (database
// names, API names, relation targets, join tables, edges) and checks what
// needs more than one model. It runs even when decoding found problems, so
// that one run reports as much as it can; it must therefore cope with
// partly decoded models.
func (l *loader) resolve(s *Schema) {
	for _, m := range s.Models {
		l.resolveModel(s, m)
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			if f.Rel != nil && l.known(f) {
				l.resolveTarget(s, m, f)
			}
		}
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			if f.Rel != nil && f.Rel.Target != nil {
				l.resolveRelation(s, m, f)
			}
		}
	}
	l.buildEdges(s)
	for _, m := range s.Models {
		l.checkMeta(m)
		l.checkPermissions(m)
	}
	l.checkNames(s)
	l.checkRenames(s)
}

// checkRenames checks the renamed_from hints: the previous name must be
// gone (a hint naming something still declared would be ambiguous) and
// used by one model, or one field of a model, only.
func (l *loader) checkRenames(s *Schema) {
	models := map[string]string{}
	for _, m := range s.Models {
		old := m.Meta.RenamedFrom
		if old == "" {
			continue
		}
		n := l.modelSrc[m].meta["renamed_from"]
		switch {
		case s.byName[old] != nil:
			l.errorf(n, "%s.meta.renamed_from: %s is still declared; a renamed model's previous name must be gone", m.Name, old)
		case models[old] != "":
			l.errorf(n, "%s.meta.renamed_from: %s was already renamed to %s", m.Name, old, models[old])
		default:
			models[old] = m.Name
		}
	}
	for _, m := range s.Models {
		fields := map[string]string{}
		for _, f := range m.Fields {
			old := f.RenamedFrom
			if old == "" {
				continue
			}
			n := l.fieldSrc[f].at("renamed_from")
			switch {
			case m.fields[old] != nil:
				l.errorf(n, "%s.%s: renamed_from %s is still a field of %s; a renamed field's previous name must be gone", m.Name, f.Name, old, m.Name)
			case fields[old] != "":
				l.errorf(n, "%s.%s: renamed_from %s was already renamed to %s", m.Name, f.Name, old, fields[old])
			default:
				fields[old] = f.Name
			}
		}
	}
}

// known reports whether f's type was understood (the implicit id has no
// source and is always known).
func (l *loader) known(f *Field) bool {
	src := l.fieldSrc[f]
	return src == nil || src.known
}

func (l *loader) resolveModel(s *Schema, m *Model) {
	src := l.modelSrc[m]
	m.Singular = SnakeCase(m.Name)
	switch {
	case m.Meta.Plural == m.Singular:
		l.errorf(src.meta["plural"], "%s.meta.plural %q must differ from the singular name %q", m.Name, m.Meta.Plural, m.Singular)
		m.Plural = m.Singular + "_list"
	case m.Meta.Plural != "":
		m.Plural = m.Meta.Plural
	default:
		m.Plural = Pluralize(m.Singular)
		if m.Plural == m.Singular {
			// Uncountable ("sheep"): the list needs a name of its own.
			m.Plural = m.Singular + "_list"
		}
	}
	m.Table = m.Meta.DBTable
	if m.Table == "" {
		m.Table = strings.ToLower(m.Name)
		if s.App != "" {
			m.Table = s.App + "_" + m.Table
		}
	}

	m.fields = make(map[string]*Field, len(m.Fields)+1)
	m.edges = map[string]*Edge{}
	for _, f := range m.Fields {
		if !f.PrimaryKey {
			continue
		}
		if m.PK != nil {
			l.errorf(l.fieldSrc[f].at("primary_key"), "%s.%s: a model has one primary key; %s is already primary_key", m.Name, f.Name, m.PK.Name)
			f.PrimaryKey = false
			continue
		}
		m.PK = f
	}
	if m.PK == nil {
		id := &Field{
			Name: "id", Type: TypeAutoID, Column: "id", Model: m, PrimaryKey: true,
			Implicit: true, Pos: m.Pos,
		}
		m.PK = id
		m.Fields = append([]*Field{id}, m.Fields...)
	}
	columns := map[string]*Field{}
	for _, f := range m.Fields {
		if f.Column == "" && f.Type != TypeManyToMany {
			f.Column = f.Name
			if f.Type == TypeForeignKey || f.Type == TypeOneToOne {
				f.Column = f.Name + "_id"
			}
		}
		if m.fields[f.Name] != nil {
			// Only a declared id can collide with the implicit one (YAML
			// keys are unique), and checkField has reported it.
			continue
		}
		m.fields[f.Name] = f
		if f.Column == "" {
			continue
		}
		key := strings.ToLower(f.Column)
		if prev, dup := columns[key]; dup {
			l.errorf(l.fieldSrc[f].at("db_column"), "%s.%s: column %q is already used by %s.%s", m.Name, f.Name, f.Column, m.Name, prev.Name)
			continue
		}
		columns[key] = f
	}
	for _, f := range m.Fields {
		if f.Type != TypeForeignKey && f.Type != TypeOneToOne {
			continue
		}
		if other := m.fields[f.Name+"_id"]; other != nil {
			l.errorf(l.fieldSrc[other].key, "%s.%s: name clashes with the raw key %s_id of %s %s", m.Name, other.Name, f.Name, f.Type, f.Name)
		}
	}
	for i, name := range m.Meta.Exclude {
		if f := m.fields[name]; f != nil {
			f.Excluded = true
			if f.PrimaryKey {
				l.errorf(src.exclude[i], "%s.meta.exclude: the primary key %s cannot be excluded", m.Name, name)
			}
		}
	}
}

func (l *loader) resolveTarget(s *Schema, m *Model, f *Field) {
	src := l.fieldSrc[f]
	if src.opt("to") == nil {
		return // reported by checkField
	}
	r := f.Rel
	if r.To == "self" {
		r.To = m.Name
	}
	r.Target = s.byName[r.To]
	if r.Target == nil {
		names := make([]string, len(s.Models))
		for i, mm := range s.Models {
			names[i] = mm.Name
		}
		l.errorf(src.opt("to"), "%s.%s: to %q is not a declared model%s", m.Name, f.Name, r.To, didYouMean(r.To, names))
		return
	}
	if r.RelatedName == "" {
		if f.Type == TypeOneToOne {
			r.RelatedName = m.Singular
		} else {
			r.RelatedName = m.Singular + "_set"
		}
	}
}

func (l *loader) resolveRelation(s *Schema, m *Model, f *Field) {
	src := l.fieldSrc[f]
	what := m.Name + "." + f.Name
	target := f.Rel.Target
	if n := src.opt("default"); n != nil && f.Type != TypeManyToMany {
		if t := pkType(target); t != "" {
			l.fieldDefault(f, t, n, what)
		}
	}
	if f.Type != TypeManyToMany {
		return
	}
	through, table := src.opt("through"), src.opt("db_table")
	if through == nil {
		j := &JoinTable{Table: m.Table + "_" + f.Name, HasID: true}
		if table != nil {
			j.Table, _ = scalarText(table)
			if !tableRE.MatchString(j.Table) {
				l.errorf(table, "%s: db_table %q is not a valid table name", what, j.Table)
			}
		}
		from, to := strings.ToLower(m.Name), strings.ToLower(target.Name)
		if m == target {
			j.SourceColumn, j.TargetColumn = "from_"+from+"_id", "to_"+to+"_id"
		} else {
			j.SourceColumn, j.TargetColumn = from+"_id", to+"_id"
		}
		f.Rel.Join = j
		return
	}
	if table != nil {
		l.errorf(src.keys["db_table"], "%s: db_table and through are mutually exclusive (the through model names the table)", what)
	}
	name, _ := scalarText(through)
	tm := s.byName[name]
	if tm == nil {
		names := make([]string, len(s.Models))
		for i, mm := range s.Models {
			names[i] = mm.Name
		}
		l.errorf(through, "%s: through %q is not a declared model%s", what, name, didYouMean(name, names))
		return
	}
	var fks []*Field
	for _, tf := range tm.Fields {
		if tf.Type == TypeForeignKey {
			fks = append(fks, tf)
		}
	}
	if len(fks) != 2 {
		l.errorf(through, "%s: through model %s must have exactly two foreign keys, one to %s and one to %s (it has %d)", what, tm.Name, m.Name, target.Name, len(fks))
		return
	}
	a, b := fks[0], fks[1]
	if a.Rel == nil || b.Rel == nil || a.Rel.Target == nil || b.Rel.Target == nil {
		return // their own problems are reported
	}
	if m != target && a.Rel.Target == target && b.Rel.Target == m {
		a, b = b, a
	}
	if a.Rel.Target != m || b.Rel.Target != target {
		l.errorf(through, "%s: through model %s must have one foreign key to %s and one to %s (it has %s → %s and %s → %s)",
			what, tm.Name, m.Name, target.Name, a.Name, a.Rel.Target.Name, b.Name, b.Rel.Target.Name)
		return
	}
	f.Rel.Join = &JoinTable{
		Table:        tm.Table,
		SourceColumn: a.Column,
		TargetColumn: b.Column,
		// A through model keyed by one of its foreign keys has no id of
		// its own.
		HasID:   tm.PK != a && tm.PK != b,
		Through: tm,
	}
}

// pkType is the type of the values a reference to m holds: its primary
// key's type, following primary keys that are themselves relations.
func pkType(m *Model) FieldType {
	for range 16 {
		if m == nil || m.PK == nil {
			return ""
		}
		if m.PK.Type != TypeForeignKey && m.PK.Type != TypeOneToOne {
			return m.PK.Type
		}
		if m.PK.Rel == nil {
			return ""
		}
		m = m.PK.Rel.Target
	}
	return ""
}

// buildEdges adds forward edges (in field order) to every model, then the
// reverse edges in model and field declaration order.
func (l *loader) buildEdges(s *Schema) {
	for _, m := range s.Models {
		for _, f := range m.Fields {
			r := f.Rel
			if r == nil || r.Target == nil || (f.Type == TypeManyToMany && r.Join == nil) {
				continue
			}
			e := &Edge{Name: f.Name, From: m, To: r.Target, Field: f}
			if f.Type == TypeManyToMany {
				e.Many = true
				e.Join, e.JoinFrom, e.JoinTo = r.Join, r.Join.SourceColumn, r.Join.TargetColumn
				e.FromColumn, e.ToColumn = m.PK.Column, r.Target.PK.Column
			} else {
				e.FromColumn, e.ToColumn = f.Column, r.Target.PK.Column
			}
			m.Edges = append(m.Edges, e)
			m.edges[e.Name] = e
		}
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			r := f.Rel
			if r == nil || r.Target == nil || r.RelatedName == "+" || relatedNameProblem(r.RelatedName) != "" ||
				(f.Type == TypeManyToMany && r.Join == nil) {
				continue
			}
			t := r.Target
			e := &Edge{Name: r.RelatedName, From: t, To: m, Reverse: true, Field: f}
			switch f.Type {
			case TypeManyToMany:
				e.Many = true
				e.Join, e.JoinFrom, e.JoinTo = r.Join, r.Join.TargetColumn, r.Join.SourceColumn
				e.FromColumn, e.ToColumn = t.PK.Column, m.PK.Column
			case TypeForeignKey:
				e.Many = true
				e.FromColumn, e.ToColumn = t.PK.Column, f.Column
			default:
				e.FromColumn, e.ToColumn = t.PK.Column, f.Column
			}
			src := l.fieldSrc[f]
			at := src.at("related_name")
			hint := "; set a different related_name"
			if src.opt("related_name") == nil {
				hint = "; set related_name"
			}
			if other := t.fields[e.Name]; other != nil {
				l.errorf(at, "%s.%s: reverse name %q clashes with field %s.%s%s", m.Name, f.Name, e.Name, t.Name, other.Name, hint)
				continue
			}
			if other := t.edges[e.Name]; other != nil {
				l.errorf(at, "%s.%s: reverse name %q on %s is already used by %s.%s%s", m.Name, f.Name, e.Name, t.Name, other.Field.Model.Name, other.Field.Name, hint)
				continue
			}
			if fk := rawKeyOwner(t, e.Name); fk != nil {
				l.errorf(at, "%s.%s: reverse name %q clashes with the raw key of %s.%s%s", m.Name, f.Name, e.Name, t.Name, fk.Name, hint)
				continue
			}
			t.Edges = append(t.Edges, e)
			t.edges[e.Name] = e
		}
	}
}

// rawKeyOwner returns the foreign key or one-to-one of m whose API raw key
// ("author_id") is name.
func rawKeyOwner(m *Model, name string) *Field {
	base, ok := strings.CutSuffix(name, "_id")
	if !ok {
		return nil
	}
	if f := m.fields[base]; f != nil && (f.Type == TypeForeignKey || f.Type == TypeOneToOne) {
		return f
	}
	return nil
}

// checkMeta checks the field names meta options refer to.
func (l *loader) checkMeta(m *Model) {
	src := l.modelSrc[m]
	for i, entry := range m.Meta.Ordering {
		l.checkOrdering(m, entry, src.ordering[i])
	}
	for i, name := range m.Meta.Quick {
		n := src.quick[i]
		f := l.metaField(m, "quick", name, n)
		if f == nil {
			continue
		}
		switch k := f.Type.Kind(); {
		case k == KindRelation || k == KindJSON || k == KindBool || k == KindDate || k == KindDateTime || k == KindTime || k == KindDuration:
			l.errorf(n, "%s.meta.quick: %s is a %s field; quick search covers text and number fields", m.Name, name, f.Type)
		case f.Excluded || f.WriteOnly:
			l.errorf(n, "%s.meta.quick: %s is not readable (excluded or write_only) and would leak through search", m.Name, name)
		}
	}
	for _, group := range []struct {
		opt   string
		names [][]string
		nodes [][]*yaml.Node
	}{
		{"unique_together", m.Meta.UniqueTogether, src.uniqueTogether},
		{"indexes", m.Meta.Indexes, src.indexes},
	} {
		for i, names := range group.names {
			for j, name := range names {
				n := group.nodes[i][j]
				f := l.metaField(m, group.opt, name, n)
				if f == nil {
					continue
				}
				if f.Type == TypeManyToMany {
					l.errorf(n, "%s.meta.%s: %s is a many_to_many and has no column", m.Name, group.opt, name)
				} else if slices.Index(names, name) != j {
					l.errorf(n, "%s.meta.%s: %s is listed twice", m.Name, group.opt, name)
				}
			}
		}
	}
	for i, name := range m.Meta.Exclude {
		l.metaField(m, "exclude", name, src.exclude[i])
	}
}

// metaField returns m's field name, reporting it when there is none.
func (l *loader) metaField(m *Model, opt, name string, n *yaml.Node) *Field {
	if f := m.fields[name]; f != nil {
		return f
	}
	l.errorf(n, "%s.meta.%s: unknown field %q%s", m.Name, opt, name, fieldHint(m, name))
	return nil
}

func fieldHint(m *Model, name string) string {
	names := make([]string, 0, len(m.Fields))
	for _, f := range m.Fields {
		names = append(names, f.Name)
	}
	if h := didYouMean(name, names); h != "" {
		return h
	}
	return fmt.Sprintf(" (%s has %s)", m.Name, strings.Join(names, ", "))
}

// checkOrdering checks one meta.ordering entry: a field, a foreign-key
// path ("author__name"), or a relation count ("comments_count"), with an
// optional "-" for descending order.
func (l *loader) checkOrdering(m *Model, entry string, n *yaml.Node) {
	path := strings.TrimPrefix(entry, "-")
	segs := strings.Split(path, "__")
	cur := m
	for i, seg := range segs {
		last := i == len(segs)-1
		if f := cur.fields[seg]; f != nil {
			if !last {
				if f.Type != TypeForeignKey && f.Type != TypeOneToOne || f.Rel == nil || f.Rel.Target == nil {
					l.errorf(n, "%s.meta.ordering: %q: %s.%s is not a foreign key or one-to-one to follow", m.Name, entry, cur.Name, seg)
					return
				}
				cur = f.Rel.Target
				continue
			}
			if f.Type == TypeManyToMany {
				l.errorf(n, "%s.meta.ordering: %q: %s.%s is many_to_many; order by %s_count instead", m.Name, entry, cur.Name, seg, seg)
			}
			return
		}
		if base, ok := strings.CutSuffix(seg, "_count"); ok && last {
			if e := cur.edges[base]; e != nil && e.Many {
				return
			}
		}
		l.errorf(n, "%s.meta.ordering: %q: unknown field %q%s", m.Name, entry, seg, fieldHint(cur, seg))
		return
	}
}

// checkNames checks database and API names across models: every table
// (models and implicit join tables) and every root API name must be unique.
func (l *loader) checkNames(s *Schema) {
	type owner struct {
		what string
		n    *yaml.Node
	}
	tables := map[string]owner{}
	addTable := func(table, what string, n *yaml.Node) {
		key := strings.ToLower(table)
		if prev, dup := tables[key]; dup {
			l.errorf(n, "%s: table %q is already used by %s", what, table, prev.what)
			return
		}
		tables[key] = owner{what, n}
	}
	for _, m := range s.Models {
		src := l.modelSrc[m]
		n := src.meta["db_table"]
		if n == nil {
			n = src.key
		}
		addTable(m.Table, m.Name, n)
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			if f.Type == TypeManyToMany && f.Rel != nil && f.Rel.Join != nil && f.Rel.Join.Through == nil {
				addTable(f.Rel.Join.Table, m.Name+"."+f.Name+" join table", l.fieldSrc[f].key)
			}
		}
	}
	api := map[string]string{}
	for _, m := range s.Models {
		src := l.modelSrc[m]
		for _, name := range []string{m.Singular, m.Plural} {
			if prev, dup := api[name]; dup && prev != m.Name {
				n := src.meta["plural"]
				if n == nil || name == m.Singular {
					n = src.key
				}
				l.errorf(n, "%s: API name %q is already used by %s; set meta.plural", m.Name, name, prev)
				continue
			}
			api[name] = m.Name
		}
	}
}
