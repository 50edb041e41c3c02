package deploy_test

import (
	"context"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// composeSecrets are the values .env must provide; docker-compose.yml
// refuses to load without each of them (${VAR:?message}).
var composeSecrets = map[string]string{
	"POSTGRES_PASSWORD":  "pg0123456789abcdef",                  // gitleaks:allow (made-up test value)
	"REDIS_PASSWORD":     "redis0123456789abcdef",               // gitleaks:allow (made-up test value)
	"AUTOGQL_JWT_SECRET": "jwt0123456789abcdef0123456789abcdef", // gitleaks:allow (made-up test value)
}

func loadCompose(env map[string]string, profiles []string, files ...string) (*types.Project, error) {
	details := types.ConfigDetails{WorkingDir: repoRoot, Environment: env}
	for _, f := range files {
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: repoPath(f)})
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("autogql", true)
		o.Profiles = profiles
	})
}

func mustLoadCompose(t *testing.T, profiles []string, files ...string) *types.Project {
	t.Helper()
	p, err := loadCompose(maps.Clone(composeSecrets), profiles, files...)
	if err != nil {
		t.Fatalf("load %v with profiles %v: %v", files, profiles, err)
	}
	return p
}

func TestComposeRequiresSecrets(t *testing.T) {
	for name := range composeSecrets {
		for _, tc := range []struct {
			how string
			env func(map[string]string)
		}{
			{"unset", func(env map[string]string) { delete(env, name) }},
			{"empty", func(env map[string]string) { env[name] = "" }},
		} {
			t.Run(name+"/"+tc.how, func(t *testing.T) {
				env := maps.Clone(composeSecrets)
				tc.env(env)
				_, err := loadCompose(env, nil, "docker-compose.yml")
				if err == nil {
					t.Fatalf("docker-compose.yml loads with %s %s; want a refusal", name, tc.how)
				}
				if msg := err.Error(); !strings.Contains(msg, name) || !strings.Contains(msg, ".env") {
					t.Errorf("error = %q, want it to name %s and point at .env", msg, name)
				}
			})
		}
	}
}

func serviceNames(p *types.Project) []string {
	return slices.Sorted(maps.Keys(p.Services))
}

func TestComposeDefaultStack(t *testing.T) {
	p := mustLoadCompose(t, nil, "docker-compose.yml")
	if got, want := serviceNames(p), []string{"db", "migrate", "redis", "web"}; !slices.Equal(got, want) {
		t.Fatalf("services without a profile = %v, want %v", got, want)
	}

	db := p.Services["db"]
	if !strings.HasPrefix(db.Image, "postgres:15") {
		t.Errorf("db image = %s, want PostgreSQL 15", db.Image)
	}
	if hasVolume(db, "pgdata", "/var/lib/postgresql/data") == false {
		t.Errorf("db volumes = %+v, want the named volume pgdata on the data directory", db.Volumes)
	}
	redis := p.Services["redis"]
	if !strings.HasPrefix(redis.Image, "redis:7") {
		t.Errorf("redis image = %s, want Redis 7", redis.Image)
	}
	for _, s := range []types.ServiceConfig{db, redis} {
		if s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 || s.HealthCheck.Disable {
			t.Errorf("%s has no health check", s.Name)
		}
	}

	migrate := p.Services["migrate"]
	if !slices.Equal(migrate.Command, types.ShellCommand{"migrate"}) || migrate.Restart != "no" {
		t.Errorf("migrate: command %q restart %q, want a one-shot `migrate` that is not restarted", migrate.Command, migrate.Restart)
	}
	if c := migrate.DependsOn["db"].Condition; c != types.ServiceConditionHealthy {
		t.Errorf("migrate waits for db %q, want service_healthy", c)
	}

	web := p.Services["web"]
	checkAppService(t, web)
	if !slices.Equal(web.Command, types.ShellCommand{"serve"}) {
		t.Errorf("web command = %q, want serve", web.Command)
	}
	if len(web.Ports) != 1 || web.Ports[0].Target != 8080 || web.Ports[0].HostIP != "127.0.0.1" {
		t.Errorf("web ports = %+v, want 8080 published on loopback", web.Ports)
	}
	if got := web.Environment["DATABASE_URL"]; got == nil || !strings.Contains(*got, composeSecrets["POSTGRES_PASSWORD"]+"@db:5432/") {
		t.Errorf("web DATABASE_URL = %v, want the db service with the password from .env", got)
	}
	if got := web.Environment["REDIS_URL"]; got == nil || !strings.Contains(*got, composeSecrets["REDIS_PASSWORD"]+"@redis:6379") {
		t.Errorf("web REDIS_URL = %v, want the redis service with the password from .env", got)
	}

	// PostgreSQL and Redis are not reachable from outside the app network.
	if !p.Networks["data"].Internal {
		t.Error("network data is not internal")
	}
	for _, name := range []string{"db", "redis"} {
		if len(p.Services[name].Ports) != 0 {
			t.Errorf("%s publishes ports %+v", name, p.Services[name].Ports)
		}
	}
	checkAllServices(t, p)
}

