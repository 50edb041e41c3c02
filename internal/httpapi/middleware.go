package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Observer receives the measurements of each request; *metrics.Metrics
// implements it.
type Observer interface {
	// ObserveHTTP records an answered request; route is a registered
	// pattern without its method ("/graphql", "/health/") or "other".
	ObserveHTTP(route, method string, status int, d time.Duration)
	// ObserveOperation records a GraphQL operation: typ and name from the
	// parsed document ("" when unknown or anonymous), outcome ok, error or
	// rejected.
	ObserveOperation(typ, name, outcome string, d time.Duration, depth, cost int)
}

// CORS is the cross-origin policy: origins listed (or "*") may call the
// API from a browser.
type CORS struct {
	AllowedOrigins   []string
	AllowCredentials bool
	MaxAge           time.Duration
}

// Header values set on every response.
var (
	frameDeny      = []string{"DENY"}
	referrerPolicy = []string{"no-referrer"}
	hstsValue      = []string{"max-age=63072000; includeSubDomains"}
	varyOrigin     = []string{"Origin"}
)

// corsAllowHeaders are the request headers a cross-origin caller may send.
const corsAllowHeaders = "Content-Type, Accept, Authorization, X-Request-ID, traceparent, tracestate"

// operation is what the GraphQL handler tells the middleware about the
// request it served.
type operation struct {
	set         bool
	typ, name   string
	outcome     string
	code        string
	depth, cost int
	duration    time.Duration
}

// respRecorder wraps the ResponseWriter to learn the status and size, and
// carries the operation from the GraphQL handler to the access log.
// Recorders are pooled: one request, one respRecorder, no allocation.
type respRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	op     operation
}

var respRecorders = sync.Pool{New: func() any { return new(respRecorder) }}

func (r *respRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *respRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *respRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush forwards to the underlying writer when it can flush.
func (r *respRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// setOperation records the GraphQL operation of the request served through
// w (a no-op when w is not the middleware's respRecorder, as in unit tests of
// the handler alone).
func setOperation(w http.ResponseWriter, op operation) {
	if rec, ok := w.(*respRecorder); ok {
		op.set = true
		rec.op = op
	}
}

// ServeHTTP assigns the request its ID, sets the security headers,
// answers CORS, routes the request, recovers from panics, and records the
// request in metrics, the access log and the trace.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get(RequestIDHeader)
	if !validRequestID(id) {
		id = newRequestID()
	}
	hdr := w.Header()
	hdr[canonicalRequestIDHeader] = []string{id}
	hdr["X-Content-Type-Options"] = nosniff
	hdr["X-Frame-Options"] = frameDeny
	hdr["Referrer-Policy"] = referrerPolicy
	if h.secure(r) {
		hdr["Strict-Transport-Security"] = hstsValue
	}
	ctx := context.WithValue(r.Context(), requestIDKey{}, id)
	var span trace.Span
	if h.opts.Tracer != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))
		ctx, span = h.opts.Tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
	}
	rec := respRecorders.Get().(*respRecorder)
	*rec = respRecorder{ResponseWriter: w}
	r2 := r.WithContext(ctx)
	h.serve(rec, r2)

	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	d := time.Since(start)
	route := routeOf(r2.Pattern)
	if o := h.opts.Observer; o != nil {
		o.ObserveHTTP(route, r.Method, status, d)
		if rec.op.set {
			o.ObserveOperation(rec.op.typ, rec.op.name, rec.op.outcome, rec.op.duration, rec.op.depth, rec.op.cost)
		}
	}
	if span != nil {
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}
	if h.opts.AccessLog || (rec.op.set && h.opts.SlowThreshold > 0 && rec.op.duration >= h.opts.SlowThreshold) {
		h.logRequest(ctx, r, rec, id, status, d)
	}
	*rec = respRecorder{}
	respRecorders.Put(rec)
}

// serve runs the routes with CORS and panic recovery.
func (h *Handler) serve(w *respRecorder, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "request panicked", "request_id", RequestID(r.Context()),
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if w.status == 0 {
				writeError(w, r, http.StatusInternalServerError, mediaJSON, codeInternal, "internal server error")
			}
		}
	}()
	if h.cors(w, r) || h.maintenanceRefuses(w, r) {
		return
	}
	h.mux.ServeHTTP(w, r)
}

