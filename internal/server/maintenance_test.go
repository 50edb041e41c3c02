package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/cli"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/maintenance"
	"github.com/autogql/autogql/internal/testdb"
)

// maintenanceCLI runs `autogql maintenance` in process against db.
func maintenanceCLI(t *testing.T, db, redis string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"maintenance"}, args...)
	full = append(full, "--database", db)
	if redis != "" {
		full = append(full, "--redis", redis)
	}
	if code := cli.Main(full, &out, &errb); code != 0 {
		t.Fatalf("autogql %v: exit %d\n%s%s", full, code, out.String(), errb.String())
	}
	return out.String()
}

const (
	postsQuery  = `{"query":"{ posts_aggregate { count } }"}`
	tagMutation = `{"query":"mutation { create_tag(input: {name: \"m-` + "%d" + `\"}) { ok } }"}`
)

func errorCode(body string) string {
	var r struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal([]byte(body), &r) != nil || len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Extensions.Code
}

// TestMaintenanceAcrossReplicas runs two replicas on one database (and,
// in the redis case, one Redis) and switches maintenance with the real
// command: each mode reaches both replicas within a second; full mode
// answers 503 MAINTENANCE with Retry-After everywhere but the health
// endpoints; read-only refuses mutations only; off restores service.
func TestMaintenanceAcrossReplicas(t *testing.T) {
	type setup struct {
		name    string
		dialect database.Dialect
		redis   bool
	}
	cases := []setup{{"sqlite", database.SQLite, false}, {"postgres", database.Postgres, false}, {"postgres+redis", database.Postgres, true}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := testdb.URL(t, tc.dialect)
			redis := ""
			if tc.redis {
				redis = "redis://127.0.0.1:6379/0"
				conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
				if err != nil {
					skipOrFail(t, "Redis at 127.0.0.1:6379: %v", err)
				}
				conn.Close()
				r, err := cache.OpenRedis(redis, cache.RedisOptions{DialTimeout: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				_ = r.Delete(context.Background(), maintenance.RedisKey)
				t.Cleanup(func() { _ = r.Delete(context.Background(), maintenance.RedisKey) })
			}
			s1 := settings("development", url)
			s1.Redis.URL = redis
			a := start(t, s1, true)
			s2 := settings("development", url)
			s2.Redis.URL = redis
			b := start(t, s2, false)
			replicas := []*instance{a, b}

			// within waits until every replica answers the query with want
			// and returns how long that took. The replicas poll every
			// 500 ms, so they normally agree within a second; the figure is
			// logged, and only a replica that never notices fails the test
			// (timing is measured, not asserted, on a shared machine).
			within := func(what string, want int) time.Duration {
				t.Helper()
				return waitFor(t, 15*time.Second, what, func() bool {
					for _, in := range replicas {
						if gql(t, in.base, postsQuery).status != want {
							return false
						}
					}
					return true
				})
			}
			for _, in := range replicas {
				if r := gql(t, in.base, postsQuery); r.status != 200 {
					t.Fatalf("before maintenance: %d %s", r.status, r.body)
				}
			}

			maintenanceCLI(t, url, redis, "on", "--message", "upgrading the database", "--retry-after", "30")
			took := within("full maintenance on both replicas", 503)
			t.Logf("full maintenance seen by both replicas after %s", took)
			for _, in := range replicas {
				r := gql(t, in.base, postsQuery)
				if errorCode(r.body) != "MAINTENANCE" || r.header.Get("Retry-After") != "30" || !bytes.Contains([]byte(r.body), []byte("upgrading the database")) {
					t.Errorf("full maintenance answer: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
				}
				for _, p := range []string{"/healthz", "/readyz", "/health/"} {
					if got := do(t, "GET", in.base+p, "", "").status; got != 200 {
						t.Errorf("%s during maintenance: %d, want 200", p, got)
					}
				}
			}
			if out := maintenanceCLI(t, url, redis, "status"); !bytes.Contains([]byte(out), []byte("maintenance full")) {
				t.Errorf("status: %q", out)
			}

			maintenanceCLI(t, url, redis, "on", "--read-only")
			took = within("read-only maintenance on both replicas", 200)
			t.Logf("read-only maintenance seen by both replicas after %s", took)
			for i, in := range replicas {
				r := gql(t, in.base, fmt.Sprintf(tagMutation, i))
				if r.status != 503 || errorCode(r.body) != "MAINTENANCE" {
					t.Errorf("mutation in read-only maintenance: %d %s", r.status, r.body)
				}
			}

			maintenanceCLI(t, url, redis, "off")
			waitFor(t, time.Second, "mutations accepted again on both replicas", func() bool {
				for i, in := range replicas {
					if r := gql(t, in.base, fmt.Sprintf(tagMutation, 10+i)); r.status != 200 || errorCode(r.body) != "" {
						return false
					}
				}
				return true
			})
			if out := maintenanceCLI(t, url, redis, "status"); out != "maintenance off\n" {
				t.Errorf("status after off: %q", out)
			}
		})
	}
}
