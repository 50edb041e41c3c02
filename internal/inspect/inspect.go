// Package inspect writes a models file that reproduces an existing
// database, as Django's inspectdb does: `autogql inspect` reads the live
// schema (migrate.Introspect) and hands it here. It sits beside migrate:
// it turns a migrate.State into models.yaml text, and imports nothing
// that serves requests.
//
// What the database holds is reproduced: tables (as models, named from the
// table, with meta.db_table where the default name differs), columns and
// their types, NULL, defaults, unique, max_length, decimal precision,
// foreign keys and one-to-ones with their ON DELETE, many-to-many join
// tables (Django's <table>_<field> with two keys and a unique pair become
// many_to_many fields; other join tables become through models), indexes,
// unique_together, and choices from CHECK (col IN (…)) constraints. What
// only a models file holds (help_text, related names chosen for the API,
// auto_now, blank, ordering…) is not in the database and is left to the
// reader; Warnings lists what could not be expressed.
package inspect

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
)

// Options tune Models.
type Options struct {
	// App is the models file's app label: tables named <app>_<name> become
	// model <Name> with the default table name. With an app, only its
	// tables (and the tables they reference) are written.
	App string
	// Dialect is the database the state was read from (for messages and
	// dialect-specific type readings).
	Dialect database.Dialect
}

// Result is a generated models file.
type Result struct {
	// YAML is the models file.
	YAML []byte
	// Warnings list what the models cannot express exactly.
	Warnings []string
}

// Models writes a models file reproducing the tables of st.
func Models(st *migrate.State, opts Options) (*Result, error) {
	g := &gen{opts: opts, st: st, models: map[string]*genModel{}}
	g.pick()
	g.name()
	g.joins()
	for _, t := range g.tables {
		if g.join[t.Name] == nil {
			g.fields(g.models[t.Name])
		}
	}
	for _, t := range g.tables {
		if j := g.join[t.Name]; j != nil {
			g.m2mField(j)
		}
	}
	g.reverseNames()
	out := g.render()
	if _, err := model.Parse("models.yaml", out); err != nil {
		return nil, fmt.Errorf("the generated models do not load (please report this): %w", err)
	}
	return &Result{YAML: out, Warnings: g.warnings}, nil
}

type gen struct {
	opts     Options
	st       *migrate.State
	tables   []*migrate.Table
	models   map[string]*genModel // by table
	join     map[string]*joinInfo // join tables, by table
	warnings []string
}

type genModel struct {
	table  *migrate.Table
	name   string
	fields []*genField
	meta   []kv
	// byColumn maps a column to its field name.
	byColumn map[string]string
}

type genField struct {
	name string
	opts []kv
	// rel marks relation fields, for reverse-name clash checks.
	rel     *relInfo
	comment string
}

type relInfo struct {
	kind   string // foreign_key, one_to_one, many_to_many
	target *genModel
	owner  *genModel
	field  *genField
}

type kv struct {
	k string
	v string // YAML text
}

type joinInfo struct {
	table    *migrate.Table
	src, dst *migrate.Constraint
}

func (g *gen) warn(format string, args ...any) {
	g.warnings = append(g.warnings, fmt.Sprintf(format, args...))
}

// pick chooses the tables to write: all, or the app's and what they
// reference.
func (g *gen) pick() {
	tables := slices.Clone(g.st.Tables)
	slices.SortStableFunc(tables, func(a, b *migrate.Table) int { return int(a.Created - b.Created) })
	if g.opts.App == "" {
		g.tables = tables
		return
	}
	keep := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if keep[name] {
			return
		}
		t := g.st.Table(name)
		if t == nil {
			return
		}
		keep[name] = true
		for _, k := range t.Constraints {
			if k.Type == migrate.ConstraintForeignKey {
				visit(k.RefTable)
			}
		}
	}
	for _, t := range tables {
		if strings.HasPrefix(t.Name, g.opts.App+"_") {
			visit(t.Name)
		}
	}
	for _, t := range tables {
		if keep[t.Name] {
			g.tables = append(g.tables, t)
		}
	}
}

