package cache

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// redisURL is the test Redis server (REDIS_URL, default 127.0.0.1:6379).
func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("AUTOGQL_TEST_REDIS")
	if u == "" {
		u = "redis://127.0.0.1:6379/15"
	}
	r, _ := OpenRedis(u, RedisOptions{})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		if os.Getenv("AUTOGQL_REQUIRE_SERVICES") == "1" {
			t.Fatalf("redis at %s: %v", u, err)
		}
		t.Skipf("redis at %s: %v", u, err)
	}
	return u
}

// TestStores runs the same contract on the in-process store and on a real
// Redis.
func TestStores(t *testing.T) {
	stores := map[string]func(t *testing.T) Store{
		"memory": func(*testing.T) Store { return NewMemory() },
		"redis": func(t *testing.T) Store {
			r, err := OpenRedis(redisURL(t), RedisOptions{Prefix: "autogql-test:" + strings.ReplaceAll(t.Name(), "/", "_") + ":"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return r
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			s.Delete(ctx, "k", "n")
			if _, found, err := s.Get(ctx, "k"); err != nil || found {
				t.Fatalf("get of a missing key: found %v, err %v", found, err)
			}
			if err := s.Set(ctx, "k", []byte("v1"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if v, found, err := s.Get(ctx, "k"); err != nil || !found || string(v) != "v1" {
				t.Errorf("get: %q %v %v, want v1", v, found, err)
			}
			for want := int64(1); want <= 3; want++ {
				if n, err := s.Incr(ctx, "n", time.Minute); err != nil || n != want {
					t.Errorf("incr: %d %v, want %d", n, err, want)
				}
			}
			if err := s.Delete(ctx, "k", "n"); err != nil {
				t.Fatal(err)
			}
			if _, found, _ := s.Get(ctx, "k"); found {
				t.Error("deleted key still found")
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("ping: %v", err)
			}
		})
	}
}

func TestMemoryExpiry(t *testing.T) {
	m := NewMemory()
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	m.Set(ctx, "k", []byte("v"), time.Second)
	m.Incr(ctx, "n", time.Second)
	now = now.Add(time.Second)
	if _, found, _ := m.Get(ctx, "k"); found {
		t.Error("expired entry found")
	}
	if n, _ := m.Incr(ctx, "n", time.Second); n != 1 {
		t.Errorf("expired counter continued at %d", n)
	}
}

// TestRedisDownIsAnErrorNotAHang: a closed port answers Ping with an error
// within the dial timeout; opening never fails for it.
func TestRedisDownIsAnErrorNotAHang(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r, err := OpenRedis("redis://"+addr+"/0", RedisOptions{DialTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer r.Close()
	start := time.Now()
	if err := r.Ping(context.Background()); err == nil {
		t.Fatal("ping of a closed port succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ping took %s", d)
	}
}
