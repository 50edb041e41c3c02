package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the models file at path and returns the validated schema; see
// Parse.
func Load(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load models: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes, validates and resolves a models file. file names it in
// messages. When the file has problems Parse returns no schema and an error
// joining one *Error per problem (errors.Join), sorted by position, so that
// err.Error() prints one "file:line:col: message" per line.
func Parse(file string, data []byte) (*Schema, error) {
	l := &loader{
		problems: problems{file: file},
		fieldSrc: map[*Field]*fieldSource{},
		modelSrc: map[*Model]*modelSource{},
	}
	s := l.parse(data)
	if err := l.err(); err != nil {
		return nil, err
	}
	s.File = file
	return s, nil
}

// loader turns the YAML node tree into a Schema. It keeps the nodes each
// model and field came from, so that checks made after decoding (relations,
// meta references) can still point at the offending text.
type loader struct {
	problems
	schema   *Schema
	fieldSrc map[*Field]*fieldSource
	modelSrc map[*Model]*modelSource
}

// fieldSource holds the nodes a field was declared with.
type fieldSource struct {
	key  *yaml.Node            // the field name
	opts map[string]*yaml.Node // option name → value node
	keys map[string]*yaml.Node // option name → key node
	// misspelt holds the options an unknown option looks like a typo of,
	// so that "max_lenght" is not also reported as a missing max_length.
	misspelt map[string]bool
	// known is false when the type is missing or unknown: type-dependent
	// checks are skipped rather than piled up on the first error.
	known bool
}

// opt returns the value node of option name, or nil.
func (s *fieldSource) opt(name string) *yaml.Node { return s.opts[name] }

// has reports whether option name was given (possibly misspelt).
func (s *fieldSource) has(name string) bool { return s.keys[name] != nil || s.misspelt[name] }

// at returns the value node of option name, or the field name when the
// option is absent: the place to report a problem with the option.
func (s *fieldSource) at(name string) *yaml.Node {
	if n := s.opts[name]; n != nil {
		return n
	}
	return s.key
}

// modelSource holds the nodes a model was declared with.
type modelSource struct {
	key            *yaml.Node
	meta           map[string]*yaml.Node
	ordering       []*yaml.Node
	quick          []*yaml.Node
	uniqueTogether [][]*yaml.Node
	indexes        [][]*yaml.Node
	exclude        []*yaml.Node
}

// pair is one key/value of a mapping.
type pair struct {
	name string
	k, v *yaml.Node
}

var (
	topKeys   = []string{"version", "app", "naming", "roles", "models"}
	modelKeys = []string{"fields", "meta"}
	metaKeys  = []string{
		"db_table", "plural", "ordering", "quick", "unique_together", "indexes",
		"filter_depth", "exclude", "operations", "description", "max_page_size",
		"permissions",
		"renamed_from",
	}
	// Operations are the mutations meta.operations may list.
	operations = []string{"create", "update", "delete", "bulk_create", "bulk_update", "bulk_delete"}
	onDeletes  = []OnDelete{Cascade, Protect, SetNull, SetDefault, Restrict, DoNothing}

	modelNameRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	fieldNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	identRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	appRE       = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	tableRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)
)

// reservedModelNames are GraphQL root and shared type names a model would
// collide with.
var reservedModelNames = map[string]bool{
	"Query": true, "Mutation": true, "Subscription": true, "PageInfo": true,
	"CursorPageInfo": true, "GroupBucket": true, "FieldError": true,
	"ID": true, "String": true, "Int": true, "BigInt": true, "Float": true,
	"Boolean": true, "Decimal": true, "Date": true, "DateTime": true,
	"Time": true, "Duration": true, "UUID": true, "JSON": true,
}

