package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Strategies.
const (
	BlueGreen = "blue-green"
	Rolling   = "rolling"
	Recreate  = "recreate"
)

// Colours of the blue-green strategy.
var Colours = []string{"blue", "green"}

// File is deploy.yaml.
type File struct {
	Version      int                     `yaml:"version"`
	Environments map[string]*Environment `yaml:"environments"`
}

// Environment is one deployment target (production, staging, …).
type Environment struct {
	// Strategy is blue-green (default), rolling or recreate.
	Strategy string `yaml:"strategy"`
	// Database is the URL the deploy manager uses (backups, migrations,
	// records, lock); empty: DATABASE_URL / autogql.yaml's.
	Database string `yaml:"database"`
	// Redis mirrors maintenance mode (recreate); empty: REDIS_URL's.
	Redis string `yaml:"redis"`
	// ReleaseDir, Binary and Models are templates locating a release:
	// defaults "releases/{{.Release}}", "{{.ReleaseDir}}/autogql" and
	// "{{.ReleaseDir}}/models.yaml" (its migrations/ directory beside).
	ReleaseDir string `yaml:"release_dir"`
	Binary     string `yaml:"binary"`
	Models     string `yaml:"models"`
	// Colours are blue and green (blue-green).
	Colours map[string]*Target `yaml:"colours"`
	// Instances are the replicas (rolling, recreate).
	Instances []*Target `yaml:"instances"`
	Proxy     Proxy     `yaml:"proxy"`
	// Check is run in preflight; default "{{.Binary}} check --models {{.Models}}".
	Check      string       `yaml:"check"`
	Migrations Migrations   `yaml:"migrations"`
	Smoke      []Smoke      `yaml:"smoke"`
	Backup     BackupPolicy `yaml:"backup"`
	Notify     Notify       `yaml:"notify"`
	// ReadyTimeout bounds the wait for /readyz (default 60s).
	ReadyTimeout time.Duration `yaml:"ready_timeout"`
	// GracePeriod is how long the old colour keeps running after the
	// switch, so requests in flight through old nginx workers finish
	// (default 10s).
	GracePeriod time.Duration `yaml:"grace_period"`
	// StopOld stops the old colour after the grace period (default true);
	// false keeps it running for an instant rollback.
	StopOld *bool `yaml:"stop_old"`
	// CommandTimeout bounds each command (default 2m).
	CommandTimeout time.Duration `yaml:"command_timeout"`
	// LockFile is used instead of the database lock when set (and always
	// for SQLite: default <database file>.deploy.lock).
	LockFile string `yaml:"lock_file"`
	// Env is added to every command's environment.
	Env map[string]string `yaml:"env"`
}

// Target is one colour or instance.
type Target struct {
	// Name names an instance (colours are named by their key).
	Name string `yaml:"name"`
	// URL is the instance's own base URL (readiness, smoke queries).
	URL string `yaml:"url"`
	// Upstream is its address in the proxy's upstream file; default the
	// URL's host:port.
	Upstream string `yaml:"upstream"`
	// Start (re)starts it with the release in the environment; Stop
	// stops it (a failure of Stop on an instance already stopped is fine).
	Start string `yaml:"start"`
	Stop  string `yaml:"stop"`
}

// Proxy is the reverse proxy in front of the colours or instances.
type Proxy struct {
	// UpstreamFile is the include file written at each switch (atomically:
	// a temporary file renamed over it), e.g.
	// /etc/nginx/autogql/upstream/active.conf.
	UpstreamFile string `yaml:"upstream_file"`
	// UpstreamName is the upstream block's name (default autogql).
	UpstreamName string `yaml:"upstream_name"`
	// Template renders the file from .Name and .Servers; the default
	// matches deploy/nginx/upstream/*.conf.
	Template string `yaml:"template"`
	// Test checks the configuration before a reload (e.g. nginx -t); on
	// failure the previous file is put back.
	Test string `yaml:"test"`
	// Reload applies it (e.g. nginx -s reload).
	Reload string `yaml:"reload"`
	// URL is the proxy's base URL, for the verification through it.
	URL string `yaml:"url"`
	// Settle is waited after a reload before verifying (default 1s): nginx
	// starts new workers asynchronously.
	Settle time.Duration `yaml:"settle"`
}

