package seed

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
)

// DefaultCount is the number of rows Generate makes for a model that
// GenerateOptions.Counts does not name.
const DefaultCount = 50

// DefaultMaxLinks is the most many_to_many links Generate gives one row.
const DefaultMaxLinks = 4

// GenerateOptions tune Generate.
type GenerateOptions struct {
	// Seed makes the data: the same seed on the same starting database
	// gives the same rows.
	Seed uint64
	// Counts is the number of rows per model, by declared name
	// (case-insensitive). A model named with 0 gets none.
	Counts map[string]int
	// Default is the number of rows for a model Counts does not name;
	// 0 means DefaultCount and a negative number none.
	Default int
	// MaxLinks is the most links one row gets per many_to_many field (each
	// row gets 0 to MaxLinks, without duplicates); 0 means DefaultMaxLinks.
	MaxLinks int
}

// Scale returns the options with every count (Default included) multiplied
// by f and rounded, for datasets of several sizes from one shape:
//
//	base := seed.GenerateOptions{Seed: 1, Counts: map[string]int{"Author": 10, "Post": 200}}
//	big := base.Scale(100) // 1,000 authors, 20,000 posts
func (o GenerateOptions) Scale(f float64) GenerateOptions {
	counts := make(map[string]int, len(o.Counts))
	for k, v := range o.Counts {
		counts[k] = int(math.Round(float64(v) * f))
	}
	o.Counts = counts
	def := o.Default
	if def == 0 {
		def = DefaultCount
	}
	o.Default = max(int(math.Round(float64(def)*f)), 0)
	if o.Default == 0 {
		o.Default = -1 // none, not DefaultCount
	}
	return o
}

// ErrCannotGenerate is wrapped by the errors Generate returns when the
// schema or the options ask for rows it cannot make.
var ErrCannotGenerate = errors.New("cannot generate")

// count resolves the number of rows for m.
func (o GenerateOptions) count(m *model.Model) int {
	for k, v := range o.Counts {
		if strings.EqualFold(k, m.Name) {
			return max(v, 0)
		}
	}
	switch {
	case o.Default < 0:
		return 0
	case o.Default == 0:
		return DefaultCount
	}
	return o.Default
}

