package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store on a Redis server.
type Redis struct {
	c      *redis.Client
	prefix string
}

// RedisOptions tune OpenRedis.
type RedisOptions struct {
	// Prefix is put before every key ("autogql:" by default), so one Redis
	// can serve several deployments.
	Prefix string
	// DialTimeout bounds connecting (default 2s); reads and writes are
	// bounded by the same duration, so a hung server fails fast.
	DialTimeout time.Duration
}

// OpenRedis returns a Store for url (redis://[user:pass@]host:port/db,
// rediss:// for TLS). It does no I/O: connections open on first use, so a
// Redis that is down at start is a health warning, not a failure.
func OpenRedis(url string, opts RedisOptions) (*Redis, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("open redis: %w", err)
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 2 * time.Second
	}
	if opts.Prefix == "" {
		opts.Prefix = "autogql:"
	}
	o.DialTimeout = opts.DialTimeout
	o.ReadTimeout = opts.DialTimeout
	o.WriteTimeout = opts.DialTimeout
	// One attempt: callers fall back to no cache rather than wait.
	o.MaxRetries = -1
	o.DialerRetries = 1
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	return &Redis{c: redis.NewClient(o), prefix: opts.Prefix}, nil
}

// go-redis logs dial failures through a process-wide logger; they are
// reported by the health check and the autogql_redis_up gauge instead, so
// the library's own lines are dropped (it is the only Redis client in the
// process).
var quietOnce sync.Once

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.c.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis get: %w", err)
	}
	return v, true, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.c.Set(ctx, r.prefix+key, value, ttl).Err(); err != nil {
		return fmt.Errorf("redis set: %w", err)
	}
	return nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	if err := r.c.Del(ctx, full...).Err(); err != nil {
		return fmt.Errorf("redis del: %w", err)
	}
	return nil
}

// Incr implements Store: INCR and, for a new counter, EXPIRE, in one round
// trip.
func (r *Redis) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	k := r.prefix + key
	pipe := r.c.TxPipeline()
	incr := pipe.Incr(ctx, k)
	if ttl > 0 {
		pipe.ExpireNX(ctx, k, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("redis incr: %w", err)
	}
	return incr.Val(), nil
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Close implements Store.
func (r *Redis) Close() error { return r.c.Close() }
