package engine

import (
	"sort"
	"strings"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

// Identity is who makes a request, as authentication established it.
type Identity struct {
	// ID is the user id rules read as $user.id.
	ID string
	// Roles are the identity's named roles (authenticated is implied).
	Roles []string
	// Claims are further values rules read as $user.<claim>.
	Claims map[string]any
}

// rolesVar is the reserved variable holding the request's expanded roles.
const rolesVar = "\x00roles"

// withIdentity adds the identity's values (for $user.x in rules) and its
// expanded roles to the request's variables.
func (e *Engine) withIdentity(vars map[string]any, id *Identity) map[string]any {
	if len(e.schema.Permissions) == 0 && len(e.schema.Model.Roles) == 0 {
		// No model declares rules and no role a limit: access does not
		// depend on who asks.
		return vars
	}
	if vars == nil {
		vars = map[string]any{}
	}
	roles := []string{model.RoleAnonymous}
	if id != nil {
		roles = append([]string{model.RoleAuthenticated}, id.Roles...)
		for k, v := range id.Claims {
			vars[gqlschema.UserVariablePrefix+k] = v
		}
		if id.ID != "" {
			vars[gqlschema.UserVariablePrefix+"id"] = id.ID
		}
	}
	vars[rolesVar] = e.schema.Roles(roles)
	return vars
}

// roles returns the expanded roles withIdentity stored.
func roles(vars map[string]any) []string {
	r, _ := vars[rolesVar].([]string)
	return r
}

// accessKey adds to a plan's cache key what the access rules depend on: the
// roles, and which identity values exist (a rule naming a missing claim
// grants nothing). Identity values themselves are bound parameters.
func accessKey(vars map[string]any) string {
	if vars[rolesVar] == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("\x00roles=")
	b.WriteString(strings.Join(roles(vars), ","))
	var present []string
	for k, v := range vars {
		if strings.HasPrefix(k, gqlschema.UserVariablePrefix) && v != nil {
			present = append(present, k[len(gqlschema.UserVariablePrefix):])
		}
	}
	sort.Strings(present)
	b.WriteString("\x00user=")
	b.WriteString(strings.Join(present, ","))
	return b.String()
}

// roleLimits applies roles.<r>.max_depth and max_cost to a document: the
// largest cap among the request's roles that set one (several roles' grants
// add up), on top of the server's limits.
func (e *Engine) roleLimits(roles []string, d *document) []gqlError {
	depth, cost := 0, 0
	for _, r := range roles {
		if def := e.schema.Model.Roles[r]; def != nil {
			depth, cost = max(depth, def.MaxDepth), max(cost, def.MaxCost)
		}
	}
	role := strings.Join(roles, ", ")
	switch {
	case depth > 0 && d.depth > depth:
		return tooComplex("the operation is %d levels deep, over the limit of %d for role %s (roles.max_depth)", d.depth, depth, role)
	case cost > 0 && d.cost > cost:
		return tooComplex("the operation costs %d, over the limit of %d for role %s (roles.max_cost)", d.cost, cost, role)
	}
	return nil
}
