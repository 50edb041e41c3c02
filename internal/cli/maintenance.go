package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/maintenance"
)

// runMaintenance is `autogql maintenance on|off|status`.
func runMaintenance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := flagSet("maintenance", "maintenance on [--read-only] [--message M] [--retry-after S] | off | status [--json]  [--database URL] [--redis URL]", stderr)
	c := addCommon(fs)
	c.setting("redis", "redis.url", "Redis URL (env REDIS_URL): the state is mirrored there when set")
	readOnly := fs.Bool("read-only", false, "on: refuse mutations only; queries are served")
	message := fs.String("message", "", "on: message shown to clients")
	retryAfter := fs.Int("retry-after", int(maintenance.DefaultRetryAfter/time.Second), "on: Retry-After seconds sent with 503")
	jsonOut := fs.Bool("json", false, "status: print the state as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 || (sub != "on" && sub != "off" && sub != "status") {
		fs.Usage()
		return fmt.Errorf("want the subcommand on, off or status: %w", errUsage)
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	store, closeStore, err := openMaintenance(ctx, c.database, cfg.Redis.URL)
	if err != nil {
		return err
	}
	defer closeStore()
	switch sub {
	case "on", "off":
		st := maintenance.State{On: sub == "on", By: operator()}
		if st.On {
			st.ReadOnly, st.Message, st.RetryAfter = *readOnly, *message, *retryAfter
		}
		if err := store.Set(ctx, st); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "maintenance %s (replicas follow within %s)\n", st.Mode(), 2*maintenance.PollInterval)
		return nil
	default:
		st, err := store.Get(ctx)
		if err != nil {
			return err
		}
		if *jsonOut {
			return json.NewEncoder(stdout).Encode(map[string]any{"mode": st.Mode(), "state": st})
		}
		if !st.On {
			fmt.Fprintln(stdout, "maintenance off")
			return nil
		}
		fmt.Fprintf(stdout, "maintenance %s since %s by %s: %q (Retry-After %ds)\n", st.Mode(), st.Since.Format(time.RFC3339), dash(st.By), st.Text(), st.RetryAfterSeconds())
		return nil
	}
}

// openMaintenance opens the maintenance store of a database (and Redis).
func openMaintenance(ctx context.Context, dbURL, redisURL string) (*maintenance.Store, func(), error) {
	db, err := database.Open(ctx, dbURL, database.Options{MaxConns: 2})
	if err != nil {
		return nil, nil, err
	}
	var shared cache.Store
	if redisURL != "" {
		r, err := cache.OpenRedis(redisURL, cache.RedisOptions{DialTimeout: 2 * time.Second})
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		shared = r
	}
	return maintenance.NewStore(db, shared), func() {
		if shared != nil {
			shared.Close()
		}
		db.Close()
	}, nil
}

// operator names who ran the command, for the records: $AUTOGQL_OPERATOR,
// else user@host.
func operator() string {
	if v := os.Getenv("AUTOGQL_OPERATOR"); v != "" {
		return v
	}
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}
