// Package metrics holds autogql's Prometheus metrics: one registry per
// server (never the global one, nothing registered in init), the
// autogql_-prefixed series of SPEC §7 with bounded labels, and the Go and
// process collectors. The HTTP layer and the database report into it; the
// engine's cache counters, the pool and the up gauges are read when
// scraped.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of a GraphQL operation (the outcome label).
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomeRejected = "rejected"
)

// Options configure New.
type Options struct {
	// Version, Commit label autogql_build_info.
	Version, Commit string
	// MaxOperationNames bounds the name label: the first N distinct names
	// keep theirs, later ones are "other" (default 100).
	MaxOperationNames int
}

// Metrics is one server's set of metrics. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	operations    *prometheus.CounterVec
	opDuration    *prometheus.HistogramVec
	depth         prometheus.Histogram
	cost          prometheus.Histogram
	sqlDuration   *prometheus.HistogramVec
	rateLimited   *prometheus.CounterVec
	schemaReloads *prometheus.CounterVec

	names opNames
}

var (
	latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	sqlBuckets     = []float64{.0002, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	depthBuckets   = []float64{1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20}
	costBuckets    = []float64{1, 10, 50, 100, 500, 1000, 5000, 10000, 50000, 100000}
)

// New creates the metrics on a fresh registry, with the Go runtime and
// process collectors and autogql_build_info.
func New(opts Options) *Metrics {
	if opts.MaxOperationNames <= 0 {
		opts.MaxOperationNames = 100
	}
	m := &Metrics{reg: prometheus.NewRegistry(), names: opNames{max: opts.MaxOperationNames, known: map[string]struct{}{}}}
	f := factory{m.reg}
	m.httpRequests = f.counterVec("autogql_http_requests_total", "HTTP requests answered, by route, method and status code.", "route", "method", "code")
	m.httpDuration = f.histogramVec("autogql_http_request_duration_seconds", "Time to answer an HTTP request, by route.", latencyBuckets, "route")
	m.operations = f.counterVec("autogql_graphql_operations_total", "GraphQL operations by type, name (bounded; \"other\" past the limit, \"anonymous\" without one) and outcome (ok, error, rejected by a limit).", "type", "name", "outcome")
	m.opDuration = f.histogramVec("autogql_graphql_operation_duration_seconds", "Time to execute a GraphQL operation, by type and name.", latencyBuckets, "type", "name")
	m.depth = f.histogram("autogql_graphql_query_depth", "Selection depth of executed GraphQL documents.", depthBuckets)
	m.cost = f.histogram("autogql_graphql_query_cost", "Estimated cost of executed GraphQL documents (see the engine's cost model).", costBuckets)
	m.sqlDuration = f.histogramVec("autogql_sql_statement_duration_seconds", "Time to run one SQL statement, by dialect.", sqlBuckets, "dialect")
	m.rateLimited = f.counterVec("autogql_rate_limited_total", "Requests refused by a rate limit, by scope.", "scope")
	m.schemaReloads = f.counterVec("autogql_schema_reloads_total", "Schema reloads by result (success, failure).", "result")
	// Known label values start at zero, so dashboards and alerts see the
	// series before the first event.
	for _, scope := range []string{"ip", "user"} {
		m.rateLimited.WithLabelValues(scope)
	}
	for _, result := range []string{"success", "failure"} {
		m.schemaReloads.WithLabelValues(result)
	}
	build := f.gaugeVec("autogql_build_info", "Build information; the value is always 1.", "version", "commit", "go_version")
	build.WithLabelValues(opts.Version, opts.Commit, runtime.Version()).Set(1)
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for components that add their own
// collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: false})
}

// ObserveHTTP records one answered request. route must come from a
// bounded set (the handler's route patterns).
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	m.httpRequests.WithLabelValues(route, boundMethod(method), statusText(status)).Inc()
	m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
}

// ObserveOperation records one GraphQL operation. typ is query, mutation,
// subscription or "" (unknown: the document did not parse or validate);
// name is the operation's name from the parsed document, never client
// text that was not validated.
func (m *Metrics) ObserveOperation(typ, name, outcome string, d time.Duration, depth, cost int) {
	if typ == "" {
		typ = "unknown"
	}
	name = m.names.label(name)
	m.operations.WithLabelValues(typ, name, outcome).Inc()
	if outcome == OutcomeRejected || typ == "unknown" {
		return
	}
	m.opDuration.WithLabelValues(typ, name).Observe(d.Seconds())
	m.depth.Observe(float64(depth))
	m.cost.Observe(float64(cost))
}

// SQLObserver returns the function the database calls with each
// statement's duration.
func (m *Metrics) SQLObserver(dialect string) func(time.Duration) {
	h := m.sqlDuration.WithLabelValues(dialect)
	return func(d time.Duration) { h.Observe(d.Seconds()) }
}

// RateLimited counts a request refused by the rate limit of scope (ip,
// user).
func (m *Metrics) RateLimited(scope string) { m.rateLimited.WithLabelValues(scope).Inc() }

// SchemaReloaded counts a schema reload by result (success, failure).
func (m *Metrics) SchemaReloaded(ok bool) {
	if ok {
		m.schemaReloads.WithLabelValues("success").Inc()
	} else {
		m.schemaReloads.WithLabelValues("failure").Inc()
	}
}

