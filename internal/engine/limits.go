package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/autogql/autogql/internal/gqlschema"
)

// Limits bound what one request may ask for. A zero field disables that
// limit (the zero Limits checks nothing: the server turns them on from its
// configuration, see internal/config). Every limit is checked when a
// document is first seen, before any SQL, and the verdict is cached with
// the document, so a cached request pays nothing for them.
//
// Cost model: every field costs 1, except introspection fields and
// __typename, which are answered from memory and cost 0. The selections
// under a field that returns many rows count once per row it may return:
// its `limit`, `per_page`, `first` or `last` argument when given as a
// literal, the argument's default when absent, and otherwise (a variable)
// the page size cap of the listed model; the value is clamped to that cap,
// as execution clamps it. Fields that list rows already counted by their
// parent (`items` of a page, `edges` of a connection) multiply by 1.
// So `{ posts(limit: 10) { title comments(limit: 5) { content } } }` costs
// 1 + 10 × (1 + 1 + 5 × 1) = 71.
type Limits struct {
	// MaxQueryBytes bounds the document's length.
	MaxQueryBytes int
	// MaxTokens bounds the document's lexical tokens; it is counted with
	// the lexer alone, before parsing, so a flood of tokens (a 10,000-deep
	// list literal) never reaches the recursive parser.
	MaxTokens int
	// MaxDepth bounds the nesting of selections (fragments expanded).
	MaxDepth int
	// MaxAliases bounds the aliased fields in the document.
	MaxAliases int
	// MaxRootFields bounds an operation's root fields (fragments expanded).
	MaxRootFields int
	// MaxDirectives bounds the directives in the document.
	MaxDirectives int
	// MaxCost bounds the cost of an operation (see the cost model above).
	MaxCost int
	// MaxVariablesBytes bounds the size of the variables (strings by their
	// length, other values by a few bytes each).
	MaxVariablesBytes int
}

// DefaultLimits are the limits the server applies unless configured
// otherwise.
func DefaultLimits() Limits {
	return Limits{
		MaxQueryBytes:     100 << 10,
		MaxTokens:         10000,
		MaxDepth:          12,
		MaxAliases:        30,
		MaxRootFields:     20,
		MaxDirectives:     50,
		MaxCost:           50000,
		MaxVariablesBytes: 256 << 10,
	}
}

// costCeiling keeps cost arithmetic far from overflow: costs saturate.
const costCeiling = 1 << 40

// tooComplex is a rejection by a limit.
func tooComplex(format string, args ...any) []gqlError {
	return []gqlError{{Message: fmt.Sprintf(format, args...), Code: CodeQueryTooComplex}}
}

// checkText applies the limits that need only the text: its length and
// its token count, counted with gqlparser's lexer (no parsing, no
// recursion). A lexical error stops the count: the parser reports it.
func (l *Limits) checkText(query string) []gqlError {
	if l.MaxQueryBytes > 0 && len(query) > l.MaxQueryBytes {
		return tooComplex("the document is %d bytes, over the limit of %d (max_query_bytes)", len(query), l.MaxQueryBytes)
	}
	if l.MaxTokens <= 0 {
		return nil
	}
	lx := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		if tok.Kind != lexer.Comment {
			n++
		}
	}
	if n > l.MaxTokens {
		return tooComplex("the document has %d tokens, over the limit of %d (max_tokens)", n, l.MaxTokens)
	}
	return nil
}

// shape is what the structural limits measure in a parsed document.
type shape struct {
	doc        *ast.QueryDocument
	aliases    int
	directives int
	// memo holds each fragment's depth and root-field count; a fragment
	// being measured is marked so a cycle (rejected later by validation)
	// ends the walk instead of looping.
	depthMemo map[string]int
	rootMemo  map[string]int
	active    map[string]bool
}