// Generate adds fake rows to every model of s (see GenerateOptions) in one
// transaction and returns the rows made per model name, and the links made
// per many_to_many field as "Model.field". Rows are written with explicit
// primary keys following the existing ones, so the same seed on the same
// starting database gives the same rows. Foreign keys pick existing rows of
// the target (existing before, or generated earlier in dependency order; a
// nullable key is NULL about one time in ten). A one_to_one or unique key
// uses each target once, so a model may get fewer rows than asked when its
// targets run out; rows whose unique_together values repeat are retried,
// then skipped. The regex option is not honoured.
func Generate(ctx context.Context, db *database.DB, s *model.Schema, opts GenerateOptions) (map[string]int, error) {
	for name := range opts.Counts {
		if findModel(s, name) == nil {
			return nil, fmt.Errorf("generate: %w: unknown model %q in counts", ErrCannotGenerate, name)
		}
	}
	if opts.MaxLinks == 0 {
		opts.MaxLinks = DefaultMaxLinks
	}
	d := db.Dialect()
	made := map[string]int{}
	err := db.InTx(ctx, func(tx database.Querier) error {
		keys := map[*model.Model][]any{} // models generated so far: every key
		for _, m := range migrate.Order(s) {
			g, err := newModelGen(ctx, tx, d, m, opts, keys)
			if err != nil {
				return err
			}
			if err := g.run(ctx, opts.count(m)); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			keys[m] = g.keys
			made[m.Name] = g.rows
			for _, l := range g.links {
				made[m.Name+"."+l.f.Name] = l.n
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return made, nil
}

// modelGen generates the rows of one model.
type modelGen struct {
	tx   database.Querier
	d    database.Dialect
	m    *model.Model
	fake faker
	opts GenerateOptions

	keys    []any // existing keys, then generated ones (API values)
	nextKey int64 // next auto-increment or integer key
	texts   map[string]bool
	seq0    int // rows in the table before
	rows    int

	targets map[*model.Model][]any
	perms   map[*model.Field]*permutation
	links   []*linkGen
}

// permutation hands out the keys of a target in random order, each once.
type permutation struct {
	order []int
	next  int
}

// linkGen accumulates the join rows of one many_to_many field.
type linkGen struct {
	f    *model.Field
	rows [][2]any
	n    int
}

func newModelGen(ctx context.Context, tx database.Querier, d database.Dialect, m *model.Model, opts GenerateOptions, done map[*model.Model][]any) (*modelGen, error) {
	h := fnv.New64a()
	h.Write([]byte(m.Name))
	g := &modelGen{
		tx: tx, d: d, m: m, opts: opts,
		fake:    faker{r: rand.New(rand.NewPCG(opts.Seed, h.Sum64()))},
		targets: map[*model.Model][]any{},
		perms:   map[*model.Field]*permutation{},
	}
	existing, err := tableKeys(ctx, tx, m)
	if err != nil {
		return nil, err
	}
	g.seq0 = len(existing)
	g.nextKey = 1
	switch m.PK.ValueKind() {
	case model.KindInt, model.KindBigInt:
		for _, k := range existing {
			n, err := strconv.ParseInt(k, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: key %q: %w", m.Name, k, err)
			}
			g.keys = append(g.keys, n)
			g.nextKey = max(g.nextKey, n+1)
		}
	default:
		g.texts = map[string]bool{}
		for _, k := range existing {
			g.keys = append(g.keys, k)
			g.texts[k] = true
		}
	}
	for _, f := range m.Fields {
		t := relTarget(f)
		if t == nil {
			continue
		}
		switch {
		case t == m:
			// Self references are resolved row by row from g.keys.
		case done[t] != nil:
			g.targets[t] = done[t]
		default:
			// Not generated yet (a cycle): only its existing rows can be referenced.
			tk, err := tableKeys(ctx, tx, t)
			if err != nil {
				return nil, err
			}
			vals := make([]any, len(tk))
			for i, k := range tk {
				vals[i] = k
			}
			g.targets[t] = vals
		}
		if f.Type == model.TypeManyToMany && f.Rel.Join != nil && f.Rel.Join.Through == nil {
			g.links = append(g.links, &linkGen{f: f})
		}
	}
	return g, nil
}

func relTarget(f *model.Field) *model.Model {
	if f.Rel == nil || !f.Type.IsRelation() {
		return nil
	}
	return f.Rel.Target
}

// tableKeys reads the primary keys of a model's table, in key order, as text.
func tableKeys(ctx context.Context, tx database.Querier, m *model.Model) ([]string, error) {
	// Qualified, so that ORDER BY sorts by the key and not by its text
	// (PostgreSQL names the cast output column after the key).
	pk := "t." + quoteIdent(m.PK.Column)
	q := "SELECT " + textCast(pk) + " FROM " + quoteIdent(m.Table) + " t ORDER BY " + pk
	var keys []string
	err := tx.QueryRows(ctx, q, nil, func(scan func(...any) error) error {
		var k string
		if err := scan(&k); err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read keys of %s: %w", m.Table, err)
	}
	return keys, nil
}

func (g *modelGen) run(ctx context.Context, n int) error {
	m := g.m
	cols := []string{m.PK.Column}
	var fields []*model.Field
	for _, f := range m.Fields {
		if f.Column != "" && f != m.PK {
			cols = append(cols, f.Column)
			fields = append(fields, f)
		}
	}
	uniqueSets := make([][]int, 0, len(m.Meta.UniqueTogether))
	for _, names := range m.Meta.UniqueTogether {
		var idx []int
		for _, name := range names {
			for i, f := range fields {
				if f.Name == name || f.Column == name {
					idx = append(idx, i+1)
				}
			}
		}
		uniqueSets = append(uniqueSets, idx)
	}
	seen := make([]map[string]bool, len(uniqueSets))
	for i := range seen {
		seen[i] = map[string]bool{}
	}

	b := newBatch(g.tx, g.d, m.Table, cols)
	row := make([]any, len(cols))
rows:
	for i := 0; i < n; i++ {
		ok := false
		for attempt := 0; attempt < 10 && !ok; attempt++ {
			more, err := g.row(fields, row)
			if err != nil {
				return err
			}
			if !more {
				break rows
			}
			ok = true
			for s, idx := range uniqueSets {
				if seen[s][tupleKey(row, idx)] {
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		for s, idx := range uniqueSets {
			seen[s][tupleKey(row, idx)] = true
		}
		key := g.newKey()
		enc, err := g.d.Encode(m.PK.ValueKind(), key)
		if err != nil {
			return fmt.Errorf("key %v: %w", key, err)
		}
		row[0] = enc
		g.keys = append(g.keys, key)
		g.rows++
		if err := b.add(ctx, row...); err != nil {
			return err
		}
		if err := g.addLinks(enc); err != nil {
			return err
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	if g.rows > 0 {
		if err := resetSequence(ctx, g.tx, g.d, m); err != nil {
			return err
		}
	}
	for _, l := range g.links {
		j := l.f.Rel.Join
		lb := newBatch(g.tx, g.d, j.Table, []string{j.SourceColumn, j.TargetColumn})
		for _, r := range l.rows {
			if err := lb.add(ctx, r[0], r[1]); err != nil {
				return err
			}
		}
		if err := lb.flush(ctx); err != nil {
			return err
		}
		l.n = lb.total
	}
	return nil
}

// row fills row[1:] with the values of fields (driver values). more is
// false when no further row can be made (a unique key's targets ran out).
func (g *modelGen) row(fields []*model.Field, row []any) (more bool, err error) {
	seq := g.seq0 + g.rows + 1
	created := g.fake.rowTime()
	for i, f := range fields {
		var v any
		if t := relTarget(f); t != nil {
			var ok bool
			if v, ok, err = g.reference(f, t); err != nil || !ok {
				return false, err
			}
		} else {
			v = g.fake.value(f, seq, created)
		}
		enc, err := g.d.Encode(f.ValueKind(), v)
		if err != nil {
			return false, fmt.Errorf("field %s: generated %v: %w", f.Name, v, err)
		}
		row[i+1] = enc
	}
	return true, nil
}

// reference picks the target key of a foreign key or one-to-one (an API
// value, or nil). ok is false when a unique, non-nullable key has no target
// left.
func (g *modelGen) reference(f *model.Field, t *model.Model) (v any, ok bool, err error) {
	pool := g.targets[t]
	if t == g.m {
		pool = g.keys // rows made before this one: a tree, never a cycle
	}
	if f.Null && g.fake.r.Float64() < nullRate {
		return nil, true, nil
	}
	if f.Unique || f.Type == model.TypeOneToOne {
		p := g.perms[f]
		if p == nil {
			p = &permutation{order: g.fake.r.Perm(len(pool))}
			g.perms[f] = p
		}
		if p.next < len(p.order) {
			p.next++
			return pool[p.order[p.next-1]], true, nil
		}
		if f.Null {
			return nil, true, nil
		}
		return nil, false, nil
	}
	if len(pool) == 0 {
		if f.Null {
			return nil, true, nil
		}
		return nil, false, fmt.Errorf("%w: field %s needs %s rows and there are none (give %s a count)", ErrCannotGenerate, f.Name, t.Name, t.Name)
	}
	return pool[g.fake.r.IntN(len(pool))], true, nil
}

// addLinks picks 0–MaxLinks distinct targets for each many_to_many field
// of the row with key src.
func (g *modelGen) addLinks(src any) error {
	for _, l := range g.links {
		t := l.f.Rel.Target
		pool := g.targets[t]
		if t == g.m {
			pool = g.keys
		}
		k := min(g.fake.r.IntN(g.opts.MaxLinks+1), len(pool))
		picked := make(map[int]bool, k)
		for len(picked) < k {
			i := g.fake.r.IntN(len(pool))
			if picked[i] {
				continue
			}
			picked[i] = true
			enc, err := g.d.Encode(t.PK.ValueKind(), pool[i])
			if err != nil {
				return fmt.Errorf("field %s: %w", l.f.Name, err)
			}
			l.rows = append(l.rows, [2]any{src, enc})
		}
	}
	return nil
}

// newKey returns the next primary key (an API value).
func (g *modelGen) newKey() any {
	pk := g.m.PK
	switch pk.ValueKind() {
	case model.KindInt, model.KindBigInt:
		k := g.nextKey
		g.nextKey++
		return k
	case model.KindUUID:
		return g.fake.uuid()
	}
	for {
		k := g.fake.text(&model.Field{Type: model.TypeSlug, MaxLength: pk.MaxLength, Unique: true, Model: g.m}, int(g.nextKey))
		g.nextKey++
		if !g.texts[k] {
			g.texts[k] = true
			return k
		}
	}
}

func tupleKey(row []any, idx []int) string {
	var b strings.Builder
	for _, i := range idx {
		fmt.Fprintf(&b, "%v\x00", row[i])
	}
	return b.String()
}
