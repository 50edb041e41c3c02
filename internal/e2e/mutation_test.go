package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/testdb"
)

// mutationsGlob holds the mutation cases; they are not in testdata/cases
// because each one writes and so needs a database of its own.
const mutationsGlob = "testdata/mutations/*.yaml"

// MutationCase is one request that may write, the response it must
// produce, and what the database must hold afterwards.
type MutationCase struct {
	Name string `yaml:"name"`
	// Models names the schema and fixtures: "blog" (the default:
	// examples/blog/models.yaml with testdata/fixtures.json) or a file of
	// testdata/models (<name>.yaml with <name>.json).
	Models    string         `yaml:"models"`
	Query     string         `yaml:"query"`
	Operation string         `yaml:"operation"`
	Variables map[string]any `yaml:"variables"`
	// ReadOnly sends the request as GraphQL over GET would.
	ReadOnly bool   `yaml:"read_only"`
	Want     string `yaml:"want"`
	// Writes lists the tables whose rows the request must change; every
	// other table must hold exactly what it held before. It must be given:
	// "writes: []" is how a case says that nothing was written.
	Writes *[]string `yaml:"writes"`
	// Then are checks of the database after the request.
	Then []Then `yaml:"then"`

	file string
	line int
	node *yaml.Node
}

// Then is one check after a mutation case: a GraphQL query and its whole
// response, or an SQL query and its rows.
type Then struct {
	Query     string         `yaml:"query"`
	Variables map[string]any `yaml:"variables"`
	Want      string         `yaml:"want"`
	// SQL must return the same rows on both dialects: cast booleans,
	// decimals and datetimes to text or numbers in the query.
	SQL  string `yaml:"sql"`
	Rows []any  `yaml:"rows"`

	node *yaml.Node
}

func (c *MutationCase) String() string { return fmt.Sprintf("%s:%d (%s)", c.file, c.line, c.Name) }

type mutationFile struct {
	path  string
	name  string
	doc   *yaml.Node
	cases []*MutationCase
}

func loadMutationCases(t testing.TB) []*mutationFile {
	t.Helper()
	var files []*mutationFile
	for _, l := range readLists(t, mutationsGlob) {
		mf := &mutationFile{path: l.path, name: l.name, doc: l.doc}
		seen := map[string]bool{}
		for _, n := range l.items {
			p := l.path
			c := &MutationCase{file: p, line: n.Line, node: n}
			if err := decodeKnown(n, c); err != nil {
				t.Fatalf("%s:%d: %v", p, n.Line, err)
			}
			checkName(t, seen, p, n.Line, c.Name)
			if c.Writes == nil {
				t.Fatalf("%s:%d: %s: say which tables the request writes (writes: [] for none)", p, n.Line, c.Name)
			}
			if c.Models == "" {
				c.Models = "blog"
			}
			if then := mappingValue(n, "then"); then != nil {
				for i, tn := range then.Content {
					c.Then[i].node = tn
					if (c.Then[i].Query == "") == (c.Then[i].SQL == "") {
						t.Fatalf("%s:%d: a then check has query or sql", p, tn.Line)
					}
				}
			}
			mf.cases = append(mf.cases, c)
		}
		files = append(files, mf)
	}
	return files
}

