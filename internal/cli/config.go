package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/autogql/autogql/internal/config"
)

func runConfig(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("config", "config print [--config FILE] [--env ENV] [--models FILE] [--database URL]", stderr)
	c := addCommon(fs)
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if sub != "print" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("want the subcommand print: %w", errUsage)
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "# effective configuration (flags > environment > config file > profile > defaults); secrets masked")
	if err := config.Print(stdout, cfg); err != nil {
		return err
	}
	warnings, err := cfg.Validate()
	for _, w := range warnings {
		fmt.Fprintln(stderr, "autogql config: warning: "+w)
	}
	return err
}
