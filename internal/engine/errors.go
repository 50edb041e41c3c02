package engine

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/autogql/autogql/internal/plan"

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
	CodeForbidden        = "FORBIDDEN"
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

// classify maps an execution error to its GraphQL code and client message:
// request values the planner or the database refused are BAD_USER_INPUT;
// anything else is internal (the caller logs it).
func classify(err error) (code, message string, internal bool) {
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, plan.ErrInput):
		return CodeBadUserInput, strings.TrimPrefix(err.Error(), plan.ErrInput.Error()+": "), false
	case errors.Is(err, plan.ErrForbidden):
		return CodeForbidden, strings.TrimPrefix(err.Error(), plan.ErrForbidden.Error()+": "), false
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout, "the request took too long", false
	case errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22"):
		// Class 22 is "data exception": a value PostgreSQL cannot use, such
		// as a regular expression it does not accept.
		return CodeBadUserInput, "invalid value: " + pe.Message, false
	}
	return CodeInternal, "internal error", true
}

// errorPath returns the response path of a planning error.
func errorPath(err error) []string {
	var pe *plan.PathError
	if errors.As(err, &pe) {
		return []string{pe.Key}
	}
	return nil
}

// variableMessage names the variable (and the place inside it) of a
// variable coercion error.
func variableMessage(e *gqlerror.Error) string {
	if len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
		return e.Message
	}
	var b strings.Builder
	b.WriteString("variable $")
	for i, p := range e.Path[1:] {
		switch p := p.(type) {
		case ast.PathName:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(p))
		case ast.PathIndex:
			b.WriteString("[" + strconv.Itoa(int(p)) + "]")
		}
	}
	return b.String() + ": " + e.Message
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
