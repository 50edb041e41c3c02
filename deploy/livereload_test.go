package deploy_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLiveReload runs Dockerfile.dev's entrypoint, deploy/dev/live-reload.sh,
// on the repository as the dev container would, then edits the models file:
// the server restarts with the new model in its schema.
func TestLiveReload(t *testing.T) {
	tool(t, "entr", "apt-get install -y entr")
	goBin := tool(t, "go", "the Go toolchain")
	// Built the same way first, so the script's build only links.
	autogqlBinary(t)
	dir := t.TempDir()
	models := filepath.Join(dir, "models.yaml")
	if err := os.WriteFile(models, readFile(t, "examples/blog/models.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	cmd := exec.Command(repoPath("deploy/dev/live-reload.sh"))
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(),
		"PATH="+filepath.Dir(goBin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AUTOGQL_MODELS="+models, "AUTOGQL_ADDR="+addr, "AUTOGQL_ENV=development",
		"AUTOGQL_DEV_BIN="+filepath.Join(dir, "autogql-dev"), "DATABASE_URL=sqlite:"+filepath.Join(dir, "dev.db"),
		"CGO_ENABLED=0", "GOFLAGS=-trimpath -buildvcs=false")
	// The script, entr and the server form one process group, stopped together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("live-reload output:\n%s", out.String())
		}
	})

	schema := func() (string, error) {
		resp, err := http.Get("http://" + addr + "/schema.graphql")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET /schema.graphql: %d", resp.StatusCode)
		}
		return string(b), err
	}
	var sdl string
	if err := waitFor(120*time.Second, func() (err error) { sdl, err = schema(); return err }); err != nil {
		t.Fatalf("the live-reload server never answered: %v", err)
	}
	if strings.Contains(sdl, "type Widget ") {
		t.Fatal("Widget is in the schema before it was added")
	}

	f, err := os.OpenFile(models, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("  Widget:\n    fields:\n      name: {type: string, max_length: 50}\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	err = waitFor(60*time.Second, func() error {
		sdl, err := schema()
		if err != nil {
			return err
		}
		if !strings.Contains(sdl, "type Widget ") {
			return fmt.Errorf("no type Widget in the schema yet")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("after editing the models file: %v", err)
	}
	if n := strings.Count(out.String(), "live-reload: building"); n < 2 {
		t.Errorf("%d builds, want a rebuild and restart after the edit", n)
	}
}