// logRequest writes the access line (and, above the threshold, the slow
// operation line). Never the query text, variables or headers: only what
// identifies the request.
func (h *Handler) logRequest(ctx context.Context, r *http.Request, rec *respRecorder, id string, status int, d time.Duration) {
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int("bytes", rec.bytes),
	)
	if tid := traceID(ctx, r); tid != "" {
		attrs = append(attrs, slog.String("trace_id", tid))
	}
	if op := rec.op; op.set {
		attrs = append(attrs, slog.String("operation_type", op.typ), slog.String("operation_name", op.name))
		if op.code != "" {
			attrs = append(attrs, slog.String("error_class", op.code))
		}
	} else if status >= 400 {
		attrs = append(attrs, slog.String("error_class", "HTTP_"+strconv.Itoa(status)))
	}
	if h.opts.AccessLog {
		level := slog.LevelInfo
		if status < 400 && isProbe(r.URL.Path) {
			level = slog.LevelDebug // orchestrators probe every few seconds
		}
		h.log.LogAttrs(ctx, level, "request", attrs...)
	}
	if op := rec.op; op.set && h.opts.SlowThreshold > 0 && op.duration >= h.opts.SlowThreshold {
		h.log.LogAttrs(ctx, slog.LevelWarn, "slow operation",
			slog.String("request_id", id),
			slog.String("operation_type", op.typ),
			slog.String("operation_name", op.name),
			slog.Float64("duration_ms", float64(op.duration.Microseconds())/1000),
			slog.Float64("threshold_ms", float64(h.opts.SlowThreshold.Microseconds())/1000),
			slog.Int("cost", op.cost),
		)
	}
}

// isProbe reports the liveness and readiness paths.
func isProbe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/health/ping/"
}

// traceID is the request's trace: the span's when tracing, else the
// caller's traceparent, so logs join the caller's trace either way.
func traceID(ctx context.Context, r *http.Request) string {
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	if tp := r.Header.Get("Traceparent"); tp != "" {
		sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(r.Header)))
		if sc.HasTraceID() {
			return sc.TraceID().String()
		}
	}
	return ""
}

// routeOf turns the mux pattern that served a request into the route
// label: the path part ("/graphql", "/health/"), or "other" when no route
// matched. Patterns are ours, so the label set is bounded.
func routeOf(pattern string) string {
	if pattern == "" {
		return "other"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	return strings.TrimSuffix(pattern, "{$}")
}

// secure reports whether the client reached us over TLS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto.
func (h *Handler) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if len(h.opts.TrustedProxies) == 0 || r.Header.Get("X-Forwarded-Proto") != "https" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range h.opts.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// cors applies the CORS policy. It answers preflight requests itself
// (reporting true); for others it only adds headers.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(h.opts.CORS.AllowedOrigins) == 0 {
		return false
	}
	c := h.opts.CORS
	wildcard := slices.Contains(c.AllowedOrigins, "*")
	allowed := wildcard || slices.Contains(c.AllowedOrigins, origin)
	hdr := w.Header()
	hdr["Vary"] = varyOrigin
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if !allowed {
		if preflight {
			writeStatusText(w, http.StatusForbidden, "origin not allowed")
			return true
		}
		return false
	}
	if wildcard && !c.AllowCredentials {
		hdr.Set("Access-Control-Allow-Origin", "*")
	} else {
		hdr.Set("Access-Control-Allow-Origin", origin)
	}
	if c.AllowCredentials {
		hdr.Set("Access-Control-Allow-Credentials", "true")
	}
	if !preflight {
		hdr.Set("Access-Control-Expose-Headers", RequestIDHeader)
		return false
	}
	hdr.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	hdr.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	if c.MaxAge > 0 {
		hdr.Set("Access-Control-Max-Age", strconv.Itoa(int(c.MaxAge.Seconds())))
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

func writeStatusText(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}
