package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// baseImages are the configurations BuildKit would fetch for the base images
// the Dockerfiles use, so linting and conversion run offline. They carry the
// environment the real images set (UndefinedVar and the final image config
// depend on it). A Dockerfile that moves to another base image must add it
// here, which is the moment to check what that image provides.
var baseImages = map[string]ocispecs.ImageConfig{
	"docker.io/library/golang:1.26.8-bookworm": {
		Env: []string{
			"PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"GOLANG_VERSION=1.26.8", "GOTOOLCHAIN=local", "GOPATH=/go",
		},
		WorkingDir: "/go",
		Cmd:        []string{"bash"},
	},
	"docker.io/library/postgres:17-alpine": {
		Env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"LANG=en_US.utf8", "PG_MAJOR=17", "PGDATA=/var/lib/postgresql/data",
		},
		Entrypoint: []string{"docker-entrypoint.sh"},
		Cmd:        []string{"postgres"},
		StopSignal: "SIGINT",
	},
	// distroless static, nonroot tag: uid 65532, CA bundle, tzdata, no shell.
	"gcr.io/distroless/static-debian12:nonroot": {
		Env: []string{
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
		},
		User:       "65532",
		WorkingDir: "/home/nonroot",
	},
}

// offlineResolver answers BuildKit's base-image look-ups from baseImages.
type offlineResolver struct{ t *testing.T }

func (r offlineResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg, ok := baseImages[ref]
	if !ok {
		return "", "", nil, fmt.Errorf("base image %q is not in baseImages (deploy/dockerfile_test.go): add its configuration", ref)
	}
	platform := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform = *opt.ImageOpt.Platform
	}
	img := ocispecs.Image{Platform: platform, Config: cfg, RootFS: ocispecs.RootFS{Type: "layers"}}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return ref, digest.FromBytes(dt), dt, nil
}

// dockerfile is one parsed Dockerfile: its stages as BuildKit's instruction
// parser sees them and the final image configuration BuildKit computes.
type dockerfile struct {
	name   string
	data   []byte
	stages []instructions.Stage
	image  dockerspec.DockerOCIImageConfig
	labels map[string]string
}

// buildArgs are what the release workflow passes.
var buildArgs = map[string]string{"VERSION": testVersion, "COMMIT": testCommit, "DATE": "2026-01-02T03:04:05Z"}

func loadDockerfile(t *testing.T, name string) dockerfile {
	t.Helper()
	data := readFile(t, name)
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: parse: %v", name, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s:%d: parser warning: %s", name, w.Location.Start.Line, w.Short)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("%s: instructions: %v", name, err)
	}

	src := llb.Local("dockerfile")
	srcMap := llb.NewSourceMap(&src, name, "Dockerfile", data)
	def, err := src.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srcMap.Definition = def
	opt := dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{BuildArgs: buildArgs},
		SourceMap:    srcMap,
		MetaResolver: offlineResolver{t},
	}
	lint, err := dockerfile2llb.DockerfileLint(context.Background(), data, opt)
	if err != nil {
		t.Fatalf("%s: lint: %v", name, err)
	}
	if lint.Error != nil {
		t.Errorf("%s: BuildKit reports a build error: %s", name, lint.Error.Message)
	}
	for _, w := range lint.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		t.Errorf("%s:%d: docker build --check %s: %s (%s)", name, line, w.RuleName, w.Detail, w.URL)
	}

	conv, err := dockerfile2llb.Dockerfile2LLB(context.Background(), data, opt)
	if err != nil {
		t.Fatalf("%s: convert: %v", name, err)
	}
	return dockerfile{name: name, data: data, stages: stages, image: conv.Image.Config, labels: conv.Image.Config.Labels}
}

func (d dockerfile) final() instructions.Stage { return d.stages[len(d.stages)-1] }