// decodeKnown decodes a YAML node into v, refusing unknown keys at every level.
func decodeKnown(n *yaml.Node, v any) error {
	raw, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// schemaFiles returns the models and fixtures files of a case's Models.
func schemaFiles(name string) (models, fixtures string) {
	if name == "blog" {
		return modelsPath, fixturesPath
	}
	base := filepath.Join("testdata", "models", name)
	return base + ".yaml", base + ".json"
}

var schemaCache sync.Map // models path → *loadedSchema

type loadedSchema struct {
	once sync.Once
	ms   *model.Schema
	g    *gqlschema.Schema
	err  error
}

// loadSchema loads and builds a models file once per test binary.
func loadSchema(t testing.TB, path string) (*model.Schema, *gqlschema.Schema) {
	t.Helper()
	v, _ := schemaCache.LoadOrStore(path, &loadedSchema{})
	ls := v.(*loadedSchema)
	ls.once.Do(func() {
		if ls.ms, ls.err = model.Load(path); ls.err != nil {
			return
		}
		ls.g, ls.err = gqlschema.Build(ls.ms, gqlschema.Options{})
	})
	if ls.err != nil {
		t.Fatalf("%s: %v", path, ls.err)
	}
	return ls.ms, ls.g
}

// openFixture opens a fresh database of dialect d with the tables of the
// named schema and its fixtures, and an engine with the fixed clock.
func openFixture(t testing.TB, d database.Dialect, name string, opts database.Options) *fixture {
	t.Helper()
	modelsFile, fixturesFile := schemaFiles(name)
	ms, g := loadSchema(t, modelsFile)
	db := testdb.OpenOptions(t, d, opts)
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	data, err := os.ReadFile(fixturesFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadFixtures(ctx, db, ms, data); err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	e := engine.New(db, g, engine.Options{Introspection: true, Now: func() time.Time { return Now }})
	return &fixture{db: db, engine: e, models: ms}
}

// TestMutations runs every case of testdata/mutations on each dialect, each
// case on a fresh database, and checks the response, which tables changed
// (and that no other did), and the then-checks. -update rewrites the
// expected responses (of the case and of its GraphQL then-checks) from the
// SQLite answers; SQL rows are always written by hand.
func TestMutations(t *testing.T) {
	files := loadMutationCases(t)
	var mu sync.Mutex
	updates := map[*yaml.Node][]byte{}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			for _, mf := range files {
				t.Run(mf.name, func(t *testing.T) {
					for _, c := range mf.cases {
						t.Run(c.Name, func(t *testing.T) {
							t.Parallel()
							got := runMutationCase(t, d, c, *update && d == database.SQLite)
							if *update && d == database.SQLite {
								mu.Lock()
								for n, body := range got {
									updates[n] = body
								}
								mu.Unlock()
							}
						})
					}
				})
			}
		})
	}
	if *update {
		writeMutationUpdates(t, files, updates)
	}
}

// runMutationCase runs one case on a fresh database. When record is set
// it checks nothing that -update rewrites and returns the bodies to store,
// by YAML node.
func runMutationCase(t *testing.T, d database.Dialect, c *MutationCase, record bool) map[*yaml.Node][]byte {
	f := openFixture(t, d, c.Models, database.Options{})
	ctx := context.Background()
	before := snapshot(t, f.db, f.models)
	vars, err := yamlVariables(c.Variables)
	if err != nil {
		t.Fatalf("%s: variables: %v", c, err)
	}
	got, _ := f.engine.Execute(ctx, &engine.Request{Query: c.Query, OperationName: c.Operation, Variables: vars, ReadOnly: c.ReadOnly}, nil)
	bodies := map[*yaml.Node][]byte{}
	if record {
		bodies[c.node] = got
		c.Want = prettyOr(got)
	} else {
		check(t, &Case{Name: c.Name, Want: c.Want, file: c.file, line: c.line}, got)
	}
	after := snapshot(t, f.db, f.models)
	checkWrites(t, c, before, after)
	for i, th := range c.Then {
		where := &Case{Name: fmt.Sprintf("%s then[%d]", c.Name, i), Want: th.Want, file: c.file, line: th.node.Line}
		if th.SQL != "" {
			checkRows(t, where, f.db, th)
			continue
		}
		vars, err := yamlVariables(th.Variables)
		if err != nil {
			t.Fatalf("%s: variables: %v", where, err)
		}
		out, _ := f.engine.Execute(ctx, &engine.Request{Query: th.Query, Variables: vars}, nil)
		if record {
			bodies[th.node] = out
			c.Then[i].Want = prettyOr(out)
		} else {
			check(t, where, out)
		}
	}
	return bodies
}

// prettyOr is the expected-value form of a body (the body itself when it
// is not JSON), so that with -update the PostgreSQL run is held to the
// SQLite answer.
func prettyOr(body []byte) string {
	if tree, err := parseJSON(body); err == nil {
		return tree.pretty() + "\n"
	}
	return string(body)
}

// yamlVariables converts YAML variables to what an HTTP request's JSON body
// would give the engine (json.Number for numbers).
func yamlVariables(v map[string]any) (map[string]any, error) {
	return (&Case{Variables: v}).variables()
}

