package seed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// Errors a FixtureError wraps (besides database.ErrInvalidValue for a value
// of the wrong type or out of range).
var (
	// ErrMalformed: the data is not a JSON or YAML list of fixture objects.
	ErrMalformed = errors.New("malformed fixture")
	// ErrUnknownModel: "model" names no model of the schema.
	ErrUnknownModel = errors.New("unknown model")
	// ErrUnknownField: "fields" names no field of the model.
	ErrUnknownField = errors.New("unknown field")
	// ErrMissingValue: a field that is not nullable has no value and no default.
	ErrMissingValue = errors.New("missing value")
	// ErrMissingTarget: a relation refers to a primary key that does not exist.
	ErrMissingTarget = errors.New("missing related object")
)

// FixtureError is a problem with one fixture object. Index is its 1-based
// position in the list (0 when the problem is a row the fixture did not
// write).
type FixtureError struct {
	Index int
	Model string
	PK    string
	Field string
	Err   error
}

func (e *FixtureError) Error() string {
	var b strings.Builder
	if e.Index > 0 {
		fmt.Fprintf(&b, "object %d", e.Index)
	} else {
		b.WriteString("row")
	}
	if e.Model != "" {
		b.WriteString(" (")
		b.WriteString(e.Model)
		if e.PK != "" {
			b.WriteString(" pk ")
			b.WriteString(e.PK)
		}
		b.WriteString(")")
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *FixtureError) Unwrap() error { return e.Err }

// rawObject is one fixture object as written.
type rawObject struct {
	Model  string         `json:"model" yaml:"model"`
	PK     any            `json:"pk" yaml:"pk"`
	Fields map[string]any `json:"fields" yaml:"fields"`
}

// object is a fixture object checked and converted to driver values.
type object struct {
	index  int
	m      *model.Model
	pk     any    // driver value; nil when the database assigns it
	pkText string // for messages
	cols   []string
	vals   []any
	links  []links
}

// links are the many_to_many targets given for one field (driver values,
// without duplicates).
type links struct {
	f       *model.Field
	targets []any
}

// LoadFixtures loads data, a list of objects in Django's loaddata format
// (JSON, or the same structure in YAML):
//
//	[{"model": "blog.post", "pk": 1, "fields": {"title": "Hello", "author": 3, "tags": [1, 2]}}]
//
// "model" is a declared model name, case-insensitive, optionally prefixed by
// the app label; "pk" is optional when the database assigns keys; a foreign
// key takes the target's primary key and a many_to_many field the list of
// target keys (replacing the object's links). A field left out gets its
// default, "now" for auto_now and auto_now_add, NULL when nullable, or ""
// for text; any other missing value is an error. Objects whose pk exists
// are updated. Everything is written in one transaction; on any error
// nothing is, and the error is a *FixtureError. The result counts the
// objects loaded per model name.
func LoadFixtures(ctx context.Context, db *database.DB, s *model.Schema, data []byte) (map[string]int, error) {
	raw, err := decodeFixtures(data)
	if err != nil {
		return nil, fmt.Errorf("load fixtures: %w", err)
	}
	d := db.Dialect()
	now := time.Now().UTC()
	objs := make([]*object, len(raw))
	for i, r := range raw {
		if objs[i], err = prepare(s, d, i+1, r, now); err != nil {
			return nil, fmt.Errorf("load fixtures: %w", err)
		}
	}
	counts := map[string]int{}
	err = db.InTx(ctx, func(tx database.Querier) error {
		byKey := map[string]*object{} // model name + "\x00" + pk text
		explicit := map[*model.Model]bool{}
		var touched []*model.Model
		for _, o := range objs {
			if err := write(ctx, tx, d, o); err != nil {
				return &FixtureError{Index: o.index, Model: o.m.Name, PK: o.pkText, Err: err}
			}
			byKey[o.m.Name+"\x00"+o.pkText] = o
			if o.pk != nil {
				explicit[o.m] = true
			}
			if !slices.Contains(touched, o.m) {
				touched = append(touched, o.m)
			}
			counts[o.m.Name]++
		}
		if err := checkReferences(ctx, tx, touched, byKey); err != nil {
			return err
		}
		for _, m := range touched {
			if explicit[m] {
				if err := resetSequence(ctx, tx, d, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load fixtures: %w", err)
	}
	return counts, nil
}

// decodeFixtures reads JSON (when data starts with "[") or YAML, strictly:
// an object may only have the keys model, pk and fields.
func decodeFixtures(data []byte) ([]rawObject, error) {
	trimmed := bytes.TrimSpace(data)
	var raw []rawObject
	if bytes.HasPrefix(trimmed, []byte("[")) || bytes.HasPrefix(trimmed, []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, fmt.Errorf("%w: data after the list", ErrMalformed)
		}
		return raw, nil
	}
	if len(trimmed) == 0 {
		return nil, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(trimmed))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	for i := range raw {
		for k, v := range raw[i].Fields {
			raw[i].Fields[k] = fromYAML(v)
		}
		raw[i].PK = fromYAML(raw[i].PK)
	}
	return raw, nil
}

// fromYAML turns the few YAML-only value shapes into what JSON decoding
// gives: timestamps become RFC 3339 strings, maps get string keys.
func fromYAML(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case map[string]any:
		for k, e := range x {
			x[k] = fromYAML(e)
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = fromYAML(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = fromYAML(e)
		}
	}
	return v
}

// findModel resolves "Post", "post" or "blog.post".
func findModel(s *model.Schema, name string) *model.Model {
	if app, short, ok := strings.Cut(name, "."); ok {
		if s.App != "" && !strings.EqualFold(app, s.App) {
			return nil
		}
		name = short
	}
	for _, m := range s.Models {
		if strings.EqualFold(m.Name, name) {
			return m
		}
	}
	return nil
}

// prepare checks one object against its model and converts its values.
func prepare(s *model.Schema, d database.Dialect, index int, r rawObject, now time.Time) (*object, error) {
	fail := func(m *model.Model, field string, err error) error {
		e := &FixtureError{Index: index, Model: r.Model, Field: field, Err: err}
		if m != nil {
			e.Model = m.Name
		}
		if r.PK != nil {
			e.PK = fmt.Sprint(r.PK)
		}
		return e
	}
	if r.Model == "" {
		return nil, fail(nil, "", fmt.Errorf("%w: \"model\" is missing", ErrMalformed))
	}
	m := findModel(s, r.Model)
	if m == nil {
		names := make([]string, len(s.Models))
		for i, m := range s.Models {
			names[i] = m.Name
		}
		return nil, fail(nil, "", fmt.Errorf("%w %q (models: %s)", ErrUnknownModel, r.Model, strings.Join(names, ", ")))
	}
	o := &object{index: index, m: m}
	pkRaw := r.PK
	given := map[*model.Field]bool{}
	names := make([]string, 0, len(r.Fields))
	for name := range r.Fields {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic messages
	for _, name := range names {
		v := r.Fields[name]
		f := fieldByName(m, name)
		if f == nil {
			return nil, fail(m, name, fmt.Errorf("%w (fields of %s: %s)", ErrUnknownField, m.Name, fieldList(m)))
		}
		if given[f] {
			return nil, fail(m, name, fmt.Errorf("%w: given twice (as %s and %s)", ErrMalformed, f.Name, f.Column))
		}
		given[f] = true
		switch {
		case f == m.PK:
			if pkRaw != nil {
				return nil, fail(m, name, fmt.Errorf("%w: the primary key is given both as pk and in fields", ErrMalformed))
			}
			pkRaw = v
		case f.Type == model.TypeManyToMany:
			l, err := linkValues(d, f, v)
			if err != nil {
				return nil, fail(m, name, err)
			}
			o.links = append(o.links, l)
		default:
			enc, err := fieldValue(d, f, v)
			if err != nil {
				return nil, fail(m, name, err)
			}
			o.cols = append(o.cols, f.Column)
			o.vals = append(o.vals, enc)
		}
	}
	for _, f := range m.Fields {
		if given[f] || f == m.PK || f.Column == "" {
			continue
		}
		v, ok, err := absentValue(d, f, now)
		if err != nil {
			return nil, fail(m, f.Name, err)
		}
		if ok {
			o.cols = append(o.cols, f.Column)
			o.vals = append(o.vals, v)
		}
	}
	if pkRaw == nil && m.PK.Type != model.TypeAutoID {
		if m.PK.Default != nil && m.PK.Default.Special == "uuid4" {
			pkRaw = newUUID(rand.Reader)
		} else {
			return nil, fail(m, "", fmt.Errorf("%w: pk is required (%s's primary key %s is not assigned by the database)", ErrMissingValue, m.Name, m.PK.Name))
		}
	}
	if pkRaw != nil {
		enc, err := d.Encode(m.PK.ValueKind(), pkRaw)
		if err != nil {
			return nil, fail(m, "pk", err)
		}
		o.pk, o.pkText = enc, fmt.Sprint(pkRaw)
	}
	return o, nil
}

// fieldByName finds a field by name, or a key field by its column
// ("author_id"), as Django's serialisers accept both.
func fieldByName(m *model.Model, name string) *model.Field {
	if f := m.Field(name); f != nil {
		return f
	}
	for _, f := range m.Fields {
		if f.Column == name {
			return f
		}
	}
	return nil
}

func fieldList(m *model.Model) string {
	names := make([]string, 0, len(m.Fields))
	for _, f := range m.Fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// fieldValue converts a given value of a column field, enforcing what the
// database would not enforce on both dialects alike (NOT NULL for a clear
// message, max_length, which SQLite ignores, and choices).
func fieldValue(d database.Dialect, f *model.Field, v any) (any, error) {
	if v == nil {
		if !f.Null {
			return nil, fmt.Errorf("%w: null is not allowed (the field is not nullable)", database.ErrInvalidValue)
		}
		return nil, nil
	}
	enc, err := d.Encode(f.ValueKind(), v)
	if err != nil {
		return nil, err
	}
	if s, ok := enc.(string); ok && f.ValueKind() == model.KindText && f.MaxLength > 0 && utf8.RuneCountInString(s) > f.MaxLength {
		return nil, fmt.Errorf("%w: %d characters is longer than max_length %d", database.ErrInvalidValue, utf8.RuneCountInString(s), f.MaxLength)
	}
	if len(f.Choices) > 0 && f.Rel == nil {
		var canon string
		switch x := enc.(type) {
		case string:
			canon = x
		case int64:
			canon = strconv.FormatInt(x, 10)
		default:
			return enc, nil
		}
		values := make([]string, len(f.Choices))
		for i, c := range f.Choices {
			if c.Value == canon {
				return enc, nil
			}
			values[i] = c.Value
		}
		return nil, fmt.Errorf("%w: %q is not one of the choices (%s)", database.ErrInvalidValue, canon, strings.Join(values, ", "))
	}
	return enc, nil
}

// linkValues converts the target keys of a many_to_many field.
func linkValues(d database.Dialect, f *model.Field, v any) (links, error) {
	if f.Rel == nil || f.Rel.Join == nil {
		return links{}, fmt.Errorf("%w: the field has no join table", ErrMalformed)
	}
	if th := f.Rel.Join.Through; th != nil {
		return links{}, fmt.Errorf("%w: links through %s are loaded as %s objects", ErrMalformed, th.Name, th.Name)
	}
	list, ok := v.([]any)
	if !ok && v != nil {
		return links{}, fmt.Errorf("%w: want a list of %s keys", database.ErrInvalidValue, f.Rel.Target.Name)
	}
	l := links{f: f}
	seen := map[string]bool{}
	for _, x := range list {
		enc, err := d.Encode(f.Rel.Target.PK.ValueKind(), x)
		if err != nil {
			return links{}, err
		}
		if enc == nil {
			return links{}, fmt.Errorf("%w: null in a list of %s keys", database.ErrInvalidValue, f.Rel.Target.Name)
		}
		if k := fmt.Sprint(enc); !seen[k] {
			seen[k] = true
			l.targets = append(l.targets, enc)
		}
	}
	return l, nil
}

// absentValue is the value of a field the object leaves out; ok is false
// when the column is left to the database (NULL).
func absentValue(d database.Dialect, f *model.Field, now time.Time) (v any, ok bool, err error) {
	var raw any
	switch {
	case f.AutoNow || f.AutoNowAdd || (f.Default != nil && f.Default.Special == "now"):
		switch f.Type {
		case model.TypeDate:
			raw = now.Format(time.DateOnly)
		case model.TypeTime:
			raw = now.Format("15:04:05.999999")
		default:
			raw = now.Format(time.RFC3339Nano)
		}
	case f.Default != nil && f.Default.Special == "uuid4":
		raw = newUUID(rand.Reader)
	case f.Default != nil:
		raw = f.Default.Value
		if raw == nil {
			return nil, true, nil
		}
	case f.Null:
		return nil, false, nil
	case f.Type.Kind() == model.KindText:
		// Django's default for a text field without one.
		raw = ""
	default:
		return nil, false, fmt.Errorf("%w: the field is required (not nullable, no default)", ErrMissingValue)
	}
	enc, err := d.Encode(f.ValueKind(), raw)
	if err != nil {
		return nil, false, fmt.Errorf("default: %w", err)
	}
	return enc, true, nil
}

// newUUID returns a random (version 4) UUID read from r.
func newUUID(r io.Reader) string {
	var b [16]byte
	_, _ = io.ReadFull(r, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// write inserts or updates one object and replaces the links it gives.
func write(ctx context.Context, tx database.Querier, d database.Dialect, o *object) error {
	m := o.m
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(quoteIdent(m.Table))
	cols, vals := o.cols, o.vals
	if o.pk != nil {
		cols = append([]string{m.PK.Column}, cols...)
		vals = append([]any{o.pk}, vals...)
	}
	if len(cols) == 0 {
		b.WriteString(" DEFAULT VALUES")
	} else {
		b.WriteString(" (")
		b.WriteString(quoteIdents(cols))
		b.WriteString(") VALUES ")
		valuesSQL(&b, d, 1, len(cols), 1)
	}
	if o.pk != nil {
		// An existing object is updated, as loaddata does.
		b.WriteString(" ON CONFLICT (")
		b.WriteString(quoteIdent(m.PK.Column))
		if len(o.cols) == 0 {
			b.WriteString(") DO NOTHING")
		} else {
			b.WriteString(") DO UPDATE SET ")
			for i, c := range o.cols {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(quoteIdent(c) + " = excluded." + quoteIdent(c))
			}
		}
		if err := tx.Exec(ctx, b.String(), vals...); err != nil {
			return err
		}
	} else {
		b.WriteString(" RETURNING ")
		b.WriteString(textCast(quoteIdent(m.PK.Column)))
		err := tx.QueryRows(ctx, b.String(), vals, func(scan func(...any) error) error {
			return scan(&o.pkText)
		})
		if err != nil {
			return err
		}
		if o.pk, err = d.Encode(m.PK.ValueKind(), o.pkText); err != nil {
			return err
		}
	}
	for _, l := range o.links {
		j := l.f.Rel.Join
		del := fmt.Sprintf("DELETE FROM %s WHERE %s = ", quoteIdent(j.Table), quoteIdent(j.SourceColumn))
		if d == database.Postgres {
			del += "$1"
		} else {
			del += "?"
		}
		if err := tx.Exec(ctx, del, o.pk); err != nil {
			return fmt.Errorf("field %q: %w", l.f.Name, err)
		}
		if len(l.targets) == 0 {
			continue
		}
		ins := newBatch(tx, d, j.Table, []string{j.SourceColumn, j.TargetColumn})
		for _, t := range l.targets {
			if err := ins.add(ctx, o.pk, t); err != nil {
				return fmt.Errorf("field %q: %w", l.f.Name, err)
			}
		}
		if err := ins.flush(ctx); err != nil {
			return fmt.Errorf("field %q: %w", l.f.Name, err)
		}
	}
	return nil
}

// checkReferences finds a reference to a missing object in the tables the
// fixture wrote, so the error names it (the deferred constraints would only
// fail the commit).
func checkReferences(ctx context.Context, tx database.Querier, touched []*model.Model, byKey map[string]*object) error {
	for _, m := range touched {
		for _, f := range m.Fields {
			var table, src, col string
			var target *model.Model
			switch {
			case (f.Type == model.TypeForeignKey || f.Type == model.TypeOneToOne) && f.Rel != nil:
				table, src, col, target = m.Table, m.PK.Column, f.Column, f.Rel.Target
			case f.Type == model.TypeManyToMany && f.Rel != nil && f.Rel.Join != nil && f.Rel.Join.Through == nil:
				table, src, col, target = f.Rel.Join.Table, f.Rel.Join.SourceColumn, f.Rel.Join.TargetColumn, f.Rel.Target
			default:
				continue
			}
			q := fmt.Sprintf(`SELECT %s, %s FROM %s s WHERE s.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = s.%s) LIMIT 1`,
				textCast("s."+quoteIdent(src)), textCast("s."+quoteIdent(col)), quoteIdent(table),
				quoteIdent(col), quoteIdent(target.Table), quoteIdent(target.PK.Column), quoteIdent(col))
			var pk, ref string
			found := false
			err := tx.QueryRows(ctx, q, nil, func(scan func(...any) error) error {
				found = true
				return scan(&pk, &ref)
			})
			if err != nil {
				return fmt.Errorf("check references of %s.%s: %w", m.Name, f.Name, err)
			}
			if !found {
				continue
			}
			e := &FixtureError{Model: m.Name, PK: pk, Field: f.Name,
				Err: fmt.Errorf("%w: there is no %s with pk %s", ErrMissingTarget, target.Name, ref)}
			if o := byKey[m.Name+"\x00"+pk]; o != nil {
				e.Index = o.index
			}
			return e
		}
	}
	return nil
}
