package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/engine"
)

const (
	gqlResponseType = "application/graphql-response+json; charset=utf-8"
	jsonType        = "application/json; charset=utf-8"
	testRequestID   = "test-req.1"
)

// errBody is the body writeError produces for a message, with the test's
// request ID.
func errBody(code, message string) string {
	return `{"errors":[{"message":` + quote(message) + `,"extensions":{"code":"` + code + `","request_id":"` + testRequestID + `"}}]}`
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

func badInput(message string) string { return errBody("BAD_USER_INPUT", message) }

type httpCase struct {
	name    string
	opts    *Options // nil: GraphiQL and Introspection on
	method  string
	target  string
	header  http.Header
	body    string
	chunked bool // send the body without a Content-Length

	wantStatus int
	wantType   string
	wantAllow  string
	wantBody   string // exact; "" skips the check
	wantHeader http.Header
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

var jsonPost = hdr("Content-Type", "application/json")

func post(accept string) http.Header {
	h := hdr("Content-Type", "application/json")
	if accept != "" {
		h.Set("Accept", accept)
	}
	return h
}

func get(query string, extra ...string) string {
	v := url.Values{"query": {query}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return "/graphql/?" + v.Encode()
}

func (tc httpCase) run(t *testing.T, exec Executor) {
	t.Helper()
	opts := Options{GraphiQL: true, Introspection: true}
	if tc.opts != nil {
		opts = *tc.opts
	}
	h := New(exec, opts)
	var body io.Reader = strings.NewReader(tc.body)
	if tc.chunked {
		body = io.MultiReader(body) // hides the length from NewRequest
	}
	method := tc.method
	if method == "" {
		method = http.MethodPost
	}
	req := httptest.NewRequest(method, tc.target, body)
	if tc.chunked {
		req.ContentLength = -1
	}
	for k, vs := range tc.header {
		req.Header[k] = vs
	}
	if req.Header.Get(RequestIDHeader) == "" {
		req.Header.Set(RequestIDHeader, testRequestID)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	got, _ := io.ReadAll(res.Body)

	if res.StatusCode != tc.wantStatus {
		t.Errorf("status = %d, want %d; body %s", res.StatusCode, tc.wantStatus, got)
	}
	if ct := res.Header.Get("Content-Type"); ct != tc.wantType {
		t.Errorf("Content-Type = %q, want %q", ct, tc.wantType)
	}
	if allow := res.Header.Get("Allow"); allow != tc.wantAllow {
		t.Errorf("Allow = %q, want %q", allow, tc.wantAllow)
	}
	if tc.wantBody != "" {
		if diff := cmp.Diff(tc.wantBody, string(got)); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	}
	for k := range tc.wantHeader {
		if g, w := res.Header.Get(k), tc.wantHeader.Get(k); g != w {
			t.Errorf("%s = %q, want %q", k, g, w)
		}
	}
	if id := res.Header.Get(RequestIDHeader); id == "" {
		t.Errorf("no %s in the response", RequestIDHeader)
	}
}

func TestGraphQLEndpoint(t *testing.T) {
	const (
		hello       = `{"query":"{ hello }"}`
		helloData   = `{"data":{"hello":"world"}}`
		parseErr    = `{"errors":[{"message":"Expected Name, found \u003cEOF\u003e","extensions":{"code":"GRAPHQL_PARSE_FAILED","request_id":"test-req.1"}}]}`
		validErr    = `{"errors":[{"message":"Cannot query field \"nope\" on type \"Query\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED","request_id":"test-req.1"}}]}`
		mutationErr = `{"errors":[{"message":"mutation operations are not allowed over GET: use POST","extensions":{"code":"BAD_USER_INPUT","request_id":"test-req.1"}}]}`
	)
	tests := []httpCase{
		// Media types.
		{name: "accept graphql-response+json", header: post("application/graphql-response+json"), body: hello,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},
		{name: "accept application/json", header: post("application/json"), body: hello,
			wantStatus: 200, wantType: jsonType, wantBody: helloData},
		{name: "no accept means graphql-response+json after the watershed", header: post(""), body: hello,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},
		{name: "wildcard accept keeps legacy json", header: post("*/*"), body: hello,
			wantStatus: 200, wantType: jsonType, wantBody: helloData},
		{name: "application wildcard keeps legacy json", header: post("application/*"), body: hello,
			wantStatus: 200, wantType: jsonType, wantBody: helloData},
		{name: "recommended client accept", header: post("application/graphql-response+json, application/json;q=0.9"), body: hello,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},
		{name: "both named at equal quality", header: post("application/json, application/graphql-response+json"), body: hello,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},
		{name: "quality decides", header: post("application/graphql-response+json;q=0.5, application/json"), body: hello,
			wantStatus: 200, wantType: jsonType, wantBody: helloData},
		{name: "q=0 refuses a type", header: post("application/graphql-response+json;q=0, */*"), body: hello,
			wantStatus: 200, wantType: jsonType, wantBody: helloData},
		{name: "accept nothing we produce", header: post("text/plain"), body: hello,
			wantStatus: 406, wantType: jsonType,
			wantBody: badInput("none of the media types in Accept can be produced: accept application/graphql-response+json or application/json")},
		{name: "accept another charset only", header: post("application/json; charset=utf-16"), body: hello,
			wantStatus: 406, wantType: jsonType},

		// Request content types.
		{name: "content-type with utf-8 charset", header: hdr("Content-Type", "application/json; charset=UTF-8"), body: hello,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},
		{name: "text/plain body refused", header: hdr("Content-Type", "text/plain"), body: hello,
			wantStatus: 415, wantType: gqlResponseType, wantBody: badInput(`unsupported Content-Type "text/plain": send application/json`)},
		{name: "form post refused", header: hdr("Content-Type", "application/x-www-form-urlencoded"), body: "query=%7Bhello%7D",
			wantStatus: 415, wantType: gqlResponseType},
		{name: "other charset refused", header: hdr("Content-Type", "application/json; charset=latin1"), body: hello,
			wantStatus: 415, wantType: gqlResponseType},
		{name: "missing content-type refused", header: hdr("Accept", "application/json"), body: hello,
			wantStatus: 415, wantType: jsonType, wantBody: badInput("request has no Content-Type: send application/json")},

		// Body size.
		{name: "body over the limit", opts: &Options{MaxBodyBytes: 16}, header: jsonPost, body: hello,
			wantStatus: 413, wantType: gqlResponseType, wantBody: badInput("request body is larger than the limit of 16 bytes")},
		{name: "chunked body over the limit", opts: &Options{MaxBodyBytes: 16}, header: jsonPost, body: hello, chunked: true,
			wantStatus: 413, wantType: gqlResponseType, wantBody: badInput("request body is larger than the limit of 16 bytes")},
		{name: "body at the limit", opts: &Options{MaxBodyBytes: int64(len(hello))}, header: jsonPost, body: hello, chunked: true,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},

		// Malformed requests: 400 whatever the media type.
		{name: "malformed JSON", header: post("application/json"), body: `{ "not a JSON`,
			wantStatus: 400, wantType: jsonType, wantBody: badInput("request body is not valid JSON: unexpected end of input")},
		{name: "malformed JSON syntax", header: post("application/graphql-response+json"), body: `{"query": x}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput("request body is not valid JSON: invalid character 'x' looking for beginning of value")},
		{name: "empty body", header: jsonPost, body: ``,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`request body is empty: send a JSON object with a "query"`)},
		{name: "body not an object", header: jsonPost, body: `["{ hello }"]`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput("request body must be a JSON object")},
		{name: "missing query", header: jsonPost, body: `{"qeury":"{ hello }"}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`request has no "query": send the GraphQL document as a string`)},
		{name: "null query", header: jsonPost, body: `{"query":null}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`request has no "query": send the GraphQL document as a string`)},
		{name: "query keys are case-sensitive", header: jsonPost, body: `{"Query":"{ hello }"}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`request has no "query": send the GraphQL document as a string`)},
		{name: "query not a string", header: jsonPost, body: `{"query":{"obj":"ect"}}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"query" must be a string, not an object`)},
		{name: "variables not an object", header: jsonPost, body: `{"query":"{ hello }","variables":["array"]}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"variables" must be a JSON object or null, not an array`)},
		{name: "variables a string", header: post("application/json"), body: `{"query":"{ hello }","variables":"{}"}`,
			wantStatus: 400, wantType: jsonType, wantBody: badInput(`"variables" must be a JSON object or null, not a string`)},
		{name: "operationName not a string", header: jsonPost, body: `{"query":"{ hello }","operationName":0}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"operationName" must be a string or null, not a number`)},
		{name: "extensions not an object", header: jsonPost, body: `{"query":"{ hello }","extensions":false}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"extensions" must be a JSON object or null, not a boolean`)},
		{name: "trailing garbage", header: jsonPost, body: `{"query":"{ hello }"} {}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput("request body has data after the JSON object")},
		{name: "null parameters and extensions allowed", header: jsonPost,
			body:       `{"query":"{ hello }","variables":null,"operationName":null,"extensions":{"some":"value"},"unknown":[1]}`,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},

		// GraphQL request errors: 400 with the new media type, 200 with legacy JSON.
		{name: "parse error graphql-response+json", header: post("application/graphql-response+json"), body: `{"query":"{"}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: parseErr},
		{name: "parse error application/json", header: post("application/json"), body: `{"query":"{"}`,
			wantStatus: 200, wantType: jsonType, wantBody: parseErr},
		{name: "validation error graphql-response+json", header: post("application/graphql-response+json"), body: `{"query":"{ nope }"}`,
			wantStatus: 400, wantType: gqlResponseType, wantBody: validErr},
		{name: "validation error application/json", header: post("application/json"), body: `{"query":"{ nope }"}`,
			wantStatus: 200, wantType: jsonType, wantBody: validErr},
		{name: "variable coercion error", header: post("application/graphql-response+json"),
			body:       `{"query":"query Q($n: String!) { __type(name: $n) { name } }","variables":{"n":null}}`,
			wantStatus: 400, wantType: gqlResponseType,
			wantBody: `{"errors":[{"message":"cannot be null","extensions":{"code":"BAD_USER_INPUT","request_id":"test-req.1"}}]}`},
		{name: "operationName selects", header: jsonPost,
			body:       `{"query":"query A { hello } query B { __typename }","operationName":"B"}`,
			wantStatus: 200, wantType: gqlResponseType, wantBody: `{"data":{"__typename":"Query"}}`},
		{name: "mutation over POST", header: jsonPost, body: `{"query":"mutation { noop }"}`,
			wantStatus: 200, wantType: gqlResponseType, wantBody: `{"data":{"noop":true}}`},
		{name: "no /graphql trailing slash", target: "/graphql", header: jsonPost, body: hello,
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},

		// GET.
		{name: "GET query", method: "GET", target: get("{ hello }"), header: hdr("Accept", "application/graphql-response+json"),
			wantStatus: 200, wantType: gqlResponseType, wantBody: helloData},
		{name: "GET with variables", method: "GET",
			target:     get(`query T($name: String!) { __type(name: $name) { name } }`, "variables", `{"name":"Query"}`, "operationName", "T"),
			wantStatus: 200, wantType: gqlResponseType, wantBody: `{"data":{"__type":{"name":"Query"}}}`},
		{name: "GET without query", method: "GET", target: "/graphql/", header: hdr("Accept", "application/json"),
			wantStatus: 400, wantType: jsonType, wantBody: badInput(`request has no "query" parameter: send the GraphQL document in it`)},
		{name: "GET variables not JSON", method: "GET", target: get("{ hello }", "variables", "{"),
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"variables" parameter is not valid JSON`)},
		{name: "GET variables not an object", method: "GET", target: get("{ hello }", "variables", "[1]"),
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"variables" must be a JSON object or null, not an array`)},
		{name: "GET extensions not an object", method: "GET", target: get("{ hello }", "extensions", `"x"`),
			wantStatus: 400, wantType: gqlResponseType, wantBody: badInput(`"extensions" must be a JSON object or null, not a string`)},
		{name: "GET mutation is 405", method: "GET", target: get("mutation { noop }"), header: hdr("Accept", "application/json"),
			wantStatus: 405, wantType: jsonType, wantAllow: "POST", wantBody: mutationErr},
		{name: "GET mutation is 405 with graphql-response+json", method: "GET", target: get("mutation { noop }"),
			wantStatus: 405, wantType: gqlResponseType, wantAllow: "POST", wantBody: mutationErr},

		// Methods.
		{name: "PUT is 405", method: "PUT", header: jsonPost, body: hello,
			wantStatus: 405, wantType: gqlResponseType, wantAllow: "GET, POST", wantBody: badInput("method PUT is not allowed: use GET or POST")},
		{name: "DELETE without slash is 405", method: "DELETE", target: "/graphql", header: hdr("Accept", "application/json"),
			wantStatus: 405, wantType: jsonType, wantAllow: "GET, POST", wantBody: badInput("method DELETE is not allowed: use GET or POST")},

		// GraphiQL.
		{name: "browser gets GraphiQL", method: "GET", target: "/graphql/",
			header:     hdr("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
			wantStatus: 200, wantType: "text/html; charset=utf-8",
			wantHeader: hdr("X-Frame-Options", "DENY", "Cache-Control", "no-cache")},
		{name: "browser without GraphiQL gets GraphQL", opts: &Options{}, method: "GET", target: "/graphql/",
			header:     hdr("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
			wantStatus: 400, wantType: jsonType, wantBody: badInput(`request has no "query" parameter: send the GraphQL document in it`)},
		{name: "client preferring JSON over HTML gets GraphQL", method: "GET", target: get("{ hello }"),
			header:     hdr("Accept", "application/json, text/html;q=0.5"),
			wantStatus: 200, wantType: jsonType, wantBody: helloData},
	}
	exec := newEngineDouble()
	for _, tc := range tests {
		if tc.target == "" {
			tc.target = "/graphql/"
		}
		t.Run(tc.name, func(t *testing.T) { tc.run(t, exec) })
	}
}

