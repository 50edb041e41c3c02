package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
)

// checkDrift is `autogql check --database URL`: compare the live database
// with the models and list every difference (exit 1 when there is any).
func checkDrift(ctx context.Context, url string, ms *model.Schema, stdout io.Writer) error {
	db, err := database.Open(ctx, url, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	diffs, err := migrate.Drift(ctx, db, migrate.FromSchema(ms))
	if err != nil {
		return err
	}
	if len(diffs) == 0 {
		fmt.Fprintf(stdout, "database: matches the models (%s)\n", db.Dialect())
		return nil
	}
	noun := "differences"
	if len(diffs) == 1 {
		noun = "difference"
	}
	fmt.Fprintf(stdout, "database: %d %s from the models (%s):\n", len(diffs), noun, db.Dialect())
	for _, d := range diffs {
		fmt.Fprintf(stdout, "  %s\n", d)
	}
	return &exitError{code: exitFail, err: fmt.Errorf("the database differs from the models: run autogql makemigrations and autogql migrate apply")}
}

// visited reports whether the flag name was given on the command line.
func visited(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}
