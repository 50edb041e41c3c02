package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/deploy"
)

const deploySynopsis = `deploy --env E --release R [--file deploy.yaml] [--dry-run] [--allow-destructive]
       autogql deploy history [--env E] [--limit N] [--json]`

// runDeploy is `autogql deploy` and `autogql deploy history`.
func runDeploy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && args[0] == "history" {
		sub, args = args[0], args[1:]
	}
	fs := flagSet("deploy", deploySynopsis, stderr)
	dc := addDeployFlags(fs)
	release := fs.String("release", "", "release to deploy (its directory: release_dir in deploy.yaml)")
	dryRun := fs.Bool("dry-run", false, "print the plan, change nothing")
	allow := fs.Bool("allow-destructive", false, "let destructive migration steps run")
	limit := fs.Int("limit", 20, "history: how many deployments to list (0: all)")
	jsonOut := fs.Bool("json", false, "history: print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %v: %w", fs.Args(), errUsage)
	}
	if sub == "history" {
		return deployHistory(ctx, dc, *limit, *jsonOut, stdout)
	}
	if *release == "" || dc.envName == "" {
		fs.Usage()
		return fmt.Errorf("--env and --release are required: %w", errUsage)
	}
	d, closeDB, err := dc.open(ctx, stdout)
	if err != nil {
		return err
	}
	defer closeDB()
	rec, err := d.Deploy(ctx, *release, deploy.Options{DryRun: *dryRun, AllowDestructive: *allow})
	if err != nil {
		return err
	}
	if !*dryRun {
		fmt.Fprintf(stdout, "deployed %s to %s (deployment %d, colour %s) in %s\n", rec.Release, rec.Env, rec.ID, dash(rec.Colour), rec.Duration().Round(time.Millisecond))
	}
	return nil
}

// runRollback is `autogql rollback`.
func runRollback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("rollback", "rollback --env E [--to DEPLOY_ID] [--restore-backup] [--file deploy.yaml]", stderr)
	dc := addDeployFlags(fs)
	to := fs.Int64("to", 0, "deployment to return to (default: the one before the current)")
	restore := fs.Bool("restore-backup", false, "restore the backup taken before the current deployment instead of running down migrations (loses later writes)")
	allow := fs.Bool("allow-destructive", false, "let down migrations that drop data run")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || dc.envName == "" {
		fs.Usage()
		return fmt.Errorf("--env is required: %w", errUsage)
	}
	d, closeDB, err := dc.open(ctx, stdout)
	if err != nil {
		return err
	}
	defer closeDB()
	rec, err := d.Rollback(ctx, deploy.RollbackOptions{To: *to, RestoreBackup: *restore, AllowDestructive: *allow})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rolled back %s to %s (deployment %d, colour %s) in %s\n", rec.Env, rec.Release, rec.ID, dash(rec.Colour), rec.Duration().Round(time.Millisecond))
	return nil
}

// deployFlags are the flags deploy and rollback share. --env names the
// deploy.yaml environment here (the configuration profile still comes
// from AUTOGQL_ENV or autogql.yaml).
type deployFlags struct {
	file, envName, config, database string
}

func addDeployFlags(fs *flag.FlagSet) *deployFlags {
	dc := &deployFlags{}
	fs.StringVar(&dc.file, "file", "deploy.yaml", "deploy file (env AUTOGQL_DEPLOY_FILE)")
	fs.StringVar(&dc.envName, "env", "", "environment of the deploy file (production, staging, …)")
	fs.StringVar(&dc.config, "config", "", "config file (env AUTOGQL_CONFIG; default autogql.yaml when present)")
	fs.StringVar(&dc.database, "database", "", "database URL (default: the environment's database:, else DATABASE_URL / autogql.yaml)")
	if v := os.Getenv("AUTOGQL_DEPLOY_FILE"); v != "" {
		dc.file = v
	}
	return dc
}

// open loads the deploy file and the configuration and opens the
// environment's database.
func (dc *deployFlags) open(ctx context.Context, out io.Writer) (*deploy.Deployer, func(), error) {
	f, err := deploy.Load(dc.file)
	if err != nil {
		return nil, nil, err
	}
	env, ok := f.Environments[dc.envName]
	if !ok {
		names := make([]string, 0, len(f.Environments))
		for n := range f.Environments {
			names = append(names, n)
		}
		return nil, nil, fmt.Errorf("%s has no environment %q (it has %s): %w", dc.file, dc.envName, strings.Join(names, ", "), errUsage)
	}
	flags := map[string]string{}
	if dc.database != "" {
		flags["database.url"] = dc.database
	}
	cfg, err := config.Load(config.Sources{File: dc.config, Flags: flags})
	if err != nil {
		return nil, nil, err
	}
	dbURL := cfg.Database.URL
	if env.Database != "" && dc.database == "" {
		dbURL = env.Database
	}
	redis := cfg.Redis.URL
	if env.Redis != "" {
		redis = env.Redis
	}
	db, err := database.Open(ctx, dbURL, database.Options{MaxConns: 4})
	if err != nil {
		return nil, nil, err
	}
	d := deploy.New(env, db, deploy.Config{
		EnvName:     dc.envName,
		DatabaseURL: dbURL,
		RedisURL:    redis,
		BackupDir:   cfg.Backup.Dir,
		PGBin:       cfg.Backup.PGBin,
		Who:         operator(),
		Out:         out,
	})
	return d, db.Close, nil
}

func deployHistory(ctx context.Context, dc *deployFlags, limit int, jsonOut bool, stdout io.Writer) error {
	flags := map[string]string{}
	if dc.database != "" {
		flags["database.url"] = dc.database
	}
	cfg, err := config.Load(config.Sources{File: dc.config, Flags: flags})
	if err != nil {
		return err
	}
	dbURL := cfg.Database.URL
	if dc.database == "" && dc.envName != "" {
		if f, err := deploy.Load(dc.file); err == nil {
			if env, ok := f.Environments[dc.envName]; ok && env.Database != "" {
				dbURL = env.Database
			}
		}
	}
	db, err := database.Open(ctx, dbURL, database.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	recs, err := deploy.History(ctx, db, dc.envName, limit)
	if err != nil {
		return err
	}
	if jsonOut {
		if recs == nil {
			recs = []*deploy.Record{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(recs)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tENV\tKIND\tRELEASE\tFROM\tCOLOUR\tSTATUS\tSTARTED\tDURATION\tBACKUP\tMIGRATIONS\tWHO\tFAILED STEP")
	for _, r := range recs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Env, r.Kind, r.Release, dash(r.PreviousRelease),
			dash(r.Colour), r.Status, r.StartedAt.Format(time.RFC3339), r.Duration().Round(100*time.Millisecond), dash(r.BackupID),
			dash(strings.Join(r.MigrationsApplied, ",")), r.Who, dash(r.FailedStep))
	}
	return tw.Flush()
}