func TestOtherEndpoints(t *testing.T) {
	notReady := errors.New("database unreachable")
	tests := []httpCase{
		{name: "healthz", method: "GET", target: "/healthz",
			wantStatus: 200, wantType: jsonType, wantBody: `{"status":"ok"}`},
		{name: "readyz without a check", method: "GET", target: "/readyz",
			wantStatus: 200, wantType: jsonType, wantBody: `{"status":"ok"}`},
		{name: "readyz ready", opts: &Options{Ready: func(context.Context) error { return nil }}, method: "GET", target: "/readyz",
			wantStatus: 200, wantType: jsonType, wantBody: `{"status":"ok"}`},
		{name: "readyz not ready hides the reason", opts: &Options{Ready: func(context.Context) error { return notReady }},
			method: "GET", target: "/readyz",
			wantStatus: 503, wantType: jsonType, wantBody: `{"status":"unavailable"}`},
		{name: "schema.graphql", method: "GET", target: "/schema.graphql",
			wantStatus: 200, wantType: "text/plain; charset=utf-8", wantBody: doubleSDL},
		{name: "schema.graphql without introspection", opts: &Options{}, method: "GET", target: "/schema.graphql",
			wantStatus: 404, wantType: "text/plain; charset=utf-8"},
		{name: "asset", method: "GET", target: "/graphiql/assets/autogql/init.js",
			wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantHeader: hdr("Cache-Control", "no-cache")},
		{name: "assets need GraphiQL", opts: &Options{}, method: "GET", target: "/graphiql/assets/autogql/init.js",
			wantStatus: 404, wantType: "text/plain; charset=utf-8"},
		{name: "unknown asset", method: "GET", target: "/graphiql/assets/nope.js",
			wantStatus: 404, wantType: "text/plain; charset=utf-8"},
		{name: "subpaths of /graphql/ are not the endpoint", target: "/graphql/other/", header: jsonPost, body: `{"query":"{ hello }"}`,
			wantStatus: 404, wantType: "text/plain; charset=utf-8"},
	}
	exec := newEngineDouble()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, exec) })
	}
}

