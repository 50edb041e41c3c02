package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/autogql/autogql/internal/metrics"
)

// BenchmarkGraphQLPostObserved is BenchmarkGraphQLPost with what the
// production server turns on: metrics, the access log (JSON, discarded)
// and the slow-operation check. Tracing stays off, as when no endpoint is
// configured. The difference between the two is the cost of observability
// per request.
func BenchmarkGraphQLPostObserved(b *testing.B) {
	m := metrics.New(metrics.Options{Version: "bench"})
	h := New(constExecutor{body: []byte(`{"data":{"post":{"id":"1","title":"Hello","author":{"name":"Ada"}}}}`)}, Options{
		Observer:      m,
		AccessLog:     true,
		SlowThreshold: 1e9,
		Logger:        slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
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
