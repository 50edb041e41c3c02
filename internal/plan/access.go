package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

// ErrForbidden marks requests the roles may not make; they become
// FORBIDDEN errors that name the model or field and the missing grant.
var ErrForbidden = errors.New("forbidden")

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}

// access answers what the request's roles may do. Rules are compiled into
// the plan: every read of a model, wherever it appears (root, nested
// relation, count, relation filter, aggregate, group, mutation guard),
// gets the model's row filter, so no reader can see around it.
type access struct {
	g      *gqlschema.Schema
	roles  []string
	closed bool
	vars   map[string]any
}

func (a *access) roleNames() string { return strings.Join(a.roles, ", ") }

// grants returns the grants of the request's roles on m, in role order,
// and whether m is open (it declares no rules and the default is open).
func (a *access) grants(m *model.Model) ([]*gqlschema.Grants, bool, error) {
	perms, ok := a.g.Permissions[m.Name]
	if !ok {
		if a.closed {
			return nil, false, forbidden("%s declares no permissions, and models without rules are closed in this environment", m.Name)
		}
		return nil, true, nil
	}
	var out []*gqlschema.Grants
	for _, r := range a.roles {
		if gr := perms[r]; gr != nil {
			out = append(out, gr)
		}
	}
	return out, false, nil
}

// usable reports whether a grant's filter and presets can be evaluated:
// a rule naming a claim the identity lacks grants nothing.
func (a *access) usable(gr *gqlschema.Grant) bool {
	ok := true
	var walk func(v *ast.Value)
	walk = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable && strings.HasPrefix(v.Raw, gqlschema.UserVariablePrefix) && a.vars[v.Raw] == nil {
			ok = false
		}
		for _, c := range v.Children {
			walk(c.Value)
		}
	}
	walk(gr.Filter)
	for _, p := range gr.Preset {
		walk(p)
	}
	return ok
}

// pick returns the usable grants of one operation.
func (a *access) pick(list []*gqlschema.Grants, op func(*gqlschema.Grants) *gqlschema.Grant) []*gqlschema.Grant {
	var out []*gqlschema.Grant
	for _, gr := range list {
		if g := op(gr); g != nil && a.usable(g) {
			out = append(out, g)
		}
	}
	return out
}

func readOp(g *gqlschema.Grants) *gqlschema.Grant   { return g.Read }
func createOp(g *gqlschema.Grants) *gqlschema.Grant { return g.Create }
func updateOp(g *gqlschema.Grants) *gqlschema.Grant { return g.Update }
func deleteOp(g *gqlschema.Grants) *gqlschema.Grant { return g.Delete }

// rowFilter returns the condition rows of m must meet for an operation
// (nil: every row), or ErrForbidden when no role is granted it.
func (b *builder) rowFilter(m *model.Model, verb string, op func(*gqlschema.Grants) *gqlschema.Grant) (*Cond, error) {
	list, open, err := b.access.grants(m)
	if err != nil || open {
		return nil, err
	}
	grants := b.access.pick(list, op)
	if len(grants) == 0 {
		return nil, forbidden("role %s may not %s %s", b.access.roleNames(), verb, m.Name)
	}
	var conds []*Cond
	for _, g := range grants {
		if g.Filter == nil {
			return nil, nil
		}
		v, err := g.Filter.Value(b.vars)
		if err != nil {
			return nil, err
		}
		c, err := b.filter(m, v, ref{root: g.Filter})
		if err != nil {
			return nil, err
		}
		if c == nil {
			return nil, nil
		}
		conds = append(conds, c)
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return &Cond{Kind: CondOr, Children: conds}, nil
}

// maxPageSize is the page size cap of lists of m: the model's cap (or the
// global one), or the request's role cap when that is smaller. The role cap
// is the largest roles.<r>.max_page_size among the request's roles,
// inherited ones included, as several roles' grants add up.
func (b *builder) maxPageSize(m *model.Model) int64 {
	max := int64(b.g.MaxPageSize(m))
	role := 0
	for _, r := range b.access.roles {
		if def := b.g.Model.Roles[r]; def != nil && def.MaxPageSize > role {
			role = def.MaxPageSize
		}
	}
	if role > 0 && int64(role) < max {
		max = int64(role)
	}
	return max
}

// readFilter is rowFilter for reads.
func (b *builder) readFilter(m *model.Model) (*Cond, error) {
	return b.rowFilter(m, "read", readOp)
}

// readable reports an API field of m that the roles may not read.
func (b *builder) readable(m *model.Model, field string) error {
	list, open, err := b.access.grants(m)
	if err != nil || open {
		return err
	}
	for _, g := range b.access.pick(list, readOp) {
		if g.Fields == nil || g.Fields[field] {
			return nil
		}
	}
	return forbidden("%s.%s is not readable by role %s", m.Name, field, b.access.roleNames())
}

// aggregates reports whether the roles may aggregate or group m.
func (b *builder) aggregates(m *model.Model) error {
	list, open, err := b.access.grants(m)
	if err != nil || open {
		return err
	}
	for _, gr := range list {
		if gr.Aggregate && gr.Read != nil && b.access.usable(gr.Read) {
			return nil
		}
	}
	return forbidden("role %s may not aggregate %s", b.access.roleNames(), m.Name)
}

// WriteGrant is what a mutation may write to a model.
type WriteGrant struct {
	// Fields are the writable input names; nil means all.
	Fields map[string]bool
	// Preset values the server sets (literals with identity variables).
	Preset map[*model.Field]*ast.Value
}

// Writes answers create and update grants for the write executor,
// including for models reached by nested inputs.
type Writes interface {
	// Grant returns the grant of op ("create" or "update") on m, or an
	// ErrForbidden error.
	Grant(m *model.Model, op string) (*WriteGrant, error)
}

// Grant implements Writes.
func (a *access) Grant(m *model.Model, op string) (*WriteGrant, error) {
	list, open, err := a.grants(m)
	if err != nil {
		return nil, err
	}
	if open {
		return &WriteGrant{}, nil
	}
	pickOp := createOp
	if op == "update" {
		pickOp = updateOp
	}
	grants := a.pick(list, pickOp)
	if len(grants) == 0 {
		return nil, forbidden("role %s may not %s %s", a.roleNames(), op, m.Name)
	}
	// Several roles: writable fields are the union; presets come from the
	// first role (in name order) that sets any.
	w := &WriteGrant{}
	for _, g := range grants {
		if g.Fields == nil {
			w.Fields = nil
			break
		}
		if w.Fields == nil {
			w.Fields = map[string]bool{}
		}
		for f := range g.Fields {
			w.Fields[f] = true
		}
	}
	for _, g := range grants {
		if len(g.Preset) > 0 {
			w.Preset = g.Preset
			break
		}
	}
	return w, nil
}
