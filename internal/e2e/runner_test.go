package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

var update = flag.Bool("update", false, "rewrite the expected values of testdata/cases from the SQLite answers (review the diff!)")

// Paths of the suite's inputs.
const (
	modelsPath   = "../../examples/blog/models.yaml"
	fixturesPath = "testdata/fixtures.json"
	casesGlob    = "testdata/cases/*.yaml"
)

// Now is the engine's clock in every case: Wednesday 2024-06-12 15:30 UTC.
// The fixtures place dates around it so each relative date lookup
// (today, this_week, past_month, …) selects a different set of rows.
var Now = time.Date(2024, 6, 12, 15, 30, 0, 0, time.UTC)

// Case is one request and the whole response body it must produce.
type Case struct {
	Name string `yaml:"name"`
	// Query is the GraphQL document.
	Query string `yaml:"query"`
	// Operation is the operationName (optional).
	Operation string `yaml:"operation"`
	// Variables are written as YAML and passed as JSON would decode them.
	Variables map[string]any `yaml:"variables"`
	// Want is the expected response body as JSON text.
	Want string `yaml:"want"`

	file string
	line int
	// node is the case's mapping node, for -update.
	node *yaml.Node
}

func (c *Case) String() string { return fmt.Sprintf("%s:%d (%s)", c.file, c.line, c.Name) }

// caseFile is one group of cases and its parsed YAML, kept for -update.
type caseFile struct {
	path  string
	name  string // group name: the file name without extension
	doc   *yaml.Node
	cases []*Case
}

// yamlList is one case file: its path, group name (the file name without
// extension), parsed document (kept for -update) and the nodes of its
// top-level list.
type yamlList struct {
	path, name string
	doc        *yaml.Node
	items      []*yaml.Node
}

// readLists reads every file matching glob, each a YAML list of cases.
func readLists(t testing.TB, glob string) []yamlList {
	t.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		t.Fatalf("no case files match %s (err %v)", glob, err)
	}
	sort.Strings(paths)
	var lists []yamlList
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc := &yaml.Node{}
		if err := yaml.Unmarshal(data, doc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.SequenceNode {
			t.Fatalf("%s: want a YAML list of cases", p)
		}
		lists = append(lists, yamlList{path: p, name: strings.TrimSuffix(filepath.Base(p), ".yaml"), doc: doc, items: doc.Content[0].Content})
	}
	return lists
}

// checkName refuses a case name that is empty, has spaces or slashes (it
// names a subtest), or repeats one of its file.
func checkName(t testing.TB, seen map[string]bool, path string, line int, name string) {
	t.Helper()
	switch {
	case name == "" || strings.ContainsAny(name, " /"):
		t.Fatalf("%s:%d: a case needs a name without spaces or slashes", path, line)
	case seen[name]:
		t.Fatalf("%s:%d: duplicate case name %q", path, line, name)
	}
	seen[name] = true
}

// loadCases reads every case file; names must be unique within a file.
func loadCases(t testing.TB) []*caseFile {
	t.Helper()
	var files []*caseFile
	for _, l := range readLists(t, casesGlob) {
		cf := &caseFile{path: l.path, name: l.name, doc: l.doc}
		seen := map[string]bool{}
		for _, n := range l.items {
			c := &Case{file: l.path, line: n.Line, node: n}
			if err := decodeStrict(n, c); err != nil {
				t.Fatalf("%s:%d: %v", l.path, n.Line, err)
			}
			checkName(t, seen, l.path, n.Line, c.Name)
			cf.cases = append(cf.cases, c)
		}
		files = append(files, cf)
	}
	return files
}

// decodeStrict decodes a case mapping, refusing unknown keys (a misspelt
// "variables" would otherwise silently run the query without them).
func decodeStrict(n *yaml.Node, c *Case) error {
	known := map[string]bool{"name": true, "query": true, "operation": true, "variables": true, "want": true}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("a case is a mapping")
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !known[k] {
			return fmt.Errorf("unknown case key %q", k)
		}
	}
	return n.Decode(c)
}

// variables converts the YAML variables to what an HTTP request's JSON
// body would give the engine (json.Number for numbers).
func (c *Case) variables() (map[string]any, error) {
	if c.Variables == nil {
		return nil, nil
	}
	raw, err := json.Marshal(c.Variables)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var vars map[string]any
	return vars, dec.Decode(&vars)
}

