package cache

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is an in-process Store for a single instance. Expired entries
// are dropped when read and swept when the store grows.
type Memory struct {
	mu      sync.Mutex
	entries map[string]memEntry
	closed  bool
	now     func() time.Time
}

type memEntry struct {
	value   []byte
	expires time.Time // zero: never
}

// NewMemory returns an empty in-process store.
func NewMemory() *Memory {
	return &Memory{entries: map[string]memEntry{}, now: time.Now}
}

func (m *Memory) live(key string) (memEntry, bool) {
	e, ok := m.entries[key]
	if ok && !e.expires.IsZero() && !m.now().Before(e.expires) {
		delete(m.entries, key)
		return memEntry{}, false
	}
	return e, ok
}

func (m *Memory) expiry(ttl time.Duration) time.Time {
	if ttl <= 0 {
		return time.Time{}
	}
	return m.now().Add(ttl)
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false, ErrClosed
	}
	e, ok := m.live(key)
	return e.value, ok, nil
}

// Set implements Store.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.entries[key] = memEntry{value: append([]byte(nil), value...), expires: m.expiry(ttl)}
	return nil
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		delete(m.entries, k)
	}
	return nil
}

// Incr implements Store.
func (m *Memory) Incr(_ context.Context, key string, ttl time.Duration) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	e, ok := m.live(key)
	var n int64
	if ok {
		n, _ = strconv.ParseInt(string(e.value), 10, 64)
	} else {
		e.expires = m.expiry(ttl)
	}
	n++
	e.value = strconv.AppendInt(nil, n, 10)
	m.entries[key] = e
	return n, nil
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	return nil
}

// Close implements Store.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.entries = nil
	m.mu.Unlock()
	return nil
}
