package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/cache"
)

// TestRateLimitSharedAcrossProcesses runs two real autogql processes on
// one Redis: a client (identified by X-Forwarded-For from a trusted proxy)
// gets one budget across both, not one each.
func TestRateLimitSharedAcrossProcesses(t *testing.T) {
	redisURL := os.Getenv("AUTOGQL_TEST_REDIS")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/14"
	}
	r, err := cache.OpenRedis(redisURL, cache.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	err = r.Ping(ctx)
	cancel()
	r.Close()
	if err != nil {
		skipOrFail(t, "redis at %s: %v", redisURL, err)
	}
	bin := buildBinary(t)
	var bases []string
	for i := range 2 {
		work := t.TempDir()
		port := freePort(t)
		cmd := exec.Command(bin, "serve", "--models", mustAbs(t, blogModels))
		cmd.Dir = work
		logFile, err := os.Create(filepath.Join(work, "server.log"))
		if err != nil {
			t.Fatal(err)
		}
		defer logFile.Close()
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.Env = append(os.Environ(),
			"AUTOGQL_ENV=production",
			"AUTOGQL_SECURITY_CLOSED_BY_DEFAULT=false",
			"DATABASE_URL=sqlite:"+filepath.Join(work, "db.sqlite"),
			"REDIS_URL="+redisURL,
			"PORT="+fmt.Sprint(port),
			"AUTOGQL_SERVER_DRAIN_DELAY=0s",
			"AUTOGQL_SERVER_TRUSTED_PROXIES=127.0.0.1",
			"AUTOGQL_RATE_LIMIT_ENABLED=true",
			"AUTOGQL_RATE_LIMIT_IP=10/m",
			"AUTOGQL_RATE_LIMIT_IP_BURST=5",
		)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		})
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		waitFor(t, 30*time.Second, fmt.Sprintf("process %d listening", i+1), func() bool {
			resp, err := http.Get(base + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		})
		bases = append(bases, base)
	}
	// A client address of its own per run, so earlier runs' buckets in the
	// shared Redis do not count.
	var b [6]byte
	rand.Read(b[:])
	client := "2001:db8::" + hex.EncodeToString(b[:2]) + ":" + hex.EncodeToString(b[2:4]) + ":" + hex.EncodeToString(b[4:])
	allowed, refused := 0, 0
	for i := range 10 {
		r := gql(t, bases[i%2], `{"query":"{ __typename }"}`, "X-Forwarded-For", "203.0.113.9, "+client)
		switch r.status {
		case 200:
			allowed++
		case 429:
			refused++
			if r.header.Get("Retry-After") == "" || !strings.Contains(r.body, `"code":"RATE_LIMITED"`) {
				t.Errorf("refusal without Retry-After or RATE_LIMITED: %v %s", r.header, r.body)
			}
		default:
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	if allowed != 5 || refused != 5 {
		t.Errorf("allowed %d, refused %d across two processes; want the burst of 5 shared, 5 refused", allowed, refused)
	}
	// Another client is not affected; the limit is per client.
	if r := gql(t, bases[1], `{"query":"{ __typename }"}`, "X-Forwarded-For", "2001:db8::1:"+hex.EncodeToString(b[:2])); r.status != 200 {
		t.Errorf("another client: %d %s", r.status, r.body)
	}
}
