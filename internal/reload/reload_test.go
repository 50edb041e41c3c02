package reload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

// TestWatcher drives a Watcher through the changes serve --watch meets:
// a valid change swaps, a touch does nothing, a broken file keeps the old
// engine until the file changes, and a database problem (Retry) is tried
// again when the migrations directory changes.
func TestWatcher(t *testing.T) {
	dir := t.TempDir()
	models := filepath.Join(dir, "models.yaml")
	migrations := filepath.Join(dir, "migrations")
	// write replaces a file at once (a loaded machine could otherwise
	// let a poll see it truncated for a whole interval).
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path+".tmp", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	v := func(field string) string {
		return "version: 1\nmodels:\n  Note:\n    fields:\n      " + field + ": {type: text}\n"
	}
	write(models, v("title"))
	if err := os.Mkdir(migrations, 0o755); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var builds []string
	var results []bool
	needMigration := true
	w := &Watcher{
		Models: models, Dir: migrations, Interval: 5 * time.Millisecond,
		Build: func(_ context.Context, data []byte) (*engine.Engine, error) {
			mu.Lock()
			defer mu.Unlock()
			builds = append(builds, string(data))
			s, err := model.Parse("models.yaml", data)
			if err != nil {
				return nil, err
			}
			if s.Model("Note").Field("body") != nil && needMigration {
				return nil, Retry(errors.New("column note.body missing"))
			}
			g, err := gqlschema.Build(s, gqlschema.Options{})
			if err != nil {
				return nil, err
			}
			return engine.New(&database.DB{}, g, engine.Options{}), nil
		},
		Result: func(ok bool) { mu.Lock(); results = append(results, ok); mu.Unlock() },
	}
	var swapped []string
	w.Swap = func(e *engine.Engine) { swapped = append(swapped, e.Schema().Model.Models[0].Fields[1].Name) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()

	// waitBuilds waits until the watcher has built n times (and a little
	// longer, so that an unexpected extra build would show).
	waitBuilds := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			got := len(builds)
			mu.Unlock()
			if got >= n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d builds after 5s, want %d", got, n)
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(40 * time.Millisecond)
	}
	time.Sleep(40 * time.Millisecond) // the first poll takes the file as serving
	write(models, v("heading"))       // valid: swapped
	waitBuilds(1)
	now := time.Now().Add(time.Second)
	_ = os.Chtimes(models, now, now) // touched only: no build
	time.Sleep(40 * time.Millisecond)
	write(models, "version: 1\nmodels: [\n") // broken: kept
	waitBuilds(2)
	write(filepath.Join(migrations, "0001_x.txt"), "x") // cannot cure a syntax error: no build
	time.Sleep(40 * time.Millisecond)
	write(models, v("body")) // needs a migration: Retry
	waitBuilds(3)
	mu.Lock()
	needMigration = false
	mu.Unlock()
	write(filepath.Join(migrations, "0002_x.txt"), "x") // the migration arrives: built again, swapped
	waitBuilds(4)
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"heading", "body"}, swapped); diff != "" {
		t.Errorf("engines swapped in (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{true, false, false, true}, results); diff != "" {
		t.Errorf("reload results (-want +got):\n%s", diff)
	}
	if len(builds) != 4 {
		t.Errorf("%d builds, want 4 (heading, broken, body, body again)", len(builds))
	}
}