// checkShape applies the limits that need the parsed (not yet validated)
// document: aliases, directives, depth and root fields. Running before
// validation keeps hostile shapes away from validation's costlier rules. It
// returns the deepest operation's depth.
func (l *Limits) checkShape(doc *ast.QueryDocument) (int, []gqlError) {
	s := &shape{doc: doc, depthMemo: map[string]int{}, rootMemo: map[string]int{}, active: map[string]bool{}}
	for _, op := range doc.Operations {
		s.directives += len(op.Directives)
		s.count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		s.directives += len(f.Directives)
		s.count(f.SelectionSet)
	}
	if l.MaxAliases > 0 && s.aliases > l.MaxAliases {
		return 0, tooComplex("the document has %d aliases, over the limit of %d (max_aliases)", s.aliases, l.MaxAliases)
	}
	if l.MaxDirectives > 0 && s.directives > l.MaxDirectives {
		return 0, tooComplex("the document has %d directives, over the limit of %d (max_directives)", s.directives, l.MaxDirectives)
	}
	depth := 0
	for _, op := range doc.Operations {
		if l.MaxRootFields > 0 {
			clear(s.active)
			if n := s.roots(op.SelectionSet); n > l.MaxRootFields {
				return 0, tooComplex("operation %s has %d root fields, over the limit of %d (max_root_fields)", opLabel(op), n, l.MaxRootFields)
			}
		}
		clear(s.active)
		d := s.depth(op.SelectionSet)
		if l.MaxDepth > 0 && d > l.MaxDepth {
			return 0, tooComplex("operation %s is %d levels deep, over the limit of %d (max_depth)", opLabel(op), d, l.MaxDepth)
		}
		depth = max(depth, d)
	}
	return depth, nil
}

func opLabel(op *ast.OperationDefinition) string {
	if op.Name == "" {
		return "(anonymous)"
	}
	return op.Name
}

// count adds the aliases and directives written in set (each written
// occurrence once; fragments are counted where they are defined).
func (s *shape) count(set ast.SelectionSet) {
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if x.Alias != "" && x.Alias != x.Name {
				s.aliases++
			}
			s.directives += len(x.Directives)
			s.count(x.SelectionSet)
		case *ast.InlineFragment:
			s.directives += len(x.Directives)
			s.count(x.SelectionSet)
		case *ast.FragmentSpread:
			s.directives += len(x.Directives)
		}
	}
}

// depth is the nesting of set: the number of fields with selections on
// the deepest path (`{ posts { id } }` is 1), fragments expanded (memoised,
// so fragment chains cost linear time). Introspection is not counted: it
// is answered from memory and bounded by validation's own introspection
// depth rule.
func (s *shape) depth(set ast.SelectionSet) int {
	d := 0
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if x.Name == "__schema" || x.Name == "__type" || len(x.SelectionSet) == 0 {
				continue
			}
			d = max(d, 1+s.depth(x.SelectionSet))
		case *ast.InlineFragment:
			d = max(d, s.depth(x.SelectionSet))
		case *ast.FragmentSpread:
			d = max(d, s.fragment(x.Name, s.depthMemo, s.depth))
		}
	}
	return d
}

// roots counts the fields of set, fragments at this level expanded.
func (s *shape) roots(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			n++
		case *ast.InlineFragment:
			n += s.roots(x.SelectionSet)
		case *ast.FragmentSpread:
			n += s.fragment(x.Name, s.rootMemo, s.roots)
		}
	}
	return n
}

// fragment measures the named fragment once with measure; an unknown or
// cyclic fragment measures 0 (validation rejects it).
func (s *shape) fragment(name string, memo map[string]int, measure func(ast.SelectionSet) int) int {
	if v, ok := memo[name]; ok {
		return v
	}
	f := s.doc.Fragments.ForName(name)
	if f == nil || s.active[name] {
		return 0
	}
	s.active[name] = true
	v := measure(f.SelectionSet)
	s.active[name] = false
	memo[name] = v
	return v
}

// coster computes operation costs on a validated document, whose fields
// know their definitions and whose fragments are acyclic.
type coster struct {
	g    *gqlschema.Schema
	memo map[string]int
}

