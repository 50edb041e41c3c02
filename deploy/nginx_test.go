package deploy_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// nginxSite is deploy/nginx rendered into a private prefix: the paths of
// the real configuration (/etc/nginx/autogql, /var/log/nginx, …) point into
// the prefix, the listeners move to loopback ports, the upstream host names
// (web-blue, web-green) to the given addresses, and a self-signed
// certificate stands in for the real one. Nothing else changes.
type nginxSite struct {
	dir               string
	conf              string
	httpPort, tlsPort int
	caPool            *x509.CertPool
}

// renderNginx copies deploy/nginx into a fresh prefix and rewrites it.
func renderNginx(t *testing.T, blue, green string) *nginxSite {
	t.Helper()
	dir, err := os.MkdirTemp("", "autogql-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	site := &nginxSite{dir: dir, conf: filepath.Join(dir, "nginx.conf"), httpPort: freePort(t), tlsPort: freePort(t)}

	src := repoPath("deploy/nginx")
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dir, "autogql", rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"logs", "acme", "temp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	site.caPool = writeSelfSigned(t, filepath.Join(dir, "autogql", "tls"))
	mime, err := os.ReadFile("/etc/nginx/mime.types")
	if err != nil {
		mime = []byte("types { text/html html; application/json json; }\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "mime.types"), mime, 0o644); err != nil {
		t.Fatal(err)
	}

	// Each rewrite must apply at least once: if the configuration changes
	// shape, this fails instead of testing something else.
	rewrite := func(rel string, pairs ...string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(s, pairs[i]) {
				t.Fatalf("render %s: %q not found; update renderNginx", rel, pairs[i])
			}
			s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(filepath.Join(dir, "autogql", "nginx.conf"), site.conf); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(dir, "temp")
	rewrite("nginx.conf",
		"pid /var/run/nginx.pid;", "pid "+filepath.Join(dir, "nginx.pid")+";",
		"/var/log/nginx/", filepath.Join(dir, "logs")+"/",
		// Reloads are logged at notice: a failed switch then shows why.
		"error.log warn;", "error.log notice;",
		"/etc/nginx/mime.types", filepath.Join(dir, "mime.types"),
		"/etc/nginx/autogql/", filepath.Join(dir, "autogql")+"/",
		"http {\n", fmt.Sprintf("http {\n    client_body_temp_path %[1]s/body;\n    proxy_temp_path %[1]s/proxy;\n    fastcgi_temp_path %[1]s/fastcgi;\n    uwsgi_temp_path %[1]s/uwsgi;\n    scgi_temp_path %[1]s/scgi;\n", temp),
	)
	rewrite("autogql/conf.d/autogql.conf",
		"/etc/nginx/autogql/", filepath.Join(dir, "autogql")+"/",
		"/var/www/acme", filepath.Join(dir, "acme"),
		"listen 80 default_server;", fmt.Sprintf("listen 127.0.0.1:%d default_server;", site.httpPort),
		"listen [::]:80 default_server;", "",
		"listen 443 ssl http2 default_server;", fmt.Sprintf("listen 127.0.0.1:%d ssl http2 default_server;", site.tlsPort),
		"listen [::]:443 ssl http2 default_server;", "",
	)
	for _, f := range []string{"errors.conf", "tls.conf"} {
		rewrite("autogql/snippets/"+f, "/etc/nginx/autogql/", filepath.Join(dir, "autogql")+"/")
	}
	for _, f := range []string{"active.conf", "blue.conf"} {
		rewrite("autogql/upstream/"+f, "web-blue:8080", blue)
	}
	rewrite("autogql/upstream/green.conf", "web-green:8080", green)
	rewrite("autogql/upstream/both.conf", "web-blue:8080", blue, "web-green:8080", green)

	if isRoot() {
		// nginx runs as nobody, as it would unprivileged: everything it
		// touches lives in the prefix.
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, 65534, 65534)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return site
}

// writeSelfSigned writes fullchain.pem and privkey.pem for localhost and
// 127.0.0.1 and returns a pool that trusts them.
func writeSelfSigned(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fullchain.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "privkey.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// nginxCommand returns how to run nginx: as nobody when the test is root.
func (s *nginxSite) nginxCommand(t *testing.T, args ...string) (string, []string) {
	t.Helper()
	nginx := tool(t, "nginx", "apt-get install -y nginx")
	args = append([]string{"-p", s.dir, "-c", s.conf}, args...)
	if !isRoot() {
		return nginx, args
	}
	setpriv := tool(t, "setpriv", "util-linux")
	return setpriv, append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", "--", nginx}, args...)
}

func (s *nginxSite) nginx(t *testing.T, args ...string) (string, error) {
	t.Helper()
	name, argv := s.nginxCommand(t, args...)
	return runErr(s.dir, nil, name, argv...)
}

// TestNginxConfig runs `nginx -t` on the configuration with each upstream
// file the deploy manager may activate.
func TestNginxConfig(t *testing.T) {
	tool(t, "nginx", "apt-get install -y nginx")
	for _, active := range []string{"active.conf", "blue.conf", "green.conf", "both.conf"} {
		t.Run(active, func(t *testing.T) {
			site := renderNginx(t, "127.0.0.1:18081", "127.0.0.1:18082")
			if active != "active.conf" {
				site.activate(t, active)
			}
			out, err := site.nginx(t, "-t")
			if err != nil || !strings.Contains(out, "syntax is ok") || !strings.Contains(out, "test is successful") {
				t.Fatalf("nginx -t: %v\n%s", err, out)
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.Contains(line, "[warn]") || strings.Contains(line, "[emerg]") || strings.Contains(line, "[alert]") {
					t.Errorf("nginx -t: %s", line)
				}
			}
		})
	}
}

// activate switches the active upstream the way the deploy manager does: a
// temporary file in the same directory renamed over active.conf.
func (s *nginxSite) activate(t *testing.T, file string) {
	t.Helper()
	dir := filepath.Join(s.dir, "autogql", "upstream")
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".active.conf.tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if isRoot() {
		if err := os.Chown(tmp, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(tmp, filepath.Join(dir, "active.conf")); err != nil {
		t.Fatal(err)
	}
}

// graphQL posts a query and returns the status, headers and body.
func graphQL(t *testing.T, c *http.Client, url, query string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

const postsCount = `{ posts_aggregate { count } }`

// postCount asks through url how many posts the answering instance has:
// blue's database is seeded, green's is empty, so the answer says who served.
func postCount(t *testing.T, c *http.Client, url string) (int, int) {
	t.Helper()
	status, _, body := graphQL(t, c, url, postsCount, nil)
	if status != http.StatusOK {
		return status, -1
	}
	var r struct {
		Data struct {
			PostsAggregate struct {
				Count int `json:"count"`
			} `json:"posts_aggregate"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return status, r.Data.PostsAggregate.Count
}

// startInstance serves the example blog on a loopback port with its own
// SQLite database (seeded or empty) in development mode.
func startInstance(t *testing.T, bin, dir, name string, seed bool) (*process, string) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	args := []string{"serve", "--models", repoPath("examples/blog/models.yaml"),
		"--database", "sqlite:" + filepath.Join(dir, name+".db"), "--addr", addr, "--env", "development"}
	if seed {
		args = append(args, "--seed")
	}
	p := start(t, dir, []string{"AUTOGQL_LOG_LEVEL=warn"}, bin, args...)
	if err := waitHTTP(http.DefaultClient, "http://"+addr+"/readyz", http.StatusOK, 30*time.Second); err != nil {
		t.Fatalf("%s instance not ready: %v\n%s", name, err, p.out.String())
	}
	return p, addr
}

// TestNginxProxy puts a real nginx, configured from deploy/nginx, in front
// of two real autogql processes (blue seeded, green empty) and checks what
// the configuration promises: TLS only with modern protocols, security
// headers once each, gzip, the body limit, a blue→green switch by the
// upstream file and a reload without failed requests, load balancing over
// both with failover when one dies, the /graphql rate limit (429 with
// Retry-After in GraphQL's error shape) while health endpoints stay
// unlimited and out of the access log.
func TestNginxProxy(t *testing.T) {
	tool(t, "nginx", "apt-get install -y nginx")
	bin := autogqlBinary(t)
	work := t.TempDir()
	blue, blueAddr := startInstance(t, bin, work, "blue", true)
	_, greenAddr := startInstance(t, bin, work, "green", false)

	direct := &http.Client{Timeout: 10 * time.Second}
	_, blueCount := postCount(t, direct, "http://"+blueAddr+"/graphql/")
	_, greenCount := postCount(t, direct, "http://"+greenAddr+"/graphql/")
	if blueCount <= 0 || greenCount != 0 {
		t.Fatalf("posts: blue %d, green %d; want a seeded blue and an empty green", blueCount, greenCount)
	}

	site := renderNginx(t, blueAddr, greenAddr)
	name, argv := site.nginxCommand(t, "-g", "daemon off;")
	start(t, site.dir, nil, name, argv...)
	base := fmt.Sprintf("https://127.0.0.1:%d", site.tlsPort)
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: site.caPool},
			DisableCompression:  true,
			MaxIdleConnsPerHost: 16,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if err := waitHTTP(client, base+"/healthz", http.StatusOK, 15*time.Second); err != nil {
		t.Fatalf("nginx not answering: %v", err)
	}
	graphqlURL := base + "/graphql/"
	// paced asks for the post count at most ten times a second, so that
	// together with the background traffic of a reload the switch tests stay
	// under the /graphql rate limit (20/s) that a later subtest exercises.
	paced := func() (int, int) {
		time.Sleep(100 * time.Millisecond)
		return postCount(t, client, graphqlURL)
	}

	t.Run("TLS", func(t *testing.T) {
		for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
			conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", site.tlsPort), &tls.Config{RootCAs: site.caPool, MinVersion: v, MaxVersion: v})
			if err == nil {
				conn.Close()
				t.Errorf("handshake with %s succeeded; only TLS 1.2 and 1.3 are allowed", tls.VersionName(v))
			}
		}
		conn, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", site.tlsPort), &tls.Config{RootCAs: site.caPool, NextProtos: []string{"h2", "http/1.1"}})
		if err != nil {
			t.Fatal(err)
		}
		st := conn.ConnectionState()
		conn.Close()
		if st.Version != tls.VersionTLS13 || st.NegotiatedProtocol != "h2" {
			t.Errorf("negotiated %s / %q, want TLS 1.3 and h2", tls.VersionName(st.Version), st.NegotiatedProtocol)
		}
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/graphql/?query=%%7B__typename%%7D", site.httpPort))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://") {
			t.Errorf("plain HTTP /graphql/: %d Location %q, want 301 to https", resp.StatusCode, loc)
		}
		if err := waitHTTP(client, fmt.Sprintf("http://127.0.0.1:%d/healthz", site.httpPort), http.StatusOK, time.Second); err != nil {
			t.Errorf("plain HTTP /healthz for load balancer probes: %v", err)
		}
	})

	t.Run("headers", func(t *testing.T) {
		status, h, _ := graphQL(t, client, graphqlURL, postsCount, nil)
		if status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		for name, want := range map[string]string{
			"Strict-Transport-Security":  "max-age=63072000; includeSubDomains",
			"X-Content-Type-Options":     "nosniff",
			"X-Frame-Options":            "DENY",
			"Referrer-Policy":            "strict-origin-when-cross-origin",
			"Cross-Origin-Opener-Policy": "same-origin",
			"Server":                     "nginx",
		} {
			if got := h.Values(name); len(got) != 1 || got[0] != want {
				t.Errorf("%s = %q, want exactly %q", name, got, want)
			}
		}
		if h.Get("Permissions-Policy") == "" {
			t.Error("no Permissions-Policy")
		}
	})

	t.Run("gzip", func(t *testing.T) {
		status, h, body := graphQL(t, client, graphqlURL, `{ posts { id title slug content author { name email } } }`, http.Header{"Accept-Encoding": {"gzip"}})
		if status != http.StatusOK || h.Get("Content-Encoding") != "gzip" {
			t.Fatalf("status %d, Content-Encoding %q; want a gzipped 200", status, h.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !json.Valid(plain) || len(plain) <= len(body) {
			t.Errorf("gunzipped %d bytes from %d (err %v); want larger valid JSON", len(plain), len(body), err)
		}
	})

	t.Run("body limit", func(t *testing.T) {
		big := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
		resp, err := client.Post(graphqlURL, "application/json", strings.NewReader(big))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "PAYLOAD_TOO_LARGE") {
			t.Errorf("2 MiB body: %d %s, want 413 with a GraphQL error", resp.StatusCode, b)
		}
	})

	t.Run("metrics not exposed", func(t *testing.T) {
		resp, err := client.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("/metrics through the proxy: %d, want 404", resp.StatusCode)
		}
	})

	// reload applies a new active upstream while requests keep flowing.
	reload := func(t *testing.T, file string, want func(count int) bool) {
		t.Helper()
		var failures atomic.Int64
		var sent atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				sent.Add(1)
				if status, _ := postCount(t, client, graphqlURL); status != http.StatusOK {
					failures.Add(1)
				}
			}
		}()
		site.activate(t, file)
		if out, err := site.nginx(t, "-s", "reload"); err != nil {
			t.Fatalf("nginx -s reload: %v\n%s", err, out)
		}
		// A few requests in a row per check: with round-robin over both
		// colours, single checks can fall into lockstep with the background
		// requests and always land on the same instance.
		err := waitFor(10*time.Second, func() error {
			var got []int
			for i := 0; i < 6; i++ {
				_, c := paced()
				if want(c) {
					return nil
				}
				got = append(got, c)
			}
			return fmt.Errorf("still answered with %v posts", got)
		})
		time.Sleep(300 * time.Millisecond)
		close(stop)
		wg.Wait()
		if err != nil {
			errLog, _ := os.ReadFile(filepath.Join(site.dir, "logs", "error.log"))
			accessLog, _ := os.ReadFile(filepath.Join(site.dir, "logs", "access.log"))
			lines := strings.Split(strings.TrimSpace(string(accessLog)), "\n")
			t.Fatalf("after switching to %s: %v\nnginx error log:\n%s\nlast access log lines:\n%s",
				file, err, errLog, strings.Join(lines[max(0, len(lines)-8):], "\n"))
		}
		if n := failures.Load(); n > 0 {
			t.Errorf("%d of %d requests failed during the reload; a switch must not drop requests", n, sent.Load())
		}
	}

	t.Run("blue-green switch", func(t *testing.T) {
		if _, c := postCount(t, client, graphqlURL); c != blueCount {
			t.Fatalf("active upstream answered %d posts, want blue's %d", c, blueCount)
		}
		reload(t, "green.conf", func(c int) bool { return c == greenCount })
		for i := 0; i < 5; i++ {
			if _, c := paced(); c != greenCount {
				t.Fatalf("after the switch a request reached blue (%d posts)", c)
			}
		}
	})

	t.Run("both colours and failover", func(t *testing.T) {
		reload(t, "both.conf", func(c int) bool { return c == blueCount })
		seen := map[int]int{}
		for i := 0; i < 20; i++ {
			_, c := paced()
			seen[c]++
		}
		if seen[blueCount] == 0 || seen[greenCount] == 0 {
			t.Fatalf("answers by post count %v: want both instances to serve", seen)
		}
		// A crash, not a drain: the connection is refused and nginx
		// retries on green (proxy_next_upstream error).
		if err := blue.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-blue.done
		for i := 0; i < 10; i++ {
			if status, c := paced(); status != http.StatusOK || c != greenCount {
				t.Fatalf("with blue stopped, request %d: status %d with %d posts; want green to answer all", i, status, c)
			}
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		var mu sync.Mutex
		codes := map[int]int{}
		var limited http.Header
		var limitedBody []byte
		var wg sync.WaitGroup
		for w := 0; w < 10; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 20; i++ {
					status, h, body := graphQL(t, client, graphqlURL, `{ __typename }`, nil)
					mu.Lock()
					codes[status]++
					if status == http.StatusTooManyRequests && limited == nil {
						limited, limitedBody = h, body
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusOK] == 0 {
			t.Fatalf("200 requests at once: %v; want some served and the rest refused with 429", codes)
		}
		if limited.Get("Retry-After") == "" || limited.Get("Strict-Transport-Security") == "" || !strings.Contains(string(limitedBody), `"RATE_LIMITED"`) {
			t.Errorf("429 response: headers %v body %s; want Retry-After, the security headers and a GraphQL error", limited, limitedBody)
		}
		// Health endpoints are not limited, even right after the burst.
		for i := 0; i < 60; i++ {
			resp, err := client.Get(base + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz request %d after the burst: %d; health endpoints must not be rate limited", i, resp.StatusCode)
			}
		}
		errLog, _ := os.ReadFile(filepath.Join(site.dir, "logs", "error.log"))
		if !strings.Contains(string(errLog), "limiting requests") {
			t.Errorf("nginx's error log has no `limiting requests` entry: the 429s did not come from limit_req\n%s", errLog)
		}
	})

	t.Run("access log", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(site.dir, "logs", "access.log"))
		if err != nil {
			t.Fatal(err)
		}
		var graphql int
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var entry struct {
				URI       string `json:"uri"`
				Status    int    `json:"status"`
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal([]byte(line), &entry); err != nil {
				t.Fatalf("access log line is not JSON: %v\n%s", err, line)
			}
			switch {
			case strings.HasPrefix(entry.URI, "/graphql"):
				graphql++
			case entry.URI == "/healthz" || entry.URI == "/readyz" || strings.HasPrefix(entry.URI, "/health/"):
				t.Errorf("health request in the access log: %s", line)
			}
			if len(entry.RequestID) != 32 {
				t.Errorf("request id %q, want nginx's 32 hex digits", entry.RequestID)
			}
		}
		if graphql == 0 {
			t.Error("no /graphql request in the access log")
		}
	})
}
