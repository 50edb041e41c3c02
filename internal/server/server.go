package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/autogql/autogql/internal/backup"
	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/health"
	"github.com/autogql/autogql/internal/httpapi"
	"github.com/autogql/autogql/internal/maintenance"
	"github.com/autogql/autogql/internal/metrics"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/reload"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/tracing"
)

// Config is what Run needs.
type Config struct {
	// Settings is the full configuration (internal/config). When nil, the
	// defaults of Env's profile are used with Models, Database and Addr.
	Settings *config.Config

	// Models is the models file path (when Settings is nil).
	Models string
	// Database is the database URL (when Settings is nil).
	Database string
	// Addr is the listen address (when Settings is nil).
	Addr string
	// Env is development, staging or production (when Settings is nil).
	Env string
	// Seed loads fixtures.json beside the models file when the database
	// has no rows yet.
	Seed bool
	// ShutdownTimeout overrides the settings' shutdown timeout when set.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// Version and Commit are reported by /health/ and autogql_build_info.
	Version, Commit string
	// Ready, when set, receives the bound address once the server listens.
	Ready func(addr net.Addr)
	// AdminReady, when set, receives the admin listener's address.
	AdminReady func(addr net.Addr)
	// Watch rebuilds the API when the models file, or the migrations
	// directory beside it, changes (serve --watch; see watch.go).
	Watch bool
}

// settings resolves the configuration Run uses.
func (cfg *Config) settings() *config.Config {
	if cfg.Settings != nil {
		return cfg.Settings
	}
	env := cfg.Env
	if env == "" {
		env = config.Development
	}
	s := config.ForEnv(env)
	if cfg.Models != "" {
		s.Models = cfg.Models
	}
	if cfg.Database != "" {
		s.Database.URL = cfg.Database
	}
	if cfg.Addr != "" {
		s.Server.Addr = cfg.Addr
	}
	return &s
}

