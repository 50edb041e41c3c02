package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden error files")

// envMap is a fake environment.
func envMap(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// loadAndValidate is what `autogql check` does with a config file.
func loadAndValidate(path string) (*Config, []string, error) {
	c, err := Load(Sources{File: path, LookupEnv: envMap()})
	if err != nil {
		return nil, nil, err
	}
	w, err := c.Validate()
	return c, w, err
}

// TestGoodFiles loads every testdata/*.good.yaml: each must load and
// validate without error.
func TestGoodFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.good.yaml")
	if len(files) == 0 {
		t.Fatal("no good files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if _, _, err := loadAndValidate(f); err != nil {
				t.Errorf("got error:\n%v", err)
			}
		})
	}
}

// TestBadFiles holds every testdata/*.bad.yaml to its expected errors in
// testdata/*.bad.yaml.err (regenerate with -update and review the diff).
func TestBadFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.bad.yaml")
	if len(files) == 0 {
		t.Fatal("no bad files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, _, err := loadAndValidate(f)
			if err == nil {
				t.Fatal("got no error")
			}
			got := err.Error() + "\n"
			golden := f + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("errors differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "autogql.yaml")
	os.WriteFile(file, []byte("env: staging\nserver:\n  addr: \":7000\"\n  drain_delay: 9s\nlimits:\n  max_depth: 5\n  max_cost: 900\ndatabase:\n  url: sqlite:file.db\n"), 0o644)
	secret := filepath.Join(dir, "jwt")
	os.WriteFile(secret, []byte("from-a-file-0123456789abcdef0123456789\n"), 0o600)

	for _, tc := range []struct {
		name  string
		env   []string
		flags map[string]string
		check func(t *testing.T, c *Config)
	}{
		{"file over profile over defaults", nil, nil, func(t *testing.T, c *Config) {
			want(t, "env", c.Env, Staging)
			want(t, "addr (file)", c.Server.Addr, ":7000")
			want(t, "drain_delay (file beats the staging profile's 2s)", c.Server.DrainDelay, 9*time.Second)
			want(t, "introspection (staging profile)", c.GraphQL.Introspection, true)
			want(t, "graphiql (staging profile keeps it off)", c.GraphQL.GraphiQL, false)
			want(t, "max_depth (file)", c.Limits.MaxDepth, 5)
			want(t, "max_aliases (default)", c.Limits.MaxAliases, 30)
		}},
		{"environment over file", []string{"AUTOGQL_LIMITS_MAX_DEPTH", "7", "DATABASE_URL", "postgres://u:p@h/db", "AUTOGQL_DATABASE", "sqlite:ignored.db", "PORT", "9999"}, nil, func(t *testing.T, c *Config) {
			want(t, "max_depth (env)", c.Limits.MaxDepth, 7)
			want(t, "max_cost (file)", c.Limits.MaxCost, 900)
			want(t, "database (DATABASE_URL beats AUTOGQL_DATABASE)", c.Database.URL, "postgres://u:p@h/db")
			want(t, "addr (PORT)", c.Server.Addr, ":9999")
		}},
		{"AUTOGQL_ADDR beats PORT", []string{"PORT", "9999", "AUTOGQL_ADDR", "127.0.0.1:1234"}, nil, func(t *testing.T, c *Config) {
			want(t, "addr", c.Server.Addr, "127.0.0.1:1234")
		}},
		{"flags over environment", []string{"AUTOGQL_LIMITS_MAX_DEPTH", "7", "AUTOGQL_ADDR", ":1"}, map[string]string{"limits.max_depth": "3", "server.addr": ":2"}, func(t *testing.T, c *Config) {
			want(t, "max_depth (flag)", c.Limits.MaxDepth, 3)
			want(t, "addr (flag)", c.Server.Addr, ":2")
		}},
		{"profile chosen by the environment", []string{"AUTOGQL_ENV", "development"}, nil, func(t *testing.T, c *Config) {
			want(t, "env", c.Env, Development)
			want(t, "graphiql (development profile)", c.GraphQL.GraphiQL, true)
			want(t, "drain_delay (file)", c.Server.DrainDelay, 9*time.Second)
		}},
		{"profile chosen by a flag", []string{"AUTOGQL_ENV", "development"}, map[string]string{"env": "production"}, func(t *testing.T, c *Config) {
			want(t, "env", c.Env, Production)
			want(t, "graphiql", c.GraphQL.GraphiQL, false)
			want(t, "debug", c.GraphQL.Debug, false)
		}},
		{"secret from a file", []string{"AUTOGQL_JWT_SECRET_FILE", secret}, nil, func(t *testing.T, c *Config) {
			want(t, "jwt_secret", string(c.Security.JWTSecret), "from-a-file-0123456789abcdef0123456789")
		}},
		{"lists from the environment", []string{"AUTOGQL_SERVER_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"}, nil, func(t *testing.T, c *Config) {
			if diff := cmp.Diff([]string{"https://a.example", "https://b.example"}, c.Server.CORS.AllowedOrigins); diff != "" {
				t.Error(diff)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(Sources{File: file, LookupEnv: envMap(tc.env...), Flags: tc.flags})
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func want[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestDefaultsWithNothingConfigured(t *testing.T) {
	t.Chdir(t.TempDir()) // no autogql.yaml here
	c, err := Load(Sources{LookupEnv: envMap()})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "env", c.Env, Development)
	want(t, "database", c.Database.URL, "sqlite:autogql.db")
	want(t, "addr", c.Server.Addr, ":8080")
	want(t, "graphiql", c.GraphQL.GraphiQL, true)
	want(t, "auto_migrate", c.Database.AutoMigrate, true)
	want(t, "log format", c.Log.Format, "text")
	if _, err := c.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestAutogqlYAMLFoundInWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile(filepath.Join(dir, DefaultFile), []byte("server:\n  addr: \":4321\"\n"), 0o644)
	c, err := Load(Sources{LookupEnv: envMap()})
	if err != nil {
		t.Fatal(err)
	}
	want(t, "addr", c.Server.Addr, ":4321")
	// AUTOGQL_CONFIG names another file, which must exist.
	_, err = Load(Sources{LookupEnv: envMap("AUTOGQL_CONFIG", filepath.Join(dir, "nope.yaml"))})
	if err == nil || !strings.Contains(err.Error(), "nope.yaml does not exist") {
		t.Errorf("got %v, want a missing-file error", err)
	}
}

func TestEnvironmentErrorsNameTheVariable(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := Load(Sources{LookupEnv: envMap("AUTOGQL_LIMITS_MAX_DEPTH", "deep", "AUTOGQL_SERVER_DRAIN_DELAY", "5", "PORT", "http")})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`AUTOGQL_LIMITS_MAX_DEPTH: "deep" is not a whole number`,
		`AUTOGQL_SERVER_DRAIN_DELAY: "5" is not a duration`,
		`PORT: "http" is not a port number`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestPrintMasksSecrets(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load(Sources{LookupEnv: envMap(
		"AUTOGQL_JWT_SECRET", "super-secret-value-0123456789abcdef",
		"DATABASE_URL", "postgres://app:hunter2@db:5432/app",
		"REDIS_URL", "redis://:redispass@cache:6379/0",
	)})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Print(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, leak := range []string{"super-secret", "hunter2", "redispass"} {
		if strings.Contains(out, leak) {
			t.Errorf("printed config shows %q:\n%s", leak, out)
		}
	}
	for _, w := range []string{
		`jwt_secret: "********"  # AUTOGQL_JWT_SECRET`,
		`url: "postgres://app:****@db:5432/app"  # DATABASE_URL`,
		`url: "redis://:****@cache:6379/0"  # REDIS_URL`,
		`max_depth: 12  # AUTOGQL_LIMITS_MAX_DEPTH`,
		`drain_delay: 0s  # AUTOGQL_SERVER_DRAIN_DELAY`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("printed config lacks %q:\n%s", w, out)
		}
	}
	// What Print writes loads back.
	path := filepath.Join(t.TempDir(), "printed.yaml")
	os.WriteFile(path, b.Bytes(), 0o644)
	if _, err := Load(Sources{File: path, LookupEnv: envMap()}); err != nil {
		t.Errorf("printed config does not load: %v", err)
	}
}
