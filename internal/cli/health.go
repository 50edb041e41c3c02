package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/autogql/autogql/internal/health"
)

// runHealth asks a running server for its /health/ report and exits 0
// (healthy), 1 (warning) or 2 (critical, or unreachable). Pure Go, so it
// serves as a container HEALTHCHECK without curl.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("health", "health [--url URL] [--format json|table] [--timeout 5s]", stderr)
	def := "http://127.0.0.1:8080"
	if p := os.Getenv("PORT"); p != "" {
		def = "http://127.0.0.1:" + p
	}
	base := fs.String("url", def, "server base URL, or the full /health/ URL (default http://127.0.0.1:$PORT, else :8080)")
	format := fs.String("format", "json", "output: json or table")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long (then exit 2)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "json" && *format != "table" {
		return fmt.Errorf("--format %q: want json or table: %w", *format, errUsage)
	}
	target, err := healthURL(*base)
	if err != nil {
		return fmt.Errorf("--url: %w: %w", err, errUsage)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	critical := func(err error) error { return &exitError{code: health.Critical.ExitCode(), err: err} }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return critical(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return critical(fmt.Errorf("critical: %s unreachable: %w", target, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return critical(fmt.Errorf("critical: read %s: %w", target, err))
	}
	var rep health.Report
	if err := json.Unmarshal(body, &rep); err != nil || rep.Status == "" {
		return critical(fmt.Errorf("critical: %s answered %d without a health report", target, resp.StatusCode))
	}
	if *format == "json" {
		var out bytes.Buffer
		if json.Indent(&out, body, "", "  ") != nil {
			out.Reset()
			out.Write(body)
		}
		out.WriteByte('\n')
		stdout.Write(out.Bytes())
	} else {
		printTable(stdout, &rep)
	}
	if code := rep.Status.ExitCode(); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// healthURL appends /health/ to a base URL that has no path.
func healthURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", errors.New("want http://host:port")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/health/"
	}
	return u.String(), nil
}

func printTable(w io.Writer, r *health.Report) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "STATUS\t%s\n", strings.ToUpper(string(r.Status)))
	fmt.Fprintf(tw, "version\t%s (schema %s, up %s)\n", r.Version, r.SchemaVersion, (time.Duration(r.UptimeSeconds) * time.Second).String())
	if r.Draining {
		fmt.Fprintln(tw, "draining\tyes")
	}
	fmt.Fprintln(tw, "\nCOMPONENT\tSTATUS\tDETAILS")
	c := r.Components
	db := c.Database
	fmt.Fprintf(tw, "database\t%s\t%s, %.1f ms, pool %d/%d in use (%d idle)%s\n", db.Status, db.Dialect, db.LatencyMS, db.Pool.InUse, db.Pool.Max, db.Pool.Idle, note(db.Message))
	lat := ""
	if c.Cache.LatencyMS != nil {
		lat = fmt.Sprintf(", %.1f ms", *c.Cache.LatencyMS)
	}
	fmt.Fprintf(tw, "cache\t%s\t%s%s, hit rate %.0f%%%s\n", c.Cache.Status, c.Cache.Backend, lat, c.Cache.HitRate*100, note(c.Cache.Message))
	fmt.Fprintf(tw, "schema\t%s\tversion %s, %d models\n", c.Schema.Status, c.Schema.Version, c.Schema.Models)
	fmt.Fprintf(tw, "migrations\t%s\t%d pending%s\n", c.Migrations.Status, c.Migrations.Pending, note(c.Migrations.Message))
	s := c.System
	fmt.Fprintf(tw, "system\t%s\tmemory %d MiB, %d goroutines, disk free %d MiB%s\n", s.Status, s.MemoryBytes>>20, s.Goroutines, s.DiskFreeBytes>>20, note(s.Message))
	tw.Flush()
}

func note(msg string) string {
	if msg == "" {
		return ""
	}
	return ": " + msg
}
