package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autogql/autogql/internal/model"
)

// writeModels copies the example blog into dir as models.yaml, with edit
// applied (old → new, once).
func writeModels(t *testing.T, dir string, edits ...string) string {
	t.Helper()
	src, err := os.ReadFile(blog)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(s, edits[i]) {
			t.Fatalf("edit: %q not in the models", edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(dir, "models.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const addSubtitle = "      content:      {type: text}\n"
const withSubtitle = "      content:      {type: text}\n      subtitle:     {type: string, max_length: 120, null: true}\n"

// TestMigrationWorkflow runs the commands a developer runs: makemigrations,
// migrate plan/apply/status, check --database, a model change, rollback.
func TestMigrationWorkflow(t *testing.T) {
	dir := t.TempDir()
	models := writeModels(t, dir)
	db := "sqlite:" + filepath.Join(dir, "app.db")
	steps := []struct {
		args     []string
		wantCode int
		wantOut  []string
	}{
		{[]string{"makemigrations", "--models", models}, 0, []string{"Migrations written: " + filepath.Join(dir, "migrations", "0001_initial.yaml"), "create_table blog_post [expand]"}},
		{[]string{"makemigrations", "--models", models}, 0, []string{"No changes detected"}},
		{[]string{"makemigrations", "--models", models, "--check"}, 0, []string{"No changes detected"}},
		{[]string{"migrate", "status", "--models", models, "--database", db}, 0, []string{"[ ] 0001_initial", "0 applied, 1 pending"}},
		{[]string{"migrate", "plan", "--models", models, "--database", db}, 0, []string{"-- 0001_initial (expand)", `CREATE TABLE IF NOT EXISTS "blog_post"`}},
		{[]string{"migrate", "--models", models, "--database", db}, 0, []string{"migrate: applied 0001_initial"}},
		{[]string{"migrate", "apply", "--models", models, "--database", db}, 0, []string{"migrate: nothing to do"}},
		{[]string{"check", "--models", models, "--database", db}, 0, []string{"database: matches the models (sqlite)"}},
	}
	run := func(args []string, wantCode int, wantOut []string) {
		t.Helper()
		code, out, errOut := run(t, args...)
		if code != wantCode {
			t.Fatalf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, wantCode, out, errOut)
		}
		for _, w := range wantOut {
			if !strings.Contains(out+errOut, w) {
				t.Errorf("%v: output does not contain %q:\n%s%s", args, w, out, errOut)
			}
		}
	}
	for _, s := range steps {
		run(s.args, s.wantCode, s.wantOut)
	}

	writeModels(t, dir, addSubtitle, withSubtitle)
	run([]string{"check", "--models", models, "--database", db}, 1, []string{"database: 1 difference from the models", "blog_post.subtitle: column missing"})
	run([]string{"makemigrations", "--models", models, "--check"}, 1, []string{"add_column blog_post.subtitle [expand]", "without a migration"})
	run([]string{"makemigrations", "--models", models, "--name", "Post subtitle!"}, 0, []string{"0002_post_subtitle.yaml"})
	run([]string{"migrate", "apply", "--models", models, "--database", db}, 0, []string{"migrate: applied 0002_post_subtitle"})
	run([]string{"check", "--models", models, "--database", db}, 0, []string{"matches the models"})
	run([]string{"migrate", "rollback", "--models", models, "--database", db}, 1, []string{"refused: run autogql migrate rollback --allow-destructive"})
	run([]string{"migrate", "rollback", "--to", "0", "--allow-destructive", "--models", models, "--database", db}, 0, []string{"rolled back 0002_post_subtitle", "rolled back 0001_initial"})
	run([]string{"migrate", "status", "--models", models, "--database", db}, 0, []string{"0 applied, 2 pending"})
	run([]string{"migrate", "frobnicate", "--models", models}, 2, []string{"unknown subcommand"})
	run([]string{"migrate", "rollback", "--to", "x", "--models", models, "--database", db}, 2, []string{"want a migration number"})
}

func TestSchemaDiffCommand(t *testing.T) {
	dir := t.TempDir()
	removed := writeModels(t, dir, "      bio:    {type: text, blank: true, help_text: \"A short biography shown on the author's page.\"}\n", "")
	code, out, _ := run(t, "schema", "diff", blog, removed)
	if code != 1 || !strings.Contains(out, "BREAKING  Author.bio: field was removed") || !strings.Contains(out, "breaking,") {
		t.Errorf("removing a field: exit %d, out:\n%s", code, out)
	}
	code, out, _ = run(t, "schema", "diff", removed, blog)
	if code != 0 || strings.Contains(out, "BREAKING") || !strings.Contains(out, "SAFE      Author.bio: field was added") {
		t.Errorf("adding a field: exit %d, out:\n%s", code, out)
	}
	// SDL files work too, and JSON output.
	_, sdl, _ := run(t, "schema", "print", "--models", blog)
	sdlPath := filepath.Join(dir, "schema.graphql")
	if err := os.WriteFile(sdlPath, []byte(sdl), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "schema", "diff", sdlPath, blog, "--format", "json")
	if code != 0 || !strings.Contains(out, `"breaking": 0`) || !strings.Contains(out, `"changes": []`) {
		t.Errorf("SDL vs its models: exit %d, out:\n%s", code, out)
	}
	if code, _, errOut := run(t, "schema", "diff", blog); code != 2 {
		t.Errorf("one file: exit %d, want 2 (%s)", code, errOut)
	}
}

func TestInspectCommand(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "app.db")
	if code, _, errOut := run(t, "migrate", "--models", blog, "--database", db); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	out := filepath.Join(dir, "inspected.yaml")
	code, stdout, errOut := run(t, "inspect", "--database", db, "--app", "blog", "--out", out)
	if code != 0 || !strings.Contains(stdout, "inspect: wrote "+out) {
		t.Fatalf("inspect: exit %d: %s %s", code, stdout, errOut)
	}
	s, err := model.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.App != "blog" || s.Model("Post") == nil || s.Model("Post").Field("tags") == nil {
		t.Errorf("inspected models lack Post.tags or the app label")
	}
	if code, _, errOut := run(t, "inspect", "--database", db, "--out", out); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("inspect over an existing file: exit %d, %s", code, errOut)
	}
	code, _, errOut = run(t, "check", "--models", out, "--database", db)
	if code != 0 {
		t.Errorf("check of the inspected models against the database: exit %d: %s", code, errOut)
	}
}
