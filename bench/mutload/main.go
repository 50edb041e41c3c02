// Command mutload is a bounded load test of mutations over real HTTP on
// loopback. For each database it builds autogql, serves the example blog
// with its fixtures (a fresh SQLite file; a fresh schema in the PostgreSQL
// server given), and fires concurrent mutations at the same rows for a few
// seconds:
//
//   - create_post with a unique slug and a nested comment;
//   - update_post on one of three hot posts, creating and linking a tag of
//     its own (nested_tags) and setting views;
//   - one request with two mutations: update_author on one of two hot
//     authors and create_comment on a hot post.
//
// It prints the requests, their rate and latency, and fails (exit 1) on any
// non-2xx status, any INTERNAL_SERVER_ERROR or other GraphQL error, any
// ok: false, or a lost write: afterwards every post, comment and tag link
// that a request reported must be in the database.
//
//	go run ./bench/mutload [-duration 5s] [-workers 16] [-dialects sqlite,postgres] [-postgres URL]
//
// The server and the load run on the same machine: say so when quoting the
// figures.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/autogql/autogql/internal/database"
)

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long to fire requests per database")
	workers := flag.Int("workers", 16, "concurrent clients")
	dialects := flag.String("dialects", "sqlite,postgres", "databases to test")
	pgURL := flag.String("postgres", envOr("AUTOGQL_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL server (a fresh schema is made and dropped)")
	flag.Parse()
	if err := run(*duration, *workers, strings.Split(*dialects, ","), *pgURL); err != nil {
		fmt.Fprintln(os.Stderr, "mutload:", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func run(duration time.Duration, workers int, dialects []string, pgURL string) error {
	dir, err := os.MkdirTemp("", "mutload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "autogql")
	build := exec.Command("go", "build", "-o", bin, "./cmd/autogql")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	var failed []string
	for _, d := range dialects {
		var dbURL string
		var cleanup func()
		switch d {
		case "sqlite":
			dbURL, cleanup = "sqlite:"+filepath.Join(dir, "load.db"), func() {}
		case "postgres":
			dbURL, cleanup, err = postgresSchema(pgURL)
			if err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown dialect %q", d)
		}
		rep, err := loadOne(bin, dbURL, duration, workers)
		cleanup()
		if err != nil {
			return fmt.Errorf("%s: %w", d, err)
		}
		fmt.Printf("%-8s %s\n", d, rep)
		if !rep.passed() {
			failed = append(failed, d)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed on %s", strings.Join(failed, ", "))
	}
	return nil
}

// postgresSchema makes a fresh schema and returns the URL that reaches it
// and a function that drops it.
func postgresSchema(admin string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := database.Open(ctx, admin, database.Options{MaxConns: 1})
	if err != nil {
		return "", nil, err
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	schema := "mutload_" + hex.EncodeToString(rnd[:])
	if err := db.Exec(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		db.Close()
		return "", nil, err
	}
	u, err := url.Parse(admin)
	if err != nil {
		db.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		_ = db.Exec(context.Background(), `DROP SCHEMA "`+schema+`" CASCADE`)
		db.Close()
	}, nil
}

// report is the outcome of one database's run.
type report struct {
	requests, non2xx, internal, otherErrors, notOK atomic.Int64
	creates, tagLinks, comments                    atomic.Int64
	elapsed                                        time.Duration
	p50, p99, max                                  time.Duration
	lost                                           []string
}

func (r *report) passed() bool {
	return r.non2xx.Load() == 0 && r.internal.Load() == 0 && r.otherErrors.Load() == 0 && r.notOK.Load() == 0 && len(r.lost) == 0
}

func (r *report) String() string {
	n := r.requests.Load()
	s := fmt.Sprintf("requests=%d (%.0f/s) non2xx=%d internal=%d other_errors=%d ok_false=%d latency p50=%v p99=%v max=%v; created posts=%d comments=%d tag links=%d",
		n, float64(n)/r.elapsed.Seconds(), r.non2xx.Load(), r.internal.Load(), r.otherErrors.Load(), r.notOK.Load(),
		r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.max.Round(10*time.Microsecond),
		r.creates.Load(), r.comments.Load(), r.tagLinks.Load())
	if len(r.lost) > 0 {
		s += "; LOST: " + strings.Join(r.lost, "; ")
	} else {
		s += "; nothing lost"
	}
	return s
}

var (
	hotPosts   = []int{1, 2, 3}
	hotAuthors = []int{1, 2}
)

// loadOne serves dbURL with the blog and runs the load against it.
func loadOne(bin, dbURL string, duration time.Duration, workers int) (*report, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	srv := exec.Command(bin, "serve", "--models", "examples/blog/models.yaml", "--database", dbURL,
		"--addr", addr, "--env", "staging", "--seed")
	var logs bytes.Buffer
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = srv.Process.Kill()
			<-done
		}
	}()
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 30 * time.Second}
	if err := waitReady(client, base); err != nil {
		return nil, fmt.Errorf("%w; server log:\n%s", err, logs.String())
	}
	c := &caller{client: client, url: base + "/graphql"}
	before, err := c.state()
	if err != nil {
		return nil, err
	}
	rep := &report{}
	var mu sync.Mutex
	var latencies []time.Duration
	// Per hot post, the tags the load linked and the comments it made.
	linked := map[int]int{}
	commented := map[int]int{}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var own []time.Duration
			for k := 0; ctx.Err() == nil; k++ {
				var q string
				var post int
				tag := fmt.Sprintf("lt-%d-%d", w, k)
				slug := fmt.Sprintf("load-%d-%d", w, k)
				switch k % 3 {
				case 0:
					q = fmt.Sprintf(`mutation { create_post(input: {title: "Load", slug: %q, content: "c", author: %d, tags: [1], nested_comments: [{content: "first"}]}) { ok errors { field code } object { id } } }`, slug, 1+w%4)
				case 1:
					post = hotPosts[(w+k)%len(hotPosts)]
					q = fmt.Sprintf(`mutation { update_post(id: %d, input: {views: %d, nested_tags: [{name: %q}]}) { ok errors { field code } object { id views } } }`, post, k, tag)
				case 2:
					post = hotPosts[(w+k+1)%len(hotPosts)]
					q = fmt.Sprintf(`mutation {
						a: update_author(id: %d, input: {bio: "worker %d at %d"}) { ok errors { field code } }
						b: create_comment(input: {post: %d, author: %d, content: "load"}) { ok errors { field code } object { id } }
					}`, hotAuthors[w%len(hotAuthors)], w, k, post, 1+w%5)
				}
				t0 := time.Now()
				ok, err := c.mutate(rep, q)
				own = append(own, time.Since(t0))
				if err != nil {
					if ctx.Err() != nil {
						break // the run ended during the request
					}
					fmt.Fprintln(os.Stderr, "mutload:", err)
					continue
				}
				if !ok {
					continue
				}
				mu.Lock()
				switch k % 3 {
				case 0:
					rep.creates.Add(1)
					rep.comments.Add(1)
				case 1:
					linked[post]++
					rep.tagLinks.Add(1)
				case 2:
					commented[post]++
					rep.comments.Add(1)
				}
				mu.Unlock()
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		})
	}
	wg.Wait()
	rep.elapsed = time.Since(start)
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		rep.p50, rep.p99, rep.max = latencies[n/2], latencies[n*99/100], latencies[n-1]
	}
	after, err := c.state()
	if err != nil {
		return nil, err
	}
	rep.lost = lost(before, after, int(rep.creates.Load()), linked, commented)
	return rep, nil
}

