package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
)

const migrateSynopsis = `migrate [plan|apply|rollback|status] [--models FILE] [--database URL] [--dir DIR] [flags]

  plan      print the SQL of the pending migrations for the database's dialect
  apply     run the pending migrations (the default), each in a transaction under a lock
  rollback  run the down SQL of the last applied migration, or of every one after --to N
  status    list the migrations, applied and pending

Without migration files (no DIR), apply creates the tables the models describe,
as before makemigrations existed, and --print prints that SQL.`

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("migrate", migrateSynopsis, stderr)
	c := addCommon(fs)
	printOnly := fs.Bool("print", false, "print the SQL that creates the tables (no migration files) instead of running it")
	dir := fs.String("dir", "", "migrations directory (default: migrations beside the models file)")
	allow := fs.Bool("allow-destructive", false, "run steps that drop or narrow data, or fill NOT NULL columns of tables with rows")
	expandOnly := fs.Bool("expand-only", false, "apply: stop before the first migration with a contract step")
	fakeInitial := fs.Bool("fake-initial", false, "apply: record 0001 without running it when its tables exist (a database made by another tool)")
	to := fs.String("to", "", "rollback: roll back every migration numbered above N (0: all)")
	sub := "apply"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	switch sub {
	case "plan", "apply", "rollback", "status":
	default:
		fs.Usage()
		return fmt.Errorf("unknown subcommand %q (want plan, apply, rollback or status): %w", sub, errUsage)
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %v: %w", fs.Args(), errUsage)
	}
	if _, err := c.load(); err != nil {
		return err
	}
	migs, err := migrate.LoadDir(migrationsDir(*dir, c.models))
	noFiles := errors.Is(err, migrate.ErrNoMigrations)
	if err != nil && !noFiles {
		return err
	}
	if *printOnly || noFiles && sub == "apply" {
		return migrateWithoutFiles(ctx, c, *printOnly, stdout)
	}
	if noFiles {
		return fmt.Errorf("%w: run autogql makemigrations first", err)
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "plan":
		return migratePlan(ctx, db, migs, stdout)
	case "status":
		return migrateStatus(ctx, db, migs, stdout)
	case "rollback":
		return migrateRollback(ctx, db, migs, fs, *to, *allow, stdout)
	}
	res, err := migrate.Up(ctx, db, migs, migrate.UpOptions{AllowDestructive: *allow, ExpandOnly: *expandOnly, FakeInitial: *fakeInitial})
	if res.Adopted != "" {
		fmt.Fprintf(stdout, "migrate: %s adopted (the database was created before migration files existed)\n", res.Adopted)
	}
	for _, name := range res.Applied {
		fmt.Fprintf(stdout, "migrate: applied %s\n", name)
	}
	if err != nil {
		return err
	}
	for _, name := range res.Held {
		fmt.Fprintf(stdout, "migrate: held %s (contract: apply it once the previous release stopped)\n", name)
	}
	if len(res.Applied) == 0 && len(res.Held) == 0 {
		fmt.Fprintln(stdout, "migrate: nothing to do")
	}
	return nil
}

// migrateWithoutFiles is `autogql migrate` before makemigrations: create
// the tables the models describe (or print the SQL).
func migrateWithoutFiles(ctx context.Context, c *common, printOnly bool, stdout io.Writer) error {
	ms, err := model.Load(c.models)
	if err != nil {
		return err
	}
	if printOnly {
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

func migratePlan(ctx context.Context, db *database.DB, migs []*migrate.Migration, stdout io.Writer) error {
	st, _, err := migrate.StatusOf(ctx, db, migs)
	if err != nil {
		return err
	}
	d := db.Dialect()
	n := 0
	for _, s := range st {
		if s.Applied {
			continue
		}
		n++
		m := s.Migration
		fmt.Fprintf(stdout, "-- %s (%s)\n", m.Name, m.Phase())
		for _, op := range m.Operations {
			fmt.Fprintf(stdout, "-- %s [%s]", op.Describe(), op.Phase)
			switch {
			case op.Destructive != "":
				fmt.Fprintf(stdout, " DESTRUCTIVE: %s", op.Destructive)
			case op.DestructiveIfRows != "":
				fmt.Fprintf(stdout, " on a table with rows: %s", op.DestructiveIfRows)
			}
			fmt.Fprintln(stdout)
			for _, s := range op.SQLFor(d).Up {
				fmt.Fprintln(stdout, s+";")
			}
		}
		fmt.Fprintln(stdout)
	}
	if n == 0 {
		fmt.Fprintln(stdout, "-- nothing to apply")
	}
	return nil
}

func migrateStatus(ctx context.Context, db *database.DB, migs []*migrate.Migration, stdout io.Writer) error {
	st, unknown, err := migrate.StatusOf(ctx, db, migs)
	if err != nil {
		return err
	}
	pending := 0
	for _, s := range st {
		mark, when := "[ ]", "pending"
		if s.Applied {
			mark, when = "[X]", "applied "+s.AppliedAt.Format("2006-01-02 15:04:05Z")
			if s.Checksum != s.Migration.Checksum(db.Dialect()) {
				when += " (CHANGED since: checksum differs)"
			}
		} else {
			pending++
		}
		fmt.Fprintf(stdout, "%s %-48s %-8s %s\n", mark, s.Migration.Name, s.Migration.Phase(), when)
	}
	for _, r := range unknown {
		fmt.Fprintf(stdout, "[?] %-48s applied %s, no file in the migrations directory\n", r.Name, r.AppliedAt.Format("2006-01-02 15:04:05Z"))
	}
	fmt.Fprintf(stdout, "%d applied, %d pending\n", len(st)-pending, pending)
	return nil
}

func migrateRollback(ctx context.Context, db *database.DB, migs []*migrate.Migration, fs *flag.FlagSet, toFlag string, allow bool, stdout io.Writer) error {
	to := -1
	if toFlag != "" {
		// 2, 0002 and 0002_add_x all name migration 2.
		digits, _, _ := strings.Cut(toFlag, "_")
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 {
			fs.Usage()
			return fmt.Errorf("--to %q: want a migration number such as 2 or 0002: %w", toFlag, errUsage)
		}
		to = n
	}
	if to < 0 {
		st, _, err := migrate.StatusOf(ctx, db, migs)
		if err != nil {
			return err
		}
		last := 0
		for _, s := range st {
			if s.Applied {
				last = s.Migration.Number()
			}
		}
		if last == 0 {
			fmt.Fprintln(stdout, "migrate: nothing to roll back")
			return nil
		}
		to = last - 1
	}
	done, err := migrate.Down(ctx, db, migs, to, migrate.DownOptions{AllowDestructive: allow})
	for _, name := range done {
		fmt.Fprintf(stdout, "migrate: rolled back %s\n", name)
	}
	if err != nil {
		return err
	}
	if len(done) == 0 {
		fmt.Fprintln(stdout, "migrate: nothing to roll back")
	}
	return nil
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}
