package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("check", "check [--models FILE]", stderr)
	c := addCommon(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := loadSchema(c.models)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (%d models, schema %s)\n", c.models, len(s.Model.Models), s.Version)
	return nil
}

// loadSchema loads and validates the models file and generates its API.
func loadSchema(path string) (*gqlschema.Schema, error) {
	ms, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	return gqlschema.Build(ms, gqlschema.Options{})
}
