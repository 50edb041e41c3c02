package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/autogql/autogql/internal/backup"
)

const backupSynopsis = `backup create [--dir DIR] [--release R] [--verify]
       autogql backup list [--dir DIR] [--json]
       autogql backup verify ID|latest [--dir DIR] [--scratch URL]
       autogql backup restore ID|latest [--dir DIR] [--database URL] [--yes]
       autogql backup prune [--dir DIR] [--keep-last N] [--keep-daily D] [--keep-weekly W] [--dry-run]`

// runBackup is `autogql backup create|list|verify|restore|prune`.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := flagSet("backup", backupSynopsis, stderr)
	c := addCommon(fs)
	c.setting("dir", "backup.dir", "backup directory (env AUTOGQL_BACKUP_DIR; default backups)")
	c.setting("pg-bin", "backup.pg_bin", "directory of pg_dump/pg_restore (default: the ones matching the server's version)")
	c.setting("keep-last", "backup.keep_last", "prune: keep the newest N backups")
	c.setting("keep-daily", "backup.keep_daily", "prune: keep the newest backup of each of the last D days with one")
	c.setting("keep-weekly", "backup.keep_weekly", "prune: keep the newest backup of each of the last W weeks with one")
	release := fs.String("release", os.Getenv("AUTOGQL_RELEASE"), "create: release recorded in the manifest (env AUTOGQL_RELEASE)")
	verify := fs.Bool("verify", false, "create: verify the new backup by restoring it into a scratch database")
	jsonOut := fs.Bool("json", false, "list: print the manifests as JSON")
	scratch := fs.String("scratch", "", "verify: PostgreSQL URL of the server for the scratch database (default: --database)")
	yes := fs.Bool("yes", false, "restore: replace the tables of a database that has some")
	dryRun := fs.Bool("dry-run", false, "prune: list what would be deleted")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	m := &backup.Manager{
		Storage:  backup.NewDir(cfg.Backup.Dir),
		PGBinDir: cfg.Backup.PGBin,
		Logger:   slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	wantArgs := func(n int) error {
		if len(pos) != n {
			fs.Usage()
			return fmt.Errorf("backup %s takes %d argument(s), got %d: %w", sub, n, len(pos), errUsage)
		}
		return nil
	}
	switch sub {
	case "create":
		if err := wantArgs(0); err != nil {
			return err
		}
		man, err := m.Create(ctx, c.database, backup.CreateOptions{Release: *release})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup %s created in %s: %s, %d tables, %d rows, schema %s, sha256 %s\n",
			man.ID, m.Storage.Location(), humanBytes(man.Size), len(man.Tables), man.TotalRows(), dash(man.SchemaVersion), man.SHA256)
		if *verify {
			return printVerify(ctx, m, man.ID, scratchURL(*scratch, c.database), stdout)
		}
		return nil
	case "list":
		if err := wantArgs(0); err != nil {
			return err
		}
		all, err := backup.List(ctx, m.Storage)
		if *jsonOut {
			if all == nil {
				all = []*backup.Manifest{}
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if eerr := enc.Encode(all); eerr != nil {
				return eerr
			}
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tRELEASE\tSCHEMA\tDIALECT\tSIZE\tTABLES\tROWS")
		for _, b := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n", b.ID, b.CreatedAt.Format(time.RFC3339), dash(b.Release),
				dash(b.SchemaVersion), b.Dialect, humanBytes(b.Size), len(b.Tables), b.TotalRows())
		}
		if ferr := tw.Flush(); ferr != nil {
			return ferr
		}
		return err
	case "verify":
		if err := wantArgs(1); err != nil {
			return err
		}
		id, err := resolveID(ctx, m, pos[0])
		if err != nil {
			return err
		}
		return printVerify(ctx, m, id, scratchURL(*scratch, c.database), stdout)
	case "restore":
		if err := wantArgs(1); err != nil {
			return err
		}
		id, err := resolveID(ctx, m, pos[0])
		if err != nil {
			return err
		}
		man, err := m.Restore(ctx, id, c.database, backup.RestoreOptions{Force: *yes})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup %s restored: %d tables, %d rows, schema %s\n", man.ID, len(man.Tables), man.TotalRows(), dash(man.SchemaVersion))
		return nil
	case "prune":
		if err := wantArgs(0); err != nil {
			return err
		}
		r := backup.Retention{KeepLast: cfg.Backup.KeepLast, KeepDaily: cfg.Backup.KeepDaily, KeepWeekly: cfg.Backup.KeepWeekly}
		removed, err := m.Prune(ctx, r, *dryRun)
		verb := "deleted"
		if *dryRun {
			verb = "would delete"
		}
		for _, b := range removed {
			fmt.Fprintf(stdout, "%s %s (%s)\n", verb, b.ID, b.CreatedAt.Format(time.RFC3339))
		}
		fmt.Fprintf(stdout, "prune: %s %d backup(s) (keep last %d, daily %d, weekly %d)\n", verb, len(removed), r.KeepLast, r.KeepDaily, r.KeepWeekly)
		return err
	default:
		fs.Usage()
		return fmt.Errorf("want a subcommand: create, list, verify, restore or prune: %w", errUsage)
	}
}

func printVerify(ctx context.Context, m *backup.Manager, id, scratch string, stdout io.Writer) error {
	res, err := m.Verify(ctx, id, backup.VerifyOptions{ScratchURL: scratch})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup %s verified: checksum ok, restored %d tables / %d rows into a scratch database, counts and digests equal (%s)\n",
		id, res.Tables, res.Rows, res.Duration.Round(time.Millisecond))
	return nil
}

// scratchURL is where verify creates its scratch PostgreSQL database.
func scratchURL(flagValue, database string) string {
	if flagValue != "" {
		return flagValue
	}
	if isPostgres(database) {
		return database
	}
	return ""
}

// resolveID turns "latest" into the newest backup's ID.
func resolveID(ctx context.Context, m *backup.Manager, id string) (string, error) {
	if id != "latest" {
		return id, nil
	}
	man, err := backup.Latest(ctx, m.Storage)
	if err != nil {
		return "", fmt.Errorf("latest backup in %s: %w", m.Storage.Location(), err)
	}
	return man.ID, nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("verify ID --dir X" and "verify --dir X ID").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// dash shows an empty value as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
