package engine

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

// nested returns `{ posts { author { posts { author … } } } }` n fields deep.
func nested(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i%2 == 0 {
			b.WriteString(" posts(limit: 1) {")
		} else {
			b.WriteString(" author {")
		}
	}
	b.WriteString(" id")
	for range n {
		b.WriteString(" }")
	}
	b.WriteString(" }")
	return b.String()
}

func repeat(format string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.ReplaceAll(format, "%d", itoa(i)))
	}
	return b.String()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestLimitsRejectBeforeSQL runs hostile documents through an engine whose
// database counts statements: each is refused with the limit and the value
// found, and no statement runs.
func TestLimitsRejectBeforeSQL(t *testing.T) {
	g := loadBlog(t)
	var statements atomic.Int64
	db := testdb.OpenOptions(t, database.SQLite, database.Options{OnQuery: func(string) { statements.Add(1) }})
	ms, _ := model.Load("../../examples/blog/models.yaml")
	if _, err := migrate.Apply(context.Background(), db, ms); err != nil {
		t.Fatal(err)
	}
	lim := DefaultLimits()
	e := New(db, g, Options{Limits: lim, NoSuggestions: true})
	deepList := "{ posts(filters: {id__in: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}) { id } }"
	for _, tc := range []struct {
		name      string
		query     string
		vars      map[string]any
		wantCode  string
		wantInMsg string
	}{
		{"deep", nested(13), nil, CodeQueryTooComplex, "13 levels deep, over the limit of 12 (max_depth)"},
		{"deep through fragments", `query Q { ...A } fragment A on Query { posts(limit: 1) { ...B } } fragment B on Post { author { posts(limit: 1) { author { posts(limit: 1) { author { posts(limit: 1) { author { posts(limit: 1) { author { posts(limit: 1) { author { posts(limit: 1) { id } } } } } } } } } } } } }`, nil, CodeQueryTooComplex, "operation Q is 13 levels deep"},
		{"aliases", "{" + repeat(" a%d: post(id: 1) { id }", 31) + " }", nil, CodeQueryTooComplex, "31 aliases, over the limit of 30 (max_aliases)"},
		{"wide root", "{" + repeat(" posts_aggregate { count }", 21) + " }", nil, CodeQueryTooComplex, "21 root fields, over the limit of 20 (max_root_fields)"},
		{"directives", "{ posts(limit: 1) {" + repeat(" id @include(if: true)", 51) + " } }", nil, CodeQueryTooComplex, "51 directives, over the limit of 50 (max_directives)"},
		{"token flood", "{ posts(limit: 1) {" + strings.Repeat(" id", 10001) + " } }", nil, CodeQueryTooComplex, "10011 tokens, over the limit of 10000 (max_tokens)"},
		{"10,000-deep list literal", deepList, nil, CodeQueryTooComplex, "tokens, over the limit of 10000 (max_tokens)"},
		{"long document", "#" + strings.Repeat("x", 100<<10) + "\n{ posts { id } }", nil, CodeQueryTooComplex, "over the limit of 102400 (max_query_bytes)"},
		{"cost", `{ posts { comments { author { comments { id } } } } }`, nil, CodeQueryTooComplex, "costs 1020101, over the limit of 50000 (max_cost"},
		{"cost counts variables at the page cap", `query($n: Int) { authors(limit: $n) { posts(limit: $n) { comments(limit: $n) { id } } } }`, map[string]any{"n": 1}, CodeQueryTooComplex, "costs 1010101"},
		{"variables size", `query($s: String) { posts(quick: $s, limit: 1) { id } }`, map[string]any{"s": strings.Repeat("x", 300<<10)}, CodeBadUserInput, "over 262144 bytes"},
		{"cyclic fragments", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, nil, CodeValidationFailed, "Cannot spread fragment"},
		{"no suggestions", `{ postz { id } }`, nil, CodeValidationFailed, `Cannot query field \"postz\" on type \"Query\".","locations"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := statements.Load()
			start := time.Now()
			out, res := e.Execute(context.Background(), &Request{Query: tc.query, Variables: tc.vars}, nil)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
			if res.Outcome != OutcomeRequestError || res.ErrorCode != tc.wantCode {
				t.Errorf("outcome %v code %q, want a request error %s; body %.300s", res.Outcome, res.ErrorCode, tc.wantCode, out)
			}
			if !strings.Contains(string(out), tc.wantInMsg) {
				t.Errorf("body %.400s\ndoes not contain %q", out, tc.wantInMsg)
			}
			if strings.Contains(string(out), "Did you mean") {
				t.Errorf("suggestion in %s", out)
			}
			if wantRejected := tc.wantCode != CodeValidationFailed; res.Rejected != wantRejected {
				t.Errorf("Rejected = %v, want %v", res.Rejected, wantRejected)
			}
			if n := statements.Load() - before; n != 0 {
				t.Errorf("%d statements ran", n)
			}
		})
	}

	// Within the limits, the measures are reported and the request runs.
	out, res := e.Execute(context.Background(), &Request{Query: `{ posts(limit: 10) { title comments(limit: 5) { content } } __typename }`}, nil)
	if res.Outcome != OutcomeOK || res.Cost != 71 || res.Depth != 2 {
		t.Errorf("outcome %v cost %d depth %d, want ok 71 2: %s", res.Outcome, res.Cost, res.Depth, out)
	}
	// Introspection is answered from memory: neither deep nor costly.
	ei := New(db, g, Options{Limits: lim, Introspection: true})
	out, res = ei.Execute(context.Background(), &Request{Query: introspectionQuery}, nil)
	if res.Outcome != OutcomeOK {
		t.Errorf("introspection refused: %.300s", out)
	}
}

// The query GraphiQL sends, trimmed to its deepest part.
const introspectionQuery = `query IntrospectionQuery { __schema { types { ...FullType } } }
fragment FullType on __Type { kind name fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } } }
fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`

func TestSuggestionsKeptByDefault(t *testing.T) {
	e := New(nil, loadBlog(t), Options{})
	out, _ := e.Execute(context.Background(), &Request{Query: `{ postz { id } }`}, nil)
	if !strings.Contains(string(out), "Did you mean") {
		t.Errorf("want a suggestion, got %s", out)
	}
}

// TestTimeoutCancelsStatements: the request timeout reaches the database
// as a cancelled context and the response says TIMEOUT.
func TestTimeoutCancelsStatements(t *testing.T) {
	g := loadBlog(t)
	ms, _ := model.Load("../../examples/blog/models.yaml")
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := testdb.Open(t, d)
			if _, err := migrate.Apply(context.Background(), db, ms); err != nil {
				t.Fatal(err)
			}
			e := New(db, g, Options{Timeout: time.Nanosecond})
			out, res := e.Execute(context.Background(), &Request{Query: `{ posts { id } }`}, nil)
			if res.ErrorCode != CodeTimeout || !strings.Contains(string(out), `"code":"TIMEOUT"`) {
				t.Errorf("code %q, body %s", res.ErrorCode, out)
			}
		})
	}
}

// TestPostgresSlowStatementCancelled: a statement outliving its context is
// cancelled on the server, not only abandoned by the client.
func TestPostgresSlowStatementCancelled(t *testing.T) {
	db := testdb.Connect(t, testdb.URL(t, database.Postgres), database.Options{StatementTimeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.AppendJSON(ctx, nil, `SELECT to_json(pg_sleep(30)) /* autogql-slow-probe */`)
	if err == nil {
		t.Fatal("the slow statement was not interrupted")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("interrupted after %s", d)
	}
	// The server stops the statement too.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int64
		err := db.QueryRows(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%autogql-slow-probe%' AND state = 'active' AND pid <> pg_backend_pid()`, nil,
			func(scan func(...any) error) error { return scan(&n) })
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the statement still runs on the server")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkExecuteLimits measures what the server's settings add to a
// cached request on SQLite (Q1 of PERFORMANCE.md): "plain" is the zero
// Options, "server" has the default limits, no suggestions and a request
// timeout (a context deadline per request). Both run under a cancellable
// context, as every HTTP request does (net/http cancels it when the client
// goes), so the driver's cancellation watch is paid by both.
func BenchmarkExecuteLimits(b *testing.B) {
	g := loadBlog(b)
	db := testdb.Open(b, database.SQLite)
	ms, _ := model.Load("../../examples/blog/models.yaml")
	if _, err := migrate.Apply(context.Background(), db, ms); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"plain", Options{}},
		{"limits", Options{Limits: DefaultLimits(), NoSuggestions: true}},
		{"server", Options{Limits: DefaultLimits(), NoSuggestions: true, Timeout: 30 * time.Second}},
	} {
		b.Run(c.name, func(b *testing.B) {
			e := New(db, g, c.opts)
			req := &Request{Query: benchQueries["q1_post_by_id"], Variables: map[string]any{"id": "1"}}
			buf := make([]byte, 0, 4096)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ReportAllocs()
			for b.Loop() {
				if _, res := e.Execute(ctx, req, buf[:0]); res.Outcome != OutcomeOK {
					b.Fatal(res)
				}
			}
		})
	}
}