// state is what the checks compare before and after the load.
type state struct {
	posts, comments, loadPosts int
	// per hot post: its comments, its tags and the load's tags among them
	postComments, postTags, postLoadTags map[int]int
}

// lost reports every write the load saw succeed that is not in after. The
// load's slugs and tag names are unique, so counts prove every one is there.
func lost(before, after *state, creates int, linked, commented map[int]int) []string {
	var out []string
	check := func(what string, got, want int) {
		if got != want {
			out = append(out, fmt.Sprintf("%s: %d, want %d", what, got, want))
		}
	}
	var nested int
	for _, n := range commented {
		nested += n
	}
	check("posts", after.posts, before.posts+creates)
	check("load posts", after.loadPosts, creates)
	check("comments", after.comments, before.comments+creates+nested)
	for _, p := range hotPosts {
		check(fmt.Sprintf("post %d comments", p), after.postComments[p], before.postComments[p]+commented[p])
		check(fmt.Sprintf("post %d tags", p), after.postTags[p], before.postTags[p]+linked[p])
		check(fmt.Sprintf("post %d load tags", p), after.postLoadTags[p], linked[p])
	}
	return out
}

// caller posts GraphQL requests.
type caller struct {
	client *http.Client
	url    string
}

type response struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

func (c *caller) post(query string) (int, *response, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := c.client.Post(c.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var r response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("status %d, body not JSON: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, &r, nil
}

// mutate sends one mutation request and counts its outcome; ok is true
// when every root field answered ok: true.
func (c *caller) mutate(rep *report, query string) (bool, error) {
	status, r, err := c.post(query)
	if err != nil {
		return false, err
	}
	rep.requests.Add(1)
	if status < 200 || status > 299 {
		rep.non2xx.Add(1)
	}
	for _, e := range r.Errors {
		if e.Extensions.Code == "INTERNAL_SERVER_ERROR" {
			rep.internal.Add(1)
		} else {
			rep.otherErrors.Add(1)
		}
		fmt.Fprintf(os.Stderr, "mutload: %s: %s\n", e.Extensions.Code, e.Message)
	}
	if len(r.Errors) > 0 {
		return false, nil
	}
	for key, raw := range r.Data {
		var p struct {
			OK     bool            `json:"ok"`
			Errors json.RawMessage `json:"errors"`
		}
		if err := json.Unmarshal(raw, &p); err != nil || !p.OK {
			rep.notOK.Add(1)
			fmt.Fprintf(os.Stderr, "mutload: %s not ok: %s\n", key, raw)
			return false, nil
		}
	}
	return true, nil
}

// state reads the counts the checks compare.
func (c *caller) state() (*state, error) {
	var b strings.Builder
	b.WriteString(`{ posts_aggregate { count } comments_aggregate { count } load: posts_aggregate(filters: {slug__startswith: "load-"}) { count } `)
	for _, p := range hotPosts {
		fmt.Fprintf(&b, `p%d: post(id: %d) { comments_count tags_count load: tags_count(filters: {name__startswith: "lt-"}) } `, p, p)
	}
	b.WriteString(`}`)
	status, r, err := c.post(b.String())
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK || len(r.Errors) > 0 {
		return nil, fmt.Errorf("state query: status %d, errors %+v", status, r.Errors)
	}
	count := func(key string) (int, error) {
		var agg struct {
			Count int `json:"count"`
		}
		err := json.Unmarshal(r.Data[key], &agg)
		return agg.Count, err
	}
	s := &state{postComments: map[int]int{}, postTags: map[int]int{}, postLoadTags: map[int]int{}}
	if s.posts, err = count("posts_aggregate"); err != nil {
		return nil, err
	}
	if s.comments, err = count("comments_aggregate"); err != nil {
		return nil, err
	}
	if s.loadPosts, err = count("load"); err != nil {
		return nil, err
	}
	for _, p := range hotPosts {
		var post struct {
			Comments int `json:"comments_count"`
			Tags     int `json:"tags_count"`
			Load     int `json:"load"`
		}
		if err := json.Unmarshal(r.Data[fmt.Sprintf("p%d", p)], &post); err != nil {
			return nil, err
		}
		s.postComments[p], s.postTags[p], s.postLoadTags[p] = post.Comments, post.Tags, post.Load
	}
	return s, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(client *http.Client, base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("server not ready after 30s")
}
