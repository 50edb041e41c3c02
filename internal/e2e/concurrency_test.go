package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/testdb"
)

// payload is the part of a mutation payload the concurrency tests read.
type payload struct {
	OK     bool `json:"ok"`
	Errors []struct {
		Field string `json:"field"`
		Code  string `json:"code"`
	} `json:"errors"`
}

// mutate runs a mutation and decodes its root fields' payloads; a response
// with GraphQL errors (an internal error above all) fails the test.
func mutate(t *testing.T, e *engine.Engine, query string, vars map[string]any) map[string]payload {
	t.Helper()
	out, _ := e.Execute(context.Background(), &engine.Request{Query: query, Variables: vars}, nil)
	var resp struct {
		Data   map[string]payload `json:"data"`
		Errors []json.RawMessage  `json:"errors"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Errorf("response is not JSON (%v): %s", err, out)
		return nil
	}
	if len(resp.Errors) > 0 {
		t.Errorf("errors for %s: %s", query, out)
	}
	return resp.Data
}

// TestConcurrentUniqueCreate sends the same unique slug in two requests at
// once, many times: exactly one wins and the other reports the unique
// field, whether it lost at the application's check or (on PostgreSQL,
// where both can pass the check) at the database's unique index.
func TestConcurrentUniqueCreate(t *testing.T) {
	const rounds = 40
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			f := openFixture(t, d, "blog", database.Options{})
			q := `mutation($slug: String!) { create_post(input: {title: "race", slug: $slug, content: "c", author: 1}) { ok errors { field code } } }`
			for r := range rounds {
				slug := fmt.Sprintf("race-%d", r)
				var wg sync.WaitGroup
				start := make(chan struct{})
				got := make([]payload, 2)
				for i := range got {
					wg.Go(func() {
						<-start
						got[i] = mutate(t, f.engine, q, map[string]any{"slug": slug})["create_post"]
					})
				}
				close(start)
				wg.Wait()
				if got[0].OK == got[1].OK {
					t.Fatalf("round %d: ok %v and %v, want exactly one", r, got[0].OK, got[1].OK)
				}
				lost := got[0]
				if lost.OK {
					lost = got[1]
				}
				if len(lost.Errors) != 1 || lost.Errors[0].Field != "slug" || lost.Errors[0].Code != "unique" {
					t.Fatalf("round %d: the loser's errors are %+v, want one unique error on slug", r, lost.Errors)
				}
			}
			checkCount(t, f.db, "SELECT count(*) FROM blog_post WHERE title = 'race'", rounds)
		})
	}
}

// TestConcurrentWriters runs writers that each own one column of the same
// Gadget row, create rows of their own and add links to the same post, all
// at once. Every write must succeed (no internal error, no busy database,
// no deadlock surfacing as an error) and none may be lost: each owned
// column holds its writer's last value, every created row and every link
// exists.
func TestConcurrentWriters(t *testing.T) {
	const writers, iterations = 8, 25
	columns := []struct{ input, column, value string }{
		{"small", "small", "%d"},
		{"positive", "positive", "%d"},
		{"count", "count", "%d"},
		{"big", "big", `"%d"`},
		{"ratio", "ratio", "%d"},
		{"price", "price", `"%d"`},
		{"label", "label", `"w%d"`},
		{"slot", "slot", "%d"},
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			kit := openFixture(t, d, "kitchen", database.Options{})
			blog := openFixture(t, d, "blog", database.Options{})
			var wg sync.WaitGroup
			start := make(chan struct{})
			for w := range writers {
				col := columns[w]
				wg.Go(func() {
					<-start
					for k := range iterations {
						value := fmt.Sprintf(col.value, k)
						q := fmt.Sprintf(`mutation {
							u: update_gadget(id: 1, input: {%s: %s}) { ok errors { field code } }
							c: create_gadget(input: {code: "W%c-%d", owner: 2, slot: %d}) { ok errors { field code } }
						}`, col.input, value, 'A'+w, k, w*1000+k)
						for key, p := range mutate(t, kit.engine, q, nil) {
							if !p.OK {
								t.Errorf("writer %d, iteration %d, %s: %+v", w, k, key, p.Errors)
							}
						}
						q = fmt.Sprintf(`mutation { update_post(id: 1, input: {nested_tags: [{name: "w%d-%d"}], tags_add: [%d]}) { ok errors { field code } } }`, w, k, 1+k%6)
						if p := mutate(t, blog.engine, q, nil)["update_post"]; !p.OK {
							t.Errorf("writer %d, iteration %d, tags: %+v", w, k, p.Errors)
						}
					}
				})
			}
			close(start)
			wg.Wait()
			last := iterations - 1
			var want []string
			var cols []string
			for _, c := range columns {
				cols = append(cols, "CAST("+database.QuoteIdent(c.column)+" AS TEXT)")
				want = append(want, strings.Trim(fmt.Sprintf(c.value, last), `"`))
			}
			var got []string
			err := kit.db.QueryRows(context.Background(), "SELECT "+strings.Join(cols, ", ")+" FROM kit_gadget WHERE id = 1", nil,
				func(scan func(...any) error) error {
					vals, err := scanAny(scan, len(cols))
					for _, v := range vals {
						got = append(got, fmt.Sprint(plainValue(v)))
					}
					return err
				})
			if err != nil {
				t.Fatal(err)
			}
			// Decimal text keeps its scale on PostgreSQL (24.00).
			for i, g := range got {
				if columns[i].column == "price" || columns[i].column == "ratio" {
					got[i] = strings.TrimSuffix(strings.TrimSuffix(g, ".00"), ".0")
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("gadget 1 columns %v = %v, want %v (a lost update)", columns, got, want)
			}
			checkCount(t, kit.db, "SELECT count(*) FROM kit_gadget", 1+writers*iterations)
			checkCount(t, blog.db, "SELECT count(*) FROM blog_tag", 6+writers*iterations)
			// Post 1 had go and sql; every writer linked its own new tag each
			// time and re-added the six old ones.
			checkCount(t, blog.db, "SELECT count(*) FROM blog_post_tags WHERE post_id = 1", 6+writers*iterations)
		})
	}
}

