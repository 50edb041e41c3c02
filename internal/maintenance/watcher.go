package maintenance

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// PollInterval is how often a Watcher reads the state: a change reaches
// every replica within about twice this.
const PollInterval = 500 * time.Millisecond

// Watcher keeps a process's view of the maintenance state fresh. State is
// safe for concurrent use and never does I/O.
type Watcher struct {
	store    *Store
	log      *slog.Logger
	interval time.Duration
	cur      atomic.Pointer[State]
	// failing latches while reads fail, so the log says so once.
	failing bool
}

// NewWatcher returns a Watcher over store; it does no I/O. interval 0
// means PollInterval.
func NewWatcher(store *Store, log *slog.Logger, interval time.Duration) *Watcher {
	if interval <= 0 {
		interval = PollInterval
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{store: store, log: log, interval: interval}
	w.cur.Store(&State{})
	return w
}

// State returns the last state read.
func (w *Watcher) State() State { return *w.cur.Load() }

// Load reads the state once (at start, before serving, so a replica that
// starts during maintenance never serves).
func (w *Watcher) Load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, w.interval*4)
	defer cancel()
	st, err := w.store.Get(ctx)
	if err != nil {
		if !w.failing {
			w.log.Warn("maintenance state unreadable; keeping the last known", "err", err, "mode", w.State().Mode())
			w.failing = true
		}
		return err
	}
	if w.failing {
		w.log.Info("maintenance state readable again")
		w.failing = false
	}
	if prev := w.State(); prev.Mode() != st.Mode() {
		w.log.Info("maintenance mode changed", "mode", st.Mode(), "was", prev.Mode(), "by", st.By)
	}
	w.cur.Store(&st)
	return nil
}

// Run polls until ctx ends. A failed read keeps the last known state: a
// database blip neither starts nor ends maintenance.
func (w *Watcher) Run(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = w.Load(ctx) // logged by Load
		}
	}
}
