package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/inspect"
	"github.com/autogql/autogql/internal/migrate"
)

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("inspect", "inspect --database URL [--app NAME] [--out FILE] [--force]\n\n"+
		"Reads an existing PostgreSQL or SQLite database (one made by Django too) and\n"+
		"writes a models file that reproduces it, to stdout or --out.", stderr)
	c := addCommon(fs)
	app := fs.String("app", "", "app label: tables <app>_<name> become model <Name>, and only they (and what they reference) are written")
	out := fs.String("out", "", "write the models file here instead of stdout")
	force := fs.Bool("force", false, "overwrite --out when it exists")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %v: %w", fs.Args(), errUsage)
	}
	if _, err := c.load(); err != nil {
		return err
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := migrate.Introspect(ctx, db, db.Dialect())
	if err != nil {
		return err
	}
	if len(st.Tables) == 0 {
		return fmt.Errorf("the database has no tables to inspect")
	}
	res, err := inspect.Models(st, inspect.Options{App: *app, Dialect: db.Dialect()})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "autogql inspect: warning: "+w)
	}
	if *out == "" {
		_, err := stdout.Write(res.YAML)
		return err
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		return fmt.Errorf("%s exists: pass --force to overwrite it", *out)
	} else if err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(*out, res.YAML, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "inspect: wrote %s\n", *out)
	return nil
}
