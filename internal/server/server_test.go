package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunServesAndShutsDown starts the README's configuration (example blog,
// SQLite, seeded), answers a query over HTTP, and shuts down cleanly when
// the context ends.
func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, Config{
			Models:   "../../examples/blog/models.yaml",
			Database: "sqlite:" + filepath.Join(t.TempDir(), "autogql.db"),
			Addr:     "127.0.0.1:0",
			Env:      "development",
			Seed:     true,
			Logger:   slog.New(slog.DiscardHandler),
			Ready:    func(a net.Addr) { addrc <- a },
		})
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatalf("Run returned before serving: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	base := "http://" + addr.String()
	resp, err := http.Post(base+"/graphql/", "application/json", strings.NewReader(`{"query":"{ posts_aggregate { count } post(id: 1) { id } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"data":{"posts_aggregate":{"count":30},"post":{"id":"1"}}}`; string(body) != want {
		t.Errorf("got %s, want %s", body, want)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Run returned %v after shutdown, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down")
	}
}

func TestRunRejectsInvalidModels(t *testing.T) {
	err := Run(context.Background(), Config{Models: "testdata/nope.yaml", Database: "sqlite::memory:", Addr: "127.0.0.1:0"})
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("got %v, want an error naming the models file", err)
	}
}
