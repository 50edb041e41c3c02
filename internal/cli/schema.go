package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
)

func runSchema(_ context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if sub == "diff" {
		return runSchemaDiff(args, stdout, stderr)
	}
	fs := flagSet("schema", "schema print [--models FILE] | schema diff OLD NEW", stderr)
	c := addCommon(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "print" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("want the subcommand print or diff: %w", errUsage)
	}
	if _, err := c.load(); err != nil {
		return err
	}
	s, err := loadSchema(c.models)
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, s.SDL)
	return err
}