var reserved = map[string]bool{
	"Query": true, "Mutation": true, "Subscription": true, "PageInfo": true,
	"CursorPageInfo": true, "GroupBucket": true, "FieldError": true,
	"ID": true, "String": true, "Int": true, "BigInt": true, "Float": true,
	"Boolean": true, "Decimal": true, "Date": true, "DateTime": true,
	"Time": true, "Duration": true, "UUID": true, "JSON": true,
}

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// name gives every table a model name.
func (g *gen) name() {
	used := map[string]bool{}
	for _, t := range g.tables {
		base := t.Name
		if g.opts.App != "" {
			base = strings.TrimPrefix(base, g.opts.App+"_")
		}
		name := model.PascalCase(strings.ToLower(notIdent.ReplaceAllString(base, "_")))
		name = notIdent.ReplaceAllString(name, "")
		if name == "" || name[0] >= '0' && name[0] <= '9' {
			name = "T" + name
		}
		if reserved[name] {
			name += "Model"
		}
		for i := 2; used[name]; i++ {
			name = strings.TrimRight(name, "0123456789") + strconv.Itoa(i)
		}
		used[name] = true
		g.models[t.Name] = &genModel{table: t, name: name, byColumn: map[string]string{}}
	}
}

// defaultTable is the table autogql names model name after.
func (g *gen) defaultTable(name string) string {
	t := strings.ToLower(name)
	if g.opts.App != "" {
		t = g.opts.App + "_" + t
	}
	return t
}

// joins finds the many-to-many join tables: two foreign keys (and an id)
// and nothing else, unique as a pair.
func (g *gen) joins() {
	g.join = map[string]*joinInfo{}
	for _, t := range g.tables {
		var fks []*migrate.Constraint
		unique := false
		for _, k := range t.Constraints {
			switch k.Type {
			case migrate.ConstraintForeignKey:
				fks = append(fks, k)
			case migrate.ConstraintUnique, migrate.ConstraintPrimaryKey:
				if len(k.Columns) == 2 {
					unique = true
				}
			}
		}
		if len(fks) != 2 || !unique {
			continue
		}
		other := 0
		hasID := false
		for _, c := range t.Columns {
			switch {
			case c.Name == "id" && c.Type == migrate.TypeAuto:
				hasID = true
			case c.Name == fks[0].Columns[0] || c.Name == fks[1].Columns[0]:
				if c.Null {
					other++
				}
			default:
				other++
			}
		}
		if other > 0 || !hasID || g.models[fks[0].RefTable] == nil || g.models[fks[1].RefTable] == nil {
			continue
		}
		src, dst := fks[0], fks[1]
		if !strings.HasPrefix(t.Name, src.RefTable+"_") && strings.HasPrefix(t.Name, dst.RefTable+"_") {
			src, dst = dst, src
		}
		// The many_to_many autogql declares must match the table exactly:
		// its column names follow from the model names.
		sm, dm := g.models[src.RefTable], g.models[dst.RefTable]
		wantSrc, wantDst := strings.ToLower(sm.name)+"_id", strings.ToLower(dm.name)+"_id"
		if sm == dm {
			wantSrc, wantDst = "from_"+strings.ToLower(sm.name)+"_id", "to_"+strings.ToLower(dm.name)+"_id"
		}
		if src.Columns[0] != wantSrc || dst.Columns[0] != wantDst || src.RefColumn != pkColumn(sm.table) || dst.RefColumn != pkColumn(dm.table) {
			continue // written as a through model instead
		}
		g.join[t.Name] = &joinInfo{table: t, src: src, dst: dst}
	}
}

func pkColumn(t *migrate.Table) string {
	for _, c := range t.Columns {
		if c.PrimaryKey {
			return c.Name
		}
	}
	return ""
}

var fieldRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// fieldName turns a column name into a valid, unused field name.
func fieldName(col string, m *genModel) string {
	n := strings.ToLower(notIdent.ReplaceAllString(col, "_"))
	n = strings.Trim(n, "_")
	for strings.Contains(n, "__") {
		n = strings.ReplaceAll(n, "__", "_")
	}
	if n == "" || !fieldRE.MatchString(n) || n[0] >= '0' && n[0] <= '9' {
		n = "f_" + n
	}
	if strings.HasSuffix(n, "_count") {
		n += "_value"
	}
	base := n
	for i := 2; m.has(n); i++ {
		n = base + "_" + strconv.Itoa(i)
	}
	return n
}

