// Package cache is autogql's shared key-value store: the Store interface
// later features build on (response cache, rate-limit counters, persisted
// queries), with a Redis implementation for many replicas and an
// in-process one for a single instance. The composition root opens it from
// REDIS_URL; the health report pings it. A Store going away must never
// fail a request: callers treat its errors as a miss.
package cache

import (
	"context"
	"errors"
	"time"
)

// Store is a shared key-value store. Implementations are safe for
// concurrent use.
type Store interface {
	// Get returns the value of key; found is false when it is absent.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	// Set stores value under key for ttl (0: no expiry).
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes keys.
	Delete(ctx context.Context, keys ...string) error
	// Incr adds 1 to the counter key and returns the new value; a new
	// counter expires after ttl (fixed-window rate limits).
	Incr(ctx context.Context, key string, ttl time.Duration) (int64, error)
	// Ping checks the store answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// ErrClosed is returned by a closed Memory store.
var ErrClosed = errors.New("cache: store is closed")
