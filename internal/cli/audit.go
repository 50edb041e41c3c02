package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/autogql/autogql/internal/audit"
	"github.com/autogql/autogql/internal/database"
)

const auditSynopsis = `audit tail [-n N] [--follow] | audit search [--actor ID] [--since 24h|2026-01-02T15:04:05Z] [--event E] [--kind mutation|security] [--model M] [--limit N] [--json]

  tail    the newest N events, oldest first; --follow keeps printing new ones
  search  events matching every given filter, newest first`

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("audit", auditSynopsis, stderr)
	c := addCommon(fs)
	n := fs.Int("n", 20, "tail: how many events")
	follow := fs.Bool("follow", false, "tail: keep printing new events until interrupted")
	actor := fs.String("actor", "", "search: the actor (user id, apikey:<prefix>)")
	since := fs.String("since", "", "search: events at or after a time (RFC 3339) or this long ago (24h)")
	event := fs.String("event", "", "search: the event (create, update, delete, login_failure, denied, rate_limited, …)")
	kind := fs.String("kind", "", "search: mutation or security")
	modelName := fs.String("model", "", "search: the model")
	limit := fs.Int("limit", 100, "search: at most this many events")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a table")
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if (sub != "tail" && sub != "search") || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("want tail or search: %w", errUsage)
	}
	f := audit.Filter{Actor: *actor, Event: *event, Kind: *kind, Model: *modelName, Limit: *limit}
	if *since != "" {
		if d, err := time.ParseDuration(*since); err == nil {
			f.Since = time.Now().Add(-d)
		} else if t, err := time.Parse(time.RFC3339, *since); err == nil {
			f.Since = t
		} else {
			return fmt.Errorf("--since %q: want a duration (24h) or an RFC 3339 time: %w", *since, errUsage)
		}
	}
	if sub == "tail" {
		f = audit.Filter{Limit: *n}
	}
	if _, err := c.load(); err != nil {
		return err
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := audit.EnsureTable(ctx, db); err != nil {
		return err
	}
	events, err := audit.Search(ctx, db, f)
	if err != nil {
		return err
	}
	if sub == "tail" {
		slices.Reverse(events)
	}
	if err := printEvents(stdout, events, *asJSON); err != nil {
		return err
	}
	if sub != "tail" || !*follow {
		return nil
	}
	var last int64
	if len(events) > 0 {
		last = events[len(events)-1].ID
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
		evs, err := audit.Search(ctx, db, audit.Filter{Limit: 1000})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		var fresh []audit.Event
		for _, ev := range evs {
			if ev.ID > last {
				fresh = append(fresh, ev)
			}
		}
		slices.Reverse(fresh)
		if len(fresh) > 0 {
			last = fresh[len(fresh)-1].ID
			if err := printEvents(stdout, fresh, *asJSON); err != nil {
				return err
			}
		}
	}
}

func printEvents(w io.Writer, events []audit.Event, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, ev := range events {
			if err := enc.Encode(ev); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, ev := range events {
		actor := ev.Actor
		if actor == "" {
			actor = "-"
		}
		what := ev.Model
		if ev.ObjectID != "" {
			what += " " + ev.ObjectID
		}
		if ev.Fields != "" {
			what += " [" + ev.Fields + "]"
		}
		if ev.Detail != "" {
			what = strings.TrimSpace(what + " " + ev.Detail)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ev.At.UTC().Format("2006-01-02 15:04:05Z"), ev.Kind, ev.Event, actor, ev.Role, what, ev.RequestID)
	}
	return tw.Flush()
}
