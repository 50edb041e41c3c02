package gqlschema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/model"
)

// Options tune schema generation.
type Options struct {
	// Naming overrides the models file's naming convention when set.
	Naming model.Naming
	// MaxPageSize caps every list (default 100); a model's meta.max_page_size overrides it.
	MaxPageSize int
	// MaxGroupBuckets caps posts_groups results (default 200).
	MaxGroupBuckets int
}

// Schema is the generated GraphQL API of a models file together with the
// lookup tables the planner uses to map API names back to the model.
type Schema struct {
	Model *model.Schema
	AST   *ast.Schema
	SDL   string
	// Version is a short hash of the SDL; it keys caches.
	Version string
	Options Options

	// Roots maps Query field names to what they read.
	Roots map[string]*Root
	// Mutations maps Mutation field names to what they write.
	Mutations map[string]*MutationRoot
	// Inputs maps create and update input type names to their fields.
	Inputs map[string]*Input
	// Permissions maps model names to the grants of each role; a model
	// without meta.permissions is absent.
	Permissions map[string]map[string]*Grants
	// Objects maps object type names of models ("Post") to their fields.
	Objects map[string]*Object
	// Filters maps filter input type names ("PostFilter") to their fields.
	Filters map[string]*Filter
	// Orders maps model names to the order_by names they accept.
	Orders map[string]map[string]*OrderTarget
	// Groups maps model names to the group_by names they accept.
	Groups map[string]map[string]*GroupTarget

	names namer
}

// RootKind is the kind of a generated Query field.
type RootKind int

// Root field kinds.
const (
	RootOne RootKind = iota
	RootList
	RootPages
	RootGroups
	RootAggregate
	RootConnection
)

// Root is a generated Query field.
type Root struct {
	Kind  RootKind
	Model *model.Model
}

// Object describes the GraphQL object type of a model.
type Object struct {
	Model  *model.Model
	Fields map[string]*ObjectField
}

// ObjectFieldKind tells what an object field reads.
type ObjectFieldKind int

// Object field kinds.
const (
	// FieldScalar reads a column (Field is set).
	FieldScalar ObjectFieldKind = iota
	// FieldRelation reads a related object or list (Edge is set).
	FieldRelation
	// FieldCount counts related rows (Edge is set).
	FieldCount
)

// ObjectField is one field of a model's object type.
type ObjectField struct {
	Kind  ObjectFieldKind
	Field *model.Field
	Edge  *model.Edge
}

// Filter describes a generated filter input type.
type Filter struct {
	Model  *model.Model
	Fields map[string]*FilterField
}

// FilterField is one input field of a filter: a lookup on a path.
type FilterField struct {
	// Path are the relation hops from the filtered model (may be empty).
	Path []*model.Edge
	// Field is the compared field of the last model on the path; nil for counts.
	Field *model.Field
	// Count is set for rel_count lookups: the counted edge (Path is empty).
	Count *model.Edge
	// Lookup is the Django lookup name ("exact", "icontains", "year", …).
	Lookup string
}

// OrderTarget is a sortable value: a field reached through forward
// single-valued relations, or the count of a to-many relation.
type OrderTarget struct {
	Path  []*model.Edge
	Field *model.Field
	Count *model.Edge
}

// GroupTarget is a value rows can be grouped by.
type GroupTarget struct {
	Path  []*model.Edge
	Field *model.Field
	// Part extracts a date part ("year", "month", "day", "week_day", "date") or is "".
	Part string
}

// Build generates the GraphQL schema of s.
func Build(s *model.Schema, opts Options) (*Schema, error) {
	if opts.Naming == "" {
		opts.Naming = s.Naming
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = 100
	}
	if opts.MaxGroupBuckets <= 0 {
		opts.MaxGroupBuckets = 200
	}
	g := &Schema{
		Model:     s,
		Options:   opts,
		Roots:     map[string]*Root{},
		Mutations: map[string]*MutationRoot{},
		Inputs:    map[string]*Input{},

		Permissions: map[string]map[string]*Grants{},
		Objects:     map[string]*Object{},
		Filters:     map[string]*Filter{},
		Orders:      map[string]map[string]*OrderTarget{},
		Groups:      map[string]map[string]*GroupTarget{},
		names:       namer{camel: opts.Naming == model.NamingCamel},
	}
	g.SDL = g.writeSDL()
	if err := g.compilePermissions(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(g.SDL))
	g.Version = hex.EncodeToString(sum[:6])
	ast, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: g.SDL, BuiltIn: false})
	if err != nil {
		return nil, fmt.Errorf("generated schema is invalid (a bug in autogql): %w", err)
	}
	g.AST = ast
	return g, nil
}

// MaxPageSize is the page size cap for m.
func (g *Schema) MaxPageSize(m *model.Model) int {
	if m.Meta.MaxPageSize > 0 {
		return m.Meta.MaxPageSize
	}
	return g.Options.MaxPageSize
}

// Name converts a snake_case model-level name to the API's naming convention.
func (g *Schema) Name(snake string) string { return g.names.api(snake) }
