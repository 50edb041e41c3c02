package auth

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/engine"
)

// ClaimMapping says where a token's claims keep the user id and roles, and
// which further claims rules may read as $user.<name>.
//
// A path walks nested objects, one dot per level; since claim names may
// hold dots themselves (Hasura's "https://hasura.io/jwt/claims"), each
// level takes the longest dotted prefix that is a key there:
// "https://hasura.io/jwt/claims.x-hasura-user-id" reads the key
// "x-hasura-user-id" of the object under "https://hasura.io/jwt/claims".
type ClaimMapping struct {
	// UserID is the path of the user id (default "sub").
	UserID string
	// Roles is the path of the roles: a list of strings, or one string of
	// space- or comma-separated names (default "roles").
	Roles string
	// Extra maps $user.<name> to a path, for nested claims; top-level
	// scalar claims are available by their own name without it.
	Extra map[string]string
}

func (c ClaimMapping) userID() string {
	if c.UserID == "" {
		return "sub"
	}
	return c.UserID
}

func (c ClaimMapping) roles() string {
	if c.Roles == "" {
		return "roles"
	}
	return c.Roles
}

// ParseClaimMap reads "name=path" pairs (the configuration's list form).
func ParseClaimMap(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		name, path, ok := strings.Cut(p, "=")
		name, path = strings.TrimSpace(name), strings.TrimSpace(path)
		if !ok || name == "" || path == "" {
			return nil, fmt.Errorf("claim mapping %q: want name=path", p)
		}
		if name == "id" {
			return nil, fmt.Errorf("claim mapping %q: $user.id comes from the user id claim path", p)
		}
		out[name] = path
	}
	return out, nil
}

// Lookup finds the value at path in claims (see ClaimMapping).
func Lookup(claims map[string]any, path string) (any, bool) {
	var cur any = claims
	rest := path
	for rest != "" {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		found := false
		// Longest prefix first: the whole rest, then up to each dot from
		// the right.
		for end := len(rest); end > 0; {
			if v, ok := m[rest[:end]]; ok {
				cur, found = v, true
				rest = strings.TrimPrefix(rest[end:], ".")
				break
			}
			end = strings.LastIndexByte(rest[:end], '.')
		}
		if !found {
			return nil, false
		}
	}
	return cur, true
}

// identityFrom maps verified claims to an identity.
func (c ClaimMapping) identityFrom(claims map[string]any) (*engine.Identity, error) {
	id := &engine.Identity{Claims: map[string]any{}}
	if v, ok := Lookup(claims, c.userID()); ok {
		s, ok := scalarString(v)
		if !ok {
			return nil, fmt.Errorf("the user id claim %q is not a string or number", c.userID())
		}
		id.ID = s
	}
	if v, ok := Lookup(claims, c.roles()); ok {
		roles, err := roleList(v)
		if err != nil {
			return nil, fmt.Errorf("the roles claim %q: %w", c.roles(), err)
		}
		id.Roles = roles
	}
	for k, v := range claims {
		if sv, ok := scalar(v); ok {
			id.Claims[k] = sv
		}
	}
	for name, path := range c.Extra {
		v, ok := Lookup(claims, path)
		if !ok {
			delete(id.Claims, name)
			continue
		}
		if sv, ok := scalar(v); ok {
			id.Claims[name] = sv
		}
	}
	delete(id.Claims, "id") // $user.id is the user id, whatever the token says
	return id, nil
}

// scalar converts a JSON claim value a rule can compare with: strings,
// booleans and numbers (integers as int64).
func scalar(v any) (any, bool) {
	switch x := v.(type) {
	case string, bool:
		return x, true
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		f, err := x.Float64()
		return f, err == nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
		return x, true
	}
	return nil, false
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

func roleList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return strings.FieldsFunc(x, func(r rune) bool { return r == ' ' || r == ',' }), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want a list of strings")
			}
			out = append(out, s)
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("want a list of strings or a string")
}
