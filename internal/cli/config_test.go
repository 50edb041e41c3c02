package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigCommands runs check and config print against config files and
// environments: exit codes, positions and masking.
func TestConfigCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknown := write("unknown.yaml", "server:\n  adr: \":1\"\n")
	unsafe := write("unsafe.yaml", "env: production\ngraphql:\n  graphiql: true\n")
	secret := write("secret.yaml", "security:\n  jwt_secret: do-not-print-me-0123456789abcdefgh\ndatabase:\n  url: postgres://app:hunter2@db/app\n")
	t.Setenv("AUTOGQL_CONFIG", "")
	for _, tc := range []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
		notOut   string
	}{
		{"check: unknown key at its position", nil, []string{"check", "--models", blog, "--config", unknown}, 1, "", unknown + `:2:3: unknown setting "server.adr" (did you mean "addr"?)`, ""},
		{"check: production refuses GraphiQL", nil, []string{"check", "--models", blog, "--config", unsafe}, 1, "", "graphql.graphiql is on in production: set graphql.graphiql: false", ""},
		{"check: the flag beats the file's env", nil, []string{"check", "--models", blog, "--config", unsafe, "--env", "staging"}, 0, "configuration: ok (env staging, database sqlite)", "", ""},
		{"check: bad environment variable", []string{"AUTOGQL_LIMITS_MAX_DEPTH", "deep"}, []string{"check", "--models", blog}, 1, "", `AUTOGQL_LIMITS_MAX_DEPTH: "deep" is not a whole number`, ""},
		{"check: production warnings", []string{"AUTOGQL_ENV", "production"}, []string{"check", "--models", blog}, 0, "configuration: ok (env production", "warning: database.url is SQLite in production", ""},
		{"config print masks secrets", nil, []string{"config", "print", "--config", secret}, 0, `url: "postgres://app:****@db/app"  # DATABASE_URL`, "", "hunter2"},
		{"config print: flags shown", []string{"AUTOGQL_SERVER_DRAIN_DELAY", "7s"}, []string{"config", "print", "--env", "production", "--models", "m.yaml"}, 0, "drain_delay: 7s  # AUTOGQL_SERVER_DRAIN_DELAY", "", "do-not-print-me"},
		{"config without print", nil, []string{"config"}, 2, "", "want the subcommand print", ""},
		{"health: bad format", nil, []string{"health", "--format", "xml"}, 2, "", `--format "xml": want json or table`, ""},
		{"health: bad url", nil, []string{"health", "--url", "localhost"}, 2, "", "want http://host:port", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i+1 < len(tc.env); i += 2 {
				t.Setenv(tc.env[i], tc.env[i+1])
			}
			code, out, errOut := run(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout %q does not contain %q", out, tc.wantOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.wantErr)
			}
			if tc.notOut != "" && strings.Contains(out+errOut, tc.notOut) {
				t.Errorf("output shows %q:\n%s", tc.notOut, out)
			}
		})
	}
}