// commands returns the final stage's commands of type T.
func commandsOf[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	d := loadDockerfile(t, "Dockerfile")

	if len(d.stages) < 2 {
		t.Fatalf("stages = %d, want a multi-stage build (build + runtime)", len(d.stages))
	}
	build, runtime := d.stages[0], d.final()
	if !strings.HasPrefix(build.BaseName, "golang:") {
		t.Errorf("build stage FROM %s, want a golang image", build.BaseName)
	}
	if build.Platform != "$BUILDPLATFORM" {
		t.Errorf("build stage --platform = %q, want $BUILDPLATFORM (cross-compile instead of emulating)", build.Platform)
	}
	if runtime.BaseName != "gcr.io/distroless/static-debian12:nonroot" && runtime.BaseName != "scratch" {
		t.Errorf("runtime stage FROM %s, want distroless static (nonroot) or scratch", runtime.BaseName)
	}

	// The binary is static, trimmed and carries its version.
	var goBuild string
	for _, r := range commandsOf[*instructions.RunCommand](build) {
		line := strings.Join(r.CmdLine, " ")
		if strings.Contains(line, "go build") {
			goBuild = line
		}
	}
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath", "GOOS=${TARGETOS}", "GOARCH=${TARGETARCH}", "./cmd/autogql",
		"-X github.com/autogql/autogql/internal/cli.version=${VERSION}",
		"-X github.com/autogql/autogql/internal/cli.commit=${COMMIT}",
		"-X github.com/autogql/autogql/internal/cli.date=${DATE}",
	} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("build stage `go build` lacks %q:\n%s", want, goBuild)
		}
	}
	if !strings.Contains(string(d.data), "--mount=type=cache,target=/go/pkg/mod") {
		t.Error("build stage does not keep the module cache in a cache mount")
	}

	// The backup image: the same binary beside pg_dump, not root either.
	var backup *instructions.Stage
	for i := range d.stages {
		if d.stages[i].Name == "backup" {
			backup = &d.stages[i]
		}
	}
	if backup == nil || !strings.HasPrefix(backup.BaseName, "postgres:") {
		t.Errorf("no backup stage FROM postgres (the Helm backup CronJob runs its image)")
	} else {
		users := commandsOf[*instructions.UserCommand](*backup)
		if len(users) != 1 || strings.HasPrefix(users[0].User, "0") || strings.HasPrefix(users[0].User, "root") {
			t.Errorf("backup stage USER %v, want one non-root user", users)
		}
		copies := commandsOf[*instructions.CopyCommand](*backup)
		if len(copies) != 1 || copies[0].From != "build" || copies[0].SourcePaths[0] != "/out/autogql" {
			t.Errorf("backup stage must copy the build stage's binary, copies %v", copies)
		}
	}

	// A runtime without a shell: nothing is RUN there.
	if runs := commandsOf[*instructions.RunCommand](runtime); len(runs) > 0 {
		t.Errorf("runtime stage has %d RUN instructions; the distroless runtime has no shell", len(runs))
	}

	// The final configuration, as BuildKit computes it.
	img := d.image
	if uid, _, _ := strings.Cut(img.User, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("image user = %q, want a non-root user", img.User)
	}
	if got, want := img.Entrypoint, []string{"/usr/local/bin/autogql"}; !slices.Equal(got, want) {
		t.Errorf("entrypoint = %q, want exec form %q", got, want)
	}
	if got, want := img.Cmd, []string{"serve"}; !slices.Equal(got, want) {
		t.Errorf("cmd = %q, want %q", got, want)
	}
	entry := commandsOf[*instructions.EntrypointCommand](runtime)
	if len(entry) != 1 || entry[0].PrependShell {
		t.Error("ENTRYPOINT must appear once, in exec (JSON) form, so signals reach autogql")
	}
	hc := commandsOf[*instructions.HealthCheckCommand](runtime)
	if len(hc) != 1 {
		t.Fatalf("runtime stage has %d HEALTHCHECK instructions, want 1", len(hc))
	}
	if got := hc[0].Health.Test; len(got) < 3 || got[0] != "CMD" || got[1] != "/usr/local/bin/autogql" || got[2] != "health" {
		t.Errorf("HEALTHCHECK = %q, want [CMD /usr/local/bin/autogql health …] (exec form: no shell, no curl)", got)
	}
	if _, ok := img.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports = %v, want 8080/tcp", img.ExposedPorts)
	}
	if _, ok := img.Volumes["/data"]; !ok {
		t.Errorf("volumes = %v, want /data (the only writable path besides /tmp)", img.Volumes)
	}
	if img.StopSignal != "SIGTERM" {
		t.Errorf("stop signal = %q, want SIGTERM (graceful drain)", img.StopSignal)
	}
	env := map[string]string{}
	for _, kv := range img.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, want := range map[string]string{
		"AUTOGQL_ENV": "production", "AUTOGQL_ADDR": ":8080",
		"AUTOGQL_MODELS": "/etc/autogql/models.yaml", "DATABASE_URL": "sqlite:/data/autogql.db",
		"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
	} {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.title":    "autogql",
		"org.opencontainers.image.source":   "https://github.com/autogql/autogql",
		"org.opencontainers.image.version":  testVersion,
		"org.opencontainers.image.revision": testCommit,
		"org.opencontainers.image.created":  buildArgs["DATE"],
	} {
		if got := d.labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
}

