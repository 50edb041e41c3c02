package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// collector is an OTLP/HTTP endpoint that keeps what it receives. It
// stands in for an OpenTelemetry collector, which we do not run here.
type collector struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if r.URL.Path == "/v1/traces" {
		c.mu.Lock()
		c.bodies = append(c.bodies, b)
		c.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

func (c *collector) received() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Join(c.bodies, nil)
}

const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

// TestTracingExportsSpansAndContinuesTraceparent: with an endpoint, the
// request's spans (HTTP, parse, validate, plan, execute, SQL) reach the
// collector in the caller's trace, whose id is in the access log.
func TestTracingExportsSpansAndContinuesTraceparent(t *testing.T) {
	col := &collector{}
	ts := httptest.NewServer(col)
	defer ts.Close()
	s := settings("production", "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	s.Database.AutoMigrate = true
	s.Tracing.Endpoint = ts.URL
	in := start(t, s, true)
	r := gql(t, in.base, `{"query":"query Traced { posts(limit: 1) { id } }"}`, "traceparent", traceparent)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if err := in.stop(); err != nil { // flushes the exporter
		t.Fatal(err)
	}
	got := col.received()
	for _, name := range []string{"POST /graphql/", "graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute", "db.query"} {
		if !bytes.Contains(got, []byte(name)) {
			t.Errorf("span %q not exported", name)
		}
	}
	traceID := []byte{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	if !bytes.Contains(got, traceID) {
		t.Error("spans are not in the caller's trace")
	}
	if !strings.Contains(in.logs.String(), `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`) {
		t.Errorf("trace id not in the access log:\n%s", in.logs.String())
	}
}

// TestTraceIDLoggedWithoutTracing: with tracing off, the caller's trace id
// still joins the access line, and the log holds no query text or
// variable values.
func TestTraceIDLoggedWithoutTracing(t *testing.T) {
	s := settings("production", "sqlite:"+filepath.Join(t.TempDir(), "l.db"))
	s.Database.AutoMigrate = true
	s.GraphQL.SlowQueryThreshold = time.Nanosecond // every operation is "slow"
	in := start(t, s, true)
	gql(t, in.base, `{"query":"query Logged($q: String) { posts(quick: $q) { id } }","variables":{"q":"s3cr3t-value"}}`, "traceparent", traceparent, "X-Request-ID", "req-42")
	logs := in.logs.String()
	for _, want := range []string{
		`"msg":"request","request_id":"req-42","method":"POST","path":"/graphql/","status":200`,
		`"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"`,
		`"operation_type":"query","operation_name":"Logged"`,
		`"msg":"slow operation","request_id":"req-42","operation_type":"query","operation_name":"Logged"`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	for _, leak := range []string{"s3cr3t-value", "posts(quick"} {
		if strings.Contains(logs, leak) {
			t.Errorf("log shows %q:\n%s", leak, logs)
		}
	}
}
