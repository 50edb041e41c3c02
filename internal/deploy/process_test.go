package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/deploy"
	"github.com/autogql/autogql/internal/testdb"
)

// This file proves the deploy manager with real processes: the autogql
// binary built from this tree serving blue and green, a real nginx in
// front of them (loopback only) configured with deploy/nginx's proxy
// snippet, a real PostgreSQL, and the real `autogql deploy` and
// `autogql rollback` commands, under continuous load through nginx.

func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(testdb.EnvRequireServices) == "1" {
			t.Fatalf("%s is not installed; %s=1 requires it", name, testdb.EnvRequireServices)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func autogqlBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "autogql-deploy-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "autogql")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/autogql").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("%w: %s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("go build: %v", binErr)
	}
	return binPath
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// site is one test's world: releases, colours, nginx, database.
type site struct {
	t        *testing.T
	dir      string
	bin      string
	dbURL    string
	proxy    string // http://127.0.0.1:port
	colours  map[string]string
	nginx    []string // nginx -p … -c …
	upstream string
}

func (s *site) run(env []string, args ...string) (string, error) {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Env = append(append(os.Environ(), "DATABASE_URL="+s.dbURL, "AUTOGQL_OPERATOR=deploy-test"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (s *site) mustRun(args ...string) string {
	s.t.Helper()
	out, err := s.run(nil, args...)
	if err != nil {
		s.t.Fatalf("autogql %v: %v\n%s", args, err, out)
	}
	return out
}

// release makes releases/<name>: the binary, the models and the
// migrations makemigrations writes for them on top of base's.
func (s *site) release(name, models, base string) {
	s.t.Helper()
	dir := filepath.Join(s.dir, "releases", name)
	if err := os.MkdirAll(filepath.Join(dir, "migrations"), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Symlink(s.bin, filepath.Join(dir, "autogql")); err != nil {
		s.t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("testdata", models))
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "models.yaml"), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
	if base != "" {
		files, _ := filepath.Glob(filepath.Join(s.dir, "releases", base, "migrations", "*.yaml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if err := os.WriteFile(filepath.Join(dir, "migrations", filepath.Base(f)), b, 0o644); err != nil {
				s.t.Fatal(err)
			}
		}
	}
	out, err := s.run(nil, "makemigrations", "--models", filepath.Join(dir, "models.yaml"))
	if err != nil && !strings.Contains(out, "No changes") && !strings.Contains(out, "no changes") {
		s.t.Fatalf("makemigrations %s: %v\n%s", name, err, out)
	}
}

const deployYAML = `version: 1
environments:
  test:
    strategy: blue-green
    release_dir: "{{WORK}}/releases/{{.Release}}"
    env:
      AUTOGQL_ENV: staging
      AUTOGQL_LOG_LEVEL: warn
      AUTOGQL_SERVER_DRAIN_DELAY: 300ms
      AUTOGQL_RATE_LIMIT_ENABLED: "false"
      AUTOGQL_BACKUP_DIR: "{{WORK}}/backups"
    colours:
      blue:
        url: "http://{{BLUE}}"
        start: "{{WORK}}/start.sh"
        stop: "{{WORK}}/stop.sh"
      green:
        url: "http://{{GREEN}}"
        start: "{{WORK}}/start.sh"
        stop: "{{WORK}}/stop.sh"
    proxy:
      upstream_file: "{{WORK}}/nginx/upstream.conf"
      test: "{{NGINX}} -t -q"
      reload: "{{NGINX}} -s reload"
      url: "http://{{PROXY}}"
      settle: 700ms
    backup: {dir: "{{WORK}}/backups", keep_last: 5}
    ready_timeout: 3s
    grace_period: 1s
    smoke:
      - name: notes
        query: "{ notes { id title } }"
      - name: count
        query: "{ notes_aggregate { count } }"
        expect: {data.notes_aggregate.count: 3}
    notify:
      webhooks: ["{{HOOK}}"]
      slack: ["{{HOOK}}/slack"]
`

// Plain processes: the start script runs the release's binary in the
// background and records its pid; stop sends SIGTERM and waits.
const startSh = `#!/bin/sh
set -e
cd "$(dirname "$0")"
exec </dev/null
if [ "$AUTOGQL_RELEASE" = "r-hang" ]; then
  nohup sleep 60 >"$AUTOGQL_COLOUR.log" 2>&1 &
else
  nohup "$AUTOGQL_BINARY" serve --models "$AUTOGQL_MODELS" --addr "$AUTOGQL_ADDR" >"$AUTOGQL_COLOUR.log" 2>&1 &
fi
echo $! >"$AUTOGQL_COLOUR.pid"
`

const stopSh = `#!/bin/sh
cd "$(dirname "$0")"
[ -f "$AUTOGQL_COLOUR.pid" ] || exit 0
pid=$(cat "$AUTOGQL_COLOUR.pid")
kill "$pid" 2>/dev/null || true
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
kill -9 "$pid" 2>/dev/null || true
rm -f "$AUTOGQL_COLOUR.pid"
`

const nginxConf = `daemon on;
pid {{WORK}}/nginx/nginx.pid;
error_log {{WORK}}/nginx/error.log warn;
{{USER}}
worker_processes 2;
events { worker_connections 1024; }
http {
    log_format upstreams '$status $upstream_addr';
    access_log {{WORK}}/nginx/access.log upstreams;
    client_body_temp_path {{WORK}}/nginx/tmp/body;
    proxy_temp_path {{WORK}}/nginx/tmp/proxy;
    fastcgi_temp_path {{WORK}}/nginx/tmp/fastcgi;
    uwsgi_temp_path {{WORK}}/nginx/tmp/uwsgi;
    scgi_temp_path {{WORK}}/nginx/tmp/scgi;
    keepalive_timeout 65s;
    map $http_upgrade $autogql_connection { default upgrade; '' ''; }
    include {{WORK}}/nginx/upstream.conf;
    server {
        listen {{PROXY}};
        location / {
            include {{REPO}}/deploy/nginx/snippets/proxy.conf;
        }
    }
}
`

func newSite(t *testing.T) *site {
	t.Helper()
	nginx := need(t, "nginx")
	need(t, "pg_dump")
	s := &site{t: t, dir: t.TempDir(), bin: autogqlBinary(t), dbURL: testdb.URL(t, database.Postgres)}
	s.colours = map[string]string{
		"blue":  fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"green": fmt.Sprintf("127.0.0.1:%d", freePort(t)),
	}
	proxyAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s.proxy = "http://" + proxyAddr
	repo, _ := filepath.Abs("../..")
	ndir := filepath.Join(s.dir, "nginx")
	if err := os.MkdirAll(filepath.Join(ndir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root root;"
	}
	s.nginx = []string{nginx, "-p", ndir, "-c", filepath.Join(ndir, "nginx.conf")}
	hooks := &hookServer{}
	hook := httpServe(t, hooks)
	repl := strings.NewReplacer("{{WORK}}", s.dir, "{{BLUE}}", s.colours["blue"], "{{GREEN}}", s.colours["green"],
		"{{PROXY}}", proxyAddr, "{{NGINX}}", strings.Join(s.nginx, " "), "{{REPO}}", repo, "{{USER}}", user, "{{HOOK}}", hook)
	write := func(name, content string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(repl.Replace(content)), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy.yaml", deployYAML, 0o644)
	write("start.sh", startSh, 0o755)
	write("stop.sh", stopSh, 0o755)
	write("nginx/nginx.conf", nginxConf, 0o644)
	s.upstream = filepath.Join(ndir, "upstream.conf")
	write("nginx/upstream.conf", "upstream autogql { server "+s.colours["blue"]+"; keepalive 32; }\n", 0o644)

	// Releases: r1 (notes with a title), r2 (adds subtitle: migration
	// 0002), r2-renamed (r2 whose list is called memos: smoke fails),
	// r-hang (r2 whose process never becomes ready).
	s.release("r1", "models.v1.yaml", "")
	s.release("r2", "models.v2.yaml", "r1")
	s.release("r2-renamed", "models.v2-renamed.yaml", "r2")
	s.release("r-hang", "models.v2.yaml", "r2")
	if err := os.WriteFile(filepath.Join(s.dir, "hang"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		for _, c := range []string{"blue", "green"} {
			cmd := exec.Command(filepath.Join(s.dir, "stop.sh"))
			cmd.Env = append(os.Environ(), "AUTOGQL_COLOUR="+c)
			_ = cmd.Run()
		}
	})
	if out, err := exec.Command(s.nginx[0], s.nginx[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("start nginx: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(s.nginx[0], append(s.nginx[1:], "-s", "stop")...).Run() })

	// The starting point: schema 0001 with three notes, then r1 deployed
	// by the deploy manager itself (to green: the upstream names blue).
	s.mustRun("migrate", "apply", "--models", filepath.Join(s.dir, "releases/r1/models.yaml"))
	db := testdb.Connect(t, s.dbURL, database.Options{MaxConns: 1})
	if err := db.Exec(context.Background(), `INSERT INTO shop_note (title) VALUES ('one'), ('two'), ('three')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if out, err := s.deploy("--release", "r1"); err != nil {
		t.Fatalf("initial deploy of r1: %v\n%s", err, out)
	}
	if hooks.hits.Load() != 2 {
		t.Errorf("notifications after the first deploy: %d, want 2 (webhook and slack): %v", hooks.hits.Load(), hooks.got)
	}
	return s
}

func waitOK(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not OK within 20s", url)
}

type result struct {
	status int
	body   string
}

var plainClient = &http.Client{Timeout: 10 * time.Second}

func post(base, query string) result {
	b, _ := json.Marshal(map[string]string{"query": query})
	resp, err := plainClient.Post(base+"/graphql/", "application/json", bytes.NewReader(b))
	if err != nil {
		return result{status: -1, body: err.Error()}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, body: string(body)}
}

// load sends queries through nginx from several clients until stopped
// and counts the outcomes. A transport error (the connection closed or
// reset before any response byte) is counted apart from HTTP statuses.
type load struct {
	ok, non2xx, resets atomic.Int64
	mu                 sync.Mutex
	samples            []string
	stop               context.CancelFunc
	done               sync.WaitGroup
}

func startLoad(t *testing.T, base string, clients int) *load {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	l := &load{stop: cancel}
	body := []byte(`{"query":"{ notes { id title } }"}`)
	for range clients {
		l.done.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql/", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						l.resets.Add(1)
						l.sample("transport: " + err.Error())
					}
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				time.Sleep(2 * time.Millisecond) // steady, not saturating: 2 cores serve nginx, both colours and the deploy
				if resp.StatusCode/100 == 2 {
					l.ok.Add(1)
				} else {
					l.non2xx.Add(1)
					l.sample(fmt.Sprintf("%d %s", resp.StatusCode, b))
				}
			}
		})
	}
	t.Cleanup(l.finish)
	return l
}

func (l *load) sample(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) < 5 {
		l.samples = append(l.samples, s)
	}
}

func (l *load) finish() {
	l.stop()
	l.done.Wait()
}

func (l *load) String() string {
	return fmt.Sprintf("%d requests: %d 2xx, %d non-2xx, %d transport errors %v", l.ok.Load()+l.non2xx.Load()+l.resets.Load(),
		l.ok.Load(), l.non2xx.Load(), l.resets.Load(), l.samples)
}

// hookServer records notifications.
type hookServer struct {
	mu   sync.Mutex
	got  []string
	hits atomic.Int64
}

func (h *hookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got = append(h.got, r.URL.Path+" "+string(b))
	h.mu.Unlock()
	h.hits.Add(1)
}

func httpServe(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln) //nolint:errcheck // closed in cleanup
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func (s *site) history() []*deploy.Record {
	s.t.Helper()
	out := s.mustRun("deploy", "history", "--file", filepath.Join(s.dir, "deploy.yaml"), "--env", "test", "--json")
	var recs []*deploy.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		s.t.Fatalf("history: %v\n%s", err, out)
	}
	return recs
}

func (s *site) deploy(args ...string) (string, error) {
	return s.run(nil, append([]string{"deploy", "--file", filepath.Join(s.dir, "deploy.yaml"), "--env", "test"}, args...)...)
}

// upstreamHits counts the requests nginx sent to each address since the
// log was last truncated.
func (s *site) upstreamHits() map[string]int {
	b, _ := os.ReadFile(filepath.Join(s.dir, "nginx", "access.log"))
	hits := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			for _, a := range strings.Split(f[1], ",") {
				hits[strings.TrimSpace(a)]++
			}
		}
	}
	return hits
}

func (s *site) truncateLog() {
	_ = os.Truncate(filepath.Join(s.dir, "nginx", "access.log"), 0)
}

func stepMS(r *deploy.Record, name string) int64 {
	for _, st := range r.Steps {
		if st.Name == name {
			return st.DurationMS
		}
	}
	return -1
}

// schemaHead is the newest applied migration.
func (s *site) schemaHead() string {
	s.t.Helper()
	db := testdb.Connect(s.t, s.dbURL, database.Options{MaxConns: 1})
	defer db.Close()
	var head string
	err := db.QueryRows(context.Background(), `SELECT name FROM autogql_migrations ORDER BY id DESC LIMIT 1`, nil,
		func(scan func(...any) error) error { return scan(&head) })
	if err != nil {
		s.t.Fatal(err)
	}
	return head
}
