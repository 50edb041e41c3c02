package cli

import (
	"context"
	"io"
	"log/slog"

	"github.com/autogql/autogql/internal/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("serve", "serve [--models FILE] [--database URL] [--addr ADDR] [--env ENV] [--seed]", stderr)
	c := addCommon(fs)
	addr := fs.String("addr", envOr(":8080", "AUTOGQL_ADDR"), "listen address (env AUTOGQL_ADDR, or PORT)")
	seedFlag := fs.Bool("seed", false, "load fixtures.json beside the models file when the database is empty")
	if err := parse(fs, args); err != nil {
		return err
	}
	if port := envOr("", "PORT"); port != "" && *addr == ":8080" && envOr("", "AUTOGQL_ADDR") == "" {
		*addr = ":" + port
	}
	var h slog.Handler = slog.NewJSONHandler(stderr, nil)
	if c.env == "development" {
		h = slog.NewTextHandler(stderr, nil)
	}
	return server.Run(ctx, server.Config{
		Models:   c.models,
		Database: c.database,
		Addr:     *addr,
		Env:      c.env,
		Seed:     *seedFlag,
		Logger:   slog.New(h),
	})
}
