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

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

// blogEngine is the real engine serving the example blog on SQLite.
func blogEngine(t *testing.T, naming model.Naming) *engine.Engine {
	t.Helper()
	ms, err := model.Load("../../examples/blog/models.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{Naming: naming})
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, database.SQLite)
	if _, err := migrate.Apply(context.Background(), db, ms); err != nil {
		t.Fatal(err)
	}
	return engine.New(db, g, engine.Options{Introspection: true})
}

// TestGraphQLHTTPAuditRealEngine runs the graphql-http server audit against
// the handler serving the real engine and the example blog schema.
func TestGraphQLHTTPAuditRealEngine(t *testing.T) {
	dir := auditDir(t)
	srv := httptest.NewServer(New(blogEngine(t, model.NamingSnake), Options{GraphiQL: true, Introspection: true}))
	t.Cleanup(srv.Close)
	cmd := exec.Command("node", filepath.Join(dir, "audit.mjs"), srv.URL+"/graphql/")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("graphql-http audit:\n%s", out)
	if err != nil {
		t.Fatalf("a MUST audit failed: %v", err)
	}
	if !strings.Contains(string(out), " 0 warn, 0 error") {
		t.Errorf("some audits warned or failed")
	}
}

// TestGraphQLJSAcceptsGeneratedSchema fetches the full introspection of the
// generated blog API (snake_case and camelCase) through HTTP and has
// graphql-js buildClientSchema + validateSchema accept it.
func TestGraphQLJSAcceptsGeneratedSchema(t *testing.T) {
	dir := auditDir(t)
	query, err := os.ReadFile("../introspection/testdata/introspection_query.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, naming := range []model.Naming{model.NamingSnake, model.NamingCamel} {
		t.Run(string(naming), func(t *testing.T) {
			srv := httptest.NewServer(New(blogEngine(t, naming), Options{Introspection: true}))
			t.Cleanup(srv.Close)
			resp, err := http.Post(srv.URL+"/graphql/", "application/json", strings.NewReader(`{"query":`+quote(strings.ReplaceAll(string(query), "\n", " "))+`}`))
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(string(data), `{"data":{"__schema":`) {
				t.Fatalf("introspection failed: %d %.300s", resp.StatusCode, data)
			}
			file := filepath.Join(t.TempDir(), "introspection.json")
			if err := os.WriteFile(file, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("node", filepath.Join(dir, "check-introspection.mjs"), file)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				t.Fatalf("graphql-js rejected the generated schema:\n%s", out)
			}
			if err != nil {
				t.Fatalf("run node: %v\n%s", err, out)
			}
			if string(out) != "ok\n" {
				t.Errorf("check-introspection output = %q, want ok", out)
			}
		})
	}
}
