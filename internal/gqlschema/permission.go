package gqlschema

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/model"
)

// UserVariablePrefix starts the reserved variables through which rule
// filters and presets read the identity: "$user.id" in a rule is the
// variable UserVariablePrefix+"id". No GraphQL variable can have that name.
const UserVariablePrefix = "\x00user."

// Grant is one compiled rule of meta.permissions.
type Grant struct {
	// Filter limits the rows (nil: every row), as a literal filter input
	// whose "$user.x" strings are variables.
	Filter *ast.Value
	// Fields are the readable or writable API field names; nil means all.
	Fields map[string]bool
	// Preset sets fields on create.
	Preset map[*model.Field]*ast.Value
}

// Grants is what one role may do with one model.
type Grants struct {
	Read, Create, Update, Delete *Grant
	Aggregate, Bulk              bool
}

// compilePermissions turns the rules of every model into Grants, checking
// filter keys and preset fields against the generated API.
func (g *Schema) compilePermissions() error {
	var errs []error
	fail := func(pos model.Pos, format string, args ...any) {
		errs = append(errs, &model.Error{File: g.Model.File, Pos: pos, Msg: fmt.Sprintf(format, args...)})
	}
	for _, m := range g.Model.Models {
		if m.Meta.Permissions == nil {
			continue
		}
		byRole := map[string]*Grants{}
		for role, p := range m.Meta.Permissions {
			if role != model.RoleAnonymous && role != model.RoleAuthenticated && g.Model.Roles[role] == nil {
				fail(p.Pos, "%s.meta.permissions: unknown role %q (declare it under roles, or use anonymous or authenticated)", m.Name, role)
				continue
			}
			what := m.Name + ".meta.permissions." + role
			gr := &Grants{Aggregate: p.Aggregate, Bulk: p.Bulk}
			for _, op := range []struct {
				name string
				rule *model.Rule
				dst  **Grant
			}{{"read", p.Read, &gr.Read}, {"create", p.Create, &gr.Create}, {"update", p.Update, &gr.Update}, {"delete", p.Delete, &gr.Delete}} {
				if op.rule == nil {
					continue
				}
				grant := &Grant{}
				if op.rule.Filter != nil {
					if err := g.checkFilter(m, op.rule.Filter); err != nil {
						fail(op.rule.Pos, "%s.%s.filter: %v", what, op.name, err)
						continue
					}
					grant.Filter = literal(op.rule.Filter)
				}
				if op.rule.Fields != nil {
					grant.Fields = map[string]bool{}
					for _, name := range op.rule.Fields {
						grant.Fields[g.Name(name)] = true
						if f := m.Field(name); f != nil && f.Rel != nil && f.Type != model.TypeManyToMany {
							grant.Fields[g.Name(name+"_id")] = true
						}
						if e := m.Edge(name); e != nil && e.Many {
							grant.Fields[g.Name(name+"_count")] = true
						}
					}
				}
				for name, v := range op.rule.Preset {
					if op.name != "create" && op.name != "update" {
						fail(op.rule.Pos, "%s.%s: preset applies to create and update only", what, op.name)
						break
					}
					if grant.Preset == nil {
						grant.Preset = map[*model.Field]*ast.Value{}
					}
					grant.Preset[m.Field(name)] = literal(v)
				}
				*op.dst = grant
			}
			byRole[role] = gr
		}
		g.Permissions[m.Name] = byRole
	}
	return errors.Join(errs...)
}

// checkFilter reports a filter key the model's filter input lacks.
func (g *Schema) checkFilter(m *model.Model, f map[string]any) error {
	spec := g.Filters[m.Name+"Filter"]
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "AND", "OR":
			list, ok := f[k].([]any)
			if !ok {
				return fmt.Errorf("%s takes a list of filters", k)
			}
			for _, e := range list {
				sub, ok := e.(map[string]any)
				if !ok {
					return fmt.Errorf("%s takes a list of filters", k)
				}
				if err := g.checkFilter(m, sub); err != nil {
					return err
				}
			}
		case "NOT":
			sub, ok := f[k].(map[string]any)
			if !ok {
				return errors.New("NOT takes a filter")
			}
			if err := g.checkFilter(m, sub); err != nil {
				return err
			}
		default:
			if spec.Fields[k] == nil {
				return fmt.Errorf("unknown lookup %q on %s", k, m.Name)
			}
		}
	}
	return nil
}

// literal converts a YAML value into a GraphQL literal: "$user.x" strings
// become the reserved identity variables.
func literal(v any) *ast.Value {
	switch x := v.(type) {
	case nil:
		return &ast.Value{Kind: ast.NullValue, Raw: "null"}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		val := &ast.Value{Kind: ast.ObjectValue}
		for _, k := range keys {
			val.Children = append(val.Children, &ast.ChildValue{Name: k, Value: literal(x[k])})
		}
		return val
	case []any:
		val := &ast.Value{Kind: ast.ListValue}
		for _, e := range x {
			val.Children = append(val.Children, &ast.ChildValue{Value: literal(e)})
		}
		return val
	case string:
		if claim, ok := strings.CutPrefix(x, "$user."); ok {
			return &ast.Value{Kind: ast.Variable, Raw: UserVariablePrefix + claim}
		}
		return &ast.Value{Kind: ast.StringValue, Raw: x}
	case bool:
		return &ast.Value{Kind: ast.BooleanValue, Raw: strconv.FormatBool(x)}
	case int:
		return &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(x)}
	case int64:
		return &ast.Value{Kind: ast.IntValue, Raw: strconv.FormatInt(x, 10)}
	case float64:
		return &ast.Value{Kind: ast.FloatValue, Raw: strconv.FormatFloat(x, 'g', -1, 64)}
	}
	return &ast.Value{Kind: ast.StringValue, Raw: fmt.Sprint(v)}
}

// Roles expands a request's roles with their inherited roles, sorted.
func (g *Schema) Roles(roles []string) []string {
	var out []string
	var add func(string)
	add = func(r string) {
		if slices.Contains(out, r) {
			return
		}
		out = append(out, r)
		if def := g.Model.Roles[r]; def != nil {
			for _, p := range def.Inherits {
				add(p)
			}
		}
	}
	for _, r := range roles {
		add(r)
	}
	sort.Strings(out)
	return out
}
