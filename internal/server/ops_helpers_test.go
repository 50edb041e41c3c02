package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/cli"
	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/server"
)

const blogModels = "../../examples/blog/models.yaml"

// requireServices is set by CI: a missing service or tool fails the test
// instead of skipping it.
var requireServices = os.Getenv("AUTOGQL_REQUIRE_SERVICES") == "1"

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if requireServices {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// instance is a server running in this process.
type instance struct {
	base  string // http://127.0.0.1:port
	admin string // admin listener base, when configured
	logs  *syncBuffer
	stop  func() error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// settings returns a configuration for a test server: env's profile, the
// blog models, db, a free port.
func settings(env, db string) *config.Config {
	c := config.ForEnv(env)
	c.Models = blogModels
	c.Database.URL = db
	c.Server.Addr = "127.0.0.1:0"
	c.Server.DrainDelay = 0
	// These tests exercise operations on the open blog example, whose
	// models declare no access rules (closed in production by default);
	// security_test.go tests the rules, tokens and budgets.
	c.Security.ClosedByDefault = false
	c.RateLimit.Enabled = false
	return &c
}

// start runs server.Run with s until the test ends.
func start(t *testing.T, s *config.Config, seed bool) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	addrc := make(chan net.Addr, 1)
	adminc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- server.Run(ctx, server.Config{
			Settings:   s,
			Seed:       seed,
			Logger:     slog.New(slog.NewJSONHandler(logs, nil)),
			Version:    "v0.0.0-test",
			Commit:     "abc123",
			Ready:      func(a net.Addr) { addrc <- a },
			AdminReady: func(a net.Addr) { adminc <- a },
		})
	}()
	in := &instance{logs: logs}
	select {
	case a := <-addrc:
		in.base = "http://" + a.String()
	case err := <-errc:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("server did not start in 30s")
	}
	if s.Server.AdminAddr != "" {
		in.admin = "http://" + (<-adminc).String()
	}
	var once sync.Once
	var stopErr error
	in.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-errc:
			case <-time.After(30 * time.Second):
				stopErr = context.DeadlineExceeded
			}
		})
		return stopErr
	}
	t.Cleanup(func() { in.stop() })
	return in
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url, contentType, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func gql(t *testing.T, base, body string, header ...string) response {
	t.Helper()
	return do(t, "POST", base+"/graphql/", "application/json", body, header...)
}

// healthCLI runs `autogql health` in process and returns its exit code and
// output.
func healthCLI(t *testing.T, base string, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(append([]string{"health", "--url", base, "--timeout", "5s"}, args...), &out, &errb)
	return code, out.String() + errb.String()
}

// waitFor polls cond every 50 ms until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if cond() {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a port nothing listens on (closed again at once).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// buildBinary builds cmd/autogql once per test binary.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "autogql-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "autogql")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/autogql").CombinedOutput()
		if err != nil {
			binErr = err
			binPath = string(out)
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binPath)
	}
	return binPath
}