// checkAppService holds every autogql container to the same rules.
func checkAppService(t *testing.T, s types.ServiceConfig) {
	t.Helper()
	want := map[string]types.ServiceDependency{
		"db":      {Condition: types.ServiceConditionHealthy},
		"redis":   {Condition: types.ServiceConditionHealthy},
		"migrate": {Condition: types.ServiceConditionCompletedSuccessfully},
	}
	for name, dep := range want {
		if got := s.DependsOn[name]; got.Condition != dep.Condition {
			t.Errorf("%s depends on %s with %q, want %q", s.Name, name, got.Condition, dep.Condition)
		}
	}
	if s.HealthCheck == nil || !slices.Equal([]string(s.HealthCheck.Test), []string{"CMD", "/usr/local/bin/autogql", "health"}) {
		t.Errorf("%s health check = %+v, want [CMD /usr/local/bin/autogql health]", s.Name, s.HealthCheck)
	}
	if !s.ReadOnly || s.User != "65532:65532" || !slices.Equal(s.CapDrop, []string{"ALL"}) || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("%s: read_only %v user %q cap_drop %v security_opt %v; want a read-only, non-root, capability-less container",
			s.Name, s.ReadOnly, s.User, s.CapDrop, s.SecurityOpt)
	}
	if s.Environment["AUTOGQL_JWT_SECRET"] == nil {
		t.Errorf("%s has no AUTOGQL_JWT_SECRET", s.Name)
	}
	if s.Build == nil || s.Build.Dockerfile != "Dockerfile" {
		t.Errorf("%s build = %+v, want the production Dockerfile", s.Name, s.Build)
	}
}

// checkAllServices: resource limits everywhere, bind mounts that exist.
func checkAllServices(t *testing.T, p *types.Project) {
	t.Helper()
	for _, s := range p.Services {
		if s.Deploy == nil || s.Deploy.Resources.Limits == nil || s.Deploy.Resources.Limits.MemoryBytes == 0 || s.Deploy.Resources.Limits.NanoCPUs == 0 {
			t.Errorf("service %s has no CPU and memory limits", s.Name)
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("service %s bind-mounts %s, which does not exist: %v", s.Name, v.Source, err)
			}
		}
		if s.Restart == "" {
			t.Errorf("service %s has no restart policy", s.Name)
		}
	}
}

func hasVolume(s types.ServiceConfig, source, target string) bool {
	for _, v := range s.Volumes {
		if v.Source == source && v.Target == target {
			return true
		}
	}
	return false
}

func TestComposeProdProfile(t *testing.T) {
	p := mustLoadCompose(t, []string{"prod"}, "docker-compose.yml")
	if got, want := serviceNames(p), []string{"db", "migrate", "nginx", "redis", "web", "web-blue", "web-green"}; !slices.Equal(got, want) {
		t.Fatalf("services with profile prod = %v, want %v", got, want)
	}
	for _, colour := range []string{"web-blue", "web-green"} {
		checkAppService(t, p.Services[colour])
		if c := p.Services["nginx"].DependsOn[colour].Condition; c != types.ServiceConditionHealthy {
			t.Errorf("nginx waits for %s with %q, want service_healthy", colour, c)
		}
	}
	nginx := p.Services["nginx"]
	if !hasVolume(nginx, repoPath("deploy/nginx/nginx.conf"), "/etc/nginx/nginx.conf") || !hasVolume(nginx, repoPath("deploy/nginx"), "/etc/nginx/autogql") {
		t.Errorf("nginx volumes = %+v, want deploy/nginx mounted as the configuration", nginx.Volumes)
	}
	// The upstream files name the colour services.
	for file, host := range map[string]string{"blue.conf": "web-blue:8080", "green.conf": "web-green:8080"} {
		if b := readFile(t, "deploy/nginx/upstream", file); !strings.Contains(string(b), "server "+host) {
			t.Errorf("deploy/nginx/upstream/%s does not send traffic to %s", file, host)
		}
	}
	// WEB_REPLICAS=0 leaves only the colours serving.
	env := maps.Clone(composeSecrets)
	env["WEB_REPLICAS"] = "0"
	p0, err := loadCompose(env, []string{"prod"}, "docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if r := p0.Services["web"].Deploy.Replicas; r == nil || *r != 0 {
		t.Errorf("web replicas with WEB_REPLICAS=0: %v, want 0", r)
	}
	// The deploy manager picks each colour's image.
	env["AUTOGQL_IMAGE_GREEN"] = "ghcr.io/autogql/autogql:v1.2.3"
	pg, err := loadCompose(env, []string{"prod"}, "docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := pg.Services["web-green"].Image; got != env["AUTOGQL_IMAGE_GREEN"] {
		t.Errorf("web-green image = %s, want AUTOGQL_IMAGE_GREEN", got)
	}
	if got := pg.Services["web-blue"].Image; got != "autogql:local" {
		t.Errorf("web-blue image = %s, want the default while AUTOGQL_IMAGE_BLUE is unset", got)
	}
	checkAllServices(t, p)
}

