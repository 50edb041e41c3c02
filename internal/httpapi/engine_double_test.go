package httpapi

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/introspection"
)

// doubleSDL is the fixed schema of engineDouble.
const doubleSDL = `type Query {
  hello: String!
}

type Mutation {
  noop: Boolean
}
`

// engineDouble is a TEST DOUBLE of the engine (*engine.Engine), not an
// engine: it parses and validates with gqlparser, coerces variables, refuses
// mutations on read-only requests, and answers __typename, __schema/__type
// (through package introspection), hello and noop over doubleSDL. What is
// under test here is the HTTP protocol around it; once the real engine can
// serve a fixed schema, these tests should switch to it.
type engineDouble struct {
	schema *ast.Schema
}

func newEngineDouble() *engineDouble {
	return &engineDouble{schema: gqlparser.MustLoadSchema(&ast.Source{Name: "double.graphql", Input: doubleSDL})}
}

func (e *engineDouble) SDL() string { return doubleSDL }

func (e *engineDouble) Execute(_ context.Context, req *engine.Request, dst []byte) ([]byte, engine.Result) {
	var res engine.Result
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		res.Outcome = engine.OutcomeRequestError
		return appendErrors(dst, "GRAPHQL_PARSE_FAILED", req.RequestID, err), res
	}
	if errs := validator.Validate(e.schema, doc); len(errs) > 0 {
		res.Outcome = engine.OutcomeRequestError
		list := make([]error, len(errs))
		for i, e := range errs {
			list[i] = e
		}
		return appendErrors(dst, "GRAPHQL_VALIDATION_FAILED", req.RequestID, list...), res
	}
	var op *ast.OperationDefinition
	switch {
	case req.OperationName != "":
		op = doc.Operations.ForName(req.OperationName)
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	}
	if op == nil {
		res.Outcome = engine.OutcomeRequestError
		return appendErrors(dst, "BAD_USER_INPUT", req.RequestID,
			gqlerror.Errorf("operation %q not found or not named", req.OperationName)), res
	}
	res.OperationType, res.OperationName = string(op.Operation), op.Name
	if req.ReadOnly && op.Operation != ast.Query {
		res.Outcome = engine.OutcomeMutationNotAllowed
		return appendErrors(dst, "BAD_USER_INPUT", req.RequestID,
			gqlerror.Errorf("%s operations are not allowed over GET: use POST", op.Operation)), res
	}
	vars, err := validator.VariableValues(e.schema, op, req.Variables)
	if err != nil {
		res.Outcome = engine.OutcomeRequestError
		return appendErrors(dst, "BAD_USER_INPUT", req.RequestID, err), res
	}
	root := e.schema.Query
	if op.Operation == ast.Mutation {
		root = e.schema.Mutation
	}
	start := len(dst)
	dst = append(dst, `{"data":{`...)
	for i, sel := range op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue // the double answers plain fields only
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendQuote(dst, f.Alias) // aliases are GraphQL names: ASCII, JSON-safe
		dst = append(dst, ':')
		switch f.Name {
		case "__typename":
			dst = strconv.AppendQuote(dst, root.Name)
		case "hello":
			dst = append(dst, `"world"`...)
		case "noop":
			dst = append(dst, "true"...)
		case "__schema", "__type":
			if dst, err = introspection.Append(dst, e.schema, f, vars); err != nil {
				res.Outcome = engine.OutcomeRequestError
				return appendErrors(dst[:start], "INTERNAL_SERVER_ERROR", req.RequestID, err), res
			}
		}
	}
	dst = append(dst, "}}"...)
	return dst, res
}

func appendErrors(dst []byte, code, requestID string, errs ...error) []byte {
	type ext struct {
		Code      string `json:"code"`
		RequestID string `json:"request_id,omitempty"`
	}
	type entry struct {
		Message    string `json:"message"`
		Extensions ext    `json:"extensions"`
	}
	body := struct {
		Errors []entry `json:"errors"`
	}{}
	for _, err := range errs {
		msg := err.Error()
		if gerr, ok := err.(*gqlerror.Error); ok {
			msg = gerr.Message
		}
		body.Errors = append(body.Errors, entry{msg, ext{code, requestID}})
	}
	b, _ := json.Marshal(body)
	return append(dst, b...)
}