// checkCost returns the costliest operation's cost, rejecting it over
// MaxCost.
func (l *Limits) checkCost(g *gqlschema.Schema, doc *ast.QueryDocument) (int, []gqlError) {
	c := &coster{g: g, memo: map[string]int{}}
	worst := 0
	for _, op := range doc.Operations {
		n := c.set(op.SelectionSet)
		if l.MaxCost > 0 && n > l.MaxCost {
			return n, tooComplex("operation %s costs %d, over the limit of %d (max_cost; lists count once per row they may return: lower their limit)", opLabel(op), n, l.MaxCost)
		}
		worst = max(worst, n)
	}
	return worst, nil
}

func (c *coster) set(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(x.Name, "__") {
				continue
			}
			total += 1 + min(c.multiplier(x)*c.set(x.SelectionSet), costCeiling)
		case *ast.InlineFragment:
			total += c.set(x.SelectionSet)
		case *ast.FragmentSpread:
			v, ok := c.memo[x.Name]
			if !ok && x.Definition != nil {
				v = c.set(x.Definition.SelectionSet)
				c.memo[x.Name] = v
			}
			total += v
		}
		total = min(total, costCeiling)
	}
	return total
}

// pageArguments are the arguments that size a list, in both namings.
var pageArguments = []string{"limit", "per_page", "perPage", "first", "last"}

// multiplier is how many rows field f may return (1 for single objects and
// for lists sized by their parent).
func (c *coster) multiplier(f *ast.Field) int {
	if f.Definition == nil {
		return 1
	}
	var def *ast.ArgumentDefinition
	for _, name := range pageArguments {
		if def = f.Definition.Arguments.ForName(name); def != nil {
			break
		}
	}
	if def == nil {
		return 1
	}
	ceiling := c.pageCap(f)
	n := ceiling
	v := def.DefaultValue
	if a := f.Arguments.ForName(def.Name); a != nil {
		v = a.Value
	}
	if v != nil && v.Kind == ast.IntValue {
		if i, err := strconv.Atoi(v.Raw); err == nil && i >= 0 {
			n = min(i, ceiling)
		}
	}
	// first and last both given: the larger bounds the rows.
	if def.Name == "first" {
		if a := f.Arguments.ForName("last"); a != nil && a.Value.Kind == ast.IntValue {
			if i, err := strconv.Atoi(a.Value.Raw); err == nil {
				n = max(n, min(i, ceiling))
			}
		}
	}
	return max(n, 1)
}

// pageCap is the most rows f can return: the listed model's page size cap,
// or the group bucket cap for groups.
func (c *coster) pageCap(f *ast.Field) int {
	g := c.g
	if f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Query" {
		if r := g.Roots[f.Name]; r != nil {
			if r.Kind == gqlschema.RootGroups {
				return g.Options.MaxGroupBuckets
			}
			return g.MaxPageSize(r.Model)
		}
	}
	if o := g.Objects[f.Definition.Type.Name()]; o != nil && o.Model != nil {
		return g.MaxPageSize(o.Model)
	}
	return g.Options.MaxPageSize
}

// variablesTooLarge reports whether vars are larger than limit bytes,
// counting strings by length and other values as a few bytes, and stops as
// soon as the answer is known. It allocates nothing.
func variablesTooLarge(vars map[string]any, limit int) (int, bool) {
	n := 0
	for k, v := range vars {
		n += len(k) + 3
		if sizeOver(v, &n, limit) {
			return n, true
		}
	}
	return n, n > limit
}

func sizeOver(v any, n *int, limit int) bool {
	switch x := v.(type) {
	case string:
		*n += len(x) + 2
	case map[string]any:
		*n += 2
		for k, e := range x {
			*n += len(k) + 3
			if sizeOver(e, n, limit) {
				return true
			}
		}
	case []any:
		*n += 2
		for _, e := range x {
			if sizeOver(e, n, limit) {
				return true
			}
		}
	default:
		*n += 8
	}
	return *n > limit
}
