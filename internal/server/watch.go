package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/metrics"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/reload"
)

// This file holds what serve does with migrations and --watch: auto-migrate
// at start, readiness while migrations are pending, and the rebuild of the
// API when the models file changes.

// autoMigrate brings the database up to the models at start (development,
// or --seed): with migration files, the pending ones that are expand steps
// (contract ones wait for `autogql migrate apply`, and readiness stays
// false meanwhile); without, the tables the models describe (migrate.Apply).
func autoMigrate(ctx context.Context, db *database.DB, ms *model.Schema, dir string, log *slog.Logger) error {
	migs, err := migrate.LoadDir(dir)
	if errors.Is(err, migrate.ErrNoMigrations) {
		applied, err := migrate.Apply(ctx, db, ms)
		if err != nil {
			return err
		}
		if applied {
			log.Info("tables created", "database", db.Dialect())
		}
		return nil
	}
	if err != nil {
		return err
	}
	res, err := migrate.Up(ctx, db, migs, migrate.UpOptions{ExpandOnly: true, Logger: log})
	if err != nil {
		return err
	}
	if len(res.Held) > 0 {
		log.Warn("migrations held: contract steps wait for `autogql migrate apply`", "migrations", strings.Join(res.Held, ","))
	}
	return nil
}

// pendingMigrations counts what readiness waits for: the migration files
// not applied, or, without files, whether the models' tables were never
// created (no history row carries their checksum).
func pendingMigrations(ctx context.Context, db *database.DB, dir, checksum string) (int, error) {
	if _, err := migrate.LoadDir(dir); !errors.Is(err, migrate.ErrNoMigrations) {
		return migrate.Pending(ctx, db, dir)
	}
	recs, err := migrate.Status(ctx, db)
	if err != nil {
		return 0, err
	}
	if slices.ContainsFunc(recs, func(r migrate.Record) bool { return r.Checksum == checksum }) {
		return 0, nil
	}
	return 1, nil
}

// watch runs serve --watch until the returned function is called (which
// waits for it): on every change of the models file or the migrations
// directory it rebuilds the API, and swaps it in only when it is complete
// and the database can serve it.
func watch(ctx context.Context, s *config.Config, db *database.DB, exec *reload.Executor, dir string, m *metrics.Metrics, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	// Rebuilds run their migrations and checks on a pool of their own, so
	// that a reload does not queue behind the requests that fill the
	// serving pool (the new fields answer within a second under load).
	admin, err := database.Open(ctx, s.Database.URL, database.Options{MaxConns: 2, PgBouncer: s.Database.PgBouncer})
	if err != nil {
		log.Warn("watch: no separate connection for reloads; using the serving pool", "err", err)
		admin = db
	}
	w := &reload.Watcher{
		Models: s.Models,
		Dir:    dir,
		Build: func(ctx context.Context, data []byte) (*engine.Engine, error) {
			return rebuild(ctx, s, admin, exec.Engine(), dir, data, log)
		},
		Swap:   exec.Swap,
		Logger: log,
	}
	if m != nil {
		w.Result = m.SchemaReloaded
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = w.Run(ctx) })
	log.Info("watching the models file", "models", s.Models, "migrations", dir)
	return func() {
		cancel()
		wg.Wait()
		if admin != db {
			admin.Close()
		}
	}
}

// rebuild makes the engine for a changed models file: parse and validate
// it, generate the API, apply pending expand migrations when the settings
// auto-migrate (development), and check the live database has every table
// and column the new models read, with the types they expect. db is the
// reloads' own pool; the engine keeps serving on old's.
func rebuild(ctx context.Context, s *config.Config, db *database.DB, old *engine.Engine, dir string, data []byte, log *slog.Logger) (*engine.Engine, error) {
	start := time.Now()
	ms, err := model.Parse(s.Models, data)
	if err != nil {
		return nil, err
	}
	schema, err := gqlschema.Build(ms, gqlschema.Options{MaxPageSize: s.GraphQL.MaxPageSize})
	if err != nil {
		return nil, err
	}
	built := time.Since(start)
	if s.Database.AutoMigrate {
		if err := autoMigrate(ctx, db, ms, dir, log); err != nil {
			return nil, reload.Retry(fmt.Errorf("auto-migrate: %w", err))
		}
	}
	migrated := time.Since(start)
	missing, err := migrate.Servable(ctx, db, db.Dialect(), migrate.FromSchema(ms))
	log.Debug("rebuild timings", "build_ms", built.Milliseconds(), "migrate_ms", (migrated - built).Milliseconds(),
		"check_ms", (time.Since(start) - migrated).Milliseconds())
	if err != nil {
		return nil, reload.Retry(err)
	}
	if len(missing) > 0 {
		lines := make([]string, len(missing))
		for i, d := range missing {
			lines[i] = d.String()
		}
		return nil, reload.Retry(fmt.Errorf("the database cannot serve the new models (%s): run autogql makemigrations and autogql migrate apply",
			strings.Join(lines, "; ")))
	}
	return old.WithSchema(schema), nil
}
