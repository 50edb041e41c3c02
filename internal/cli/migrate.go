package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("migrate", "migrate [--models FILE] [--database URL] [--print]", stderr)
	c := addCommon(fs)
	printOnly := fs.Bool("print", false, "print the SQL instead of running it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := c.load(); err != nil {
		return err
	}
	ms, err := model.Load(c.models)
	if err != nil {
		return err
	}
	if *printOnly {
		d := database.SQLite
		if isPostgres(c.database) {
			d = database.Postgres
		}
		for _, s := range migrate.CreateStatements(ms, d) {
			fmt.Fprintln(stdout, s+";")
		}
		return nil
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := migrate.Apply(ctx, db, ms)
	if err != nil {
		return err
	}
	if applied {
		fmt.Fprintln(stdout, "migrate: tables created")
	} else {
		fmt.Fprintln(stdout, "migrate: nothing to do")
	}
	return nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}