func TestRequestIDs(t *testing.T) {
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	h := New(newEngineDouble(), Options{})
	for _, tt := range []struct {
		name, in string
		echoed   bool
	}{
		{"valid is echoed", "abc-DEF_1.2", true},
		{"64 characters is echoed", strings.Repeat("a", 64), true},
		{"65 characters is replaced", strings.Repeat("a", 65), false},
		{"bad characters are replaced", "abc def", false},
		{"header injection is replaced", "a\r\nSet-Cookie: x", false},
		{"missing is generated", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/healthz", nil)
			if tt.in != "" {
				req.Header.Set(RequestIDHeader, tt.in)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(RequestIDHeader)
			if tt.echoed && got != tt.in {
				t.Errorf("%s = %q, want %q", RequestIDHeader, got, tt.in)
			}
			if !tt.echoed && !generated.MatchString(got) {
				t.Errorf("%s = %q, want 32 generated hex digits", RequestIDHeader, got)
			}
		})
	}
}

// recorder is an Executor that records the request it is given.
type recorder struct {
	got  engine.Request
	body string
	res  engine.Result
	pan  any
}

func (r *recorder) SDL() string { return "" }

func (r *recorder) Execute(_ context.Context, req *engine.Request, dst []byte) ([]byte, engine.Result) {
	if r.pan != nil {
		panic(r.pan)
	}
	r.got = *req
	return append(dst, r.body...), r.res
}

