package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

// reloadStep is one change of the models file during TestWatchUnderLoad.
type reloadStep struct {
	name string
	// edit turns the previous models into these (old → new pairs); nil
	// writes broken YAML instead.
	edit []string
	// probe queries a field only the new models have.
	probe string
}

var reloadSteps = []reloadStep{
	{"add Post.subtitle", []string{
		"      content:      {type: text}\n", "      content:      {type: text}\n      subtitle:     {type: string, max_length: 120, null: true}\n",
	}, `{ posts(limit: 1) { subtitle } }`},
	{"broken file", nil, ""},
	{"add Author.website", []string{
		"      bio:    {type: text", "      website: {type: url, null: true}\n      bio:    {type: text",
	}, `{ authors(limit: 1) { website } }`},
	{"add model Badge", []string{
		"  Comment:\n", "  Badge:\n    fields:\n      label: {type: string, max_length: 40}\n  Comment:\n",
	}, `{ badges { id label } }`},
	{"add Comment.likes", []string{
		"      content:    {type: text}\n      created_at: {type: datetime, auto_now_add: true}\n",
		"      content:    {type: text}\n      likes:      {type: integer, default: 0}\n      created_at: {type: datetime, auto_now_add: true}\n",
	}, `{ comments(limit: 1) { likes } }`},
}

// TestWatchUnderLoad runs serve --watch on the example blog (development:
// auto-migrate on) while clients query it without pause over loopback
// HTTP, and changes the models file five times: four valid changes, each
// with its migration written just before, and one broken file. No request
// may fail, and each new field must answer within a second of the change.
func TestWatchUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { watchUnderLoad(t, d) })
	}
}

func watchUnderLoad(t *testing.T, d database.Dialect) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../examples/blog/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := os.ReadFile("../../examples/blog/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	modelsPath := filepath.Join(dir, "models.yaml")
	migrationsDir := filepath.Join(dir, "migrations")
	writeFile(t, filepath.Join(dir, "fixtures.json"), fixtures)
	writeFile(t, modelsPath, src)
	makeMigration(t, modelsPath, migrationsDir)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	var logs reloadLog
	go func() {
		errc <- Run(ctx, Config{
			Models:   modelsPath,
			Database: testdb.URL(t, d),
			Addr:     "127.0.0.1:0",
			Env:      "development",
			Seed:     true,
			Watch:    true,
			Logger:   slog.New(reloadLogs{slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})}),
			Ready:    func(a net.Addr) { addrc <- a },
		})
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-errc:
		t.Fatalf("Run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}

	// The load: clients querying fields every version has, back to back.
	const clients = 8
	var total, failed atomic.Int64
	var firstFailure atomic.Value
	loadCtx, stopLoad := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			q := []string{
				`{ posts(limit: 5) { id title author { name } } }`,
				`{ authors { id name } posts_aggregate { count } }`,
			}[i%2]
			for loadCtx.Err() == nil {
				ok, body := query(client, base, q)
				total.Add(1)
				if !ok && loadCtx.Err() == nil {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, body)
				}
			}
		})
	}

	var latencies []time.Duration
	current := string(src)
	for i, st := range reloadSteps {
		time.Sleep(300 * time.Millisecond) // let load run on each version
		if st.edit == nil {
			writeFile(t, modelsPath, []byte("version: 1\nmodels: [\n"))
			time.Sleep(time.Second)
			// The previous schema keeps serving: the last new field answers.
			if ok, body := query(client, base, reloadSteps[i-1].probe); !ok {
				t.Errorf("after a broken models file the previous schema should serve: %s", body)
			}
			continue
		}
		next := current
		for j := 0; j < len(st.edit); j += 2 {
			if !strings.Contains(next, st.edit[j]) {
				t.Fatalf("%s: %q not in the models", st.name, st.edit[j])
			}
			next = strings.Replace(next, st.edit[j], st.edit[j+1], 1)
		}
		staged := filepath.Join(dir, "next.yaml")
		writeFile(t, staged, []byte(next))
		makeMigration(t, staged, migrationsDir)
		start := time.Now()
		// Replace the file at once, as editors do, so the watcher never
		// reads half of it.
		tmp := modelsPath + ".tmp"
		writeFile(t, tmp, []byte(next))
		if err := os.Rename(tmp, modelsPath); err != nil {
			t.Fatal(err)
		}
		current = next
		for {
			if ok, _ := query(client, base, st.probe); ok {
				latencies = append(latencies, time.Since(start))
				break
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("%s: the new field did not answer within 5s\nserver log:\n%s", st.name, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(300 * time.Millisecond)
	stopLoad()
	wg.Wait()

	reloads := metricLines(t, client, base, "autogql_schema_reloads_total")
	t.Logf("%s: %d requests by %d clients, %d failed; new fields answered after %v; %s",
		d, total.Load(), clients, failed.Load(), latencies, strings.Join(reloads, ", "))
	if failed.Load() != 0 {
		t.Errorf("%d of %d requests failed; first: %v", failed.Load(), total.Load(), firstFailure.Load())
	}
	if total.Load() < 100 {
		t.Errorf("only %d requests ran: the load did not load", total.Load())
	}
	// The goal is one second; typical figures are 60-370 ms with
	// the machine loaded by other test binaries. Speed is measured and
	// logged, not asserted (the project's rule: timing belongs to
	// benchmarks and load scripts); a change that never answers fails above.
	for i, l := range latencies {
		if l > time.Second {
			t.Logf("change %d: the new field answered after %v, over the 1 s goal", i+1, l)
		}
	}
	for _, want := range []string{`autogql_schema_reloads_total{result="success"} 4`, `autogql_schema_reloads_total{result="failure"} 1`} {
		if !slices.Contains(reloads, want) {
			t.Errorf("metrics lack %s; have %v", want, reloads)
		}
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "rebuild") || strings.Contains(line, "reload") || strings.Contains(line, "migration applied") {
			t.Log(line)
		}
	}
	if !strings.Contains(logs.String(), "schema reload failed") {
		t.Errorf("the broken file was not logged:\n%s", logs.String())
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not stop")
	}
}

// query posts a GraphQL query and reports whether it succeeded: status 200
// and data without errors.
func query(c *http.Client, base, q string) (bool, string) {
	body := fmt.Sprintf(`{"query":%q}`, q)
	resp, err := c.Post(base+"/graphql/", "application/json", strings.NewReader(body))
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ok := resp.StatusCode == 200 && strings.HasPrefix(string(b), `{"data":`) && !strings.Contains(string(b), `"errors"`)
	return ok, fmt.Sprintf("%d %s", resp.StatusCode, b)
}

// makeMigration writes the migration that brings the files in dir to the
// models at path, as `autogql makemigrations` does.
func makeMigration(t *testing.T, path, dir string) {
	t.Helper()
	s, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	existing, err := migrate.LoadDir(dir)
	if err != nil && !errors.Is(err, migrate.ErrNoMigrations) {
		t.Fatal(err)
	}
	have, err := migrate.ReplayState(existing)
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.MakeMigration(existing, migrate.FromSchema(s), migrate.RenamesFor(s, have), "")
	if err != nil || m == nil {
		t.Fatalf("makemigrations: %v, %v", m, err)
	}
	if m.Phase() != migrate.PhaseExpand {
		t.Fatalf("%s is not an expand migration", m.Name)
	}
	if _, err := m.Write(dir); err != nil {
		t.Fatal(err)
	}
}

func metricLines(t *testing.T, c *http.Client, base, name string) []string {
	t.Helper()
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), name+"{") {
			out = append(out, sc.Text())
		}
	}
	return out
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// reloadLogs keeps the log records about reloads and migrations: the
// access log of thousands of requests would only slow the test down.
type reloadLogs struct{ slog.Handler }

