package cli

import (
	"context"
	"io"
	"log/slog"

	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("serve", "serve [--models FILE] [--database URL] [--addr ADDR] [--admin-addr ADDR] [--env ENV] [--redis URL] [--config FILE] [--seed] [--watch] [--backup-schedule CRON]", stderr)
	c := addCommon(fs)
	c.setting("addr", "server.addr", "listen address (env AUTOGQL_ADDR, or PORT; default :8080)")
	c.setting("admin-addr", "server.admin_addr", "separate listener for /metrics and health (env AUTOGQL_ADMIN_ADDR; default none: /metrics on the main listener)")
	c.setting("redis", "redis.url", "Redis URL, redis://host:port/db (env REDIS_URL; default none)")
	c.setting("log-level", "log.level", "debug, info, warn or error (env AUTOGQL_LOG_LEVEL)")
	c.setting("backup-schedule", "backup.schedule", "cron expression for scheduled backups, e.g. \"17 3 * * *\" or @daily (env AUTOGQL_BACKUP_SCHEDULE; default none)")
	seedFlag := fs.Bool("seed", false, "load fixtures.json beside the models file when the database is empty")
	watchFlag := fs.Bool("watch", false, "rebuild the API when the models file (or the migrations beside it) changes; a broken file keeps the old API serving")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	v, commit, _ := Version()
	return server.Run(ctx, server.Config{
		Settings: cfg,
		Seed:     *seedFlag,
		Watch:    *watchFlag,
		Logger:   newLogger(stderr, cfg),
		Version:  v,
		Commit:   commit,
	})
}

// newLogger is the process logger: JSON lines, or text when log.format
// says so (the development profile's default).
func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level)) // validated by Load's caller
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
