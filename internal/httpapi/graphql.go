package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/httpapi/graphiql"
)

// buffers recycles request bodies and response bytes between requests: the
// engine appends the response into one, and it goes to the client as is.
var buffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

// maxPooledBuffer keeps one huge response from pinning its memory in the
// pool.
const maxPooledBuffer = 1 << 20

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	buffers.Put(b)
}

// readRequest does what both GraphQL endpoints do before executing: it
// checks the method (GET requests are read-only), negotiates the response
// media type, passes the guard (rate limits, authentication) and decodes
// the body or query string into req. On failure it has written the error
// response and ok is false.
func (h *Handler) readRequest(w http.ResponseWriter, r *http.Request, req *engine.Request) (_ *http.Request, _ mediaType, _ *engine.Identity, ok bool) {
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet:
		req.ReadOnly = true // GraphQL over HTTP: no mutations over GET
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, r, http.StatusMethodNotAllowed, negotiate(r.Header.Values("Accept")), codeBadUserInput,
			fmt.Sprintf("method %s is not allowed: use GET or POST", r.Method))
		return r, mediaNone, nil, false
	}
	media := negotiate(r.Header.Values("Accept"))
	if media == mediaNone {
		writeError(w, r, http.StatusNotAcceptable, mediaJSON, codeBadUserInput,
			"none of the media types in Accept can be produced: accept application/graphql-response+json or application/json")
		return r, media, nil, false
	}
	r, id, ok := h.guard(w, r, media)
	if !ok {
		return r, media, nil, false
	}
	var err error
	if r.Method == http.MethodPost {
		body := getBuffer()
		defer putBuffer(body)
		if status, msg := h.readBody(w, r, body); status != 0 {
			writeError(w, r, status, media, codeBadUserInput, msg)
			return r, media, nil, false
		}
		err = decodeBody(*body, req)
	} else {
		err = decodeQueryString(r.URL.Query(), req)
	}
	if err != nil {
		writeError(w, r, http.StatusBadRequest, media, codeBadUserInput, err.Error())
		return r, media, nil, false
	}
	return r, media, id, true
}

// serveGraphQL implements the GraphQL-over-HTTP endpoint.
func (h *Handler) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && h.opts.GraphiQL && wantsHTML(r.Header.Values("Accept")) {
		graphiql.ServePage(w, r.URL.Path)
		return
	}
	var req engine.Request
	r, media, id, ok := h.readRequest(w, r, &req)
	if !ok {
		return
	}
	req.RequestID = RequestID(r.Context())
	req.Identity = id
	hash, ok := h.resolveDocument(w, r, media, &req)
	if !ok {
		return
	}
	if h.readOnlyRefuses(w, r, media, req.Query, req.OperationName) {
		return
	}

	out := getBuffer()
	defer putBuffer(out)
	start := time.Now()
	res, ok := h.execute(r.Context(), &req, out)
	if ok {
		h.afterExecute(r.Context(), &req, res, hash)
	}
	op := operation{typ: res.OperationType, name: res.OperationName, code: res.ErrorCode,
		depth: res.Depth, cost: res.Cost, duration: time.Since(start), outcome: "ok"}
	switch {
	case !ok:
		op.outcome, op.code = "error", codeInternal
	case res.Rejected:
		op.outcome = "rejected"
	case res.ErrorCode != "":
		op.outcome = "error"
	}
	setOperation(w, op)
	if !ok {
		writeError(w, r, http.StatusInternalServerError, media, codeInternal, "internal server error")
		return
	}

	status := http.StatusOK
	hdr := w.Header()
	switch res.Outcome {
	case engine.OutcomeRequestError:
		// application/json keeps 200 for every well-formed request; the
		// newer media type signals request errors in the status. A request
		// a limit refused is 400 either way: the client must change it.
		if media == mediaGraphQLResponse || res.Rejected {
			status = http.StatusBadRequest
		}
	case engine.OutcomeMutationNotAllowed:
		status = http.StatusMethodNotAllowed
		hdr.Set("Allow", "POST")
	}
	hdr["Content-Type"] = media.contentTypeHeader()
	hdr["Content-Length"] = []string{strconv.Itoa(len(*out))}
	hdr["Cache-Control"] = noStore
	w.WriteHeader(status)
	if _, err := w.Write(*out); err != nil {
		h.log.DebugContext(r.Context(), "write graphql response", "err", err, "request_id", req.RequestID)
	}
}

// readBody checks the Content-Type and reads the body into buf, within
// MaxBodyBytes. On failure it returns the status and message to answer.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, buf *[]byte) (int, string) {
	if ct := r.Header.Get("Content-Type"); !isJSONContentType(ct) {
		// Only JSON bodies: form and text posts (which browsers send
		// cross-site without a preflight) never reach the engine, so CSRF
		// cannot ride on them.
		if ct == "" {
			return http.StatusUnsupportedMediaType, "request has no Content-Type: send application/json"
		}
		return http.StatusUnsupportedMediaType, fmt.Sprintf("unsupported Content-Type %q: send application/json", ct)
	}
	tooLarge := func() (int, string) {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than the limit of %d bytes", h.opts.MaxBodyBytes)
	}
	if r.ContentLength > h.opts.MaxBodyBytes {
		return tooLarge()
	}
	var err error
	*buf, err = readAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes), (*buf)[:0])
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return tooLarge()
	case err != nil:
		return http.StatusBadRequest, "could not read the request body"
	}
	return 0, ""
}

// readAll appends everything from r to buf.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// execute runs the request on the Executor, turning a panic into a logged
// internal error so one bad request cannot take the connection down
// unanswered.
func (h *Handler) execute(ctx context.Context, req *engine.Request, out *[]byte) (res engine.Result, ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(ctx, "graphql execution panicked",
				"request_id", req.RequestID, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			ok = false
		}
	}()
	*out, res = h.exec.Execute(ctx, req, (*out)[:0])
	return res, true
}
