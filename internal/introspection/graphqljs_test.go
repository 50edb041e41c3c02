package introspection

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// auditDir returns the repository's .ci/audit directory when node and its
// installed packages are available. Without them the test is skipped, unless
// AUTOGQL_REQUIRE_SERVICES=1 (CI), where a missing tool is a failure.
func auditDir(t *testing.T) string {
	t.Helper()
	missing := func(what string) string {
		if os.Getenv("AUTOGQL_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s (AUTOGQL_REQUIRE_SERVICES=1; run npm ci in .ci/audit)", what)
		}
		t.Skipf("%s; run npm ci in .ci/audit to enable", what)
		return ""
	}
	if _, err := exec.LookPath("node"); err != nil {
		return missing("node not found")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", ".ci", "audit"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql")); err != nil {
		return missing(".ci/audit/node_modules not installed")
	}
	return dir
}

// TestGraphQLJSAcceptsIntrospection feeds the full introspection of several
// schemas to graphql-js: buildClientSchema and validateSchema must accept
// it, its printed SDL must build again, and graphql-js introspecting the
// client schema must give the same answer for every declared type.
func TestGraphQLJSAcceptsIntrospection(t *testing.T) {
	dir := auditDir(t)
	schemas := map[string]string{
		"rich":  readFile(t, "schema.graphql"),
		"small": smallSDL,
		"no descriptions or scalars": `
			type Query { a: A }
			type A { b: [[A!]] c(x: [[Int!]!] = [[1, 2], [3]], y: Float = 1.5, z: ID = "x"): Boolean }`,
	}
	for name, sdl := range schemas {
		for _, query := range []string{"introspection_query.graphql", "introspection_query_oneof.graphql"} {
			t.Run(name+"/"+query, func(t *testing.T) {
				got, err := execute(t, loadSchema(t, sdl), readFile(t, query), nil)
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(t.TempDir(), "introspection.json")
				if err := os.WriteFile(file, []byte(`{"data":`+got+`}`), 0o644); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("node", filepath.Join(dir, "check-introspection.mjs"), file, "--exact")
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if errors.As(err, &exit) {
					t.Fatalf("graphql-js rejected the introspection:\n%s", out)
				}
				if err != nil {
					t.Fatalf("run node: %v\n%s", err, out)
				}
				if string(out) != "ok\n" {
					t.Errorf("check-introspection output = %q, want %q", out, "ok\n")
				}
			})
		}
	}
}
