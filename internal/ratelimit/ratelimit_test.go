package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/cache"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		rate  string
		burst int
		want  Limit
		bad   bool
	}{
		{"", 0, Limit{}, false},
		{"10/s", 0, Limit{Rate: 10, Burst: 10}, false},
		{"120/m", 20, Limit{Rate: 2, Burst: 20}, false},
		{"0.5/s", 0, Limit{Rate: 0.5, Burst: 1}, false},
		{"3600/h", 5, Limit{Rate: 1, Burst: 5}, false},
		{"10", 0, Limit{}, true},
		{"10/d", 0, Limit{}, true},
		{"-1/s", 0, Limit{}, true},
		{"NaN/s", 0, Limit{}, true},
	} {
		got, err := ParseLimit(tc.rate, tc.burst)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseLimit(%q, %d) = %+v, %v; want %+v (error %v)", tc.rate, tc.burst, got, err, tc.want, tc.bad)
		}
	}
}

// TestMemoryBucket: a burst passes at once, the next request waits one
// interval, and the bucket refills at the rate.
func TestMemoryBucket(t *testing.T) {
	now := time.Unix(1000, 0)
	m := NewMemory(func() time.Time { return now })
	l := Limit{Rate: 2, Burst: 3} // one every 500ms, 3 at once
	ctx := context.Background()
	for i := range 3 {
		if d, _ := m.Allow(ctx, "k", l); !d.Allowed {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	d, _ := m.Allow(ctx, "k", l)
	if d.Allowed || d.RetryAfter != 500*time.Millisecond {
		t.Fatalf("fourth: %+v, want refused for 500ms", d)
	}
	if d, _ := m.Allow(ctx, "other", l); !d.Allowed {
		t.Error("another key shares the bucket")
	}
	now = now.Add(500 * time.Millisecond)
	if d, _ := m.Allow(ctx, "k", l); !d.Allowed {
		t.Error("refused after the retry delay")
	}
	if d, _ := m.Allow(ctx, "k", l); d.Allowed {
		t.Error("allowed twice in one interval")
	}
	now = now.Add(time.Hour)
	for i := range 3 {
		if d, _ := m.Allow(ctx, "k", l); !d.Allowed {
			t.Fatalf("refilled burst: request %d refused", i+1)
		}
	}
}

func redisStore(t *testing.T) *cache.Redis {
	t.Helper()
	url := os.Getenv("AUTOGQL_TEST_REDIS")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	var b [6]byte
	rand.Read(b[:])
	r, err := cache.OpenRedis(url, cache.RedisOptions{Prefix: "autogql-test:" + hex.EncodeToString(b[:]) + ":"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		if os.Getenv("AUTOGQL_REQUIRE_SERVICES") == "1" {
			t.Fatalf("redis: %v", err)
		}
		t.Skipf("redis: %v", err)
	}
	return r
}

// TestRedisShared: two limiters (as two replicas would hold) on one Redis
// draw from one budget, under concurrency.
func TestRedisShared(t *testing.T) {
	store := redisStore(t)
	a, b := NewRedis(store), NewRedis(store)
	l := Limit{Rate: 0.1, Burst: 10} // 10 at once, then one per 10s
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lim := a
			if i%2 == 1 {
				lim = b
			}
			d, err := lim.Allow(context.Background(), "ip:192.0.2.1", l)
			if err != nil {
				t.Error(err)
			}
			if d.Allowed {
				allowed.Add(1)
			} else if d.RetryAfter <= 0 || d.RetryAfter > 10*time.Second {
				t.Errorf("retry after %s", d.RetryAfter)
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n != 10 {
		t.Errorf("allowed %d of 40 across two limiters, want the burst of 10", n)
	}
}

// TestRedisDownFallsBack: with Redis gone, requests are limited per
// process and the failure is reported, not turned into refusals.
func TestRedisDownFallsBack(t *testing.T) {
	r, err := cache.OpenRedis("redis://127.0.0.1:1/0", cache.RedisOptions{DialTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lim := NewRedis(r)
	d, err := lim.Allow(context.Background(), "k", Limit{Rate: 1, Burst: 1})
	if !d.Allowed || err == nil {
		t.Fatalf("first: %+v %v, want allowed with an error", d, err)
	}
	d, _ = lim.Allow(context.Background(), "k", Limit{Rate: 1, Burst: 1})
	if d.Allowed {
		t.Error("the fallback bucket did not limit")
	}
}
