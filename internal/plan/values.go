package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// ErrInput marks errors caused by request values; they become
// BAD_USER_INPUT errors.
var ErrInput = errors.New("bad user input")

// PathError is a planning error of one root field; Key is its response key.
type PathError struct {
	Key string
	Err error
}

func (e *PathError) Error() string { return e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// inputError formats an ErrInput.
func inputError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInput, fmt.Sprintf(format, args...))
}

// ref locates a value inside an argument: the argument's literal (which may
// contain variables) and a path of object keys and list indexes below it.
// Plans hold refs, not values, so a cached plan reads each request's own
// variables.
type ref struct {
	root *ast.Value
	path []any
}

func (r ref) key(k string) ref { return ref{r.root, append(append([]any{}, r.path...), k)} }
func (r ref) index(i int) ref  { return ref{r.root, append(append([]any{}, r.path...), i)} }

// get returns the value at r for the given variables (nil when absent).
func (r ref) get(vars map[string]any) (any, error) {
	v := r.root
	for i, p := range r.path {
		if v == nil {
			return nil, nil
		}
		switch v.Kind {
		case ast.Variable:
			return goIndex(variable(v, vars), r.path[i:])
		case ast.ObjectValue:
			k, _ := p.(string)
			var next *ast.Value
			for _, c := range v.Children {
				if c.Name == k {
					next = c.Value
					break
				}
			}
			v = next
		case ast.ListValue:
			idx, _ := p.(int)
			if idx < 0 || idx >= len(v.Children) {
				return nil, nil
			}
			v = v.Children[idx].Value
		default:
			return nil, nil
		}
	}
	if v == nil {
		return nil, nil
	}
	if v.Kind == ast.Variable {
		return variable(v, vars), nil
	}
	return v.Value(vars)
}

// variable is a variable's value: given, or its default.
func variable(v *ast.Value, vars map[string]any) any {
	if x, ok := vars[v.Raw]; ok {
		return x
	}
	if v.VariableDefinition != nil && v.VariableDefinition.DefaultValue != nil {
		x, _ := v.VariableDefinition.DefaultValue.Value(vars)
		return x
	}
	return nil
}

func goIndex(cur any, path []any) (any, error) {
	for _, p := range path {
		switch x := cur.(type) {
		case map[string]any:
			k, _ := p.(string)
			cur = x[k]
		case []any:
			i, _ := p.(int)
			if i < 0 || i >= len(x) {
				return nil, nil
			}
			cur = x[i]
		default:
			return nil, nil
		}
	}
	return cur, nil
}

// sortedKeys returns a map's keys in order, so plans (and SQL text) do not
// depend on map iteration order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// int32Value reads an optional Int argument value; given is false when it
// is absent. GraphQL's Int is 32-bit but gqlparser does not check the range
// of literals (limit: 3000000000 validates), so a value outside 32 bits is
// an input error here instead of being clamped or truncated silently.
func int32Value(v any, name string) (n int64, given bool, err error) {
	if v == nil {
		return 0, false, nil
	}
	n, ok := toInt(v)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false, inputError("%s must be a 32-bit integer (got %v)", name, v)
	}
	return n, true, nil
}

// toInt reads an Int argument value.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

// Signature writes the shape of a variable's value: object keys, list
// lengths of objects and null-ness, but no scalar value. Two values with the
// same signature compile to the same SQL.
func Signature(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, 'N')
	case map[string]any:
		dst = append(dst, '{')
		for _, k := range sortedKeys(x) {
			dst = append(dst, k...)
			dst = append(dst, ':')
			dst = Signature(dst, x[k])
			dst = append(dst, ',')
		}
		return append(dst, '}')
	case []any:
		if len(x) > 0 {
			if _, obj := x[0].(map[string]any); obj {
				dst = append(dst, '[')
				for _, e := range x {
					dst = Signature(dst, e)
					dst = append(dst, ',')
				}
				return append(dst, ']')
			}
		}
		return append(dst, 'L')
	default:
		return append(dst, 'S')
	}
}