// TestConcurrentOppositeOrder runs requests that update the same two rows
// in opposite orders, which deadlock on PostgreSQL: the engine must retry
// the loser's transaction, so every request succeeds and the counts of
// writes add up.
func TestConcurrentOppositeOrder(t *testing.T) {
	// Each deadlock costs PostgreSQL's deadlock_timeout (1 s by default)
	// to detect, so the load is small; it deadlocks every run.
	const writers, iterations = 4, 5
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			f := openFixture(t, d, "blog", database.Options{})
			var wg sync.WaitGroup
			start := make(chan struct{})
			for w := range writers {
				first, second := 1, 2
				if w%2 == 1 {
					first, second = 2, 1
				}
				wg.Go(func() {
					<-start
					for k := range iterations {
						q := fmt.Sprintf(`mutation {
							a: update_post(id: %d, input: {nested_comments: [{content: "w%d-%d-a"}]}) { ok errors { field code } }
							b: update_post(id: %d, input: {nested_comments: [{content: "w%d-%d-b"}]}) { ok errors { field code } }
						}`, first, w, k, second, w, k)
						for key, p := range mutate(t, f.engine, q, nil) {
							if !p.OK {
								t.Errorf("writer %d, iteration %d, %s: %+v", w, k, key, p.Errors)
							}
						}
					}
				})
			}
			close(start)
			wg.Wait()
			checkCount(t, f.db, "SELECT count(*) FROM blog_comment WHERE content LIKE 'w%'", 2*writers*iterations)
		})
	}
}

func checkCount(t *testing.T, db *database.DB, sql string, want int64) {
	t.Helper()
	var got int64
	err := db.QueryRows(context.Background(), sql, nil, func(scan func(...any) error) error { return scan(&got) })
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if got != want {
		t.Errorf("%s = %d, want %d", sql, got, want)
	}
}
