package cache

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// RunScript runs a Lua script atomically on the server (EVALSHA, loading
// it on first use), with each key given the store's prefix. Rate limits
// use it so that replicas share one counter without races.
func (r *Redis) RunScript(ctx context.Context, script *redis.Script, keys []string, args ...any) (any, error) {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = r.prefix + k
	}
	v, err := script.Run(ctx, r.c, full, args...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis script: %w", err)
	}
	return v, nil
}