// fixture is a database of one dialect loaded with the fixtures, and an
// engine serving it.
type fixture struct {
	db     *database.DB
	engine *engine.Engine
	models *model.Schema
}

// newFixture opens a fresh database of dialect d, creates the blog tables,
// loads testdata/fixtures.json and builds an engine with the fixed clock.
// CursorSecret keys the cursors the cases write by hand (hex of the JSON
// array of order values, then md5(JSON || CursorSecret)[:16]).
const CursorSecret = "e2e"

func newFixture(t testing.TB, d database.Dialect, opts database.Options) *fixture {
	t.Helper()
	ms, g := blogSchema(t)
	db := testdb.OpenOptions(t, d, opts)
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	data, err := os.ReadFile(fixturesPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadFixtures(ctx, db, ms, data); err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	e := engine.New(db, g, engine.Options{Introspection: true, Now: func() time.Time { return Now }, CursorSecret: CursorSecret})
	return &fixture{db: db, engine: e, models: ms}
}

func blogSchema(t testing.TB) (*model.Schema, *gqlschema.Schema) {
	t.Helper()
	ms, err := model.Load(modelsPath)
	if err != nil {
		t.Fatalf("load models: %v", err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		t.Fatalf("build schema: %v", err)
	}
	return ms, g
}

// run executes a case and returns the response body.
func (f *fixture) run(t testing.TB, c *Case) []byte {
	t.Helper()
	vars, err := c.variables()
	if err != nil {
		t.Fatalf("%s: variables: %v", c, err)
	}
	out, _ := f.engine.Execute(context.Background(), &engine.Request{Query: c.Query, OperationName: c.Operation, Variables: vars}, nil)
	return out
}

// check compares a response body with the case's expectation: the values
// (go-cmp on the decoded JSON) and, separately, the key order of every
// object. It reports through t and returns whether they matched.
func check(t testing.TB, c *Case, got []byte) bool {
	t.Helper()
	gotTree, err := parseJSON(got)
	if err != nil {
		t.Errorf("%s: the response is not JSON (%v):\n%s", c, err, got)
		return false
	}
	if strings.TrimSpace(c.Want) == "" {
		t.Errorf("%s: no expected value; got:\n%s", c, gotTree.pretty())
		return false
	}
	wantTree, err := parseJSON([]byte(c.Want))
	if err != nil {
		t.Fatalf("%s: want is not JSON: %v", c, err)
	}
	var gotVal, wantVal any
	if err := json.Unmarshal(got, &gotVal); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(c.Want), &wantVal); err != nil {
		t.Fatal(err)
	}
	ok := true
	if diff := cmp.Diff(wantVal, gotVal); diff != "" {
		t.Errorf("%s: response mismatch (-want +got):\n%s\ngot:\n%s", c, diff, gotTree.pretty())
		ok = false
	}
	if diff := cmp.Diff(wantTree.keyOrder(), gotTree.keyOrder()); diff != "" {
		t.Errorf("%s: object keys out of order (-want +got):\n%s", c, diff)
		ok = false
	}
	return ok
}

// writeUpdates stores new expected values in the case files, keeping
// everything else (comments, queries) as written.
func writeUpdates(t testing.TB, files []*caseFile, got map[*Case][]byte) {
	t.Helper()
	for _, cf := range files {
		changed := false
		for _, c := range cf.cases {
			body, ok := got[c]
			if !ok {
				continue
			}
			tree, err := parseJSON(body)
			if err != nil {
				t.Errorf("%s: not updating: %v", c, err)
				continue
			}
			want := tree.pretty() + "\n"
			if want == nodeWant(c.node) {
				continue
			}
			setWant(c.node, want)
			changed = true
		}
		if !changed {
			continue
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(cf.doc); err != nil {
			t.Fatalf("%s: %v", cf.path, err)
		}
		if err := os.WriteFile(cf.path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", cf.path)
	}
}

// nodeWant is the expected value as the case file holds it.
func nodeWant(n *yaml.Node) string {
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Value == "want" {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func setWant(n *yaml.Node, want string) {
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Value == "want" {
			n.Content[i+1].Value = want
			n.Content[i+1].Style = yaml.LiteralStyle
			n.Content[i+1].Tag = "!!str"
			return
		}
	}
	n.Content = append(n.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: "want", Tag: "!!str"},
		&yaml.Node{Kind: yaml.ScalarNode, Value: want, Style: yaml.LiteralStyle, Tag: "!!str"})
}
