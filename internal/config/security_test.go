package config

import (
	"strings"
	"testing"
)

// TestValidateSecurity: the security settings' refusals and warnings.
func TestValidateSecurity(t *testing.T) {
	secret := Secret(strings.Repeat("s", 40))
	for _, tc := range []struct {
		name    string
		env     string
		set     func(*Config)
		bad     string // a refusal containing this, or "" for none
		warning string
	}{
		{"defaults", Production, nil, "", "security.jwt_secret is not set"},
		{"alg none", Development, func(c *Config) { c.Security.JWTAlgorithms = []string{"none"} }, `"none" is not supported`, ""},
		{"RS256 without keys", Development, func(c *Config) { c.Security.JWTAlgorithms = []string{"RS256"} }, "set security.jwks_file or security.jwks_url", ""},
		{"http JWKS in production", Production, func(c *Config) {
			c.Security.JWTAlgorithms = []string{"RS256"}
			c.Security.JWKSURL = "http://idp.example.com/jwks"
		}, "must use https in production", ""},
		{"users without a secret", Development, func(c *Config) { c.Security.Users.Enabled = true }, "security.users.enabled needs security.jwt_secret", ""},
		{"users without HS256", Development, func(c *Config) {
			c.Security.Users.Enabled = true
			c.Security.JWTSecret = secret
			c.Security.JWTAlgorithms = []string{"ES256"}
			c.Security.JWKSURL = "https://idp.example.com/jwks"
		}, "add HS256", ""},
		{"users", Development, func(c *Config) { c.Security.Users.Enabled = true; c.Security.JWTSecret = secret }, "", ""},
		{"bad rate", Development, func(c *Config) { c.RateLimit.IP = "lots" }, "rate_limit: rate \"lots\"", ""},
		{"enforce without a manifest", Development, func(c *Config) { c.Documents.Enforce = true }, "documents.enforce needs documents.manifest", ""},
		{"bad claim map", Development, func(c *Config) { c.Security.ClaimMap = []string{"tenant"} }, "want name=path", ""},
		{"open models in production", Production, func(c *Config) { c.Security.ClosedByDefault = false }, "", "closed_by_default is off in production"},
		{"no rate limits in production", Production, func(c *Config) { c.RateLimit.Enabled = false }, "", "rate_limit.enabled is off in production"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ForEnv(tc.env)
			if tc.set != nil {
				tc.set(&c)
			}
			warnings, err := c.Validate()
			switch {
			case tc.bad == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
				t.Fatalf("got %v, want a refusal containing %q", err, tc.bad)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(warnings, "\n"), tc.warning) {
				t.Errorf("warnings %q lack %q", warnings, tc.warning)
			}
		})
	}
	if c := ForEnv(Production); !c.Security.ClosedByDefault || !c.RateLimit.Enabled {
		t.Error("production must close models without rules and limit rates by default")
	}
	if c := ForEnv(Development); c.Security.ClosedByDefault || c.RateLimit.Enabled {
		t.Error("development keeps models without rules open and rates unlimited")
	}
}
