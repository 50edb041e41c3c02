package engine

import (
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// Error codes of SPEC §2.5 (extensions.code).
const (
	CodeParseFailed      = "GRAPHQL_PARSE_FAILED"
	CodeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	CodeBadUserInput     = "BAD_USER_INPUT"
	CodeTimeout          = "TIMEOUT"
	CodeInternal         = "INTERNAL_SERVER_ERROR"
	CodeQueryTooComplex  = "QUERY_TOO_COMPLEX"
)

// gqlError is one entry of a response's "errors".
type gqlError struct {
	Message   string
	Code      string
	Locations []*ast.Position
	Path      []string
}

// appendErrors writes `"errors":[…]` with the request id in every entry.
func appendErrors(dst []byte, errs []gqlError, requestID string) []byte {
	dst = append(dst, `"errors":[`...)
	for i, e := range errs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"message":`...)
		dst = appendString(dst, e.Message)
		if len(e.Locations) > 0 {
			dst = append(dst, `,"locations":[`...)
			for j, l := range e.Locations {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"line":`...)
				dst = strconv.AppendInt(dst, int64(l.Line), 10)
				dst = append(dst, `,"column":`...)
				dst = strconv.AppendInt(dst, int64(l.Column), 10)
				dst = append(dst, '}')
			}
			dst = append(dst, ']')
		}
		if len(e.Path) > 0 {
			dst = append(dst, `,"path":[`...)
			for j, p := range e.Path {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendString(dst, p)
			}
			dst = append(dst, ']')
		}
		dst = append(dst, `,"extensions":{"code":`...)
		dst = appendString(dst, e.Code)
		if requestID != "" {
			dst = append(dst, `,"request_id":`...)
			dst = appendString(dst, requestID)
		}
		dst = append(dst, "}}"...)
	}
	return append(dst, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
