package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
)

func runMakeMigrations(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("makemigrations", "makemigrations [--models FILE] [--dir DIR] [--name NAME] [--check] [--dry-run]", stderr)
	c := addCommon(fs)
	dir := fs.String("dir", "", "migrations directory (default: migrations beside the models file)")
	name := fs.String("name", "", "description part of the file name (default: derived from the operations)")
	check := fs.Bool("check", false, "write nothing; exit 1 when the models have changes no migration covers (CI)")
	dry := fs.Bool("dry-run", false, "print the migration instead of writing it")
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
	ms, err := model.Load(c.models)
	if err != nil {
		return err
	}
	d := migrationsDir(*dir, c.models)
	existing, err := migrate.LoadDir(d)
	if err != nil && !errors.Is(err, migrate.ErrNoMigrations) {
		return err
	}
	have, err := migrate.ReplayState(existing)
	if err != nil {
		return err
	}
	m, err := migrate.MakeMigration(existing, migrate.FromSchema(ms), migrate.RenamesFor(ms, have), *name)
	if err != nil {
		return err
	}
	if m == nil {
		fmt.Fprintln(stdout, "No changes detected")
		return nil
	}
	if *check {
		describe(stdout, m)
		return &exitError{code: exitFail, err: fmt.Errorf("the models have changes without a migration: run autogql makemigrations")}
	}
	if *dry {
		data, err := m.Marshal()
		if err != nil {
			return err
		}
		_, err = stdout.Write(data)
		return err
	}
	path, err := m.Write(d)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Migrations written: %s\n", path)
	describe(stdout, m)
	return nil
}

// describe lists a migration's operations, one per line, with what
// deserves a reviewer's attention.
func describe(w io.Writer, m *migrate.Migration) {
	for _, op := range m.Operations {
		line := fmt.Sprintf("  - %s [%s]", op.Describe(), op.Phase)
		switch {
		case op.Destructive != "":
			line += " DESTRUCTIVE: " + op.Destructive
		case op.DestructiveIfRows != "":
			line += " on a table with rows: " + op.DestructiveIfRows
		}
		fmt.Fprintln(w, line)
	}
}

// migrationsDir is the migrations directory: the flag, else "migrations"
// beside the models file.
func migrationsDir(flagValue, models string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(filepath.Dir(models), "migrations")
}
