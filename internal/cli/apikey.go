package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/autogql/autogql/internal/audit"
	"github.com/autogql/autogql/internal/auth"
	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
)

const apikeySynopsis = `apikey create --name NAME [--roles R1,R2] [--user-id ID] [--expires 720h] | apikey list | apikey revoke PREFIX

  create  make a key; it is printed once (only its SHA-256 is stored)
  list    list keys: prefix, name, roles, user id, created, expires, revoked
  revoke  revoke the key with PREFIX (or the whole key); it stops working at once

Keys authenticate as "Authorization: Bearer agk_…" or "X-API-Key: agk_…".`

func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("apikey", apikeySynopsis, stderr)
	c := addCommon(fs)
	name := fs.String("name", "", "create: a label for the key (who or what uses it)")
	roles := fs.String("roles", "", "create: comma-separated roles the key acts with")
	userID := fs.String("user-id", "", "create: the id rules read as $user.id (default apikey:<prefix>)")
	expires := fs.Duration("expires", 0, "create: lifetime, such as 720h (default: never expires)")
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	var prefix string
	if sub == "revoke" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		prefix, args = args[0], args[1:] // revoke PREFIX [flags]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if prefix == "" && fs.NArg() == 1 {
		prefix = fs.Arg(0)
	} else if prefix != "" && fs.NArg() > 0 {
		prefix = ""
	}
	switch {
	case sub == "create" && fs.NArg() == 0 && *name != "":
	case sub == "list" && fs.NArg() == 0:
	case sub == "revoke" && prefix != "":
	default:
		fs.Usage()
		return fmt.Errorf("want create --name NAME, list, or revoke PREFIX: %w", errUsage)
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := auth.EnsureTables(ctx, db); err != nil {
		return err
	}
	keys := auth.NewAPIKeys(db, nil)
	switch sub {
	case "create":
		var until time.Time
		if *expires > 0 {
			until = time.Now().Add(*expires)
		}
		var list []string
		for _, r := range strings.Split(*roles, ",") {
			if r = strings.TrimSpace(r); r != "" {
				list = append(list, r)
			}
		}
		key, rec, err := keys.Create(ctx, *name, list, *userID, until)
		if err != nil {
			return err
		}
		auditEvent(ctx, cfg, db, audit.Event{Event: audit.KeyCreated, Actor: "cli", Detail: "prefix " + rec.Prefix + " name " + *name})
		fmt.Fprintf(stdout, "%s\n", key)
		fmt.Fprintf(stderr, "API key %s created for %s; it is shown once: store it now.\n", rec.Prefix, rec.UserID)
		return nil
	case "list":
		list, err := keys.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PREFIX\tNAME\tROLES\tUSER ID\tCREATED\tEXPIRES\tREVOKED")
		for _, k := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.Prefix, k.Name, strings.Join(k.Roles, ","), k.UserID, when(k.CreatedAt), when(k.ExpiresAt), when(k.RevokedAt))
		}
		return tw.Flush()
	}
	if err := keys.Revoke(ctx, prefix); err != nil {
		if errors.Is(err, auth.ErrKeyNotFound) {
			return fmt.Errorf("%w: %q", err, prefix)
		}
		return err
	}
	prefix = strings.TrimPrefix(prefix, auth.APIKeyPrefix)
	if i := strings.IndexByte(prefix, '_'); i >= 0 {
		prefix = prefix[:i]
	}
	auditEvent(ctx, cfg, db, audit.Event{Event: audit.KeyRevoked, Actor: "cli", Detail: "prefix " + prefix})
	fmt.Fprintf(stdout, "API key %s revoked\n", prefix)
	return nil
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// auditEvent records a security event the CLI caused, when the audit log
// is on; a failure is reported on stderr by the caller's logger only.
func auditEvent(ctx context.Context, cfg *config.Config, db *database.DB, ev audit.Event) {
	if !cfg.Audit.Enabled {
		return
	}
	if err := audit.EnsureTable(ctx, db); err != nil {
		return
	}
	_ = audit.New(db, audit.Options{}).Write(ctx, ev)
}
