package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/autogql/autogql/internal/engine"
)

// constExecutor answers every request with the same bytes, so the benchmark
// measures the HTTP layer alone.
type constExecutor struct{ body []byte }

func (c constExecutor) SDL() string { return "" }

func (c constExecutor) Execute(_ context.Context, _ *engine.Request, dst []byte) ([]byte, engine.Result) {
	return append(dst, c.body...), engine.Result{}
}

// discardWriter is a minimal http.ResponseWriter that keeps no body.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// BenchmarkGraphQLPost measures the transport's per-request cost for a
// typical POST (the PERFORMANCE.md Q1 shape): request ID, negotiation, body
// read and decode, and writing the engine's bytes.
func BenchmarkGraphQLPost(b *testing.B) {
	h := New(constExecutor{body: []byte(`{"data":{"post":{"id":"1","title":"Hello","author":{"name":"Ada"}}}}`)}, Options{})
	const body = `{"query":"query Q($id: ID!) { post(id: $id) { id title author { name } } }","variables":{"id":"1"},"operationName":"Q"}`
	req, _ := http.NewRequest("POST", "http://localhost/graphql/", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json;q=0.9")
	w := &discardWriter{h: http.Header{}}
	r := strings.NewReader(body)
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(body)
		req.Body = readCloser{r}
		req.ContentLength = int64(len(body))
		clear(w.h)
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
