package deploy_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the repository's top directory (the parent of deploy/).
var repoRoot = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Dir(wd)
}()

// path joins elements under the repository root.
func repoPath(elem ...string) string {
	return filepath.Join(append([]string{repoRoot}, elem...)...)
}

func readFile(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(repoPath(elem...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// servicesRequired reports whether a missing tool must fail the test instead
// of skipping it (.ci/run sets AUTOGQL_REQUIRE_SERVICES=1 and installs them).
func servicesRequired() bool { return os.Getenv("AUTOGQL_REQUIRE_SERVICES") == "1" }

// tool finds an executable on PATH or in the Go bin directory (where
// `go install` puts actionlint and helm) and skips the test when it is
// missing, or fails it when tools are required.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range goBinDirs() {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	missing(t, "%s is not installed (%s)", name, install)
	return ""
}

// missing skips, or fails under AUTOGQL_REQUIRE_SERVICES=1.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if servicesRequired() {
		t.Fatalf("%s; AUTOGQL_REQUIRE_SERVICES=1 requires it", msg)
	}
	t.Skip(msg + "; set AUTOGQL_REQUIRE_SERVICES=1 to make this a failure")
}

func goBinDirs() []string {
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, p := range filepath.SplitList(strings.TrimSpace(string(out))) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	return dirs
}

// run runs a command and returns its combined output; it fails the test with
// the output when the command fails.
func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(dir, nil, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	return buf.String(), err
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
)

// Version information the test binary is built with, as the Dockerfile and
// release workflow do (-X on internal/cli).
const (
	testVersion = "v0.0.0-deploytest"
	testCommit  = "0123456789abcdef0123456789abcdef01234567"
)

// autogqlBinary builds cmd/autogql once per test process the way the
// Dockerfile does: static (CGO_ENABLED=0), trimmed, with version information.
func autogqlBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "autogql-deploy-test-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "autogql")
		pkg := "github.com/autogql/autogql/internal/cli"
		ldflags := fmt.Sprintf("-s -w -X %s.version=%s -X %s.commit=%s -X %s.date=2026-01-02T03:04:05Z", pkg, testVersion, pkg, testCommit, pkg)
		var out string
		out, binaryErr = runErr(repoRoot, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", binaryPath, "./cmd/autogql")
		if binaryErr != nil {
			binaryErr = fmt.Errorf("go build ./cmd/autogql: %w\n%s", binaryErr, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// hasSubcommand reports whether the binary knows a subcommand; the
// production-server issue adds some while this package's tests already use
// them, and a test that needs one skips (never fails) until it lands.
func hasSubcommand(bin, name string) bool {
	out, _ := runErr("", nil, bin, name, "--help")
	return !strings.Contains(out, "unknown command")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls check until it returns nil or the timeout passes.
func waitFor(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitHTTP waits until url answers with status want.
func waitHTTP(client *http.Client, url string, want int, timeout time.Duration) error {
	return waitFor(timeout, func() error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("GET %s: status %d, want %d", url, resp.StatusCode, want)
		}
		return nil
	})
}

// process is a started background command whose output is kept for the
// failure message; it is stopped with SIGTERM at cleanup.
type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func start(t *testing.T, dir string, env []string, name string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := &process{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("output of %s %s:\n%s", name, strings.Join(args, " "), p.out.String())
		}
	})
	return p
}

// stop sends SIGTERM, as an orchestrator would, and waits, then kills after
// a grace period.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// isRoot reports whether the tests run as root (CI does).
func isRoot() bool { return runtime.GOOS == "linux" && os.Geteuid() == 0 }
