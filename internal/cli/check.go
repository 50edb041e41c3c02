package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("check", "check [--models FILE] [--config FILE] [--env ENV] [--database URL: also compare the live database with the models]", stderr)
	c := addCommon(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	warnings, cfgErr := cfg.Validate()
	for _, w := range warnings {
		fmt.Fprintln(stderr, "autogql check: warning: "+w)
	}
	s, err := loadSchema(c.models)
	if err != nil {
		if cfgErr != nil {
			return fmt.Errorf("%w\n%w", cfgErr, err)
		}
		return err
	}
	if cfgErr != nil {
		return cfgErr
	}
	fmt.Fprintf(stdout, "%s: ok (%d models, schema %s)\n", c.models, len(s.Model.Models), s.Version)
	fmt.Fprintf(stdout, "configuration: ok (env %s, database %s)\n", cfg.Env, dialectOf(cfg.Database.URL))
	if visited(fs, "database") {
		return checkDrift(ctx, c.database, s.Model, stdout)
	}
	return nil
}

func dialectOf(url string) string {
	if isPostgres(url) {
		return "postgres"
	}
	return "sqlite"
}

// loadSchema loads and validates the models file and generates its API.
func loadSchema(path string) (*gqlschema.Schema, error) {
	ms, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	return gqlschema.Build(ms, gqlschema.Options{})
}
