package server_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" && binErr == nil {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// scrape fetches and parses the metrics at url.
func scrape(t *testing.T, url string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	r := do(t, "GET", url, "", "")
	if r.status != 200 {
		t.Fatalf("GET %s: %d", url, r.status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams, r.body
}

// value returns the value of the series of family name whose labels
// include want, or -1 when absent.
func value(fams map[string]*dto.MetricFamily, name string, want ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if labels[want[i]] != want[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetricsAfterMixedWorkload drives a known workload and checks the
// series and their values, then holds the exposition to promtool's lint.
func TestMetricsAfterMixedWorkload(t *testing.T) {
	s := settings("production", "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	s.Database.AutoMigrate = true
	s.Metrics.MaxOperationNames = 2
	s.Limits.MaxDepth = 3
	in := start(t, s, true)

	for range 3 {
		if r := gql(t, in.base, `{"query":"query Q { posts(limit: 2) { id } }"}`); r.status != 200 {
			t.Fatalf("Q: %d %s", r.status, r.body)
		}
	}
	gql(t, in.base, `{"query":"{ posts_aggregate { count } }"}`)                               // anonymous
	gql(t, in.base, `{"query":"query Second { post(id: 1) { id } }"}`)                         // second name
	gql(t, in.base, `{"query":"query Third { post(id: 2) { id } }"}`)                          // past the bound: other
	gql(t, in.base, `{"query":"query Bad { nope }"}`)                                          // validation error
	gql(t, in.base, `{"query":"query Deep { posts { author { posts { author { id } } } } }"}`) // rejected by max_depth
	do(t, "GET", in.base+"/healthz", "", "")
	do(t, "GET", in.base+"/nowhere", "", "")

	fams, text := scrape(t, in.base+"/metrics")
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"autogql_graphql_operations_total", []string{"type", "query", "name", "Q", "outcome", "ok"}, 3},
		{"autogql_graphql_operations_total", []string{"type", "query", "name", "anonymous", "outcome", "ok"}, 1},
		{"autogql_graphql_operations_total", []string{"type", "query", "name", "Second", "outcome", "ok"}, 1},
		{"autogql_graphql_operations_total", []string{"type", "query", "name", "other", "outcome", "ok"}, 1},
		{"autogql_graphql_operations_total", []string{"type", "unknown", "name", "anonymous", "outcome", "error"}, 1},
		{"autogql_graphql_operations_total", []string{"type", "unknown", "name", "anonymous", "outcome", "rejected"}, 1},
		{"autogql_graphql_operation_duration_seconds", []string{"type", "query", "name", "Q"}, 3},
		{"autogql_graphql_query_depth", nil, 6},
		{"autogql_graphql_query_cost", nil, 6},
		{"autogql_http_requests_total", []string{"route", "/graphql/", "method", "POST", "code", "200"}, 6},
		{"autogql_http_requests_total", []string{"route", "/graphql/", "method", "POST", "code", "400"}, 2},
		{"autogql_http_requests_total", []string{"route", "/healthz", "method", "GET", "code", "200"}, 1},
		{"autogql_http_requests_total", []string{"route", "other", "method", "GET", "code", "404"}, 1},
		{"autogql_http_request_duration_seconds", []string{"route", "/graphql/"}, 8},
		{"autogql_cache_hits_total", []string{"cache", "documents"}, 2},
		{"autogql_cache_misses_total", []string{"cache", "documents"}, 6},
		{"autogql_cache_hits_total", []string{"cache", "plans"}, 2},
		{"autogql_cache_hits_total", []string{"cache", "response"}, 0},
		{"autogql_db_up", nil, 1},
		{"autogql_redis_up", nil, 0},
		{"autogql_rate_limited_total", []string{"scope", "ip"}, 0},
		{"autogql_schema_reloads_total", []string{"result", "failure"}, 0},
		{"autogql_db_pool_max_connections", nil, 0},
		{"autogql_build_info", []string{"version", "v0.0.0-test", "commit", "abc123"}, 1},
	} {
		if got := value(fams, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	// Series whose values depend on timing: present and plausible.
	if n := value(fams, "autogql_sql_statement_duration_seconds", "dialect", "sqlite"); n < 6 {
		t.Errorf("sql statement observations: %v, want at least 6", n)
	}
	if n := value(fams, "autogql_db_pool_connections", "state", "total"); n < 1 {
		t.Errorf("pool total connections: %v", n)
	}
	for _, family := range []string{"go_goroutines", "process_resident_memory_bytes", "autogql_rate_limited_total", "autogql_schema_reloads_total"} {
		if _, ok := fams[family]; !ok {
			t.Errorf("family %s missing", family)
		}
	}
	if strings.Contains(text, "posts_aggregate") || strings.Contains(text, "nope") {
		t.Error("query text leaked into metrics")
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		skipOrFail(t, "promtool not installed (apt-get install prometheus)")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestAdminListener serves /metrics and the health endpoints on their own
// listener and keeps /metrics off the public one.
func TestAdminListener(t *testing.T) {
	s := settings("development", "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
	s.Server.AdminAddr = "127.0.0.1:0"
	in := start(t, s, false)
	if r := do(t, "GET", in.base+"/metrics", "", ""); r.status != 404 {
		t.Errorf("public /metrics: %d, want 404", r.status)
	}
	for _, path := range []string{"/metrics", "/healthz", "/readyz", "/health/", "/health/check/", "/health/ping/"} {
		if r := do(t, "GET", in.admin+path, "", ""); r.status != 200 {
			t.Errorf("admin %s: %d %s", path, r.status, r.body)
		}
	}
}
