package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "serve the GraphQL API over HTTP", runServe},
	{"check", "validate the models file (file:line:col errors)", runCheck},
	{"schema", "print the generated GraphQL schema (schema print)", runSchema},
	{"migrate", "create the tables, indexes and join tables the models describe", runMigrate},
	{"seed", "load sample data (fixtures file or generated rows)", runSeed},
	{"version", "print version information", runVersion},
}

// errUsage marks command-line mistakes (exit code 2).
var errUsage = errors.New("usage error")

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			fmt.Fprintln(stderr, "autogql "+c.name+": "+strings.TrimSuffix(err.Error(), ": "+errUsage.Error()))
			return exitUsage
		default:
			fmt.Fprintln(stderr, "autogql "+c.name+": "+err.Error())
			return exitFail
		}
	}
	fmt.Fprintf(stderr, "autogql: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "autogql turns a models.yaml into a production GraphQL API.")
	fmt.Fprintln(w, "\nUsage: autogql <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'autogql <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 failure, 2 usage error.")
}

// flagSet returns a flag set that reports errors instead of exiting.
func flagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: autogql %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, mapping mistakes to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", err, errUsage)
	}
	return nil
}

// common holds the settings every command understands (SPEC §4).
type common struct {
	models   string
	database string
	env      string
}

// addCommon registers --models, --database and --env with their
// environment defaults.
func addCommon(fs *flag.FlagSet) *common {
	c := &common{}
	fs.StringVar(&c.models, "models", envOr("models.yaml", "AUTOGQL_MODELS"), "models file (env AUTOGQL_MODELS)")
	fs.StringVar(&c.database, "database", envOr("sqlite:autogql.db", "DATABASE_URL", "AUTOGQL_DATABASE"), "database URL: sqlite:PATH or postgres://… (env DATABASE_URL)")
	fs.StringVar(&c.env, "env", envOr("development", "AUTOGQL_ENV"), "environment profile: development, staging or production (env AUTOGQL_ENV)")
	return c
}

// envOr returns the first set environment variable of names, or def.
func envOr(def string, names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return def
}
