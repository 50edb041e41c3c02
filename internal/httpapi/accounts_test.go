package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autogql/autogql/internal/auth"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

func accountsHandler(t *testing.T, register, introspection bool) *httptest.Server {
	t.Helper()
	db := testdb.Open(t, database.SQLite)
	if err := auth.EnsureTables(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	users, err := auth.NewUsers(db, auth.UsersOptions{Secret: []byte(strings.Repeat("k", 40)), Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := NewAccounts(users, register, introspection)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(blogEngine(t, model.NamingSnake), Options{Accounts: acc, Introspection: true}))
	t.Cleanup(srv.Close)
	return srv
}

// TestGraphQLJSAcceptsAccountsSchema: the accounts endpoint's
// introspection is accepted by graphql-js, and offers register only when
// registration is on.
func TestGraphQLJSAcceptsAccountsSchema(t *testing.T) {
	dir := auditDir(t)
	query, err := os.ReadFile("../introspection/testdata/introspection_query.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, register := range []bool{false, true} {
		srv := accountsHandler(t, register, true)
		resp, err := http.Post(srv.URL+AccountsPath, "application/json", strings.NewReader(`{"query":`+quote(strings.ReplaceAll(string(query), "\n", " "))+`}`))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(data), `{"data":{"__schema":`) {
			t.Fatalf("introspection failed: %d %.300s", resp.StatusCode, data)
		}
		if got := strings.Contains(string(data), `"name":"register"`); got != register {
			t.Errorf("register offered: %v, want %v", got, register)
		}
		file := filepath.Join(t.TempDir(), "introspection.json")
		os.WriteFile(file, data, 0o644)
		cmd := exec.Command("node", filepath.Join(dir, "check-introspection.mjs"), file)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) || string(out) != "ok\n" {
			t.Fatalf("graphql-js rejected the accounts schema: %v\n%s", err, out)
		}
	}
}

// TestAccountsTransport: the accounts endpoint speaks GraphQL over HTTP
// like /graphql/: GET for queries only, fragments and aliases, request
// errors.
func TestAccountsTransport(t *testing.T) {
	srv := accountsHandler(t, true, false)
	for _, tc := range []struct {
		name, method, body, want string
		status                   int
	}{
		{"me anonymous over GET", "GET", "", `{"data":{"who":{"id":null,"roles":["anonymous"],"__typename":"Me"}}}`, 200},
		{"mutation over GET", "GET-mutation", "", `"code":"BAD_USER_INPUT"`, 405},
		{"fragments and aliases", "POST", `{"query":"mutation { r: register(username: \"zed\", password: \"zeds long password\") { ...P } } fragment P on AuthPayload { ok user { username } }"}`,
			`{"data":{"r":{"ok":true,"user":{"username":"zed"}}}}`, 200},
		{"introspection off", "POST", `{"query":"{ __schema { types { name } } }"}`, `"code":"GRAPHQL_VALIDATION_FAILED"`, 200},
		{"unknown field", "POST", `{"query":"{ users { id } }"}`, `"code":"GRAPHQL_VALIDATION_FAILED"`, 400},
		{"bad login", "POST", `{"query":"mutation { login(username: \"zed\", password: \"nope nope nope\") { ok } }"}`,
			`{"errors":[{"message":"invalid username or password","path":["login"],"extensions":{"code":"UNAUTHENTICATED"`, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req *http.Request
			switch tc.method {
			case "GET":
				req, _ = http.NewRequest("GET", srv.URL+AccountsPath+"?query="+urlQuery(`{ who: me { id roles __typename } }`), nil)
			case "GET-mutation":
				req, _ = http.NewRequest("GET", srv.URL+AccountsPath+"?query="+urlQuery(`mutation { logout(refresh_token: "x") { ok } }`), nil)
			default:
				req, _ = http.NewRequest("POST", srv.URL+AccountsPath, strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.name == "unknown field" {
				req.Header.Set("Accept", "application/graphql-response+json")
			} else {
				req.Header.Set("Accept", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
				t.Errorf("%d %s; want %d containing %s", resp.StatusCode, b, tc.status, tc.want)
			}
		})
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", "{", "%7B", "}", "%7D", `"`, "%22", ":", "%3A", "(", "%28", ")", "%29")
	return r.Replace(s)
}