// Migrations are the commands that plan, apply and undo migrations, run
// with the release's binary (its migration files) and DATABASE_URL.
type Migrations struct {
	// Plan prints the pending steps (default "{{.Binary}} migrate plan
	// --models {{.Models}}"); a line with DESTRUCTIVE blocks the deploy
	// unless destructive steps are allowed.
	Plan string `yaml:"plan"`
	// Apply runs them: default expand-only for blue-green and rolling
	// (the old release still serves), everything for recreate.
	Apply string `yaml:"apply"`
	// Rollback undoes those above {{.ToNumber}} (default "{{.Binary}}
	// migrate rollback --to {{.ToNumber}} --allow-destructive --models
	// {{.Models}}"). When it fails the backup taken before is restored.
	Rollback string `yaml:"rollback"`
	// AllowDestructive lets steps that lose data run (--allow-destructive).
	AllowDestructive bool `yaml:"allow_destructive"`
	// Disabled skips the migration steps.
	Disabled bool `yaml:"disabled"`
}

// Smoke is one query the new release must answer as expected.
type Smoke struct {
	Name      string         `yaml:"name"`
	Query     string         `yaml:"query"`
	Variables map[string]any `yaml:"variables"`
	// ExpectStatus is the HTTP status (default 200).
	ExpectStatus int `yaml:"expect_status"`
	// AllowErrors accepts a response with "errors" (default: refused).
	AllowErrors bool `yaml:"allow_errors"`
	// Expect maps dotted paths into the response ("data.notes.0.title")
	// to the values they must hold.
	Expect map[string]any `yaml:"expect"`
	// Contains are substrings the body must contain.
	Contains []string `yaml:"contains"`
}

// BackupPolicy is the backup taken before migrations.
type BackupPolicy struct {
	// Enabled defaults to true.
	Enabled *bool `yaml:"enabled"`
	// Dir is the backup directory (default: backup.dir of the config).
	Dir string `yaml:"dir"`
	// Verify restores it into a scratch database first (default true).
	Verify *bool `yaml:"verify"`
	// KeepLast, KeepDaily, KeepWeekly prune after a successful deploy
	// (all 0: keep everything).
	KeepLast   int `yaml:"keep_last"`
	KeepDaily  int `yaml:"keep_daily"`
	KeepWeekly int `yaml:"keep_weekly"`
}

// Notify lists where results are posted.
type Notify struct {
	// Webhooks receive the deployment as JSON.
	Webhooks []string `yaml:"webhooks"`
	// Slack receives {"text": …} (Slack, Mattermost, Rocket.Chat…).
	Slack []string `yaml:"slack"`
	// On lists the statuses that notify (default: all).
	On []string `yaml:"on"`
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

// Load reads and validates a deploy file: unknown keys are errors.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read deploy file: %w", err)
	}
	return Parse(path, b)
}

// Parse decodes and validates a deploy file's content.
func Parse(name string, b []byte) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &f, nil
}

func (f *File) validate() error {
	var errs []error
	if f.Version != 1 {
		errs = append(errs, fmt.Errorf("version: %d, want 1", f.Version))
	}
	if len(f.Environments) == 0 {
		errs = append(errs, errors.New("environments: none defined"))
	}
	for name, e := range f.Environments {
		if e == nil {
			errs = append(errs, fmt.Errorf("environments.%s: empty", name))
			continue
		}
		e.defaults()
		for _, err := range e.validate() {
			errs = append(errs, fmt.Errorf("environments.%s.%w", name, err))
		}
	}
	return errors.Join(errs...)
}