func (l *loader) parse(data []byte) *Schema {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.at(Pos{1, 1}, "empty models file: want at least \"version: 1\" and \"models\"")
		} else {
			l.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		l.errorf(&extra, "a models file holds one YAML document; remove the \"---\" and what follows")
	} else if !errors.Is(err, io.EOF) {
		l.yamlError(err)
	}
	if len(doc.Content) == 0 {
		l.at(Pos{1, 1}, "empty models file: want at least \"version: 1\" and \"models\"")
		return nil
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		l.errorf(root, "a models file is a mapping with version and models")
		return nil
	}
	s := &Schema{Naming: NamingSnake, byName: map[string]*Model{}}
	l.schema = s
	var models *yaml.Node
	seen := map[string]bool{}
	for _, p := range l.pairs(root, "models file") {
		seen[p.name] = true
		switch p.name {
		case "version":
			if v, ok := l.integer(p.v, "version"); ok {
				if v != 1 {
					l.errorf(p.v, "unsupported version %d: this autogql reads version 1", v)
				}
				s.Version = int(v)
			}
		case "app":
			if v, ok := l.str(p.v, "app"); ok {
				if !appRE.MatchString(v) {
					l.errorf(p.v, "app %q must be a lower-case identifier such as blog", v)
				}
				s.App = v
			}
		case "naming":
			if v, ok := l.str(p.v, "naming"); ok {
				switch Naming(v) {
				case NamingSnake, NamingCamel:
					s.Naming = Naming(v)
				default:
					l.errorf(p.v, "naming %q must be snake_case or camelCase", v)
				}
			}
		case "models":
			models = p.v
		case "roles":
			l.roles(s, p.v)
		default:
			l.errorf(p.k, "unknown top-level key %q%s", p.name, didYouMean(p.name, topKeys))
			// A misspelt key is reported once, not also as missing.
			seen[suggestion(p.name, topKeys)] = true
		}
	}
	if !seen["version"] {
		l.errorf(root, "missing version: add \"version: 1\"")
	}
	if !seen["models"] {
		l.errorf(root, "missing models")
	}
	if models == nil {
		return s
	}
	ps := l.pairs(models, "models")
	if len(ps) == 0 && (isNull(models) || deref(models).Kind == yaml.MappingNode) {
		l.errorf(models, "models must declare at least one model")
	}
	for _, p := range ps {
		if m := l.model(p); m != nil {
			s.Models = append(s.Models, m)
			s.byName[m.Name] = m
		}
	}
	l.resolve(s)
	return s
}

// parserProblems are the yaml.v3 parser (not scanner) errors. yaml.v3
// reports their line zero-based (the line where the enclosing collection
// starts), while scanner errors are reported one-based.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// yamlError reports a syntax error from the YAML parser at the line it
// names; yaml.v3 gives no column.
func (l *loader) yamlError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{Line: 1, Col: 1}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n > 0 {
				pos.Line, msg = n, tail
				if parserProblems[msg] {
					pos.Line++
				}
			}
		}
	}
	l.at(pos, "invalid YAML: %s", msg)
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// pairs returns the entries of a mapping, reporting duplicate and
// non-scalar keys. A null value is an empty mapping.
func (l *loader) pairs(n *yaml.Node, what string) []pair {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		l.errorf(n, "%s must be a mapping", what)
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			l.errorf(n.Content[i], "%s: keys must be plain names", what)
			continue
		}
		if k.Tag == "!!merge" {
			l.errorf(k, "%s: merge keys (<<) are not supported", what)
			continue
		}
		if prev, dup := first[k.Value]; dup {
			l.errorf(k, "%s: duplicate key %q (first at line %d)", what, k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		out = append(out, pair{name: k.Value, k: k, v: deref(v)})
	}
	return out
}

// list returns the items of a sequence (a null value is empty).
func (l *loader) list(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = deref(n)
	if isNull(n) {
		return nil, true
	}
	if n.Kind != yaml.SequenceNode {
		l.errorf(n, "%s must be a list", what)
		return nil, false
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out, true
}

func (l *loader) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		l.errorf(n, "%s must be a string", what)
		return "", false
	}
	return n.Value, true
}

func (l *loader) boolean(n *yaml.Node, what string) (bool, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.errorf(n, "%s must be true or false", what)
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		l.errorf(n, "%s must be true or false", what)
		return false, false
	}
	return b, true
}

func (l *loader) integer(n *yaml.Node, what string) (int64, bool) {
	v, ok := intValue(n)
	if !ok {
		l.errorf(n, "%s must be an integer", what)
	}
	return v, ok
}

func intValue(n *yaml.Node) (int64, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, false
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		return 0, false
	}
	return v, true
}

func (l *loader) number(n *yaml.Node, what string) (float64, bool) {
	v, ok := numberValue(n)
	if !ok {
		l.errorf(n, "%s must be a number", what)
	}
	return v, ok
}

func numberValue(n *yaml.Node) (float64, bool) {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return 0, false
	}
	var v float64
	if err := n.Decode(&v); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// names decodes a list of strings, keeping each item's node.
func (l *loader) names(n *yaml.Node, what string) ([]string, []*yaml.Node) {
	items, _ := l.list(n, what)
	var out []string
	var nodes []*yaml.Node
	for _, it := range items {
		if s, ok := l.str(it, what+" entries"); ok {
			out = append(out, s)
			nodes = append(nodes, it)
		}
	}
	return out, nodes
}

