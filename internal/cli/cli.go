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

	"github.com/autogql/autogql/internal/config"
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
	{"check", "validate the configuration and the models file (file:line:col errors)", runCheck},
	{"config", "print the effective configuration, secrets masked (config print)", runConfig},
	{"health", "query a running server's health; exit 0 healthy, 1 warning, 2 critical", runHealth},
	{"schema", "print the generated GraphQL schema (schema print), or list the API changes between two (schema diff)", runSchema},
	{"makemigrations", "write the next migration file: the models' changes since the last one, with up and down SQL", runMakeMigrations},
	{"migrate", "apply, plan, roll back or list migrations (without migration files: create the tables)", runMigrate},
	{"inspect", "write a models file that reproduces an existing database (like Django's inspectdb)", runInspect},
	{"seed", "load sample data (fixtures file or generated rows)", runSeed},
	{"backup", "back up, list, verify, restore or prune database backups", runBackup},
	{"deploy", "deploy a release (blue-green, rolling or recreate) with automatic rollback; deploy history", runDeploy},
	{"rollback", "return an environment to an earlier deployment (traffic, then schema or backup)", runRollback},
	{"maintenance", "turn maintenance mode on (full or --read-only) or off on every replica, or show it", runMaintenance},
	{"apikey", "create, list or revoke API keys (stored hashed)", runAPIKey},
	{"authz", "explain what a role may do: the rules and compiled SQL of a query (authz explain)", runAuthz},
	{"audit", "show the audit log: the newest events (audit tail) or those matching filters (audit search)", runAudit},
	{"user", "create a built-in user (user create USERNAME --roles R)", runUser},
	{"version", "print version information", runVersion},
}

// errUsage marks command-line mistakes (exit code 2).
var errUsage = errors.New("usage error")

// exitError makes a command exit with its own code (autogql health).
type exitError struct {
	code int
	err  error // printed when not nil
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

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
		var coded *exitError
		switch {
		case errors.As(err, &coded):
			if coded.err != nil {
				fmt.Fprintln(stderr, "autogql "+c.name+": "+coded.err.Error())
			}
			return coded.code
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
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
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

// common holds the settings every command understands (SPEC §4): the
// flags below, which override the environment and autogql.yaml.
type common struct {
	fs       *flag.FlagSet
	models   string
	database string
	env      string
	config   string
	// flags maps flag names to configuration paths, for the flags this
	// command registered beyond the common ones.
	flags map[string]string
}

// addCommon registers --models, --database, --env and --config.
func addCommon(fs *flag.FlagSet) *common {
	c := &common{fs: fs, flags: map[string]string{}}
	fs.StringVar(&c.models, "models", "models.yaml", "models file (env AUTOGQL_MODELS)")
	fs.StringVar(&c.database, "database", "sqlite:autogql.db", "database URL: sqlite:PATH or postgres://… (env DATABASE_URL)")
	fs.StringVar(&c.env, "env", "development", "environment profile: development, staging or production (env AUTOGQL_ENV)")
	fs.StringVar(&c.config, "config", "", "config file (env AUTOGQL_CONFIG; default autogql.yaml when present)")
	return c
}

// setting registers a string flag bound to the configuration path.
func (c *common) setting(name, path, usage string) {
	c.fs.String(name, "", usage)
	c.flags[name] = path
}

// load builds the effective configuration: the flags the user set, then
// the environment, autogql.yaml, the profile and the defaults. The
// command's models and database fields are set from it.
func (c *common) load() (*config.Config, error) {
	set := map[string]string{}
	paths := map[string]string{"models": "models", "database": "database.url", "env": "env"}
	for k, v := range c.flags {
		paths[k] = v
	}
	c.fs.Visit(func(f *flag.Flag) {
		if p, ok := paths[f.Name]; ok {
			set[p] = f.Value.String()
		}
	})
	cfg, err := config.Load(config.Sources{File: c.config, Flags: set})
	if err != nil {
		return nil, err
	}
	c.models, c.database, c.env = cfg.Models, cfg.Database.URL, cfg.Env
	return cfg, nil
}
