package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestActionlint lints every workflow with actionlint, which runs shellcheck
// on each `run:` script.
func TestActionlint(t *testing.T) {
	actionlint := tool(t, "actionlint", "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12")
	shellcheck := tool(t, "shellcheck", "apt-get install -y shellcheck")
	out, err := runErr(repoRoot, nil, actionlint, "-color=false", "-shellcheck="+shellcheck)
	if err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

type workflow struct {
	Name        string         `json:"name"`
	On          map[string]any `json:"on"`
	Permissions any            `json:"permissions"`
	Env         map[string]any `json:"env"`
	Jobs        map[string]struct {
		Permissions any            `json:"permissions"`
		Strategy    map[string]any `json:"strategy"`
		Services    map[string]any `json:"services"`
		Steps       []struct {
			Uses string         `json:"uses"`
			Run  string         `json:"run"`
			With map[string]any `json:"with"`
		} `json:"steps"`
	} `json:"jobs"`
}

func loadWorkflow(t *testing.T, name string) (workflow, string) {
	t.Helper()
	b := readFile(t, ".github/workflows", name)
	var w workflow
	if err := yaml.Unmarshal(b, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// YAML 1.1 reads the key `on` as the boolean true.
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if on, ok := raw["true"].(map[string]any); ok && w.On == nil {
		w.On = on
	}
	return w, string(b)
}

var (
	usesLine  = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinnedRef = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	tagNote   = regexp.MustCompile(`^\s*#\s*v\d+(\.\d+)*`)
	goRunPin  = regexp.MustCompile(`@(v\d+\.\d+\.\d+|v0\.0\.0-\d{14}-[0-9a-f]{12})$`)
)

// TestWorkflowHygiene: actions pinned by full commit SHA with the tag in a
// comment, tools by exact version, no permissions by default and only the
// writes a job needs.
func TestWorkflowHygiene(t *testing.T) {
	files, err := filepath.Glob(repoPath(".github/workflows/*.yml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	// The only write permissions, and where they are needed.
	allowedWrites := map[string][]string{
		"release.yml/image":   {"packages"},
		"release.yml/release": {"contents"},
	}
	for _, f := range files {
		name := filepath.Base(f)
		w, src := loadWorkflow(t, name)
		for _, m := range usesLine.FindAllStringSubmatch(src, -1) {
			ref, rest := m[1], m[2]
			if strings.HasPrefix(ref, "./") {
				continue
			}
			if !pinnedRef.MatchString(ref) || !tagNote.MatchString(rest) {
				t.Errorf("%s: `uses: %s%s` is not pinned to a full commit SHA with a `# vX.Y.Z` comment", name, ref, rest)
			}
		}
		for k, v := range w.Env {
			s, _ := v.(string)
			if strings.Contains(s, "@") && strings.Contains(s, "/") && !goRunPin.MatchString(s) {
				t.Errorf("%s: env %s = %q: pin Go tools to an exact version", name, k, s)
			}
		}
		if p, ok := w.Permissions.(map[string]any); !ok || len(p) != 0 {
			t.Errorf("%s: top-level permissions = %v, want {} (each job asks for its own)", name, w.Permissions)
		}
		for jobName, job := range w.Jobs {
			perms, ok := job.Permissions.(map[string]any)
			if !ok {
				t.Errorf("%s job %s: permissions = %v, want an explicit map", name, jobName, job.Permissions)
				continue
			}
			var writes []string
			for scope, level := range perms {
				if level == "write" {
					writes = append(writes, scope)
				}
			}
			slices.Sort(writes)
			if want := allowedWrites[name+"/"+jobName]; !slices.Equal(writes, want) {
				t.Errorf("%s job %s writes %v, want %v", name, jobName, writes, want)
			}
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != false {
					t.Errorf("%s job %s: checkout keeps the token in .git/config; set persist-credentials: false", name, jobName)
				}
			}
		}
	}
}

// TestCIWorkflow: ci.yml does what the delivery issue lists.
func TestCIWorkflow(t *testing.T) {
	w, src := loadWorkflow(t, "ci.yml")
	test, ok := w.Jobs["test"]
	if !ok {
		t.Fatal("ci.yml has no test job")
	}
	matrix, _ := test.Strategy["matrix"].(map[string]any)
	goVersions, _ := matrix["go"].([]any)
	pg, _ := matrix["postgres"].([]any)
	if len(goVersions) != 2 || !slices.Equal(pg, []any{"14", "15", "16", "17"}) {
		t.Errorf("test matrix go %v × postgres %v, want two Go versions × PostgreSQL 14–17", goVersions, pg)
	}
	goMod := string(readFile(t, "go.mod"))
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(goMod)
	if goLine == nil || !slices.Contains(goVersions, any(goLine[1]+".x")) {
		t.Errorf("test matrix %v does not include go.mod's Go %v", goVersions, goLine)
	}
	for _, svc := range []string{"postgres", "redis"} {
		if _, ok := test.Services[svc]; !ok {
			t.Errorf("test job has no %s service", svc)
		}
	}
	for _, want := range []string{
		"gofmt -l", "go vet ./...", "$STATICCHECK", "$ACTIONLINT", "go test -race", "-coverprofile",
		"$GOVULNCHECK", "$GITLEAKS", "npm ci --prefix .ci/audit", "TestGraphQLHTTPAudit", "go test -count=1 -v ./deploy/",
		"docker/build-push-action@", "aquasecurity/trivy-action@", "$BENCHSTAT", "github.event.pull_request.base.sha",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("ci.yml lacks %q", want)
		}
	}
}

// TestReleaseWorkflow: release.yml builds what a release promises.
func TestReleaseWorkflow(t *testing.T) {
	w, src := loadWorkflow(t, "release.yml")
	push, _ := w.On["push"].(map[string]any)
	if tags, _ := push["tags"].([]any); !slices.Equal(tags, []any{"v*"}) {
		t.Errorf("release.yml triggers on %v, want push of v* tags", w.On)
	}
	matrix, _ := w.Jobs["binaries"].Strategy["matrix"].(map[string]any)
	if goos, goarch := matrix["goos"], matrix["goarch"]; !slices.Equal(goos.([]any), []any{"linux", "darwin", "windows"}) || !slices.Equal(goarch.([]any), []any{"amd64", "arm64"}) {
		t.Errorf("binaries matrix %v × %v, want linux/darwin/windows × amd64/arm64", goos, goarch)
	}
	for _, want := range []string{
		"CGO_ENABLED: \"0\"", "-trimpath", "internal/cli", "sha256sum", "cyclonedx-gomod", "platforms: linux/amd64,linux/arm64",
		"provenance: mode=max", "sbom: true", "target: backup", "git log --no-merges", "gh release create",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("release.yml lacks %q", want)
		}
	}
}

// TestPreCommitConfig: the hooks file is well formed, remote hooks are
// frozen to a commit, and local hooks pin their tools.
func TestPreCommitConfig(t *testing.T) {
	var cfg struct {
		Repos []struct {
			Repo  string `json:"repo"`
			Rev   string `json:"rev"`
			Hooks []struct {
				ID       string `json:"id"`
				Entry    string `json:"entry"`
				Language string `json:"language"`
			} `json:"hooks"`
		} `json:"repos"`
	}
	src := string(readFile(t, ".pre-commit-config.yaml"))
	if err := yaml.Unmarshal([]byte(src), &cfg); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range cfg.Repos {
		if r.Repo != "local" && !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(r.Rev) {
			t.Errorf("%s rev %q: freeze it to a commit (pre-commit autoupdate --freeze)", r.Repo, r.Rev)
		}
		for _, h := range r.Hooks {
			ids[h.ID] = true
			if r.Repo == "local" && (h.Entry == "" || h.Language == "") {
				t.Errorf("local hook %s lacks entry or language", h.ID)
			}
			if strings.Contains(h.Entry, "go run") && !regexp.MustCompile(`go run \S+@v\d+\.\d+\.\d+`).MatchString(h.Entry) {
				t.Errorf("hook %s runs an unpinned tool: %s", h.ID, h.Entry)
			}
		}
	}
	for _, id := range []string{"gofmt", "go-vet", "staticcheck", "actionlint", "gitleaks", "detect-private-key", "delivery"} {
		if !ids[id] {
			t.Errorf("no %s hook", id)
		}
	}
	if _, err := os.Stat(repoPath(".github/gitleaks.toml")); err != nil {
		t.Errorf("the gitleaks hook's config: %v", err)
	}
}