// nameLists decodes a list of lists of strings (unique_together, indexes).
func (l *loader) nameLists(n *yaml.Node, what string) ([][]string, [][]*yaml.Node) {
	items, _ := l.list(n, what)
	var out [][]string
	var nodes [][]*yaml.Node
	for _, it := range items {
		if it.Kind != yaml.SequenceNode {
			l.errorf(it, "%s must be a list of lists of field names, such as [[status, published_at]]", what)
			continue
		}
		names, ns := l.names(it, what)
		if len(names) == 0 {
			l.errorf(it, "%s: an entry must name at least one field", what)
			continue
		}
		out = append(out, names)
		nodes = append(nodes, ns)
	}
	return out, nodes
}

// model decodes one model declaration.
func (l *loader) model(p pair) *Model {
	name := p.name
	if !modelNameRE.MatchString(name) {
		l.errorf(p.k, "model name %q must be a PascalCase identifier such as BlogPost", name)
		return nil
	}
	if reservedModelNames[name] {
		l.errorf(p.k, "model name %q is reserved by the GraphQL API", name)
		return nil
	}
	m := &Model{Name: name, Pos: nodePos(p.k), Meta: Meta{FilterDepth: 1}}
	src := &modelSource{key: p.k, meta: map[string]*yaml.Node{}}
	l.modelSrc[m] = src
	for _, q := range l.pairs(p.v, "model "+name) {
		switch q.name {
		case "fields":
			for _, fp := range l.pairs(q.v, name+".fields") {
				if f := l.field(m, fp); f != nil {
					m.Fields = append(m.Fields, f)
				}
			}
		case "meta":
			l.meta(m, src, q.v)
		default:
			l.errorf(q.k, "%s: unknown model key %q (want fields or meta)%s", name, q.name, didYouMean(q.name, modelKeys))
		}
	}
	return m
}

func (l *loader) meta(m *Model, src *modelSource, n *yaml.Node) {
	what := m.Name + ".meta"
	for _, p := range l.pairs(n, what) {
		src.meta[p.name] = p.v
		opt := what + "." + p.name
		switch p.name {
		case "db_table":
			if v, ok := l.str(p.v, opt); ok {
				if !tableRE.MatchString(v) {
					l.errorf(p.v, "%s %q is not a valid table name", opt, v)
				}
				m.Meta.DBTable = v
			}
		case "plural":
			if v, ok := l.str(p.v, opt); ok {
				if !fieldNameRE.MatchString(v) || strings.Contains(v, "__") {
					l.errorf(p.v, "%s %q must be a snake_case name", opt, v)
				}
				m.Meta.Plural = v
			}
		case "ordering":
			m.Meta.Ordering, src.ordering = l.names(p.v, opt)
		case "quick":
			m.Meta.Quick, src.quick = l.names(p.v, opt)
		case "exclude":
			m.Meta.Exclude, src.exclude = l.names(p.v, opt)
		case "unique_together":
			m.Meta.UniqueTogether, src.uniqueTogether = l.nameLists(p.v, opt)
		case "indexes":
			m.Meta.Indexes, src.indexes = l.nameLists(p.v, opt)
		case "filter_depth":
			if v, ok := l.integer(p.v, opt); ok {
				if v < 0 || v > 10 {
					l.errorf(p.v, "%s must be between 0 and 10", opt)
				} else {
					m.Meta.FilterDepth = int(v)
				}
			}
		case "max_page_size":
			if v, ok := l.integer(p.v, opt); ok {
				if v <= 0 || v > math.MaxInt32 {
					l.errorf(p.v, "%s must be a positive integer", opt)
				} else {
					m.Meta.MaxPageSize = int(v)
				}
			}
		case "description":
			if v, ok := l.str(p.v, opt); ok {
				m.Meta.Description = v
			}
		case "renamed_from":
			if v, ok := l.str(p.v, opt); ok {
				switch {
				case !modelNameRE.MatchString(v):
					l.errorf(p.v, "%s %q must be the model's previous PascalCase name", opt, v)
				case v == m.Name:
					l.errorf(p.v, "%s names the model itself; remove it once the rename is migrated", opt)
				default:
					m.Meta.RenamedFrom = v
				}
			}
		case "permissions":
			l.permissions(m, p.v, opt)
		case "operations":
			ops, nodes := l.names(p.v, opt)
			m.Meta.Operations = []string{}
			for i, op := range ops {
				switch {
				case !slices.Contains(operations, op):
					l.errorf(nodes[i], "%s: unknown operation %q (want %s)%s", opt, op, strings.Join(operations, ", "), didYouMean(op, operations))
				case slices.Contains(m.Meta.Operations, op):
					l.errorf(nodes[i], "%s: %q is listed twice", opt, op)
				default:
					m.Meta.Operations = append(m.Meta.Operations, op)
				}
			}
		default:
			l.errorf(p.k, "%s: unknown meta option %q%s", what, p.name, didYouMean(p.name, metaKeys))
		}
	}
}