func TestDockerfileDev(t *testing.T) {
	d := loadDockerfile(t, "Dockerfile.dev")
	img := d.image
	if uid, _, _ := strings.Cut(img.User, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("dev image user = %q, want a non-root user (the bind-mounted source stays yours)", img.User)
	}
	if got, want := img.Entrypoint, []string{"/usr/local/bin/live-reload"}; !slices.Equal(got, want) {
		t.Errorf("dev entrypoint = %q, want %q", got, want)
	}
	var copied []string
	for _, c := range commandsOf[*instructions.CopyCommand](d.final()) {
		copied = append(copied, c.SourcePaths...)
	}
	if !slices.Contains(copied, "deploy/dev/live-reload.sh") {
		t.Errorf("Dockerfile.dev copies %q, want deploy/dev/live-reload.sh", copied)
	}
}

// TestDockerignore checks each build context with the same matcher BuildKit
// uses: what the build needs is sent, secrets and databases are not.
func TestDockerignore(t *testing.T) {
	for _, tc := range []struct {
		file           string
		sent, excluded []string
	}{
		{
			file: ".dockerignore",
			sent: []string{"go.mod", "go.sum", "cmd/autogql/main.go", "internal/cli/cli.go",
				"internal/model/models.schema.json", "internal/httpapi/graphiql/assets/index.html", "examples/blog/models.yaml"},
			excluded: []string{".git/config", ".env", "autogql.db", "examples/blog/blog.db", "deploy/nginx/tls/privkey.pem",
				".ci/audit/node_modules/graphql/package.json", "internal/cli/cli_test.go", "internal/httpapi/testdata/x.json", "Dockerfile"},
		},
		{
			file:     "Dockerfile.dev.dockerignore",
			sent:     []string{"go.mod", "go.sum", "deploy/dev/live-reload.sh"},
			excluded: []string{".git/config", ".env", "autogql.db", "internal/cli/cli.go"},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			patterns, err := ignorefile.ReadAll(bytes.NewReader(readFile(t, tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			pm, err := patternmatcher.New(patterns)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.sent {
				if ex, err := pm.MatchesOrParentMatches(p); err != nil || ex {
					t.Errorf("%s is excluded from the build context; the build needs it (err %v)", p, err)
				}
			}
			for _, p := range tc.excluded {
				if ex, err := pm.MatchesOrParentMatches(p); err != nil || !ex {
					t.Errorf("%s is sent to the build context; it must be excluded (err %v)", p, err)
				}
			}
		})
	}
}
