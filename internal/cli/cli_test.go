package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

const blog = "../../examples/blog/models.yaml"

func TestExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "models.yaml")
	os.WriteFile(bad, []byte("version: 1\nmodels:\n  Post:\n    fields:\n      title: {type: strng}\n      body: {type: string}\n"), 0o644)
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
	}{
		{"no command", nil, 2, "Usage: autogql", ""},
		{"help", []string{"--help"}, 0, "Commands:", ""},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"check", "--nope"}, 2, "", "flag provided but not defined: -nope"},
		{"command help", []string{"check", "--help"}, 0, "", "Usage: autogql check"},
		{"check ok", []string{"check", "--models", blog}, 0, "ok (5 models", ""},
		{"check reports every error with its position", []string{"check", "--models", bad}, 1, "", bad + ":5:"},
		{"missing models file", []string{"check", "--models", "/nonexistent/models.yaml"}, 1, "", "no such file"},
		{"schema print", []string{"schema", "print", "--models", blog}, 0, "type Post {", ""},
		{"schema without print", []string{"schema", "--models", blog}, 2, "", "want the subcommand print"},
		{"version", []string{"version"}, 0, "autogql ", ""},
		{"migrate print", []string{"migrate", "--print", "--models", blog, "--database", "postgres://x@localhost/db"}, 0, `CREATE TABLE IF NOT EXISTS "blog_post"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stderr: %s)", code, tc.wantCode, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout %q does not contain %q", out, tc.wantOut)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.wantErr)
			}
		})
	}
	// Both mistakes of the bad file are reported at once.
	_, _, errOut := run(t, "check", "--models", bad)
	if !strings.Contains(errOut, "strng") || !strings.Contains(errOut, "max_length") {
		t.Errorf("check should report the unknown type and the missing max_length together, got:\n%s", errOut)
	}
}

func TestMigrateAndSeedSQLite(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "blog.db")
	code, out, errOut := run(t, "migrate", "--models", blog, "--database", db)
	if code != 0 || !strings.Contains(out, "tables created") {
		t.Fatalf("migrate: code %d, out %q, err %q", code, out, errOut)
	}
	code, out, _ = run(t, "migrate", "--models", blog, "--database", db)
	if code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("second migrate: code %d, out %q", code, out)
	}
	code, out, errOut = run(t, "seed", "--models", blog, "--database", db)
	if code != 0 || !strings.Contains(out, "seed: Post 30") {
		t.Fatalf("seed: code %d, out %q, err %q", code, out, errOut)
	}
	code, out, errOut = run(t, "seed", "--models", blog, "--database", db, "--generate", "--count", "Author=3,Post=7,Comment=0")
	if code != 0 || !strings.Contains(out, "seed: Post 7") || !strings.Contains(out, "seed: Author 3") {
		t.Fatalf("seed --generate: code %d, out %q, err %q", code, out, errOut)
	}
	code, _, errOut = run(t, "seed", "--models", blog, "--database", db, "--generate", "--count", "Post=many")
	if code != 2 || !strings.Contains(errOut, `"Post=many" is not Model=N`) {
		t.Fatalf("bad --count: code %d, err %q", code, errOut)
	}
}
