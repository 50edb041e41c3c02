package model

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Built-in roles: every request has exactly one of them, plus the named
// roles of an authenticated identity.
const (
	RoleAnonymous     = "anonymous"
	RoleAuthenticated = "authenticated"
)

// Role is a named role declared under the top-level roles key.
type Role struct {
	Name string
	// Inherits lists roles whose grants this role also has.
	Inherits []string
	// MaxPageSize caps lists for the role (0 = the model's cap).
	MaxPageSize int
	// MaxDepth and MaxCost cap a request's depth and cost for the role
	// (0 = the server's limits only).
	MaxDepth int
	MaxCost  int
	Pos      Pos
}

// Permission is what one role may do with one model (meta.permissions).
type Permission struct {
	Role string
	// Read, Create, Update and Delete are nil when not granted.
	Read, Create, Update, Delete *Rule
	// Aggregate allows posts_aggregate and posts_groups (default: with read).
	Aggregate bool
	// Bulk allows the bulk_ variants of the granted writes (default true).
	Bulk bool
	Pos  Pos
}

// Rule is one granted operation.
type Rule struct {
	// Filter limits the rows, in the lookup language of filters; strings
	// "$user.id" and "$user.<claim>" are replaced by the identity's values.
	// Nil means every row.
	Filter map[string]any
	// Fields limits the readable (read) or writable (create, update)
	// fields; nil means all.
	Fields []string
	// Preset sets fields on create from constants or $user values; the
	// client cannot set them.
	Preset map[string]any
	Pos    Pos
}

var (
	permissionKeys = []string{"read", "create", "update", "delete", "aggregate", "bulk"}
	ruleKeys       = []string{"filter", "fields", "preset"}
	roleKeys       = []string{"inherits", "max_page_size", "max_depth", "max_cost"}
)

// roles parses the top-level roles mapping.
func (l *loader) roles(s *Schema, n *yaml.Node) {
	s.Roles = map[string]*Role{}
	for _, p := range l.pairs(n, "roles") {
		what := "roles." + p.name
		if !identRE.MatchString(p.name) {
			l.errorf(p.k, "%s: a role name is an identifier", what)
			continue
		}
		r := &Role{Name: p.name, Pos: nodePos(p.k)}
		for _, q := range l.pairs(p.v, what) {
			switch q.name {
			case "inherits":
				r.Inherits, _ = l.names(q.v, what+".inherits")
			case "max_page_size":
				r.MaxPageSize = l.positive(q.v, what+".max_page_size")
			case "max_depth":
				r.MaxDepth = l.positive(q.v, what+".max_depth")
			case "max_cost":
				r.MaxCost = l.positive(q.v, what+".max_cost")
			default:
				l.errorf(q.k, "%s: unknown option %q (want %s)%s", what, q.name, strings.Join(roleKeys, ", "), didYouMean(q.name, roleKeys))
			}
		}
		s.Roles[p.name] = r
	}
	for _, r := range s.Roles {
		for _, parent := range r.Inherits {
			if _, ok := s.Roles[parent]; !ok && parent != RoleAnonymous && parent != RoleAuthenticated {
				l.at(r.Pos, "roles.%s inherits unknown role %q", r.Name, parent)
			}
		}
	}
}

// positive reads a positive integer setting (0 after reporting a bad one).
func (l *loader) positive(n *yaml.Node, what string) int {
	v, ok := l.integer(n, what)
	if ok && (v <= 0 || v > 1<<30) {
		l.errorf(n, "%s must be a positive integer", what)
		return 0
	}
	return int(v)
}

// permissions parses meta.permissions: role → grants.
func (l *loader) permissions(m *Model, n *yaml.Node, what string) {
	m.Meta.Permissions = map[string]*Permission{}
	for _, p := range l.pairs(n, what) {
		pw := what + "." + p.name
		perm := &Permission{Role: p.name, Bulk: true, Pos: nodePos(p.k)}
		aggregateSet := false
		for _, q := range l.pairs(p.v, pw) {
			ow := pw + "." + q.name
			switch q.name {
			case "read":
				perm.Read = l.rule(q.v, ow)
			case "create":
				perm.Create = l.rule(q.v, ow)
			case "update":
				perm.Update = l.rule(q.v, ow)
			case "delete":
				perm.Delete = l.rule(q.v, ow)
			case "aggregate":
				perm.Aggregate, _ = l.boolean(q.v, ow)
				aggregateSet = true
			case "bulk":
				perm.Bulk, _ = l.boolean(q.v, ow)
			default:
				l.errorf(q.k, "%s: unknown operation %q (want %s)%s", pw, q.name, strings.Join(permissionKeys, ", "), didYouMean(q.name, permissionKeys))
			}
		}
		if !aggregateSet {
			perm.Aggregate = perm.Read != nil
		}
		m.Meta.Permissions[p.name] = perm
	}
}

// rule parses one grant: true, {} or {filter, fields, preset}.
func (l *loader) rule(n *yaml.Node, what string) *Rule {
	n = deref(n)
	r := &Rule{Pos: nodePos(n)}
	if n.Kind == yaml.ScalarNode {
		if b, ok := l.boolean(n, what); ok && b {
			return r
		}
		return nil
	}
	for _, p := range l.pairs(n, what) {
		switch p.name {
		case "filter":
			var f map[string]any
			if err := p.v.Decode(&f); err != nil {
				l.errorf(p.v, "%s.filter: want a mapping of lookups, as in filters", what)
				continue
			}
			r.Filter = f
		case "fields":
			r.Fields, _ = l.names(p.v, what+".fields")
			if r.Fields == nil {
				r.Fields = []string{}
			}
		case "preset":
			var pr map[string]any
			if err := p.v.Decode(&pr); err != nil {
				l.errorf(p.v, "%s.preset: want a mapping of field: value", what)
				continue
			}
			r.Preset = pr
		default:
			l.errorf(p.k, "%s: unknown option %q (want %s)%s", what, p.name, strings.Join(ruleKeys, ", "), didYouMean(p.name, ruleKeys))
		}
	}
	return r
}

// checkPermissions reports fields that rules name but the model lacks.
func (l *loader) checkPermissions(m *Model) {
	for _, perm := range m.Meta.Permissions {
		for _, r := range []*Rule{perm.Read, perm.Create, perm.Update, perm.Delete} {
			if r == nil {
				continue
			}
			for _, name := range r.Fields {
				if m.Field(name) == nil && m.Edge(name) == nil {
					l.at(r.Pos, "%s.meta.permissions.%s: unknown field %q in fields%s", m.Name, perm.Role, name, didYouMean(name, fieldNames(m)))
				}
			}
			for name := range r.Preset {
				if m.Field(name) == nil {
					l.at(r.Pos, "%s.meta.permissions.%s: unknown field %q in preset%s", m.Name, perm.Role, name, didYouMean(name, fieldNames(m)))
				}
			}
		}
	}
}

func fieldNames(m *Model) []string {
	var out []string
	for _, f := range m.Fields {
		out = append(out, f.Name)
	}
	for _, e := range m.Edges {
		if !slices.Contains(out, e.Name) {
			out = append(out, e.Name)
		}
	}
	return out
}