// PoolStats is a snapshot of a connection pool.
type PoolStats struct {
	Max, Idle, InUse, Total int
}

// CacheCounts are a cache's lookups so far.
type CacheCounts struct {
	Hits, Misses uint64
}

// Sources are read at scrape time.
type Sources struct {
	// Pool reports the database pool.
	Pool func() PoolStats
	// DBUp and RedisUp check a dependency (nil RedisUp: no Redis, the
	// gauge reads 0 and is absent from the up checks).
	DBUp, RedisUp func(ctx context.Context) bool
	// Caches reports the lookups of each cache by name (documents, plans,
	// response).
	Caches func() map[string]CacheCounts
	// LastBackup reports when the newest successful backup finished; the
	// series is absent while ok is false (no backup logged yet).
	LastBackup func(ctx context.Context) (t time.Time, ok bool)
}

// Watch registers the scrape-time collectors for src.
func (m *Metrics) Watch(src Sources) {
	m.reg.MustRegister(&scrapeCollector{src: src})
}

type scrapeCollector struct{ src Sources }

var (
	poolConnsDesc = prometheus.NewDesc("autogql_db_pool_connections", "Open database connections by state (idle, in_use, total).", []string{"state"}, nil)
	poolMaxDesc   = prometheus.NewDesc("autogql_db_pool_max_connections", "The database pool's size limit (0: unbounded).", nil, nil)
	dbUpDesc      = prometheus.NewDesc("autogql_db_up", "1 when the database answered a ping at scrape time, else 0.", nil, nil)
	redisUpDesc   = prometheus.NewDesc("autogql_redis_up", "1 when Redis answered a ping at scrape time, else 0 (also 0 without Redis).", nil, nil)
	hitsDesc      = prometheus.NewDesc("autogql_cache_hits_total", "Cache lookups that found an entry, by cache (documents, plans, response).", []string{"cache"}, nil)
	missesDesc    = prometheus.NewDesc("autogql_cache_misses_total", "Cache lookups that found nothing, by cache (documents, plans, response).", []string{"cache"}, nil)
	backupDesc    = prometheus.NewDesc("autogql_backup_last_success_timestamp_seconds", "Unix time the newest successful backup finished (from the database's backup log, whoever made it).", nil, nil)
)

// pingTimeout bounds the up checks so a dead dependency cannot stall a
// scrape.
const pingTimeout = time.Second

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConnsDesc, poolMaxDesc, dbUpDesc, redisUpDesc, hitsDesc, missesDesc, backupDesc} {
		ch <- d
	}
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Pool != nil {
		s := c.src.Pool()
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.Idle), "idle")
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.InUse), "in_use")
		ch <- prometheus.MustNewConstMetric(poolConnsDesc, prometheus.GaugeValue, float64(s.Total), "total")
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.Max))
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	var wg sync.WaitGroup
	var dbUp, redisUp, backedUp bool
	var lastBackup time.Time
	if c.src.DBUp != nil {
		wg.Go(func() { dbUp = c.src.DBUp(ctx) })
	}
	if c.src.LastBackup != nil {
		wg.Go(func() { lastBackup, backedUp = c.src.LastBackup(ctx) })
	}
	if c.src.RedisUp != nil {
		wg.Go(func() { redisUp = c.src.RedisUp(ctx) })
	}
	wg.Wait()
	ch <- prometheus.MustNewConstMetric(dbUpDesc, prometheus.GaugeValue, boolFloat(dbUp))
	ch <- prometheus.MustNewConstMetric(redisUpDesc, prometheus.GaugeValue, boolFloat(redisUp))
	if backedUp {
		ch <- prometheus.MustNewConstMetric(backupDesc, prometheus.GaugeValue, float64(lastBackup.Unix()))
	}
	counts := map[string]CacheCounts{}
	if c.src.Caches != nil {
		counts = c.src.Caches()
	}
	for _, name := range []string{"documents", "plans", "response"} {
		n := counts[name]
		ch <- prometheus.MustNewConstMetric(hitsDesc, prometheus.CounterValue, float64(n.Hits), name)
		ch <- prometheus.MustNewConstMetric(missesDesc, prometheus.CounterValue, float64(n.Misses), name)
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// opNames bounds the operation name label.
type opNames struct {
	mu    sync.RWMutex
	max   int
	known map[string]struct{}
}

func (n *opNames) label(name string) string {
	if name == "" {
		return "anonymous"
	}
	n.mu.RLock()
	_, ok := n.known[name]
	full := len(n.known) >= n.max
	n.mu.RUnlock()
	if ok {
		return name
	}
	if full {
		return "other"
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.known[name]; ok {
		return name
	}
	if len(n.known) >= n.max {
		return "other"
	}
	n.known[name] = struct{}{}
	return name
}

// boundMethod keeps the method label to the standard methods.
func boundMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return m
	}
	return "OTHER"
}

// statusTexts avoids formatting the common codes on every request.
var statusTexts = func() map[int]string {
	m := map[int]string{}
	for c := 100; c < 600; c++ {
		m[c] = strconv.Itoa(c)
	}
	return m
}()

func statusText(c int) string {
	if s, ok := statusTexts[c]; ok {
		return s
	}
	return strconv.Itoa(c)
}

type factory struct{ reg *prometheus.Registry }

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	v := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(v)
	return v
}