func (h reloadLogs) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "reload") || strings.Contains(r.Message, "rebuild") || strings.Contains(r.Message, "migration") {
		return h.Handler.Handle(ctx, r)
	}
	return nil
}

func (h reloadLogs) WithAttrs(as []slog.Attr) slog.Handler {
	return reloadLogs{h.Handler.WithAttrs(as)}
}
func (h reloadLogs) WithGroup(g string) slog.Handler { return reloadLogs{h.Handler.WithGroup(g)} }

// reloadLog is a log destination safe for the server's goroutines.
type reloadLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *reloadLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *reloadLog) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestReadyzWhilePending: a contract migration that auto-migrate holds
// back keeps /readyz at 503 until `migrate apply` runs it.
func TestReadyzWhilePending(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../examples/blog/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	modelsPath := filepath.Join(dir, "models.yaml")
	migrationsDir := filepath.Join(dir, "migrations")
	writeFile(t, modelsPath, src)
	makeMigration(t, modelsPath, migrationsDir)
	// 0002 renames a column: a contract step, which auto-migrate holds.
	renamed := strings.Replace(string(src), "      title:        {type: string, max_length: 200}\n",
		"      headline:     {type: string, max_length: 200, renamed_from: title}\n", 1)
	renamed = strings.Replace(renamed, "quick: [title, content]", "quick: [headline, content]", 1)
	writeFile(t, modelsPath, []byte(renamed))
	s, err := model.Load(modelsPath)
	if err != nil {
		t.Fatal(err)
	}
	existing, err := migrate.LoadDir(migrationsDir)
	if err != nil {
		t.Fatal(err)
	}
	have, _ := migrate.ReplayState(existing)
	m, err := migrate.MakeMigration(existing, migrate.FromSchema(s), migrate.RenamesFor(s, have), "")
	if err != nil || m == nil || m.Phase() != migrate.PhaseContract {
		t.Fatalf("rename migration: %v, %v", m, err)
	}
	if _, err := m.Write(migrationsDir); err != nil {
		t.Fatal(err)
	}
	url := "sqlite:" + filepath.Join(dir, "app.db")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, Config{Models: modelsPath, Database: url, Addr: "127.0.0.1:0", Env: "development",
			Logger: slog.New(slog.DiscardHandler), Ready: func(a net.Addr) { addrc <- a }})
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a.String()
	case err := <-errc:
		t.Fatalf("Run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	status := func() int {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with 0002 pending: %d, want 503", got)
	}
	db, err := database.Open(ctx, url, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	migs, err := migrate.LoadDir(migrationsDir)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := migrate.Pending(ctx, db, migrationsDir); err != nil || n != 1 {
		t.Errorf("Pending = %d, %v; want 1", n, err)
	}
	if _, err := migrate.Up(ctx, db, migs, migrate.UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != http.StatusOK {
		t.Errorf("/readyz once applied: %d, want 200", got)
	}
	cancel()
	<-errc
}