func TestComposeMonitoringProfile(t *testing.T) {
	p := mustLoadCompose(t, []string{"monitoring"}, "docker-compose.yml")
	for _, name := range []string{"prometheus", "alertmanager", "grafana", "blackbox"} {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("profile monitoring lacks %s", name)
		}
	}
	if _, ok := p.Services["nginx"]; ok {
		t.Error("profile monitoring starts nginx; it belongs to prod")
	}
	graf := p.Services["grafana"]
	if !hasVolume(graf, repoPath("deploy/grafana/provisioning"), "/etc/grafana/provisioning") {
		t.Errorf("grafana volumes = %+v, want the provisioning directory", graf.Volumes)
	}
	if graf.Environment["GF_SECURITY_ADMIN_PASSWORD"] != nil {
		t.Error("grafana admin password is a plain environment variable; use the secret file")
	}
	for _, secret := range []string{"slack_webhook_url", "pagerduty_routing_key", "smtp_password"} {
		if !slices.ContainsFunc(p.Services["alertmanager"].Secrets, func(s types.ServiceSecretConfig) bool { return s.Source == secret }) {
			t.Errorf("alertmanager lacks secret %s", secret)
		}
	}
	checkAllServices(t, p)
}

func TestComposeDevOverride(t *testing.T) {
	p := mustLoadCompose(t, nil, "docker-compose.yml", "docker-compose.dev.yml")
	web := p.Services["web"]
	if web.Build == nil || web.Build.Dockerfile != "Dockerfile.dev" {
		t.Errorf("dev web build = %+v, want Dockerfile.dev", web.Build)
	}
	if env := web.Environment["AUTOGQL_ENV"]; env == nil || *env != "development" {
		t.Errorf("dev AUTOGQL_ENV = %v, want development", env)
	}
	if !hasVolume(web, repoRoot, "/src") {
		t.Errorf("dev web volumes = %+v, want the source bind-mounted at /src", web.Volumes)
	}
	if len(web.Tmpfs) != 0 || web.ReadOnly {
		t.Errorf("dev web tmpfs %v read_only %v; the Go toolchain needs a writable /tmp", web.Tmpfs, web.ReadOnly)
	}
	// The override keeps the production dependencies.
	if c := web.DependsOn["migrate"].Condition; c != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("dev web waits for migrate with %q", c)
	}
}

// TestEnvExample: .env.example documents every variable the compose files
// read, and as shipped (secrets blank) it is refused.
func TestEnvExample(t *testing.T) {
	f, err := os.Open(repoPath(".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	example, err := dotenv.Parse(f)
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	used := map[string]bool{}
	ref := regexp.MustCompile(`\$\{([A-Z_][A-Z0-9_]*)|environment: ([A-Z_][A-Z0-9_]*)\s*$`)
	for _, file := range []string{"docker-compose.yml", "docker-compose.dev.yml"} {
		for _, line := range strings.Split(string(readFile(t, file)), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, m := range ref.FindAllStringSubmatch(line, -1) {
				used[m[1]+m[2]] = true
			}
		}
	}
	for name := range used {
		if _, ok := example[name]; !ok {
			t.Errorf("docker-compose files read %s, which .env.example does not document", name)
		}
	}
	for name := range composeSecrets {
		if example[name] != "" {
			t.Errorf(".env.example ships a value for secret %s", name)
		}
	}
	if _, err := loadCompose(example, nil, "docker-compose.yml"); err == nil {
		t.Error("docker-compose.yml loads with .env.example as is; the blank secrets must be refused")
	}
}
