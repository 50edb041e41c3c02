// Package health answers "is this instance well?": liveness (the process
// serves), readiness (database reachable within a timeout, migrations
// applied, schema loaded, not draining) and the detailed report of SPEC §7
// with components database, cache, schema, migrations and system, each
// healthy, warning or critical against configurable thresholds; overall is
// the worst. It also serves them over HTTP (/healthz, /readyz, /health/,
// /health/check/, /health/ping/). The composition root wires in the
// dependencies as functions, so this package imports none of them.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Status is a component's or the instance's state.
type Status string

// Statuses, from best to worst.
const (
	Healthy  Status = "healthy"
	Warning  Status = "warning"
	Critical Status = "critical"
)

func (s Status) rank() int {
	switch s {
	case Healthy:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// worst returns the worse of a and b.
func worst(a, b Status) Status {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// ExitCode maps a status to `autogql health`'s exit code: 0 healthy, 1
// warning, 2 critical.
func (s Status) ExitCode() int { return s.rank() }

// Report is the /health/ document.
type Report struct {
	Status        Status     `json:"status"`
	Version       string     `json:"version"`
	SchemaVersion string     `json:"schema_version"`
	UptimeSeconds float64    `json:"uptime_seconds"`
	Draining      bool       `json:"draining,omitempty"`
	Components    Components `json:"components"`
}

// Components are the report's parts.
type Components struct {
	Database   Database   `json:"database"`
	Cache      Cache      `json:"cache"`
	Schema     Schema     `json:"schema"`
	Migrations Migrations `json:"migrations"`
	System     System     `json:"system"`
}

// Database is the database component.
type Database struct {
	Status    Status  `json:"status"`
	Message   string  `json:"message,omitempty"`
	Dialect   string  `json:"dialect"`
	LatencyMS float64 `json:"latency_ms"`
	Pool      Pool    `json:"pool"`
}

// Pool describes the connection pool.
type Pool struct {
	Max   int `json:"max"`
	Idle  int `json:"idle"`
	InUse int `json:"in_use"`
	Total int `json:"total"`
	// Usage is InUse / Max (0 when unbounded).
	Usage float64 `json:"usage"`
}

// Cache is the cache component: Redis when configured, else in-process.
type Cache struct {
	Status    Status   `json:"status"`
	Message   string   `json:"message,omitempty"`
	Backend   string   `json:"backend"`
	LatencyMS *float64 `json:"latency_ms,omitempty"`
	// HitRate is the document cache's hit rate since start.
	HitRate float64 `json:"hit_rate"`
}

// Schema is the schema component.
type Schema struct {
	Status  Status `json:"status"`
	Loaded  bool   `json:"loaded"`
	Version string `json:"version"`
	Models  int    `json:"models"`
}

// Migrations is the migrations component.
type Migrations struct {
	Status  Status `json:"status"`
	Message string `json:"message,omitempty"`
	Pending int    `json:"pending"`
}

// System is the process and host component.
type System struct {
	Status        Status `json:"status"`
	Message       string `json:"message,omitempty"`
	MemoryBytes   uint64 `json:"memory_bytes"`
	Goroutines    int    `json:"goroutines"`
	DiskFreeBytes uint64 `json:"disk_free_bytes"`
}

// Thresholds turn measures into warnings and criticals.
type Thresholds struct {
	// ReadyTimeout bounds each dependency check.
	ReadyTimeout           time.Duration
	DatabaseLatencyWarning time.Duration
	PoolUsageWarning       float64
	CacheLatencyWarning    time.Duration
	// MemoryWarningBytes: 0 disables.
	MemoryWarningBytes    uint64
	DiskFreeWarningBytes  uint64
	DiskFreeCriticalBytes uint64
}

// PoolStats is a snapshot of the database pool.
type PoolStats struct{ Max, Idle, InUse, Total int }

// Options are the checker's dependencies, as functions.
type Options struct {
	Version       string
	SchemaVersion string
	Models        int
	Dialect       string
	// PingDB checks the database answers.
	PingDB func(ctx context.Context) error
	// Pool reports the database pool (nil: not reported).
	Pool func() PoolStats
	// PendingMigrations counts migrations not applied yet.
	PendingMigrations func(ctx context.Context) (int, error)
	// PingCache checks Redis (nil: no Redis, the in-process cache).
	PingCache func(ctx context.Context) error
	// CacheHits reports the document cache's hits and misses.
	CacheHits func() (hits, misses uint64)
	// DiskPath is where free space is measured (default ".").
	DiskPath   string
	Thresholds Thresholds
	// Now overrides the clock (tests).
	Now func() time.Time
}

// Checker computes reports. It is safe for concurrent use.
type Checker struct {
	opts     Options
	started  time.Time
	draining atomic.Bool
	// migrated latches once migrations are seen applied: they do not
	// un-apply, so later readiness checks skip the query.
	migrated atomic.Bool
	mu       sync.Mutex // serialises the migrations query
}

// New returns a Checker; it does no I/O.
func New(opts Options) *Checker {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DiskPath == "" {
		opts.DiskPath = "."
	}
	if opts.Thresholds.ReadyTimeout <= 0 {
		opts.Thresholds.ReadyTimeout = 2 * time.Second
	}
	return &Checker{opts: opts, started: opts.Now()}
}

// SetDraining marks the instance as shutting down: readiness fails from
// now on, so load balancers stop sending new requests.
func (c *Checker) SetDraining() { c.draining.Store(true) }

// Draining reports whether SetDraining was called.
func (c *Checker) Draining() bool { return c.draining.Load() }

// Errors Ready returns.
var (
	ErrDraining          = errors.New("draining: the instance is shutting down")
	ErrMigrationsPending = errors.New("migrations are pending: run autogql migrate")
)

// Ready reports whether the instance should receive traffic: not
// draining, the database answering within the ready timeout, migrations
// applied.
func (c *Checker) Ready(ctx context.Context) error {
	if c.draining.Load() {
		return ErrDraining
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Thresholds.ReadyTimeout)
	defer cancel()
	if c.opts.PingDB != nil {
		if err := c.opts.PingDB(ctx); err != nil {
			return err
		}
	}
	n, err := c.pending(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return ErrMigrationsPending
	}
	return nil
}

func (c *Checker) pending(ctx context.Context) (int, error) {
	if c.migrated.Load() || c.opts.PendingMigrations == nil {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.opts.PendingMigrations(ctx)
	if err == nil && n == 0 {
		c.migrated.Store(true)
	}
	return n, err
}

// Report checks every component (the dependencies concurrently, each
// within the ready timeout).
func (c *Checker) Report(ctx context.Context) Report {
	th := c.opts.Thresholds
	ctx, cancel := context.WithTimeout(ctx, th.ReadyTimeout)
	defer cancel()
	r := Report{
		Version:       c.opts.Version,
		SchemaVersion: c.opts.SchemaVersion,
		UptimeSeconds: c.opts.Now().Sub(c.started).Seconds(),
		Draining:      c.draining.Load(),
	}
	var wg sync.WaitGroup
	wg.Go(func() { r.Components.Database = c.database(ctx) })
	wg.Go(func() { r.Components.Cache = c.cache(ctx) })
	wg.Go(func() { r.Components.Migrations = c.migrations(ctx) })
	r.Components.Schema = Schema{Status: Healthy, Loaded: true, Version: c.opts.SchemaVersion, Models: c.opts.Models}
	r.Components.System = c.system()
	wg.Wait()
	cs := r.Components
	r.Status = Healthy
	for _, s := range []Status{cs.Database.Status, cs.Cache.Status, cs.Schema.Status, cs.Migrations.Status, cs.System.Status} {
		r.Status = worst(r.Status, s)
	}
	return r
}

func (c *Checker) database(ctx context.Context) Database {
	th := c.opts.Thresholds
	d := Database{Status: Healthy, Dialect: c.opts.Dialect}
	if c.opts.Pool != nil {
		p := c.opts.Pool()
		d.Pool = Pool{Max: p.Max, Idle: p.Idle, InUse: p.InUse, Total: p.Total}
		if p.Max > 0 {
			d.Pool.Usage = round3(float64(p.InUse) / float64(p.Max))
		}
	}
	if c.opts.PingDB != nil {
		start := time.Now()
		err := c.opts.PingDB(ctx)
		lat := time.Since(start)
		d.LatencyMS = ms(lat)
		switch {
		case err != nil:
			d.Status, d.Message = Critical, "unreachable: "+err.Error()
			return d
		case th.DatabaseLatencyWarning > 0 && lat > th.DatabaseLatencyWarning:
			d.Status, d.Message = Warning, "slow: ping took "+lat.Round(time.Millisecond).String()
		}
	}
	if th.PoolUsageWarning > 0 && d.Pool.Max > 0 && d.Pool.Usage >= th.PoolUsageWarning {
		d.Status, d.Message = Warning, "pool nearly exhausted: "+strconv.Itoa(d.Pool.InUse)+" of "+strconv.Itoa(d.Pool.Max)+" connections in use"
	}
	return d
}

func (c *Checker) cache(ctx context.Context) Cache {
	cc := Cache{Status: Healthy, Backend: "memory"}
	if c.opts.CacheHits != nil {
		h, m := c.opts.CacheHits()
		if h+m > 0 {
			cc.HitRate = round3(float64(h) / float64(h+m))
		}
	}
	if c.opts.PingCache == nil {
		return cc
	}
	cc.Backend = "redis"
	start := time.Now()
	err := c.opts.PingCache(ctx)
	lat := ms(time.Since(start))
	cc.LatencyMS = &lat
	switch {
	case err != nil:
		// Never critical: requests are answered without the shared cache.
		cc.Status, cc.Message = Warning, "redis unreachable, serving without it: "+err.Error()
	case c.opts.Thresholds.CacheLatencyWarning > 0 && time.Since(start) > c.opts.Thresholds.CacheLatencyWarning:
		cc.Status, cc.Message = Warning, "redis is slow"
	}
	return cc
}

func (c *Checker) migrations(ctx context.Context) Migrations {
	n, err := c.pending(ctx)
	switch {
	case err != nil:
		return Migrations{Status: Critical, Message: "cannot read the migration history: " + err.Error()}
	case n > 0:
		return Migrations{Status: Critical, Pending: n, Message: "run autogql migrate"}
	}
	return Migrations{Status: Healthy}
}

func (c *Checker) system() System {
	th := c.opts.Thresholds
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := System{Status: Healthy, MemoryBytes: m.Sys, Goroutines: runtime.NumGoroutine()}
	if free, err := diskFree(c.opts.DiskPath); err == nil {
		s.DiskFreeBytes = free
		switch {
		case th.DiskFreeCriticalBytes > 0 && free < th.DiskFreeCriticalBytes:
			s.Status, s.Message = Critical, "disk almost full"
		case th.DiskFreeWarningBytes > 0 && free < th.DiskFreeWarningBytes:
			s.Status, s.Message = Warning, "disk space low"
		}
	}
	if th.MemoryWarningBytes > 0 && m.Sys > th.MemoryWarningBytes {
		s.Status, s.Message = worst(s.Status, Warning), "memory use above the warning threshold"
	}
	return s
}

func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// HTTP handlers. They never cache and never reveal causes beyond what the
// report says.

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":"critical"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func httpStatus(s Status) int {
	if s == Critical {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// ServeReport answers /health/: the full report, 503 when critical.
func (c *Checker) ServeReport(w http.ResponseWriter, r *http.Request) {
	rep := c.Report(r.Context())
	writeJSON(w, httpStatus(rep.Status), rep)
}

// ServeCheck answers /health/check/: {"status":…}, 200 when healthy or
// warning, 503 when critical.
func (c *Checker) ServeCheck(w http.ResponseWriter, r *http.Request) {
	rep := c.Report(r.Context())
	writeJSON(w, httpStatus(rep.Status), struct {
		Status Status `json:"status"`
	}{rep.Status})
}

// ServePing answers /health/ping/ with 200 "pong".
func ServePing(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("pong"))
}

// ServeLive answers /healthz: 200 while the process serves HTTP.
func ServeLive(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ServeReady answers /readyz: 200 when Ready, else 503 (the reason goes
// to the log, not to a possibly public caller).
func (c *Checker) ServeReady(log func(ctx context.Context, err error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := c.Ready(r.Context()); err != nil {
			if log != nil {
				log(r.Context(), err)
			}
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// Routes registers the health endpoints on mux; ready answers /readyz
// (the caller's, so it can log the reason).
func (c *Checker) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /health/{$}", c.ServeReport)
	mux.HandleFunc("GET /health/check/{$}", c.ServeCheck)
	mux.HandleFunc("GET /health/ping/{$}", ServePing)
}
