package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/health"
)

// privatePostgres is a PostgreSQL cluster this test owns: it can stop and
// start it without touching the shared server.
type privatePostgres struct {
	bin, dir string
	port     int
	asUser   []string // runuser prefix when running as root
}

func (p *privatePostgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *privatePostgres) run(t *testing.T, name string, args ...string) {
	t.Helper()
	argv := append(append([]string{}, p.asUser...), append([]string{filepath.Join(p.bin, name)}, args...)...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func (p *privatePostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.port, p.dir)
	p.run(t, "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-l", filepath.Join(p.dir, "log"), "-o", opts, "-w", "-t", "30", "start")
}

func (p *privatePostgres) stop(t *testing.T) {
	t.Helper()
	p.run(t, "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "fast", "-w", "stop")
}

// startPrivatePostgres creates a cluster with initdb in a temporary
// directory on a free port and starts it; it is stopped and removed when
// the test ends. Skipped (failed under AUTOGQL_REQUIRE_SERVICES=1) when
// the server binaries are not installed.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		skipOrFail(t, "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
	}
	p := &privatePostgres{bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	// initdb refuses to run as root: run the cluster as postgres, in a
	// directory that user owns (t.TempDir's parents are private to root).
	dir, err := os.MkdirTemp("", "autogql-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			skipOrFail(t, "running as root and there is no postgres user to run initdb as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	p.run(t, "initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	p.start(t)
	t.Cleanup(func() {
		argv := append(append([]string{}, p.asUser...), filepath.Join(p.bin, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop")
		exec.Command(argv[0], argv[1:]...).Run()
	})
	return p
}

func report(t *testing.T, base string) (int, health.Report) {
	t.Helper()
	r := do(t, "GET", base+"/health/", "", "")
	var rep health.Report
	if err := json.Unmarshal([]byte(r.body), &rep); err != nil {
		t.Fatalf("/health/ is not a report: %d %s", r.status, r.body)
	}
	return r.status, rep
}

func status(t *testing.T, url string) int {
	t.Helper()
	return do(t, "GET", url, "", "").status
}

// TestHealthFollowsPostgres stops and restarts a private PostgreSQL under
// a running server: readiness turns 503 within the timeout and back to
// 200 without restarting autogql, liveness stays 200, and `autogql health`
// exits 0, 2, 0.
func TestHealthFollowsPostgres(t *testing.T) {
	pg := startPrivatePostgres(t)
	s := settings("production", pg.URL())
	s.Database.AutoMigrate = true
	s.Health.ReadyTimeout = time.Second
	in := start(t, s, true)

	if got := status(t, in.base+"/readyz"); got != 200 {
		t.Fatalf("readyz with the database up: %d", got)
	}
	code, out := healthCLI(t, in.base)
	if code != 0 || !strings.Contains(out, `"status": "healthy"`) {
		t.Errorf("health while up: exit %d\n%s", code, out)
	}
	_, rep := report(t, in.base)
	if rep.Components.Database.Dialect != "postgres" || rep.Components.Database.Pool.Max < 1 || rep.Components.Migrations.Pending != 0 || rep.Version != "v0.0.0-test" {
		t.Errorf("report while up: %+v", rep)
	}
	if got := do(t, "GET", in.base+"/health/ping/", "", ""); got.status != 200 || got.body != "pong" {
		t.Errorf("ping: %d %q", got.status, got.body)
	}

	pg.stop(t)
	took := waitFor(t, 5*time.Second, "readyz 503 after PostgreSQL stopped", func() bool { return status(t, in.base+"/readyz") == 503 })
	t.Logf("readyz turned 503 %s after the stop", took)
	if got := status(t, in.base+"/healthz"); got != 200 {
		t.Errorf("healthz while the database is down: %d", got)
	}
	if got := status(t, in.base+"/health/check/"); got != 503 {
		t.Errorf("health/check while the database is down: %d", got)
	}
	st, rep := report(t, in.base)
	if st != 503 || rep.Status != health.Critical || rep.Components.Database.Status != health.Critical {
		t.Errorf("report while down: %d %+v", st, rep)
	}
	code, out = healthCLI(t, in.base, "--format", "table")
	if code != 2 || !strings.Contains(out, "CRITICAL") || !strings.Contains(out, "database    critical") {
		t.Errorf("health while down: exit %d\n%s", code, out)
	}

	pg.start(t)
	took = waitFor(t, 15*time.Second, "readyz 200 after PostgreSQL restarted", func() bool { return status(t, in.base+"/readyz") == 200 })
	t.Logf("readyz back to 200 %s after the restart", took)
	if r := gql(t, in.base, `{"query":"{ post(id: 1) { id } }"}`); r.status != 200 || strings.Contains(r.body, "errors") || !strings.Contains(r.body, `"1"`) {
		t.Errorf("query after the restart: %s", r.body)
	}
	if code, out := healthCLI(t, in.base); code != 0 {
		t.Errorf("health after the restart: exit %d\n%s", code, out)
	}

	// Unreachable server: critical.
	if code, out := healthCLI(t, fmt.Sprintf("http://127.0.0.1:%d", freePort(t))); code != 2 || !strings.Contains(out, "unreachable") {
		t.Errorf("health of nothing: exit %d\n%s", code, out)
	}
}

// TestHealthRedis: Redis down is a warning (exit 1, still ready), never
// fatal; Redis up is healthy.
func TestHealthRedis(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "r.db")
	s := settings("production", db)
	s.Database.AutoMigrate = true
	s.Redis.URL = fmt.Sprintf("redis://127.0.0.1:%d/0", freePort(t))
	s.Redis.DialTimeout = 300 * time.Millisecond
	in := start(t, s, false)
	code, out := healthCLI(t, in.base)
	if code != 1 || !strings.Contains(out, `"status": "warning"`) || !strings.Contains(out, "redis unreachable") {
		t.Errorf("health with Redis down: exit %d\n%s", code, out)
	}
	if got := status(t, in.base+"/readyz"); got != 200 {
		t.Errorf("readyz with Redis down: %d", got)
	}
	if got := status(t, in.base+"/health/check/"); got != 200 {
		t.Errorf("health/check with Redis down: %d", got)
	}
	if r := gql(t, in.base, `{"query":"{ posts_aggregate { count } }"}`); r.status != 200 {
		t.Errorf("query with Redis down: %d %s", r.status, r.body)
	}

	s2 := settings("production", db)
	s2.Redis.URL = "redis://127.0.0.1:6379/0"
	in2 := start(t, s2, false)
	_, rep := report(t, in2.base)
	if rep.Components.Cache.Backend != "redis" {
		t.Fatalf("cache backend %q", rep.Components.Cache.Backend)
	}
	if rep.Components.Cache.Status != health.Healthy {
		skipOrFail(t, "Redis at 127.0.0.1:6379 is not answering: %s", rep.Components.Cache.Message)
	}
	if code, out := healthCLI(t, in2.base); code != 0 {
		t.Errorf("health with Redis up: exit %d\n%s", code, out)
	}
}

// TestReadyzWaitsForMigrations: a production server on an empty database
// (no auto-migration) is alive but not ready, and its report says why.
func TestReadyzWaitsForMigrations(t *testing.T) {
	s := settings("production", "sqlite:"+filepath.Join(t.TempDir(), "empty.db"))
	in := start(t, s, false)
	if got := status(t, in.base+"/healthz"); got != 200 {
		t.Errorf("healthz: %d", got)
	}
	if got := status(t, in.base+"/readyz"); got != 503 {
		t.Errorf("readyz with migrations pending: %d", got)
	}
	_, rep := report(t, in.base)
	if rep.Components.Migrations.Pending != 1 || rep.Components.Migrations.Status != health.Critical {
		t.Errorf("migrations: %+v", rep.Components.Migrations)
	}
	if code, _ := healthCLI(t, in.base); code != 2 {
		t.Errorf("health exit %d, want 2", code)
	}
}