func (m *genModel) has(name string) bool {
	return slices.ContainsFunc(m.fields, func(f *genField) bool { return f.name == name })
}

var onDeletes = map[string]string{
	"CASCADE": "cascade", "SET NULL": "set_null", "SET DEFAULT": "set_default", "RESTRICT": "restrict",
	// NO ACTION: the database refuses the delete while rows reference
	// the target; protect says so in the API too.
	"NO ACTION": "protect",
}

// fields writes a model's fields and meta from its table.
func (g *gen) fields(m *genModel) {
	t := m.table
	fks := map[string]*migrate.Constraint{}
	for _, k := range t.Constraints {
		if k.Type == migrate.ConstraintForeignKey && g.models[k.RefTable] != nil {
			fks[k.Columns[0]] = k
		}
	}
	for _, c := range t.Columns {
		if c.PrimaryKey && c.Type == migrate.TypeAuto && c.Name == "id" {
			m.byColumn[c.Name] = "id"
			continue // the implicit id
		}
		f := &genField{}
		if k := fks[c.Name]; k != nil && k.RefColumn == pkColumn(g.models[k.RefTable].table) {
			g.relation(m, f, c, k)
		} else {
			if k != nil {
				g.warn("%s.%s references %s.%s, which is not its primary key: written as a plain column", t.Name, c.Name, k.RefTable, k.RefColumn)
			}
			g.column(m, f, c)
		}
		m.fields = append(m.fields, f)
		m.byColumn[c.Name] = f.name
	}
	for _, k := range t.Constraints {
		switch {
		case k.Type == migrate.ConstraintUnique:
			m.meta = appendList(m, m.meta, "unique_together", k.Columns)
		case k.Type == migrate.ConstraintPrimaryKey:
			g.warn("%s has a composite primary key (%s), which a models file cannot declare", t.Name, strings.Join(k.Columns, ", "))
		}
	}
	for _, x := range t.Indexes {
		if len(x.Columns) == 1 {
			col := strings.TrimPrefix(x.Columns[0], "-")
			if fks[col] != nil || strings.HasSuffix(x.Name, "_like") {
				// Keys are indexed anyway; Django's _like indexes serve
				// LIKE on PostgreSQL beside a unique or db_index one.
				continue
			}
			if f := m.field(col); f != nil && !strings.HasPrefix(x.Columns[0], "-") && !f.hasOpt("unique") {
				f.opts = append(f.opts, kv{"db_index", "true"})
				continue
			}
		}
		m.meta = appendList(m, m.meta, "indexes", x.Columns)
	}
	if g.defaultTable(m.name) != t.Name {
		m.meta = append(m.meta, kv{"db_table", scalar(t.Name)})
	}
}

