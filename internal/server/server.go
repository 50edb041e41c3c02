package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/httpapi"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/seed"
)

// Config is what Run needs.
type Config struct {
	// Models is the models file path.
	Models string
	// Database is the database URL.
	Database string
	// Addr is the listen address (":8080").
	Addr string
	// Env is development, staging or production.
	Env string
	// Seed loads fixtures.json beside the models file when the database
	// has no rows yet.
	Seed bool
	// ShutdownTimeout bounds how long in-flight requests may take to finish.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// Ready, when set, receives the bound address once the server listens.
	Ready func(addr net.Addr)
}

// Run serves until ctx ends.
func Run(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 20 * time.Second
	}
	dev := cfg.Env == "" || cfg.Env == "development"
	ms, err := model.Load(cfg.Models)
	if err != nil {
		return err
	}
	schema, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, cfg.Database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if dev || cfg.Seed {
		applied, err := migrate.Apply(ctx, db, ms)
		if err != nil {
			return err
		}
		if applied {
			log.Info("tables created", "database", db.Dialect())
		}
	}
	if cfg.Seed {
		if err := seedIfEmpty(ctx, db, ms, cfg.Models, log); err != nil {
			return err
		}
	}
	eng := engine.New(db, schema, engine.Options{Introspection: dev, Debug: dev, Logger: log})
	handler := httpapi.New(eng, httpapi.Options{
		GraphiQL:      dev,
		Introspection: dev,
		Logger:        log,
		Ready: func(ctx context.Context) error {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			return db.Ping(ctx)
		},
	})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("serving", "url", "http://"+displayAddr(ln.Addr())+"/graphql/", "models", cfg.Models, "database", db.Dialect(), "env", cfg.Env, "schema", schema.Version)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
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
