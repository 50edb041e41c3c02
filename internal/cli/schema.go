package cli

import (
	"context"
	"fmt"
	"io"
)

func runSchema(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("schema", "schema print [--models FILE]", stderr)
	c := addCommon(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "print" {
		fs.Usage()
		return fmt.Errorf("want the subcommand print: %w", errUsage)
	}
	s, err := loadSchema(c.models)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, s.SDL)
	return err
}