// Run builds every component from the configuration and serves until ctx
// ends, then shuts down in order: readiness turns false, the drain delay
// lets load balancers notice, the listeners stop accepting, in-flight
// requests finish within the shutdown timeout, and the database pool
// closes last.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s := cfg.settings()
	if cfg.ShutdownTimeout > 0 {
		s.Server.ShutdownTimeout = cfg.ShutdownTimeout
	}
	warnings, err := s.Validate()
	if err != nil {
		return err
	}
	for _, w := range warnings {
		log.Warn("configuration", "warning", w)
	}

	ms, err := model.Load(s.Models)
	if err != nil {
		return err
	}
	schema, err := gqlschema.Build(ms, gqlschema.Options{MaxPageSize: s.GraphQL.MaxPageSize})
	if err != nil {
		return err
	}
	tp, err := tracing.New(ctx, tracing.Options{Endpoint: s.Tracing.Endpoint, ServiceName: s.Tracing.ServiceName, Version: cfg.Version, SampleRatio: s.Tracing.SampleRatio})
	if err != nil {
		return err
	}
	defer shutdownTracing(tp, log)
	m := metrics.New(metrics.Options{Version: cfg.Version, Commit: cfg.Commit, MaxOperationNames: s.Metrics.MaxOperationNames})
	dialect := database.SQLite
	if s.Database.IsPostgres() {
		dialect = database.Postgres
	}
	dbOpts := database.Options{
		MaxConns:        s.Database.MaxConns,
		MinConns:        s.Database.MinConns,
		MaxConnLifetime: s.Database.MaxConnLifetime,
		MaxConnIdleTime: s.Database.MaxConnIdleTime,
		PgBouncer:       s.Database.PgBouncer,
	}
	if s.Server.RequestTimeout > 0 {
		// The context cancels statements at the request timeout; the
		// server-side timeout is a backstop a little later.
		dbOpts.StatementTimeout = s.Server.RequestTimeout + 5*time.Second
	}
	if s.Metrics.Enabled {
		dbOpts.Observe = m.SQLObserver(string(dialect))
	}
	db, err := database.Open(ctx, s.Database.URL, dbOpts)
	if err != nil {
		return err
	}
	defer db.Close() // last: after the listeners have drained
	migrations := filepath.Join(filepath.Dir(s.Models), "migrations")
	if s.Database.AutoMigrate || cfg.Seed {
		if err := autoMigrate(ctx, db, ms, migrations, log); err != nil {
			return err
		}
	}
	if cfg.Seed {
		if err := seedIfEmpty(ctx, db, ms, s.Models, log); err != nil {
			return err
		}
	}

	var store cache.Store = cache.NewMemory()
	var pingRedis func(context.Context) error
	if s.Redis.URL != "" {
		r, err := cache.OpenRedis(s.Redis.URL, cache.RedisOptions{DialTimeout: s.Redis.DialTimeout})
		if err != nil {
			return err
		}
		store, pingRedis = r, r.Ping
		pctx, cancel := context.WithTimeout(ctx, s.Redis.DialTimeout)
		if err := r.Ping(pctx); err != nil {
			log.Warn("redis unreachable; serving without it", "redis", config.MaskURL(s.Redis.URL), "err", err)
		}
		cancel()
	}
	defer store.Close()

	// Maintenance mode: read once before serving (a replica starting during
	// maintenance never serves), then polled; background work stops before
	// the database closes.
	var shared cache.Store
	if s.Redis.URL != "" {
		shared = store
	}
	watcher := maintenance.NewWatcher(maintenance.NewStore(db, shared), log, 0)
	_ = watcher.Load(ctx) // a failure is logged; the mode starts off
	bgCtx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() {
		stopBackground()
		background.Wait()
	}()
	background.Go(func() { watcher.Run(bgCtx) })
	if s.Backup.Schedule != "" {
		sched, err := scheduledBackups(s, log)
		if err != nil {
			return err
		}
		background.Go(func() { _ = sched.Run(bgCtx) })
	}

	sec, err := buildSecurity(ctx, s, db, store, m, log)
	if err != nil {
		return err
	}
	reportAccess(ms, s.Security.ClosedByDefault, log)
	background.Go(func() { sec.run(bgCtx) })

	dev := s.Env == config.Development
	eng := engine.New(db, schema, engine.Options{
		ClosedByDefault: s.Security.ClosedByDefault,
		Auditor:         sec.auditor(),
		Introspection:   s.GraphQL.Introspection,
		Debug:           s.GraphQL.Debug,
		Logger:          log,
		Limits: engine.Limits{
			MaxQueryBytes:     s.Limits.MaxQueryBytes,
			MaxTokens:         s.Limits.MaxTokens,
			MaxDepth:          s.Limits.MaxDepth,
			MaxAliases:        s.Limits.MaxAliases,
			MaxRootFields:     s.Limits.MaxRootFields,
			MaxDirectives:     s.Limits.MaxDirectives,
			MaxCost:           s.Limits.MaxCost,
			MaxVariablesBytes: s.Limits.MaxVariablesBytes,
		},
		NoSuggestions: !s.GraphQL.Suggestions,
		Timeout:       s.Server.RequestTimeout,
		Tracer:        tp.Tracer(),
	})
	// Requests run on exec's current engine, which --watch replaces.
	exec := reload.NewExecutor(eng)
	checksum := migrate.Checksum(migrate.CreateStatements(ms, db.Dialect()))
	checker := health.New(health.Options{
		Version:       cfg.Version,
		SchemaVersion: schema.Version,
		Models:        len(ms.Models),
		Dialect:       string(db.Dialect()),
		PingDB:        db.Ping,
		Pool: func() health.PoolStats {
			p := db.PoolStats()
			return health.PoolStats{Max: p.Max, Idle: p.Idle, InUse: p.InUse, Total: p.Total}
		},
		PendingMigrations: func(ctx context.Context) (int, error) {
			return pendingMigrations(ctx, db, migrations, checksum)
		},
		PingCache: pingRedis,
		CacheHits: func() (uint64, uint64) {
			st := exec.Engine().CacheStats()
			return st.DocumentHits, st.DocumentMisses
		},
		DiskPath: diskPath(s.Database.URL),
		Thresholds: health.Thresholds{
			ReadyTimeout:           s.Health.ReadyTimeout,
			DatabaseLatencyWarning: s.Health.DatabaseLatencyWarning,
			PoolUsageWarning:       s.Health.PoolUsageWarning,
			CacheLatencyWarning:    s.Health.CacheLatencyWarning,
			MemoryWarningBytes:     s.Health.MemoryWarningBytes,
			DiskFreeWarningBytes:   s.Health.DiskFreeWarningBytes,
			DiskFreeCriticalBytes:  s.Health.DiskFreeCriticalBytes,
		},
	})
	m.Watch(metrics.Sources{
		Pool: func() metrics.PoolStats {
			p := db.PoolStats()
			return metrics.PoolStats{Max: p.Max, Idle: p.Idle, InUse: p.InUse, Total: p.Total}
		},
		DBUp: func(ctx context.Context) bool { return db.Ping(ctx) == nil },
		RedisUp: func(ctx context.Context) bool {
			return pingRedis != nil && pingRedis(ctx) == nil
		},
		LastBackup: func(ctx context.Context) (time.Time, bool) {
			t, ok, err := backup.LastSuccess(ctx, db)
			return t, ok && err == nil
		},
		Caches: func() map[string]metrics.CacheCounts {
			st := exec.Engine().CacheStats()
			return map[string]metrics.CacheCounts{
				"documents": {Hits: st.DocumentHits, Misses: st.DocumentMisses},
				"plans":     {Hits: st.PlanHits, Misses: st.PlanMisses},
			}
		},
	})

	proxies, err := parsePrefixes(s.Server.TrustedProxies)
	if err != nil {
		return err
	}
	readyLog := func(ctx context.Context, err error) {
		log.InfoContext(ctx, "not ready", "err", err, "request_id", httpapi.RequestID(ctx))
	}
	opts := httpapi.Options{
		MaxBodyBytes:   s.Server.MaxBodyBytes,
		GraphiQL:       s.GraphQL.GraphiQL,
		Introspection:  s.GraphQL.Introspection,
		Logger:         log,
		Health:         checker,
		AccessLog:      true,
		SlowThreshold:  s.GraphQL.SlowQueryThreshold,
		CORS:           httpapi.CORS{AllowedOrigins: s.Server.CORS.AllowedOrigins, AllowCredentials: s.Server.CORS.AllowCredentials, MaxAge: s.Server.CORS.MaxAge},
		TrustedProxies: proxies,
		Tracer:         tp.Tracer(),
		Maintenance: func() httpapi.Maintenance {
			st := watcher.State()
			return httpapi.Maintenance{On: st.On, ReadOnly: st.ReadOnly, Message: st.Text(), RetryAfter: st.RetryAfterSeconds()}
		},
	}
	sec.apply(&opts)
	if s.Metrics.Enabled {
		opts.Observer = m
		if s.Server.AdminAddr == "" {
			opts.Metrics = m.Handler()
		}
	}
	srv := newHTTPServer(httpapi.New(exec, opts), s, log)
	if cfg.Watch {
		stopWatch := watch(ctx, s, db, exec, migrations, m, log)
		defer stopWatch() // before the database closes
	}
	ln, err := net.Listen("tcp", s.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var admin *http.Server
	var adminLn net.Listener
	if s.Server.AdminAddr != "" {
		mux := http.NewServeMux()
		if s.Metrics.Enabled {
			mux.Handle("GET /metrics", m.Handler())
		}
		mux.HandleFunc("GET /healthz", health.ServeLive)
		mux.HandleFunc("GET /readyz", checker.ServeReady(readyLog))
		checker.Routes(mux)
		admin = newHTTPServer(mux, s, log)
		if adminLn, err = net.Listen("tcp", s.Server.AdminAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen admin: %w", err)
		}
	}
	log.Info("serving", "url", "http://"+displayAddr(ln.Addr())+"/graphql/", "models", s.Models, "database", db.Dialect(),
		"env", s.Env, "schema", schema.Version, "admin", s.Server.AdminAddr, "redis", s.Redis.URL != "", "tracing", s.Tracing.Endpoint != "")
	if dev && s.GraphQL.GraphiQL {
		log.Info("graphiql enabled", "url", "http://"+displayAddr(ln.Addr())+"/graphql/")
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if admin != nil {
		go func() { errc <- admin.Serve(adminLn) }()
		if cfg.AdminReady != nil {
			cfg.AdminReady(adminLn.Addr())
		}
	}
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr())
	}
	select {
	case err := <-errc:
		srv.Close()
		if admin != nil {
			admin.Close()
		}
		return err
	case <-ctx.Done():
	}

	checker.SetDraining()
	log.Info("draining", "drain_delay", s.Server.DrainDelay.String(), "shutdown_timeout", s.Server.ShutdownTimeout.String())
	if s.Server.DrainDelay > 0 {
		time.Sleep(s.Server.DrainDelay)
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.Server.ShutdownTimeout)
	defer cancel()
	// Shutdown closes the listener at once (new connections are refused)
	// and waits for requests in flight.
	err = srv.Shutdown(sctx)
	if admin != nil {
		admin.Shutdown(sctx) //nolint:errcheck // probes only; the main server's error decides
	}
	if err != nil {
		return fmt.Errorf("shutdown: in-flight requests did not finish within %s: %w", s.Server.ShutdownTimeout, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func newHTTPServer(h http.Handler, s *config.Config, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.Server.ReadHeaderTimeout,
		ReadTimeout:       s.Server.ReadTimeout,
		WriteTimeout:      s.Server.WriteTimeout,
		IdleTimeout:       s.Server.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func shutdownTracing(tp *tracing.Provider, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		log.Warn("tracing shutdown", "err", err)
	}
}

// parsePrefixes reads trusted proxies: CIDRs or single addresses.
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", s, err)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// diskPath is where the health report measures free space: the SQLite
// file's directory, else the working directory.
func diskPath(url string) string {
	if p, ok := strings.CutPrefix(url, "sqlite:"); ok && p != ":memory:" {
		return filepath.Dir(p)
	}
	return "."
}

func displayAddr(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", t.Port)
	}
	return a.String()
}

// seedIfEmpty loads the fixtures beside the models file into an empty database.
func seedIfEmpty(ctx context.Context, db *database.DB, ms *model.Schema, modelsPath string, log *slog.Logger) error {
	empty := true
	for _, m := range ms.Models {
		var n int64
		err := db.QueryRows(ctx, "SELECT count(*) FROM "+`"`+m.Table+`"`, nil, func(scan func(...any) error) error { return scan(&n) })
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if n > 0 {
			empty = false
			break
		}
	}
	if !empty {
		log.Info("seed skipped: the database already has rows")
		return nil
	}
	path := filepath.Join(filepath.Dir(modelsPath), "fixtures.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	n, err := seed.LoadFixtures(ctx, db, ms, data)
	if err != nil {
		return err
	}
	log.Info("sample data loaded", "file", path, "rows", n)
	return nil
}