func (m *genModel) field(col string) *genField {
	name := m.byColumn[col]
	for _, f := range m.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

func (f *genField) hasOpt(k string) bool {
	return slices.ContainsFunc(f.opts, func(o kv) bool { return o.k == k })
}

// appendList adds [[field, …]] to a meta list option.
func appendList(m *genModel, meta []kv, key string, cols []string) []kv {
	names := make([]string, len(cols))
	for i, c := range cols {
		desc := strings.HasPrefix(c, "-")
		names[i] = m.byColumn[strings.TrimPrefix(c, "-")]
		if desc {
			names[i] = "-" + names[i]
		}
	}
	item := "[" + strings.Join(names, ", ") + "]"
	for i, o := range meta {
		if o.k == key {
			meta[i].v = strings.TrimSuffix(o.v, "]") + ", " + item + "]"
			return meta
		}
	}
	return append(meta, kv{key, "[" + item + "]"})
}

func (g *gen) relation(m *genModel, f *genField, c *migrate.Column, k *migrate.Constraint) {
	target := g.models[k.RefTable]
	base, ok := strings.CutSuffix(c.Name, "_id")
	if !ok || base == "" {
		base = c.Name
	}
	f.name = fieldName(base, m)
	kind := "foreign_key"
	if c.Unique {
		kind = "one_to_one"
	}
	f.opts = append(f.opts, kv{"type", kind})
	to := target.name
	f.opts = append(f.opts, kv{"to", to})
	onDel := onDeletes[k.OnDelete]
	if onDel == "" {
		onDel = "protect"
	}
	if onDel == "set_null" && !c.Null {
		onDel = "protect"
		g.warn("%s.%s: ON DELETE SET NULL on a NOT NULL column; written as protect", m.table.Name, c.Name)
	}
	f.opts = append(f.opts, kv{"on_delete", onDel})
	if c.Null {
		f.opts = append(f.opts, kv{"null", "true"})
	}
	if f.name+"_id" != c.Name {
		f.opts = append(f.opts, kv{"db_column", scalar(c.Name)})
	}
	if c.Default != nil {
		if v, ok := g.defaultLiteral(m, c, keyColumn(target)); ok {
			f.opts = append(f.opts, kv{"default", v})
		}
	}
	f.rel = &relInfo{kind: kind, target: target, owner: m, field: f}
}

// keyColumn is the primary key column of a model's table.
func keyColumn(m *genModel) *migrate.Column {
	for _, c := range m.table.Columns {
		if c.PrimaryKey {
			return c
		}
	}
	return &migrate.Column{Type: migrate.TypeBigInt}
}

// typeNames maps neutral column types to models file types.
var typeNames = map[string]string{
	migrate.TypeText: "text", migrate.TypeInteger: "integer", migrate.TypePositiveInteger: "positive_integer",
	migrate.TypeSmallInt: "small_integer", migrate.TypeBigInt: "big_integer", migrate.TypeFloat: "float",
	migrate.TypeBoolean: "boolean", migrate.TypeDate: "date", migrate.TypeDateTime: "datetime",
	migrate.TypeTime: "time", migrate.TypeDuration: "duration", migrate.TypeUUID: "uuid", migrate.TypeJSON: "json",
	migrate.TypeAuto: "big_integer",
}

func (g *gen) column(m *genModel, f *genField, c *migrate.Column) {
	t := m.table
	f.name = fieldName(c.Name, m)
	switch c.Type {
	case migrate.TypeVarchar:
		f.opts = append(f.opts, kv{"type", "string"}, kv{"max_length", strconv.Itoa(c.MaxLength)})
	case migrate.TypeDecimal:
		digits, places := c.MaxDigits, c.DecimalPlaces
		if digits == 0 {
			digits, places = 20, 10
			g.warn("%s.%s: the database does not record the decimal's precision; written as max_digits 20, decimal_places 10", t.Name, c.Name)
		}
		f.opts = append(f.opts, kv{"type", "decimal"}, kv{"max_digits", strconv.Itoa(digits)}, kv{"decimal_places", strconv.Itoa(places)})
	case "":
		f.opts = append(f.opts, kv{"type", "text"})
		f.comment = "was " + c.SQLType
		g.warn("%s.%s: type %s has no models equivalent; written as text", t.Name, c.Name, c.SQLType)
	default:
		f.opts = append(f.opts, kv{"type", typeNames[c.Type]})
		if c.Type == migrate.TypeAuto {
			g.warn("%s.%s: an auto-increment key not named id; written as a big_integer primary key", t.Name, c.Name)
		}
	}
	if c.PrimaryKey {
		f.opts = append(f.opts, kv{"primary_key", "true"})
	}
	if c.Null {
		f.opts = append(f.opts, kv{"null", "true"})
	}
	if c.Unique && !c.PrimaryKey {
		f.opts = append(f.opts, kv{"unique", "true"})
	}
	if choices := choicesOf(t, c); len(choices) > 0 && c.Type != migrate.TypeBoolean && c.Type != migrate.TypeJSON {
		items := make([]string, len(choices))
		for i, v := range choices {
			items[i] = v
			if c.Type == migrate.TypeVarchar || c.Type == migrate.TypeText {
				items[i] = scalar(v)
			}
		}
		f.opts = append(f.opts, kv{"choices", "[" + strings.Join(items, ", ") + "]"})
	}
	if c.Default != nil {
		if v, ok := g.defaultLiteral(m, c, c); ok {
			f.opts = append(f.opts, kv{"default", v})
		}
	}
	if f.name != c.Name {
		f.opts = append(f.opts, kv{"db_column", scalar(c.Name)})
	}
}

var (
	inListRE  = regexp.MustCompile(`(?is)^\(*\s*"?([A-Za-z0-9_$]+)"?\s*\)?(?:::[a-z ]+)?\s*(?:IN\s*\(|=\s*ANY\s*\(+\s*ARRAY\[)(.*)$`)
	literalRE = regexp.MustCompile(`'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)`)
)

// choicesOf reads the values of a CHECK (col IN (…)) constraint on c, in
// any of the spellings PostgreSQL and SQLite keep.
func choicesOf(t *migrate.Table, c *migrate.Column) []string {
	for _, e := range append(slices.Clone(c.Checks), t.Checks...) {
		m := inListRE.FindStringSubmatch(strings.TrimSpace(e))
		if m == nil || m[1] != c.Name {
			continue
		}
		var out []string
		for _, lit := range literalRE.FindAllStringSubmatch(m[2], -1) {
			if lit[2] != "" {
				out = append(out, lit[2])
			} else {
				out = append(out, strings.ReplaceAll(lit[1], "''", "'"))
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// defaultLiteral turns a column default into a models default of the
// column's type (kind of column typ): a literal, now or uuid4.
func (g *gen) defaultLiteral(m *genModel, c, typ *migrate.Column) (string, bool) {
	raw := c.Default.For(g.opts.Dialect)
	if raw == "" {
		raw = c.Default.Postgres + c.Default.SQLite
	}
	v := migrate.DefaultValue(raw)
	lower := strings.ToLower(v)
	switch {
	case lower == "now()" || lower == "current_timestamp" || strings.HasPrefix(lower, "statement_timestamp") || lower == "transaction_timestamp()":
		return "now", true
	case lower == "gen_random_uuid()" || lower == "uuid_generate_v4()":
		return "uuid4", true
	case strings.EqualFold(raw, "null"):
		return "", false
	}
	quoted := strings.HasPrefix(strings.TrimSpace(raw), "'") || strings.Contains(raw, "'::")
	if !quoted && strings.ContainsAny(v, "()") {
		g.warn("%s.%s: default %s is an expression; left out", m.table.Name, c.Name, raw)
		return "", false
	}
	switch typ.Type {
	case migrate.TypeInteger, migrate.TypePositiveInteger, migrate.TypeSmallInt, migrate.TypeBigInt, migrate.TypeAuto:
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v, true
		}
	case migrate.TypeFloat:
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return v, true
		}
	case migrate.TypeBoolean:
		switch lower {
		case "true", "1", "t":
			return "true", true
		case "false", "0", "f":
			return "false", true
		}
	case migrate.TypeDuration:
		if d, ok := migrate.ParseInterval(v); ok {
			return scalar(fmt.Sprintf("PT%gS", d.Seconds())), true
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil { // SQLite: microseconds
			return scalar(fmt.Sprintf("PT%gS", float64(n)/1e6)), true
		}
	case migrate.TypeJSON:
		return jsonLiteral(v)
	case migrate.TypeDateTime:
		return scalar(normalizeDateTime(v)), true
	default:
		return scalar(v), true
	}
	g.warn("%s.%s: default %s does not read as a %s; left out", m.table.Name, c.Name, raw, typ.Type)
	return "", false
}

// normalizeDateTime turns "2024-02-29 12:30:00+00" into RFC 3339.
func normalizeDateTime(v string) string {
	v = strings.Replace(v, " ", "T", 1)
	if strings.HasSuffix(v, "+00") || strings.HasSuffix(v, "-00") {
		return v[:len(v)-3] + "Z"
	}
	if strings.HasSuffix(v, "+00:00") {
		return v[:len(v)-6] + "Z"
	}
	if !strings.ContainsAny(v[min(len(v), 10):], "Z+-") {
		return v + "Z"
	}
	return v
}

// m2mField declares the many_to_many a join table stands for on its
// source model.
func (g *gen) m2mField(j *joinInfo) {
	src, dst := g.models[j.src.RefTable], g.models[j.dst.RefTable]
	f := &genField{}
	field := strings.TrimPrefix(j.table.Name, src.table.Name+"_")
	if field == j.table.Name {
		field = strings.ToLower(model.Pluralize(model.SnakeCase(dst.name)))
	}
	f.name = fieldName(field, src)
	f.opts = append(f.opts, kv{"type", "many_to_many"}, kv{"to", dst.name})
	if src.table.Name+"_"+f.name != j.table.Name {
		f.opts = append(f.opts, kv{"db_table", scalar(j.table.Name)})
	}
	f.rel = &relInfo{kind: "many_to_many", target: dst, owner: src, field: f}
	src.fields = append(src.fields, f)
}

// reverseNames gives a related_name to relations whose default reverse
// name would clash on the target (two keys from one model to another, or
// a reverse name equal to a field).
func (g *gen) reverseNames() {
	type use struct {
		r    *relInfo
		name string
	}
	byTarget := map[*genModel][]use{}
	for _, t := range g.tables {
		m := g.models[t.Name]
		for _, f := range m.fields {
			if f.rel == nil {
				continue
			}
			def := model.SnakeCase(m.name) + "_set"
			if f.rel.kind == "one_to_one" {
				def = model.SnakeCase(m.name)
			}
			byTarget[f.rel.target] = append(byTarget[f.rel.target], use{f.rel, def})
		}
	}
	for target, uses := range byTarget {
		count := map[string]int{}
		for _, u := range uses {
			count[u.name]++
		}
		for _, u := range uses {
			if count[u.name] == 1 && !target.has(u.name) && !strings.HasSuffix(u.name, "_count") {
				continue
			}
			owner := model.SnakeCase(u.r.owner.name)
			name := model.Pluralize(owner) + "_by_" + u.r.field.name
			if u.r.kind == "one_to_one" {
				name = owner + "_by_" + u.r.field.name
			}
			u.r.field.opts = append(u.r.field.opts, kv{"related_name", name})
		}
	}
}

// render writes the models file.
func (g *gen) render() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by autogql inspect from a %s database. Review it: what only a models\n", g.opts.Dialect)
	b.WriteString("# file can say (help_text, choices without a CHECK, related names for the API,\n")
	b.WriteString("# auto_now, blank, ordering, quick) is not in the database.\n")
	b.WriteString("version: 1\n")
	if g.opts.App != "" {
		fmt.Fprintf(&b, "app: %s\n", g.opts.App)
	}
	b.WriteString("models:\n")
	for _, t := range g.tables {
		if g.join[t.Name] != nil {
			continue
		}
		m := g.models[t.Name]
		fmt.Fprintf(&b, "  %s:\n", m.name)
		if len(m.fields) == 0 {
			b.WriteString("    fields: {}\n")
		} else {
			b.WriteString("    fields:\n")
			width := 0
			for _, f := range m.fields {
				width = max(width, len(f.name))
			}
			for _, f := range m.fields {
				parts := make([]string, len(f.opts))
				for i, o := range f.opts {
					parts[i] = o.k + ": " + o.v
				}
				line := fmt.Sprintf("      %-*s {%s}", width+1, f.name+":", strings.Join(parts, ", "))
				if f.comment != "" {
					line += "  # " + f.comment
				}
				b.WriteString(line + "\n")
			}
		}
		if len(m.meta) > 0 {
			parts := make([]string, len(m.meta))
			for i, o := range m.meta {
				parts[i] = o.k + ": " + o.v
			}
			fmt.Fprintf(&b, "    meta: {%s}\n", strings.Join(parts, ", "))
		}
	}
	return []byte(b.String())
}

var plainRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// scalar renders a string for a YAML flow mapping: plain when that reads
// back as the same string, else double-quoted.
func scalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~":
	default:
		if plainRE.MatchString(s) {
			return s
		}
	}
	return strconv.Quote(s)
}

// jsonLiteral renders a JSON default as a YAML flow value (JSON is YAML).
func jsonLiteral(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false
	}
	return v, strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") || v == "true" || v == "false" || v == "null" ||
		strings.HasPrefix(v, "\"") || strings.ContainsAny(v[:1], "-0123456789")
}
