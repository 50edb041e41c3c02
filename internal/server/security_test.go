package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/cli"
	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

const secureModels = "testdata/secure/models.yaml"

var secureSecret = "sec-test-secret-0123456789abcdef-0123456789"

// secureEnv is a production server over the secure models with every
// credential kind configured: HS256 tokens, RS256 tokens from a JWKS file
// (kid r1), API keys and built-in users.
type secureEnv struct {
	in     *instance
	dbURL  string
	rsaKey *rsa.PrivateKey
	s      *config.Config
}

var testRSA = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func writeJWKS(t *testing.T, dir string, pub *rsa.PublicKey) string {
	t.Helper()
	doc, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "r1", "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}}})
	path := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func startSecure(t *testing.T, d database.Dialect, mutate func(*config.Config)) *secureEnv {
	t.Helper()
	dbURL := testdb.URL(t, d)
	s := settings("production", dbURL)
	s.Models = secureModels
	s.Database.AutoMigrate = true
	s.Security.ClosedByDefault = true
	s.RateLimit.Enabled = false
	s.Security.JWTSecret = config.Secret(secureSecret)
	s.Security.JWTAlgorithms = []string{"HS256", "RS256"}
	s.Security.JWKSFile = writeJWKS(t, t.TempDir(), &testRSA.PublicKey)
	s.Security.JWTAudience = "autogql-test"
	s.Security.JWTIssuer = "https://issuer.test"
	s.Security.ClockSkew = 5 * time.Second
	s.Security.Users.Enabled = true
	s.Security.Users.Register = true
	s.Security.Users.RegisterRoles = []string{"reader"}
	s.Metrics.Enabled = true
	if mutate != nil {
		mutate(s)
	}
	return &secureEnv{in: start(t, s, true), dbURL: dbURL, rsaKey: testRSA, s: s}
}

// token signs claims (sub, roles, with valid iss/aud/exp unless
// overridden; a nil value removes a claim).
func token(t *testing.T, method jwt.SigningMethod, key any, kid string, over map[string]any) string {
	t.Helper()
	c := jwt.MapClaims{"iss": "https://issuer.test", "aud": "autogql-test", "iat": time.Now().Add(-time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hsToken(t *testing.T, sub string, roles ...string) string {
	return token(t, jwt.SigningMethodHS256, []byte(secureSecret), "", map[string]any{"sub": sub, "roles": roles})
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func body(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

// norm parses a response and drops what varies per request (request ids,
// locations), so whole bodies compare.
func norm(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "request_id")
			delete(x, "locations")
			for _, e := range x {
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(v)
	return v
}

func forbidden(msg, path string) string {
	return `{"errors":[{"message":` + fmt.Sprintf("%q", msg) + `,"path":["` + path + `"],"extensions":{"code":"FORBIDDEN"}}],"data":null}`
}

// createKey makes an API key with the CLI, as an operator would.
func createKey(t *testing.T, dbURL string, roles string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Main([]string{"apikey", "create", "--models", secureModels, "--database", dbURL, "--name", "test", "--roles", roles}, &out, &errb); code != 0 {
		t.Fatalf("apikey create: %d %s", code, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// TestPermissionMatrixOverHTTP is the permission matrix of issue 8 on
// both databases, through HTTP with real credentials: every role's reads
// (root, nested, counts, aggregates, groups, totals, relation filters) see
// only the rows their rules allow, hidden rows never leak as counts or
// sums, writes cannot reach other users' rows or forbidden fields, and
// presets cannot be overridden.
func TestPermissionMatrixOverHTTP(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := startSecure(t, d, nil)
			base := env.in.base
			anon := []string(nil)
			u1 := bearer(hsToken(t, "u1"))
			u2 := bearer(hsToken(t, "u2"))
			editor := bearer(token(t, jwt.SigningMethodRS256, env.rsaKey, "r1", map[string]any{"sub": "u3", "roles": []string{"editor"}}))
			reader := bearer(hsToken(t, "u1", "reader"))
			key := []string{"X-API-Key", createKey(t, env.dbURL, "editor")}
			reads := []struct {
				name  string
				who   []string
				query string
				want  string
			}{
				{"anonymous sees published posts", anon, `{ posts { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`},
				{"u1 also sees its drafts", u1, `{ posts { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"4"}]}}`},
				{"u2 also sees its drafts", u2, `{ posts { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"3"},{"id":"4"}]}}`},
				{"editor (RS256 token) sees every post", editor, `{ posts { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"3"},{"id":"4"}]}}`},
				{"API key with the editor role", key, `{ posts { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"3"},{"id":"4"}]}}`},
				{"by id outside the filter is null", anon, `{ post(id: 2) { id } }`, `{"data":{"post":null}}`},
				{"nested lists and counts", anon, `{ authors { name posts { id } posts_count } }`,
					`{"data":{"authors":[{"name":"Ann","posts":[{"id":"1"}],"posts_count":1},{"name":"Bob","posts":[{"id":"4"}],"posts_count":1}]}}`},
				{"comments of hidden posts stay hidden, nested and counted", anon, `{ posts { id comments { id } comments_count } }`,
					`{"data":{"posts":[{"id":"1","comments":[{"id":"1"}],"comments_count":1},{"id":"4","comments":[],"comments_count":0}]}}`},
				{"comments at the root", anon, `{ comments { id } }`, `{"data":{"comments":[{"id":"1"}]}}`},
				{"u1 reads comments on its drafts", u1, `{ comments { id } }`, `{"data":{"comments":[{"id":"1"},{"id":"2"}]}}`},
				{"aggregates count and sum visible rows only", anon, `{ posts_aggregate { count sum { views } max { views } } }`,
					`{"data":{"posts_aggregate":{"count":2,"sum":{"views":"11"},"max":{"views":10}}}}`},
				{"aggregate not granted", anon, `{ comments_aggregate { count } }`, forbidden("role anonymous may not aggregate Comment", "comments_aggregate")},
				{"groups", anon, `{ posts_groups(group_by: "owner", order_by: "key") { key count } }`,
					`{"data":{"posts_groups":[{"key":"u1","count":1},{"key":"u2","count":1}]}}`},
				{"page totals", anon, `{ posts_pages(per_page: 10) { page_info { total_count } } }`, `{"data":{"posts_pages":{"page_info":{"total_count":2}}}}`},
				{"connection totals", anon, `{ posts_connection(first: 1) { total_count } }`, `{"data":{"posts_connection":{"total_count":2}}}`},
				{"relation filters", anon, `{ authors(filters: {posts__title__icontains: "draft"}) { name } }`, `{"data":{"authors":[]}}`},
				{"count filters", anon, `{ authors(filters: {posts_count__gte: 2}) { name } }`, `{"data":{"authors":[]}}`},
				{"include cannot reach around the filter", anon, `{ posts(include: ["2", "3"]) { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`},
				{"unreadable field", anon, `{ authors { email } }`, forbidden("Author.email is not readable by role anonymous", "authors")},
				{"authenticated reads every author field", u1, `{ author(id: 1) { email } }`, `{"data":{"author":{"email":"ann@example.com"}}}`},
				{"a model without rules is closed in production", editor, `{ secrets { value } }`,
					forbidden("Secret declares no permissions, and models without rules are closed in this environment", "secrets")},
				{"role page cap", reader, `{ posts(limit: 10) { id } }`, `{"data":{"posts":[{"id":"1"}]}}`},
			}
			for _, tc := range reads {
				t.Run("read/"+tc.name, func(t *testing.T) {
					r := gql(t, base, body(tc.query, nil), tc.who...)
					if diff := cmp.Diff(norm(t, tc.want), norm(t, r.body)); diff != "" {
						t.Errorf("%s (-want +got):\n%s", tc.query, diff)
					}
				})
			}
			writes := []struct {
				name  string
				who   []string
				query string
				want  string
			}{
				{"anonymous may not create", anon, `mutation { create_post(input: {title: "x", author: 1}) { ok } }`,
					forbidden("role anonymous may not create Post", "create_post")},
				{"create gets the preset owner", u1, `mutation { create_post(input: {title: "new", author: 1}) { ok object { id title owner } } }`,
					`{"data":{"create_post":{"ok":true,"object":{"id":"5","title":"new","owner":"u1"}}}}`},
				{"presets cannot be overridden", u1, `mutation { create_post(input: {title: "x", author: 1, owner: "u2"}) { ok errors { field code } } }`,
					`{"data":{"create_post":{"ok":false,"errors":[{"field":"owner","code":"forbidden"}]}}}`},
				{"another user's row is not found", u1, `mutation { update_post(id: 3, input: {title: "mine"}) { ok errors { field code } } }`,
					`{"data":{"update_post":{"ok":false,"errors":[{"field":"id","code":"not_found"}]}}}`},
				{"own row updates", u1, `mutation { update_post(id: 2, input: {title: "p2 edited"}) { ok object { title } } }`,
					`{"data":{"update_post":{"ok":true,"object":{"title":"p2 edited"}}}}`},
				{"fields outside the writable set", u1, `mutation { update_post(id: 2, input: {views: 5}) { ok errors { field code } } }`,
					`{"data":{"update_post":{"ok":false,"errors":[{"field":"views","code":"forbidden"}]}}}`},
				{"another user's row cannot be deleted", u1, `mutation { delete_post(id: 4) { ok errors { field code } } }`,
					`{"data":{"delete_post":{"ok":false,"errors":[{"field":"id","code":"not_found"}]}}}`},
				{"bulk is not granted", u1, `mutation { bulk_delete_post(ids: [2]) { ok } }`,
					forbidden("role authenticated may not use bulk mutations on Post", "bulk_delete_post")},
				{"editor updates any row", editor, `mutation { update_post(id: 3, input: {title: "p3 by editor"}) { ok object { title owner } } }`,
					`{"data":{"update_post":{"ok":true,"object":{"title":"p3 by editor","owner":"u2"}}}}`},
				{"editor has no delete of its own: only its own rows", editor, `mutation { delete_post(id: 3) { ok errors { field code } } }`,
					`{"data":{"delete_post":{"ok":false,"errors":[{"field":"id","code":"not_found"}]}}}`},
				{"a closed model cannot be written", editor, `mutation { create_secret(input: {value: "x"}) { ok } }`,
					forbidden("Secret declares no permissions, and models without rules are closed in this environment", "create_secret")},
			}
			for _, tc := range writes {
				t.Run("write/"+tc.name, func(t *testing.T) {
					r := gql(t, base, body(tc.query, nil), tc.who...)
					if diff := cmp.Diff(norm(t, tc.want), norm(t, r.body)); diff != "" {
						t.Errorf("%s (-want +got):\n%s", tc.query, diff)
					}
				})
			}
			r := gql(t, base, body(`{ posts { id title owner } }`, nil), editor...)
			want := `{"data":{"posts":[{"id":"1","title":"p1 public by u1","owner":"u1"},{"id":"2","title":"p2 edited","owner":"u1"},{"id":"3","title":"p3 by editor","owner":"u2"},{"id":"4","title":"p4 public by u2","owner":"u2"},{"id":"5","title":"new","owner":"u1"}]}}`
			if diff := cmp.Diff(norm(t, want), norm(t, r.body)); diff != "" {
				t.Errorf("rows after the writes (-want +got):\n%s", diff)
			}
			checkAudit(t, env)
		})
	}
}

// checkAudit: the committed writes have audit rows (actor, model, id,
// field names, never values); the refused ones have none; denials are
// security events.
func checkAudit(t *testing.T, env *secureEnv) {
	t.Helper()
	db := testdb.Connect(t, env.dbURL, database.Options{})
	ctx := context.Background()
	type row struct{ kind, event, actor, model, id, fields, detail string }
	read := func() []row {
		var out []row
		err := db.QueryRows(ctx, "SELECT kind, event, actor, model, object_id, fields, detail FROM autogql_audit ORDER BY id", nil, func(scan func(...any) error) error {
			var r row
			if err := scan(&r.kind, &r.event, &r.actor, &r.model, &r.id, &r.fields, &r.detail); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var rows []row
	waitFor(t, 5*time.Second, "denials in the audit table", func() bool {
		rows = read()
		n := 0
		for _, r := range rows {
			if r.event == "denied" {
				n++
			}
		}
		return n >= 5
	})
	var mutations []row
	for _, r := range rows {
		if r.kind == "mutation" {
			mutations = append(mutations, r)
		}
		for _, v := range []string{r.id, r.fields, r.detail} {
			if strings.Contains(v, "p2 edited") || strings.Contains(v, "p3 by editor") {
				t.Errorf("audit row %+v holds a written value", r)
			}
		}
	}
	want := []row{
		{"mutation", "create", "u1", "Post", "5", "author,title", ""},
		{"mutation", "update", "u1", "Post", "2", "title", ""},
		{"mutation", "update", "u3", "Post", "3", "title", ""},
	}
	if diff := cmp.Diff(want, mutations, cmp.AllowUnexported(row{})); diff != "" {
		t.Errorf("mutation audit rows (-want +got):\n%s", diff)
	}
}

// TestTokenRefusals: every bad credential is 401 UNAUTHENTICATED, never
// anonymous access.
func TestTokenRefusals(t *testing.T) {
	env := startSecure(t, database.SQLite, nil)
	base := env.in.base
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubDER, _ := x509.MarshalPKIXPublicKey(&env.rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs := func(over map[string]any) string {
		if over["sub"] == nil {
			over["sub"] = "u1"
		}
		return token(t, jwt.SigningMethodHS256, []byte(secureSecret), "", over)
	}
	none := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		p, _ := json.Marshal(map[string]any{"sub": "u1", "roles": []string{"editor"}, "iss": "https://issuer.test", "aud": "autogql-test", "exp": time.Now().Add(time.Hour).Unix()})
		return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
	}
	// Built-in user tokens for refresh-as-access and reuse.
	login := accounts(t, base, `mutation { register(username: "carol", password: "carols long password") { ok refresh_token access_token } }`)
	refresh1 := login["register"].(map[string]any)["refresh_token"].(string)
	revoked := createKey(t, env.dbURL, "editor")
	var out, errb bytes.Buffer
	if code := cli.Main([]string{"apikey", "revoke", strings.Split(revoked, "_")[1], "--models", secureModels, "--database", env.dbURL}, &out, &errb); code != 0 {
		t.Fatalf("revoke: %s", errb.String())
	}
	for _, tc := range []struct {
		name   string
		header []string
		path   string
		reason string
	}{
		{"expired", bearer(hs(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})), "", "the token has expired"},
		{"not yet valid", bearer(hs(map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})), "", "the token is not valid yet"},
		{"wrong audience", bearer(hs(map[string]any{"aud": "someone-else"})), "", "the token's audience is not accepted"},
		{"wrong issuer", bearer(hs(map[string]any{"iss": "https://evil.test"})), "", "the token's issuer is not accepted"},
		{"alg none", bearer(none()), "", "the token's algorithm is not accepted"},
		{"HS256 signed with the RSA public key", bearer(token(t, jwt.SigningMethodHS256, pubPEM, "r1", map[string]any{"sub": "u1", "roles": []string{"editor"}})), "", "the token's signature is not valid"},
		{"unknown kid", bearer(token(t, jwt.SigningMethodRS256, other, "r2", map[string]any{"sub": "u1"})), "", "the token's signing key is not known"},
		{"known kid, wrong key", bearer(token(t, jwt.SigningMethodRS256, other, "r1", map[string]any{"sub": "u1"})), "", "the token's signature is not valid"},
		{"refresh token as an access token", bearer(refresh1), "", "a refresh token is not an access token: trade it with refresh_token"},
		{"refresh-typed JWT", bearer(hs(map[string]any{"token_use": "refresh"})), "", "the token is not an access token"},
		{"revoked API key", []string{"X-API-Key", revoked}, "", "the API key has been revoked"},
		{"revoked API key as a bearer", bearer(revoked), "", "the API key has been revoked"},
		{"tampered API key", bearer(revoked[:len(revoked)-2] + "zz"), "", "the API key is not valid"},
		{"token in the query string", nil, "?access_token=" + url.QueryEscape(hs(map[string]any{})), "credentials are never read from the URL: send them in the Authorization header"},
		{"basic auth", []string{"Authorization", "Basic dTpw"}, "", "unsupported Authorization scheme: use Bearer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "POST", base+"/graphql/"+tc.path, "application/json", body(`{ posts { id } }`, nil), tc.header...)
			want := `{"errors":[{"message":` + fmt.Sprintf("%q", tc.reason) + `,"extensions":{"code":"UNAUTHENTICATED"}}]}`
			if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("status %d, WWW-Authenticate %q; want 401 Bearer", r.status, r.header.Get("WWW-Authenticate"))
			}
			if diff := cmp.Diff(norm(t, want), norm(t, r.body)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// accounts runs an operation at /auth/graphql and returns its data (the
// test fails on errors).
func accounts(t *testing.T, base, query string, header ...string) map[string]any {
	t.Helper()
	r := do(t, "POST", base+"/auth/graphql", "application/json", body(query, nil), header...)
	var v struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.body), &v); err != nil || len(v.Errors) > 0 || r.status != 200 {
		t.Fatalf("%s: %d %s", query, r.status, r.body)
	}
	return v.Data
}

// TestBuiltinUsers: register, login, me, rotation, reuse detection,
// refresh-as-access and lockout, through HTTP.
func TestBuiltinUsers(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			env := startSecure(t, d, func(s *config.Config) { s.Security.Users.MaxFailedLogins = 3 })
			base := env.in.base
			reg := accounts(t, base, `mutation { register(username: "Dora", password: "doras long password") { ok user { username roles } errors { field } } }`)
			if diff := cmp.Diff(map[string]any{"ok": true, "user": map[string]any{"username": "dora", "roles": []any{"reader"}}, "errors": []any{}}, reg["register"]); diff != "" {
				t.Errorf("register (-want +got):\n%s", diff)
			}
			weak := accounts(t, base, `mutation { register(username: "eve", password: "short") { ok errors { field code } } }`)
			if diff := cmp.Diff(map[string]any{"ok": false, "errors": []any{map[string]any{"field": "password", "code": "min_length"}}}, weak["register"]); diff != "" {
				t.Errorf("weak password (-want +got):\n%s", diff)
			}
			in := accounts(t, base, `mutation { login(username: "dora", password: "doras long password") { ok token_type expires_in access_token refresh_token user { id } } }`)["login"].(map[string]any)
			if in["token_type"] != "Bearer" || in["expires_in"] != float64(900) {
				t.Errorf("login payload %v", in)
			}
			access, refresh := in["access_token"].(string), in["refresh_token"].(string)
			me := accounts(t, base, `{ me { id username roles } }`, bearer(access)...)
			if diff := cmp.Diff(map[string]any{"id": in["user"].(map[string]any)["id"], "username": "dora", "roles": []any{"reader"}}, me["me"]); diff != "" {
				t.Errorf("me (-want +got):\n%s", diff)
			}
			// The access token works on the API, with the user's role (page cap 1).
			r := gql(t, base, body(`{ posts(limit: 5) { id } }`, nil), bearer(access)...)
			if diff := cmp.Diff(norm(t, `{"data":{"posts":[{"id":"1"}]}}`), norm(t, r.body)); diff != "" {
				t.Errorf("API with the access token (-want +got):\n%s", diff)
			}
			next := accounts(t, base, `mutation { refresh_token(refresh_token: "`+refresh+`") { refresh_token access_token } }`)["refresh_token"].(map[string]any)
			refresh2 := next["refresh_token"].(string)
			if refresh2 == refresh {
				t.Fatal("refresh token not rotated")
			}
			unauth := func(query string) {
				t.Helper()
				r := do(t, "POST", base+"/auth/graphql", "application/json", body(query, nil))
				var v struct {
					Errors []struct {
						Extensions map[string]string `json:"extensions"`
					} `json:"errors"`
					Data any `json:"data"`
				}
				json.Unmarshal([]byte(r.body), &v)
				if len(v.Errors) != 1 || v.Errors[0].Extensions["code"] != "UNAUTHENTICATED" || v.Data != nil {
					t.Errorf("%s: %s, want UNAUTHENTICATED", query, r.body)
				}
			}
			// Reusing the rotated token revokes the session: the newest
			// token stops working too.
			unauth(`mutation { refresh_token(refresh_token: "` + refresh + `") { ok } }`)
			unauth(`mutation { refresh_token(refresh_token: "` + refresh2 + `") { ok } }`)
			// Wrong passwords lock the account, even for the right one.
			for range 3 {
				unauth(`mutation { login(username: "dora", password: "wrong password") { ok } }`)
			}
			r = do(t, "POST", base+"/auth/graphql", "application/json", body(`mutation { login(username: "dora", password: "doras long password") { ok } }`, nil))
			if !strings.Contains(r.body, "too many failed logins") {
				t.Errorf("login while locked: %s", r.body)
			}
			// The schema of the generated API is untouched by the accounts.
			r = gql(t, base, body(`mutation { login(username: "dora", password: "x") { ok } }`, nil))
			if !strings.Contains(r.body, "GRAPHQL_VALIDATION_FAILED") {
				t.Errorf("login on /graphql/: %s", r.body)
			}
		})
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func apq(query, hash string) string {
	m := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		m["query"] = query
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestPersistedQueries: Apollo's automatic persisted queries: unknown
// hash, mismatched hash, registration, use by hash over POST and GET, and
// documents the engine refuses are never stored.
func TestPersistedQueries(t *testing.T) {
	env := startSecure(t, database.SQLite, nil)
	base := env.in.base
	q := `{ posts { id } }`
	h := sha(q)
	for _, tc := range []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"unknown hash", apq("", h), 400, `{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}`},
		{"mismatched hash", apq(q, sha("something else")), 400, `{"errors":[{"message":"provided sha does not match query","extensions":{"code":"BAD_USER_INPUT"}}]}`},
		{"a document that does not validate", apq(`{ nope }`, sha(`{ nope }`)), 400, ``},
		{"still unknown after it", apq("", sha(`{ nope }`)), 400, `{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}`},
		{"register", apq(q, h), 200, `{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`},
		{"by hash", apq("", h), 200, `{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`},
		{"bad version", `{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"` + h + `"}}}`, 400, `{"errors":[{"message":"extensions.persistedQuery.version must be 1","extensions":{"code":"BAD_USER_INPUT"}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, base, tc.body)
			if r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.want != "" {
				if diff := cmp.Diff(norm(t, tc.want), norm(t, r.body)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
	ext := url.QueryEscape(`{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`)
	r := do(t, "GET", base+"/graphql/?extensions="+ext, "", "")
	if diff := cmp.Diff(norm(t, `{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`), norm(t, r.body)); diff != "" {
		t.Errorf("GET by hash (-want +got):\n%s", diff)
	}
}

// TestTrustedDocuments: in enforced mode only the manifest's documents
// run (by hash or by text); others are refused, except for the bypass
// role.
func TestTrustedDocuments(t *testing.T) {
	trusted := `query Posts { posts { id } }`
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	doc, _ := json.Marshal(map[string]any{"format": "apollo-persisted-query-manifest", "version": 1,
		"operations": []map[string]string{{"id": sha(trusted), "name": "Posts", "type": "query", "body": trusted}}})
	os.WriteFile(manifest, doc, 0o600)
	env := startSecure(t, database.SQLite, func(s *config.Config) {
		s.Documents.Manifest = manifest
		s.Documents.Enforce = true
		s.Documents.BypassRoles = []string{"admin"}
	})
	base := env.in.base
	admin := bearer(hsToken(t, "root", "admin"))
	ok := `{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`
	refused := `{"errors":[{"message":"this document is not a trusted document: only the operations in the manifest may run (send one of them, or its hash in extensions.persistedQuery)","extensions":{"code":"FORBIDDEN"}}]}`
	for _, tc := range []struct {
		name   string
		body   string
		who    []string
		status int
		want   string
	}{
		{"allowed by hash", apq("", sha(trusted)), nil, 200, ok},
		{"allowed by text", body(trusted, nil), nil, 200, ok},
		{"unknown document", body(`{ posts { id title } }`, nil), nil, 403, refused},
		{"unknown hash", apq("", sha(`{ posts { title } }`)), nil, 400, `{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}`},
		{"mismatched hash", apq(trusted, sha("other")), nil, 400, `{"errors":[{"message":"provided sha does not match query","extensions":{"code":"BAD_USER_INPUT"}}]}`},
		{"bypass role", body(`{ posts { id title } }`, nil), admin, 200, `{"data":{"posts":[{"id":"1","title":"p1 public by u1"},{"id":"2","title":"p2 draft by u1"},{"id":"3","title":"p3 draft by u2"},{"id":"4","title":"p4 public by u2"}]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, base, tc.body, tc.who...)
			if r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if diff := cmp.Diff(norm(t, tc.want), norm(t, r.body)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoginBudget: logins draw from their own budget: past it, 429 with
// Retry-After and RATE_LIMITED, counted in autogql_rate_limited_total.
func TestLoginBudget(t *testing.T) {
	env := startSecure(t, database.SQLite, func(s *config.Config) {
		s.RateLimit.Enabled = true
		s.RateLimit.Login, s.RateLimit.LoginBurst = "3/m", 3
		s.RateLimit.User, s.RateLimit.UserBurst = "2/m", 2
	})
	base := env.in.base
	for i := range 4 {
		r := do(t, "POST", base+"/auth/graphql", "application/json", body(`mutation { login(username: "nobody", password: "whatever pw") { ok } }`, nil))
		if i < 3 {
			if r.status != 200 || !strings.Contains(r.body, "UNAUTHENTICATED") {
				t.Fatalf("login %d: %d %s", i+1, r.status, r.body)
			}
			continue
		}
		if r.status != 429 || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, `"code":"RATE_LIMITED"`) {
			t.Fatalf("login past the budget: %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	// The API's own budget is separate.
	if r := gql(t, base, body(`{ posts { id } }`, nil)); r.status != 200 {
		t.Errorf("API after the login budget ran out: %d %s", r.status, r.body)
	}
	// Each user has a budget of its own, whatever address it comes from.
	u1, u2 := bearer(hsToken(t, "u1")), bearer(hsToken(t, "u2"))
	for i := range 3 {
		r := gql(t, base, body(`{ posts { id } }`, nil), u1...)
		if want := map[bool]int{true: 200, false: 429}[i < 2]; r.status != want {
			t.Fatalf("u1 request %d: %d, want %d: %s", i+1, r.status, want, r.body)
		}
	}
	if r := gql(t, base, body(`{ posts { id } }`, nil), u2...); r.status != 200 {
		t.Errorf("u2 after u1's budget ran out: %d %s", r.status, r.body)
	}
	m := do(t, "GET", base+"/metrics", "", "")
	if !strings.Contains(m.body, `autogql_rate_limited_total{scope="user"} 1`) {
		t.Errorf("metrics lack the user refusal:\n%s", grepLines(m.body, "rate_limited"))
	}
	if !strings.Contains(m.body, `autogql_rate_limited_total{scope="login"} 1`) {
		t.Errorf("metrics lack the login refusal:\n%s", grepLines(m.body, "rate_limited"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
