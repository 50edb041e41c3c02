package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/autogql/autogql/internal/cache"
)

// gcra is one GCRA step on the server, with the server's clock (so
// replicas with skewed clocks agree). KEYS[1] holds the theoretical
// arrival time in microseconds; ARGV are the interval and tolerance in
// microseconds. It returns {allowed, retry_after_us}.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - tolerance
if now < allow_at then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return {1, 0}
`)

// Redis keeps buckets in Redis, shared by every replica. When Redis does
// not answer, it falls back to an in-process bucket (the limit then holds
// per replica) and reports ErrUnavailable alongside the decision, so the
// caller can log it; a request is never refused because Redis is down.
type Redis struct {
	store    *cache.Redis
	fallback *Memory

	mu     sync.Mutex
	warned time.Time
}

// NewRedis returns a limiter on the Redis store.
func NewRedis(store *cache.Redis) *Redis {
	return &Redis{store: store, fallback: NewMemory(nil)}
}

// Allow implements Limiter.
func (r *Redis) Allow(ctx context.Context, key string, l Limit) (Decision, error) {
	if l.Zero() {
		return Decision{Allowed: true}, nil
	}
	v, err := r.store.RunScript(ctx, gcra, []string{"rl:" + key}, l.interval().Microseconds(), l.tolerance().Microseconds())
	if err == nil {
		if res, ok := v.([]any); ok && len(res) == 2 {
			allowed, _ := res[0].(int64)
			wait, _ := res[1].(int64)
			return Decision{Allowed: allowed == 1, RetryAfter: time.Duration(wait) * time.Microsecond}, nil
		}
		err = fmt.Errorf("unexpected script reply %v", v)
	}
	d, _ := r.fallback.Allow(ctx, key, l)
	return d, r.unavailable(err)
}

// unavailable reports a Redis failure at most once a minute.
func (r *Redis) unavailable(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.warned) < time.Minute {
		return nil
	}
	r.warned = time.Now()
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
