package deploy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"text/template"
	"time"
)

// vars are what command templates see ({{.Release}}, {{.Binary}}, …).
type vars struct {
	Env        string
	Release    string
	ReleaseDir string
	Binary     string
	Models     string
	// Colour and Name identify the target of a start/stop command; Addr
	// and URL are its upstream address and base URL.
	Colour, Name, Addr, URL string
	// FromMigration is the newest migration before the deploy, ToNumber
	// the number to roll back to (rollback command).
	FromMigration    string
	ToNumber         int
	AllowDestructive bool
	Deployment       int64
}

func render(name, text string, v vars) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	var b strings.Builder
	if err := t.Execute(&b, v); err != nil {
		return "", fmt.Errorf("template %s: %w", name, err)
	}
	return b.String(), nil
}

// release fills the release paths of v from the environment's templates.
func (e *Environment) release(v vars) (vars, error) {
	var err error
	if v.ReleaseDir, err = render("release_dir", e.ReleaseDir, v); err != nil {
		return v, err
	}
	if v.Binary, err = render("binary", e.Binary, v); err != nil {
		return v, err
	}
	v.Models, err = render("models", e.Models, v)
	return v, err
}

// runner runs the shell commands of deploy.yaml.
type runner struct {
	env     *Environment
	dbURL   string
	timeout time.Duration
	// log receives each command and its output.
	log func(format string, args ...any)
}

// environ is the environment of a command: the deploy's own, the
// environment's env: map, and what the release and target are.
func (r *runner) environ(v vars) []string {
	env := os.Environ()
	keys := make([]string, 0, len(r.env.Env))
	for k := range r.env.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+r.env.Env[k])
	}
	add := func(k, val string) {
		if val != "" {
			env = append(env, k+"="+val)
		}
	}
	add("DATABASE_URL", r.dbURL)
	add("AUTOGQL_DEPLOY_ENV", v.Env)
	add("AUTOGQL_RELEASE", v.Release)
	add("AUTOGQL_RELEASE_DIR", v.ReleaseDir)
	add("AUTOGQL_BINARY", v.Binary)
	add("AUTOGQL_MODELS", v.Models)
	add("AUTOGQL_COLOUR", v.Colour)
	add("AUTOGQL_INSTANCE", v.Name)
	add("AUTOGQL_ADDR", v.Addr)
	return env
}

// run renders and runs a command with sh -c, within the command timeout.
// The process group is killed on timeout, so a start script's children
// do not linger holding the output pipe.
func (r *runner) run(ctx context.Context, name, text string, v vars) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	cmdline, err := render(name, text, v)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Env = r.environ(v)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	r.log("  $ %s", cmdline)
	err = cmd.Run()
	text = strings.TrimRight(out.String(), "\n")
	if text != "" {
		for _, line := range strings.Split(text, "\n") {
			r.log("    | %s", line)
		}
	}
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return text, fmt.Errorf("%s: timed out after %s", name, r.timeout)
		}
		return text, fmt.Errorf("%s: %w", name, err)
	}
	return text, nil
}
