package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestPanicAnywhereIs500WithRequestID: a panic in any route (here the
// metrics handler) answers 500 INTERNAL_SERVER_ERROR with the request id,
// and the stack goes to the log.
func TestPanicAnywhereIs500WithRequestID(t *testing.T) {
	var logs bytes.Buffer
	h := New(constExecutor{}, Options{
		Logger:  newTestLogger(&logs),
		Metrics: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }),
	})
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set(RequestIDHeader, testRequestID)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 500 {
		t.Errorf("status %d, want 500", w.Code)
	}
	if got, want := w.Body.String(), errBody("INTERNAL_SERVER_ERROR", "internal server error"); got != want {
		t.Errorf("body %s, want %s", got, want)
	}
	for _, want := range []string{`"msg":"request panicked"`, `"request_id":"test-req.1"`, `"panic":"boom"`, `"stack":"goroutine`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
}

// observed records what the middleware reports.
type observed struct {
	routes []string
	ops    []string
}

func (o *observed) ObserveHTTP(route, method string, status int, _ time.Duration) {
	o.routes = append(o.routes, method+" "+route+" "+http.StatusText(status))
}

func (o *observed) ObserveOperation(typ, name, outcome string, _ time.Duration, depth, cost int) {
	o.ops = append(o.ops, typ+" "+name+" "+outcome)
}

func TestObserverRoutesAreBounded(t *testing.T) {
	o := &observed{}
	h := New(constExecutor{body: []byte(`{"data":{}}`)}, Options{Observer: o})
	for _, target := range []string{"/graphql", "/graphql/", "/healthz", "/no/such/path/42", "/graphql/extra"} {
		req := httptest.NewRequest("GET", target+"?query=%7B__typename%7D", nil)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	want := []string{"GET /graphql OK", "GET /graphql/ OK", "GET /healthz OK", "GET other Not Found", "GET other Not Found"}
	if strings.Join(o.routes, "|") != strings.Join(want, "|") {
		t.Errorf("routes %q, want %q", o.routes, want)
	}
	if len(o.ops) != 2 || o.ops[0] != "  ok" {
		t.Errorf("operations %q", o.ops)
	}
}
