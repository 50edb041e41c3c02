package server_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

// TestSIGTERMDrainsInFlightRequests runs the real binary on PostgreSQL,
// holds a lock so that requests block in the database, and sends SIGTERM:
// readiness turns 503 during the drain delay, then new connections are
// refused, the blocked requests complete with 200 once the lock goes, and
// the process exits 0 well before the shutdown deadline.
func TestSIGTERMDrainsInFlightRequests(t *testing.T) {
	bin := buildBinary(t)
	dbURL := testdb.URL(t, database.Postgres)
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	work := t.TempDir()

	cmd := exec.Command(bin, "serve", "--models", mustAbs(t, blogModels), "--seed")
	cmd.Dir = work
	logPath := filepath.Join(work, "server.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Env = append(os.Environ(),
		"AUTOGQL_ENV=production",
		"AUTOGQL_SECURITY_CLOSED_BY_DEFAULT=false", // the blog example declares no access rules
		"DATABASE_URL="+dbURL,
		"PORT="+fmt.Sprint(port),
		"AUTOGQL_SERVER_DRAIN_DELAY=1s",
		"AUTOGQL_SERVER_SHUTDOWN_TIMEOUT=20s",
		"AUTOGQL_SERVER_REQUEST_TIMEOUT=15s",
	)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("server log:\n%s", b)
		}
	})
	waitFor(t, 30*time.Second, "the server to become ready", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	// Hold an exclusive lock on the posts table: reads of it wait.
	ctx := context.Background()
	lockConn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer lockConn.Close(ctx)
	tx, err := lockConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE blog_post IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	const inFlight = 3
	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, inFlight)
	for i := range inFlight {
		go func() {
			body := fmt.Sprintf(`{"query":"query Slow%d { posts(limit: 2) { id } }"}`, i)
			resp, err := http.Post(base+"/graphql/", "application/json", strings.NewReader(body))
			if err != nil {
				results <- result{err: err}
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- result{status: resp.StatusCode, body: string(b)}
		}()
	}
	// Wait until the three requests are blocked on the lock.
	waitFor(t, 10*time.Second, "requests waiting on the lock", func() bool {
		var n int
		err := lockConn.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'blog_post'::regclass`).Scan(&n)
		return err == nil && n >= inFlight
	})

	sigAt := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Draining: still accepting connections, but not ready.
	waitFor(t, 900*time.Millisecond, "readyz 503 while draining", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 503
	})
	// After the drain delay the listener is closed: new connections fail.
	waitFor(t, 5*time.Second, "new connections refused", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 200*time.Millisecond)
		if err != nil {
			return true
		}
		c.Close()
		return false
	})
	if since := time.Since(sigAt); since < time.Second {
		t.Errorf("listener closed %s after SIGTERM, before the 1s drain delay", since)
	}
	select {
	case err := <-exited:
		t.Fatalf("exited (%v) with requests still in flight", err)
	default:
	}

	// Release the lock: the in-flight requests finish with 200.
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for range inFlight {
		select {
		case r := <-results:
			if r.err != nil || r.status != 200 || !strings.Contains(r.body, `"posts"`) || strings.Contains(r.body, "errors") {
				t.Errorf("in-flight request: status %d err %v body %s", r.status, r.err, r.body)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("in-flight request did not finish")
		}
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v, want status 0", err)
		}
		if d := time.Since(sigAt); d > 20*time.Second {
			t.Errorf("exited %s after SIGTERM, past the 20s deadline", d)
		} else {
			t.Logf("exited 0 %s after SIGTERM", d.Round(time.Millisecond))
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not exit")
	}
	logs, _ := os.ReadFile(logPath)
	for _, want := range []string{`"msg":"draining"`, `"msg":"stopped"`, `"operation_name":"Slow0"`} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
