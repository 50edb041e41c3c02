package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/autogql/autogql/internal/documents"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/health"
	"github.com/autogql/autogql/internal/httpapi/graphiql"
)

// Executor runs GraphQL requests; *engine.Engine implements it. The handler
// depends on this interface only, so it can be tested against a double and
// the engine can be swapped (hot reload) behind it.
type Executor interface {
	// Execute appends a complete GraphQL response object ({"data":…} and/or
	// {"errors":[…]}) to dst and classifies it.
	Execute(ctx context.Context, req *engine.Request, dst []byte) ([]byte, engine.Result)
	// SDL returns the schema in GraphQL schema definition language.
	SDL() string
}

// DefaultMaxBodyBytes is the request body limit when Options.MaxBodyBytes is
// not set.
const DefaultMaxBodyBytes = 1 << 20

// Options configure a Handler. The zero value serves GraphQL with a 1 MiB
// body limit and no GraphiQL or /schema.graphql.
type Options struct {
	// MaxBodyBytes bounds a POST body; a larger one gets 413. Zero or less
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// GraphiQL serves the embedded GraphiQL IDE to browsers at the GraphQL
	// endpoint, and its files under /graphiql/assets/.
	GraphiQL bool
	// Introspection serves the schema as SDL at GET /schema.graphql. (Whether
	// introspection queries are answered is the Executor's decision.)
	Introspection bool
	// Ready reports readiness for GET /readyz: nil means ready. A nil Ready
	// is always ready.
	Ready func(ctx context.Context) error
	// Logger receives panics from the Executor and readiness failures. Nil
	// discards.
	Logger *slog.Logger
	// Health, when set, serves /health/, /health/check/ and /health/ping/,
	// and answers /readyz when Ready is nil.
	Health *health.Checker
	// Metrics, when set, is served at GET /metrics.
	Metrics http.Handler
	// Observer, when set, receives each request's measurements.
	Observer Observer
	// AccessLog writes one line per request to Logger.
	AccessLog bool
	// SlowThreshold logs GraphQL operations at least this slow (0: never).
	SlowThreshold time.Duration
	// CORS is the cross-origin policy (empty: no cross-origin calls).
	CORS CORS
	// TrustedProxies may say a request came over TLS (X-Forwarded-Proto),
	// which turns on HSTS.
	TrustedProxies []netip.Prefix
	// Tracer, when set, records a server span per request, continuing the
	// caller's W3C traceparent.
	Tracer trace.Tracer
	// Maintenance, when set, reports the maintenance mode per request:
	// full answers 503 MAINTENANCE except health endpoints and metrics,
	// read-only refuses mutations only.
	Maintenance func() Maintenance

	// Auth establishes each GraphQL request's identity (nil: everyone is
	// anonymous).
	Auth Authenticator
	// RateLimits are the request budgets (a nil Limiter: none).
	RateLimits RateLimits
	// Documents resolves persisted queries and enforces trusted documents
	// (nil: the query text is run as sent, and a hash alone is refused).
	Documents *documents.Resolver
	// Audit receives security events (nil: none recorded).
	Audit AuditLog
	// Accounts, when set, serves the built-in users' operations at
	// AccountsPath (see accounts.go).
	Accounts *Accounts
}

// Handler is the HTTP surface of SPEC §3 that this package owns: the GraphQL
// endpoint at /graphql and /graphql/ (GraphQL over HTTP), GraphiQL,
// /schema.graphql, /healthz and /readyz. Every response carries an
// X-Request-ID.
type Handler struct {
	exec Executor
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns a Handler serving exec with opts. It does no I/O.
func New(exec Executor, opts Options) *Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{exec: exec, opts: opts, log: log, mux: http.NewServeMux()}
	// Every method reaches the GraphQL endpoint so that a wrong one gets a
	// GraphQL-shaped 405 rather than the mux's plain-text one.
	h.mux.HandleFunc("/graphql", h.serveGraphQL)
	h.mux.HandleFunc("/graphql/{$}", h.serveGraphQL)
	if opts.Ready == nil && opts.Health != nil {
		h.opts.Ready = opts.Health.Ready
	}
	h.mux.HandleFunc("GET /healthz", h.serveHealthz)
	h.mux.HandleFunc("GET /readyz", h.serveReadyz)
	if opts.Health != nil {
		opts.Health.Routes(h.mux)
	}
	if opts.Metrics != nil {
		h.mux.Handle("GET /metrics", opts.Metrics)
	}
	if opts.Introspection {
		h.mux.HandleFunc("GET /schema.graphql", h.serveSchema)
	}
	if opts.GraphiQL {
		h.mux.Handle("GET "+graphiql.AssetsPath, graphiql.Assets())
	}
	if opts.Accounts != nil {
		h.mux.HandleFunc(AccountsPath, h.serveAccounts)
	}
	return h
}
