package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Error codes this package puts in extensions.code; the closed set is in
// SPEC §2.5. A request that is not well-formed GraphQL-over-HTTP (bad JSON,
// missing or mistyped parameters, wrong media type, oversized body) is
// BAD_USER_INPUT: GRAPHQL_PARSE_FAILED is left to the engine, for documents
// that fail to parse as GraphQL.
const (
	codeBadUserInput = "BAD_USER_INPUT"
	codeInternal     = "INTERNAL_SERVER_ERROR"
)

type errorBody struct {
	Errors []errorEntry `json:"errors"`
}

type errorEntry struct {
	Message    string          `json:"message"`
	Extensions errorExtensions `json:"extensions"`
}

type errorExtensions struct {
	Code      string `json:"code"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError answers with a GraphQL response holding one request error. The
// body is tiny and rare, so encoding/json is fine here; the hot path never
// comes through.
func writeError(w http.ResponseWriter, r *http.Request, status int, media mediaType, code, message string) {
	body, err := json.Marshal(errorBody{Errors: []errorEntry{{
		Message:    message,
		Extensions: errorExtensions{Code: code, RequestID: RequestID(r.Context())},
	}}})
	if err != nil { // cannot happen: strings only
		body = []byte(`{"errors":[{"message":"internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}
	h := w.Header()
	if media == mediaNone {
		media = mediaJSON
	}
	h.Set("Content-Type", media.contentType())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
