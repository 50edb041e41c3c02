package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func jsonBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

func deepQuery(n int) string {
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
	b.WriteString(strings.Repeat(" }", n+1))
	return b.String()
}

func manyFields(format string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// TestHostileRequests sends what an attacker would to a production
// server: every request gets the right 4xx with a message naming the limit
// (never a 5xx), and the server answers normally afterwards.
func TestHostileRequests(t *testing.T) {
	s := settings("production", "sqlite:"+filepath.Join(t.TempDir(), "h.db"))
	s.Database.AutoMigrate = true
	in := start(t, s, true)
	const gqlResp = "application/graphql-response+json"
	for _, tc := range []struct {
		name        string
		method      string
		contentType string
		path        string // default /graphql/
		body        string
		accept      string
		wantStatus  int
		wantInBody  string
	}{
		{"deep", "POST", "application/json", "", jsonBody(deepQuery(20), nil), "", 400, "20 levels deep, over the limit of 12 (max_depth)"},
		{"wide", "POST", "application/json", "", jsonBody("{"+manyFields(" f%d: posts_aggregate { count }", 25)+" }", nil), "", 400, "over the limit of"},
		{"wide without aliases", "POST", "application/json", "", jsonBody("{"+strings.Repeat(" posts_aggregate { count }", 25)+" }", nil), "", 400, "25 root fields, over the limit of 20 (max_root_fields)"},
		{"aliased", "POST", "application/json", "", jsonBody("{ post(id: 1) {"+manyFields(" a%d: title", 200)+" } }", nil), "", 400, "200 aliases, over the limit of 30 (max_aliases)"},
		{"token flood", "POST", "application/json", "", jsonBody("{ posts(limit: 1) {"+strings.Repeat(" id", 20000)+" } }", nil), "", 400, "over the limit of 10000 (max_tokens)"},
		{"10,000-deep list literal", "POST", "application/json", "", jsonBody("{ posts(filters: {id__in: "+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+"}) { id } }", nil), "", 400, "(max_tokens)"},
		{"costly", "POST", "application/json", "", jsonBody("{ posts { comments { author { comments { id } } } } }", nil), "", 400, "over the limit of 50000 (max_cost"},
		{"directive flood", "POST", "application/json", "", jsonBody("{ posts(limit: 1) {"+strings.Repeat(" id @include(if: true)", 60)+" } }", nil), "", 400, "60 directives, over the limit of 50 (max_directives)"},
		{"huge variables", "POST", "application/json", "", jsonBody("query($q: String) { posts(quick: $q) { id } }", map[string]any{"q": strings.Repeat("x", 300<<10)}), "", 400, "(max_variables_bytes)"},
		{"huge body", "POST", "application/json", "", `{"query":"` + strings.Repeat("x", 2<<20) + `"}`, "", 413, "larger than the limit of 1048576 bytes"},
		{"form post", "POST", "application/x-www-form-urlencoded", "", "query=%7B+posts+%7B+id+%7D+%7D", "", 415, "unsupported Content-Type"},
		{"text post", "POST", "text/plain", "", `{"query":"{ posts { id } }"}`, "", 415, "unsupported Content-Type"},
		{"GET mutation", "GET", "", "/graphql/?query=" + url.QueryEscape(`mutation { delete_post(id: 1) { ok } }`), "", "", 405, "only queries are allowed over GET"},
		{"cyclic fragments", "POST", "application/json", "", jsonBody("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }", nil), gqlResp, 400, "Cannot spread fragment"},
		{"malformed JSON", "POST", "application/json", "", `{"query": "{ posts { id } }"`, "", 400, "BAD_USER_INPUT"},
		{"no suggestions in production", "POST", "application/json", "", jsonBody("{ postz { id } }", nil), gqlResp, 400, `on type \"Query\".","locations"`},
		{"introspection off in production", "POST", "application/json", "", jsonBody("{ __schema { types { name } } }", nil), gqlResp, 400, "introspection is disabled"},
		{"no GraphiQL in production", "GET", "", "/graphql/", "", "text/html", 406, "none of the media types in Accept"},
		{"no SDL in production", "GET", "", "/schema.graphql", "", "", 404, ""},
		{"wrong method", "DELETE", "", "", "", "", 405, "method DELETE is not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = "/graphql/"
			}
			var hdr []string
			if tc.accept != "" {
				hdr = []string{"Accept", tc.accept}
			}
			r := do(t, tc.method, in.base+path, tc.contentType, tc.body, hdr...)
			if r.status != tc.wantStatus {
				t.Errorf("status %d, want %d; body %.300s", r.status, tc.wantStatus, r.body)
			}
			if !strings.Contains(r.body, tc.wantInBody) {
				t.Errorf("body %.400s\ndoes not contain %q", r.body, tc.wantInBody)
			}
			if strings.Contains(r.body, "Did you mean") {
				t.Errorf("suggestion leaked: %.300s", r.body)
			}
			if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers missing: %v", r.header)
			}
		})
	}
	// Still healthy and serving.
	if r := do(t, "GET", in.base+"/readyz", "", ""); r.status != 200 {
		t.Errorf("readyz after the hostile suite: %d", r.status)
	}
	if r := gql(t, in.base, `{"query":"{ post(id: 1) { id } }"}`); r.status != 200 || r.body != `{"data":{"post":{"id":"1"}}}` {
		t.Errorf("normal query after the hostile suite: %d %s", r.status, r.body)
	}
	if strings.Contains(in.logs.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", in.logs.String())
	}
}

// TestSecurityHeadersAndCORS: HSTS only over TLS via a trusted proxy; CORS
// answers listed origins only.
func TestSecurityHeadersAndCORS(t *testing.T) {
	s := settings("production", "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	s.Database.AutoMigrate = true
	s.Server.TrustedProxies = []string{"127.0.0.1"}
	s.Server.CORS.AllowedOrigins = []string{"https://app.example.com"}
	in := start(t, s, false)
	body := `{"query":"{ posts_aggregate { count } }"}`

	if r := gql(t, in.base, body); r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	if r := gql(t, in.base, body, "X-Forwarded-Proto", "https"); !strings.HasPrefix(r.header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS behind a trusted TLS proxy: %v", r.header)
	}
	r := do(t, "OPTIONS", in.base+"/graphql/", "", "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from an allowed origin: %d %v", r.status, r.header)
	}
	r = do(t, "OPTIONS", in.base+"/graphql/", "", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if r.status != 403 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", r.status, r.header)
	}
	r = gql(t, in.base, body, "Origin", "https://evil.example")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS header for an unlisted origin: %v", r.header)
	}
	r = gql(t, in.base, body, "Origin", "https://app.example.com")
	if r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("no CORS header for a listed origin: %v", r.header)
	}
}
