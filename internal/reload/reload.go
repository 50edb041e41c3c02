// Package reload serves a models file that changes while the server runs
// (serve --watch): Executor lets the HTTP handler's engine be replaced
// atomically, and Watcher notices changes to the models file (and the
// migrations directory) and asks the composition root for a new engine.
//
// The contract follows Caddy's reloads: the new configuration is built and
// checked completely before it replaces the old one, and a failure leaves
// the old one serving. A request loads the engine once, when it starts, so
// requests in flight finish on the engine they started on; the old engine
// is garbage once the last of them returns.
package reload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/autogql/autogql/internal/engine"
)

// Executor runs each request on the engine current when it starts; Swap
// replaces that engine. It implements httpapi.Executor.
type Executor struct {
	cur atomic.Pointer[engine.Engine]
}

// NewExecutor returns an Executor serving e.
func NewExecutor(e *engine.Engine) *Executor {
	x := &Executor{}
	x.cur.Store(e)
	return x
}

// Execute runs the request on the current engine.
func (x *Executor) Execute(ctx context.Context, req *engine.Request, dst []byte) ([]byte, engine.Result) {
	return x.cur.Load().Execute(ctx, req, dst)
}

// SDL returns the current schema as SDL.
func (x *Executor) SDL() string { return x.cur.Load().SDL() }

// Engine returns the current engine.
func (x *Executor) Engine() *engine.Engine { return x.cur.Load() }

// Swap makes e the engine of every request that starts from now on.
func (x *Executor) Swap(e *engine.Engine) { x.cur.Store(e) }

// Retry marks a Build error that a change of the migrations directory may
// cure (the database lacks a column the new models read): the watcher
// builds the same models again when a migration file appears. Other
// errors (a broken models file) wait for the models file to change.
func Retry(err error) error { return &retryError{err} }

type retryError struct{ err error }

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// Watcher polls a models file and a migrations directory and, when either
// changes, calls Build with the models file's contents; a nil error swaps
// the engine it returns in, an error keeps the old one and is logged.
// Polling (not inotify) works the same on every filesystem, in containers
// and on network mounts, and costs a stat per interval.
type Watcher struct {
	// Models is the models file; Dir the migrations directory ("": none).
	Models string
	Dir    string
	// Interval between polls (default 50ms). A change is built once it
	// has stayed for one interval.
	Interval time.Duration
	// Build makes the engine for the models file's contents. It runs on
	// the watcher's goroutine, one at a time.
	Build func(ctx context.Context, data []byte) (*engine.Engine, error)
	// Swap installs a built engine.
	Swap func(*engine.Engine)
	// Result, when set, is told the outcome of every reload (metrics).
	Result func(ok bool)
	Logger *slog.Logger
}

// Run polls until ctx ends; it returns nil then. The models file's
// contents at the first poll are taken as the ones already serving.
func (w *Watcher) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = 50 * time.Millisecond
	}
	log := w.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	served, _ := os.ReadFile(w.Models)
	servedSum := sha256.Sum256(served)
	stamp := w.stamp()
	settling := stamp
	// retry is set when the last attempt failed in a way a migration may
	// cure: the same models are built again on the next change.
	retry := false
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now := w.stamp()
		if now == stamp {
			continue
		}
		// Build only once the files are still for a whole interval: an
		// editor writing in place (truncate, then write) is not read
		// half-way.
		if now != settling {
			settling = now
			continue
		}
		stamp = now
		data, err := os.ReadFile(w.Models)
		if err != nil {
			// An editor may replace the file by renaming: try again at
			// the next change.
			log.Warn("schema reload failed; the previous schema keeps serving", "models", w.Models, "err", err)
			w.report(false)
			servedSum, retry = [32]byte{}, true
			continue
		}
		sum := sha256.Sum256(data)
		if sum == servedSum && !retry {
			// Touched, only the migrations changed while these models
			// serve, or the same broken file.
			continue
		}
		start := time.Now()
		e, err := w.Build(ctx, data)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Error("schema reload failed; the previous schema keeps serving", "models", w.Models, "err", err)
			w.report(false)
			var re *retryError
			servedSum, retry = sum, errors.As(err, &re)
			continue
		}
		w.Swap(e)
		servedSum, retry = sum, false
		log.Info("schema reloaded", "models", w.Models, "schema", e.Schema().Version, "duration_ms", time.Since(start).Milliseconds())
		w.report(true)
	}
}

func (w *Watcher) report(ok bool) {
	if w.Result != nil {
		w.Result(ok)
	}
}

// stamp summarises what the watcher watches: the models file's size and
// modification time and those of the migration files.
func (w *Watcher) stamp() string {
	var b bytes.Buffer
	add := func(path string) {
		fi, err := os.Stat(path)
		if err != nil {
			b.WriteString(path + " missing\n")
			return
		}
		b.WriteString(path + " " + strconv.FormatInt(fi.Size(), 10) + " " + strconv.FormatInt(fi.ModTime().UnixNano(), 10) + "\n")
	}
	add(w.Models)
	if w.Dir != "" {
		entries, err := os.ReadDir(w.Dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			b.WriteString(w.Dir + " unreadable\n")
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			add(filepath.Join(w.Dir, n))
		}
	}
	return b.String()
}