// checkWrites compares the tables that changed with the case's writes.
func checkWrites(t *testing.T, c *MutationCase, before, after map[string][]string) {
	t.Helper()
	var changed []string
	for table, rows := range before {
		if !slices.Equal(rows, after[table]) {
			changed = append(changed, table)
		}
	}
	sort.Strings(changed)
	want := slices.Clone(*c.Writes)
	sort.Strings(want)
	if slices.Equal(changed, want) {
		return
	}
	var b strings.Builder
	for _, table := range changed {
		fmt.Fprintf(&b, "\n%s:\n%s", table, cmp.Diff(before[table], after[table]))
	}
	t.Errorf("%s: changed tables %v, want %v%s", c, changed, want, b.String())
}

// checkRows runs a then-check's SQL and compares its rows, as JSON values.
// The rows' width is the width of the first expected row (database.Querier
// does not tell the column count); expecting no rows scans one column.
func checkRows(t *testing.T, where *Case, db *database.DB, th Then) {
	t.Helper()
	width := 1
	if len(th.Rows) > 0 {
		first, ok := th.Rows[0].([]any)
		if !ok {
			t.Fatalf("%s: rows is a list of lists", where)
		}
		width = len(first)
	}
	got := []any{}
	err := db.QueryRows(context.Background(), th.SQL, nil, func(scan func(...any) error) error {
		row, err := scanAny(scan, width)
		if err != nil {
			return err
		}
		for i, v := range row {
			row[i] = plainValue(v)
		}
		got = append(got, row)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %s: %v", where, th.SQL, err)
	}
	norm := func(v any) any {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		var out any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	want := th.Rows
	if want == nil {
		want = []any{}
	}
	if diff := cmp.Diff(norm(want), norm(got)); diff != "" {
		t.Errorf("%s: %s: rows mismatch (-want +got):\n%s", where, th.SQL, diff)
	}
}

// scanAny scans a row of n columns into values.
func scanAny(scan func(...any) error, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	return vals, scan(ptrs...)
}

// plainValue turns a driver value into something that marshals the same on
// both dialects.
func plainValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case int32:
		return int64(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// snapshot reads every table of the schema (model tables and join tables)
// as text rows in a stable order, to tell which tables a request changed.
func snapshot(t *testing.T, db *database.DB, ms *model.Schema) map[string][]string {
	t.Helper()
	tables := map[string][]string{}
	read := func(table string, cols []string) {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = database.QuoteIdent(c)
		}
		list := strings.Join(quoted, ", ")
		var rows []string
		err := db.QueryRows(context.Background(), "SELECT "+list+" FROM "+database.QuoteIdent(table)+" ORDER BY "+list, nil,
			func(scan func(...any) error) error {
				vals, err := scanAny(scan, len(cols))
				if err != nil {
					return err
				}
				for i, v := range vals {
					vals[i] = plainValue(v)
				}
				rows = append(rows, fmt.Sprintf("%v", vals))
				return nil
			})
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		tables[table] = rows
	}
	for _, m := range ms.Models {
		var cols []string
		for _, f := range m.Fields {
			if f.Column != "" {
				cols = append(cols, f.Column)
			}
		}
		read(m.Table, cols)
		for _, f := range m.Fields {
			if j := f.Rel; j != nil && j.Join != nil && j.Join.Through == nil {
				read(j.Join.Table, []string{j.Join.SourceColumn, j.Join.TargetColumn})
			}
		}
	}
	return tables
}

// writeMutationUpdates stores new expected responses in the case files.
func writeMutationUpdates(t *testing.T, files []*mutationFile, got map[*yaml.Node][]byte) {
	t.Helper()
	for _, mf := range files {
		changed := false
		for _, c := range mf.cases {
			nodes := []*yaml.Node{c.node}
			for _, th := range c.Then {
				if th.Query != "" {
					nodes = append(nodes, th.node)
				}
			}
			for _, n := range nodes {
				body, ok := got[n]
				if !ok {
					continue
				}
				tree, err := parseJSON(body)
				if err != nil {
					t.Errorf("%s: not updating: %v", c, err)
					continue
				}
				want := tree.pretty() + "\n"
				if want == nodeWant(n) {
					continue
				}
				setWant(n, want)
				changed = true
			}
		}
		if !changed {
			continue
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(mf.doc); err != nil {
			t.Fatalf("%s: %v", mf.path, err)
		}
		if err := os.WriteFile(mf.path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", mf.path)
	}
}
