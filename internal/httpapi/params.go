package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/autogql/autogql/internal/engine"
)

// requestError is a GraphQL-over-HTTP request that is not well-formed: the
// transport answers it with 400 whatever the negotiated media type. Its
// message is written for the client and safe to show.
type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...)}
}

// decodeBody reads the GraphQL-over-HTTP parameters from a JSON request body
// into req. Keys are matched exactly (encoding/json alone would also accept
// "Query"), numbers in variables stay json.Number, unknown keys are ignored
// as the specification allows, and anything after the object is an error.
//
// The common body goes through decodeBodyFast; anything it does not handle
// (escapes, unknown or repeated keys, wrong types, malformed JSON) goes
// through decodeBodyStrict, which defines the behaviour and the error
// messages.
func decodeBody(body []byte, req *engine.Request) error {
	var fast engine.Request
	if decodeBodyFast(body, &fast) {
		req.Query, req.OperationName, req.Variables, req.Extensions = fast.Query, fast.OperationName, fast.Variables, fast.Extensions
		return nil
	}
	return decodeBodyStrict(body, req)
}

// decodeBodyStrict is decodeBody on encoding/json's tokenizer.
func decodeBodyStrict(body []byte, req *engine.Request) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest(`request body is empty: send a JSON object with a "query"`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return badJSON(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return badRequest("request body must be a JSON object")
	}
	var hasQuery bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return badJSON(err)
		}
		key, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return badJSON(err)
		}
		switch key {
		case "query":
			hasQuery, err = setQuery(req, v)
		case "operationName":
			err = setOperationName(req, v)
		case "variables":
			req.Variables, err = objectParam("variables", v)
		case "extensions":
			req.Extensions, err = objectParam("extensions", v)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return badJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("request body has data after the JSON object")
	}
	if !hasQuery && !persisted(req.Extensions) {
		return badRequest(`request has no "query": send the GraphQL document as a string`)
	}
	return nil
}

// persisted reports a request that names its document by hash
// (extensions.persistedQuery) instead of sending it.
func persisted(ext map[string]any) bool {
	_, ok := ext["persistedQuery"]
	return ok
}

func badJSON(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return badRequest("request body is not valid JSON: %s", syntax.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body is not valid JSON: unexpected end of input")
	default:
		return badRequest("request body is not valid JSON")
	}
}

func setQuery(req *engine.Request, v any) (bool, error) {
	switch q := v.(type) {
	case string:
		req.Query = q
		return true, nil
	case nil:
		return false, nil
	default:
		return false, badRequest(`"query" must be a string, not %s`, jsonKind(v))
	}
}

func setOperationName(req *engine.Request, v any) error {
	switch name := v.(type) {
	case string:
		req.OperationName = name
	case nil:
		req.OperationName = ""
	default:
		return badRequest(`"operationName" must be a string or null, not %s`, jsonKind(v))
	}
	return nil
}

func objectParam(name string, v any) (map[string]any, error) {
	switch m := v.(type) {
	case map[string]any:
		return m, nil
	case nil:
		return nil, nil
	default:
		return nil, badRequest(`%q must be a JSON object or null, not %s`, name, jsonKind(v))
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return "null"
	}
}

// decodeQueryString reads the GraphQL-over-HTTP parameters of a GET request:
// query and operationName as they are, variables and extensions as
// URL-encoded JSON objects.
func decodeQueryString(q url.Values, req *engine.Request) error {
	req.OperationName = q.Get("operationName")
	for _, name := range [...]string{"variables", "extensions"} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return badRequest("%q parameter is not valid JSON", name)
		}
		if _, err := dec.Token(); err != io.EOF {
			return badRequest("%q parameter has data after the JSON value", name)
		}
		m, err := objectParam(name, v)
		if err != nil {
			return err
		}
		if name == "variables" {
			req.Variables = m
		} else {
			req.Extensions = m
		}
	}
	query, ok := q["query"]
	if (!ok || len(query) == 0 || query[0] == "") && !persisted(req.Extensions) {
		return badRequest(`request has no "query" parameter: send the GraphQL document in it`)
	}
	if len(query) > 0 {
		req.Query = query[0]
	}
	return nil
}