// defaults fills what the file left out.
func (e *Environment) defaults() {
	if e.Strategy == "" {
		e.Strategy = BlueGreen
	}
	if e.ReleaseDir == "" {
		e.ReleaseDir = "releases/{{.Release}}"
	}
	if e.Binary == "" {
		e.Binary = "{{.ReleaseDir}}/autogql"
	}
	if e.Models == "" {
		e.Models = "{{.ReleaseDir}}/models.yaml"
	}
	if e.Check == "" {
		e.Check = `"{{.Binary}}" check --models "{{.Models}}"`
	}
	m := &e.Migrations
	if m.Plan == "" {
		m.Plan = `"{{.Binary}}" migrate plan --models "{{.Models}}"`
	}
	if m.Apply == "" {
		expand := " --expand-only"
		if e.Strategy == Recreate {
			expand = ""
		}
		m.Apply = `"{{.Binary}}" migrate apply` + expand + ` --models "{{.Models}}"{{if .AllowDestructive}} --allow-destructive{{end}}`
	}
	if m.Rollback == "" {
		// Undoing a release's own expand steps drops what it added (a
		// column only it wrote to): less loss than restoring the backup,
		// which would also undo every write since.
		m.Rollback = `"{{.Binary}}" migrate rollback --to {{.ToNumber}} --allow-destructive --models "{{.Models}}"`
	}
	if e.Proxy.UpstreamName == "" {
		e.Proxy.UpstreamName = "autogql"
	}
	if e.Proxy.Settle == 0 {
		e.Proxy.Settle = time.Second
	}
	if e.ReadyTimeout == 0 {
		e.ReadyTimeout = 60 * time.Second
	}
	if e.GracePeriod == 0 {
		e.GracePeriod = 10 * time.Second
	}
	if e.CommandTimeout == 0 {
		e.CommandTimeout = 2 * time.Minute
	}
	for name, c := range e.Colours {
		if c != nil && c.Name == "" {
			c.Name = name
		}
	}
	for i, in := range e.Instances {
		if in != nil && in.Name == "" {
			in.Name = fmt.Sprintf("instance-%d", i+1)
		}
	}
	for i := range e.Smoke {
		if e.Smoke[i].ExpectStatus == 0 {
			e.Smoke[i].ExpectStatus = 200
		}
		if e.Smoke[i].Name == "" {
			e.Smoke[i].Name = fmt.Sprintf("smoke-%d", i+1)
		}
	}
}

func (e *Environment) validate() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !slices.Contains([]string{BlueGreen, Rolling, Recreate}, e.Strategy) {
		bad("strategy: %q, want blue-green, rolling or recreate", e.Strategy)
	}
	checkTarget := func(where string, t *Target) {
		if t == nil {
			bad("%s: empty", where)
			return
		}
		if u, err := url.Parse(t.URL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			bad("%s.url: %q is not an http(s) URL", where, t.URL)
		} else if t.Upstream == "" {
			t.Upstream = u.Host
		}
		if t.Start == "" {
			bad("%s.start: a command is required", where)
		}
		if t.Stop == "" {
			bad("%s.stop: a command is required", where)
		}
	}
	switch e.Strategy {
	case BlueGreen:
		for name := range e.Colours {
			if !slices.Contains(Colours, name) {
				bad("colours.%s: unknown colour (want blue and green)", name)
			}
		}
		for _, c := range Colours {
			checkTarget("colours."+c, e.Colours[c])
		}
		if e.Proxy.UpstreamFile == "" {
			bad("proxy.upstream_file: required for blue-green")
		}
	default:
		if len(e.Instances) == 0 {
			bad("instances: at least one is required for %s", e.Strategy)
		}
		for i, in := range e.Instances {
			checkTarget(fmt.Sprintf("instances[%d]", i), in)
		}
		if e.Strategy == Rolling && e.Proxy.UpstreamFile == "" {
			bad("proxy.upstream_file: required for rolling")
		}
	}
	if e.Proxy.UpstreamFile != "" && e.Proxy.Reload == "" {
		bad("proxy.reload: a command is required with upstream_file")
	}
	if e.Proxy.URL != "" {
		if u, err := url.Parse(e.Proxy.URL); err != nil || u.Host == "" {
			bad("proxy.url: %q is not a URL", e.Proxy.URL)
		}
	}
	for i, s := range e.Smoke {
		if strings.TrimSpace(s.Query) == "" {
			bad("smoke[%d].query: required", i)
		}
	}
	for _, u := range append(append([]string{}, e.Notify.Webhooks...), e.Notify.Slack...) {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") {
			bad("notify: %q is not an http(s) URL", u)
		}
	}
	return errs
}
