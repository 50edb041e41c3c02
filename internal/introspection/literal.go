package introspection

import (
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
)

const hexDigitsUpper = "0123456789ABCDEF"

// appendLiteral appends v as GraphQL source text, formatted the way graphql-js
// prints a value literal: block strings become ordinary strings, lists are
// "[a, b]" and objects "{a: 1, b: 2}". __InputValue.defaultValue is this text;
// clients parse it back with graphql-js parseValue.
//
// Unlike graphql-js, which prints the default after coercing it to its type,
// the literal is printed as declared: a schema that writes `ids: [ID] = "1"`
// reports "\"1\"", not "[1]". Both parse to the same coerced value.
func appendLiteral(dst []byte, v *ast.Value) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	switch v.Kind {
	case ast.Variable:
		return append(append(dst, '$'), v.Raw...)
	case ast.StringValue, ast.BlockValue:
		return appendGraphQLString(dst, v.Raw)
	case ast.ListValue:
		dst = append(dst, '[')
		for i, c := range v.Children {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendLiteral(dst, c.Value)
		}
		return append(dst, ']')
	case ast.ObjectValue:
		dst = append(dst, '{')
		for i, c := range v.Children {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(append(dst, c.Name...), ": "...)
			dst = appendLiteral(dst, c.Value)
		}
		return append(dst, '}')
	case ast.NullValue:
		return append(dst, "null"...)
	default: // Int, Float, Boolean and Enum values print as written.
		return append(dst, v.Raw...)
	}
}

// appendGraphQLString appends s as a GraphQL string literal escaped like
// graphql-js printString: the quote, the backslash, C0 controls, DEL and C1
// controls are escaped; everything else is copied. Invalid UTF-8 becomes
// U+FFFD so the literal survives being carried in a JSON string.
func appendGraphQLString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hexDigitsUpper[c>>4], hexDigitsUpper[c&0xf])
			default:
				dst = append(dst, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case r >= 0x80 && r <= 0x9f:
			dst = append(dst, '\\', 'u', '0', '0', hexDigitsUpper[r>>4], hexDigitsUpper[r&0xf])
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
