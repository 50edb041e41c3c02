package httpapi

import (
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGraphiQLInBrowser opens the GraphiQL page in headless Chromium and runs
// a query through it (.ci/audit/graphiql-check.mjs): the page must work with
// only the embedded assets and trigger no CSP violation, failed request or
// script error. It needs node, .ci/audit/node_modules and chromium; without
// chromium it is skipped even in CI, as no service depends on it.
func TestGraphiQLInBrowser(t *testing.T) {
	dir := auditDir(t)
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no chromium found")
	}
	srv := httptest.NewServer(New(newEngineDouble(), Options{GraphiQL: true, Introspection: true}))
	t.Cleanup(srv.Close)

	args := []string{filepath.Join(dir, "graphiql-check.mjs"), srv.URL + "/graphql", browser}
	// Node 20 has WebSocket only behind a flag; later versions have it
	// built in.
	if exec.Command("node", "-e", "if (typeof WebSocket === 'undefined') process.exit(1)").Run() != nil {
		args = append([]string{"--experimental-websocket"}, args...)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("GraphiQL check failed: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