func TestRequestReachesExecutor(t *testing.T) {
	tests := []struct {
		name   string
		method string
		target string
		body   string
		want   engine.Request
	}{
		{
			name:   "POST keeps numbers exact",
			method: "POST",
			body:   `{"query":"query Q($n: Int) { a }","operationName":"Q","variables":{"n":12345678901234567890,"f":1.50,"s":"x","l":[1,{"k":null}]}}`,
			want: engine.Request{Query: "query Q($n: Int) { a }", OperationName: "Q", RequestID: testRequestID, Variables: map[string]any{
				"n": jsonNumber("12345678901234567890"), "f": jsonNumber("1.50"), "s": "x",
				"l": []any{jsonNumber("1"), map[string]any{"k": nil}},
			}},
		},
		{
			name:   "GET is read-only",
			method: "GET",
			target: get("{ a }", "variables", `{"n":1}`, "operationName", "X"),
			want:   engine.Request{Query: "{ a }", OperationName: "X", ReadOnly: true, RequestID: testRequestID, Variables: map[string]any{"n": jsonNumber("1")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{body: `{"data":{}}`}
			target := tt.target
			if target == "" {
				target = "/graphql/"
			}
			req := httptest.NewRequest(tt.method, target, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(RequestIDHeader, testRequestID)
			w := httptest.NewRecorder()
			New(rec, Options{}).ServeHTTP(w, req)
			if w.Code != 200 {
				t.Fatalf("status = %d, body %s", w.Code, w.Body)
			}
			if diff := cmp.Diff(tt.want, rec.got); diff != "" {
				t.Errorf("engine.Request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecutorPanicIsInternalError(t *testing.T) {
	var logs bytes.Buffer
	h := New(&recorder{pan: "boom"}, Options{Logger: newTestLogger(&logs)})
	tc := httpCase{
		header: post("application/json"), body: `{"query":"{ a }"}`,
		wantStatus: 500, wantType: jsonType, wantBody: errBody("INTERNAL_SERVER_ERROR", "internal server error"),
	}
	req := httptest.NewRequest("POST", "/graphql/", strings.NewReader(tc.body))
	req.Header = tc.header.Clone()
	req.Header.Set(RequestIDHeader, testRequestID)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != tc.wantStatus || rec.Body.String() != tc.wantBody {
		t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tc.wantStatus, tc.wantBody)
	}
	if !strings.Contains(logs.String(), `"msg":"graphql execution panicked"`) || !strings.Contains(logs.String(), `"panic":"boom"`) {
		t.Errorf("panic not logged: %s", logs.String())
	}
}
