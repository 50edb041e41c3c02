package ratelimit

import (
	"context"
	"sync"
	"time"
)

// maxMemoryKeys bounds the in-memory buckets: past it, buckets that are
// full again (nothing to remember) are swept.
const maxMemoryKeys = 100_000

// Memory keeps buckets in the process. It is safe for concurrent use.
type Memory struct {
	mu  sync.Mutex
	tat map[string]time.Time
	now func() time.Time
}

// NewMemory returns an empty in-process limiter; now defaults to
// time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{tat: map[string]time.Time{}, now: now}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Decision, error) {
	if l.Zero() {
		return Decision{Allowed: true}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	tat, ok := m.tat[key]
	if !ok || tat.Before(now) {
		tat = now
	}
	next := tat.Add(l.interval())
	if allowAt := next.Add(-l.tolerance()); now.Before(allowAt) {
		return Decision{RetryAfter: allowAt.Sub(now)}, nil
	}
	if !ok && len(m.tat) >= maxMemoryKeys {
		m.sweep(now)
	}
	m.tat[key] = next
	return Decision{Allowed: true}, nil
}

// sweep forgets buckets that have refilled.
func (m *Memory) sweep(now time.Time) {
	for k, t := range m.tat {
		if t.Before(now) {
			delete(m.tat, k)
		}
	}
}
