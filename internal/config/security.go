package config

import (
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/ratelimit"
)

// Users configures the built-in users (autogql_users), served at
// /auth/graphql when Enabled.
type Users struct {
	Enabled bool `yaml:"enabled"`
	// Register offers self-registration (off by default); new users get
	// RegisterRoles.
	Register      bool     `yaml:"register"`
	RegisterRoles []string `yaml:"register_roles"`
	// AccessTTL is an access token's lifetime; RefreshTTL a session's.
	AccessTTL  time.Duration `yaml:"access_ttl"`
	RefreshTTL time.Duration `yaml:"refresh_ttl"`
	// MaxFailedLogins consecutive failures lock an account for Lockout,
	// doubled for each further failure, at most LockoutMax.
	MaxFailedLogins   int           `yaml:"max_failed_logins"`
	Lockout           time.Duration `yaml:"lockout"`
	LockoutMax        time.Duration `yaml:"lockout_max"`
	MinPasswordLength int           `yaml:"min_password_length"`
}

// RateLimit configures the request budgets: rates are "N/s", "N/m" or
// "N/h" ("" or "0": none), bursts how many may come at once. They are kept
// in Redis when redis.url is set, so every replica shares them.
type RateLimit struct {
	// Enabled (staging and production by default).
	Enabled bool `yaml:"enabled"`
	// IP is per client address (X-Forwarded-For is believed only from
	// server.trusted_proxies).
	IP      string `yaml:"ip"`
	IPBurst int    `yaml:"ip_burst"`
	// User is per user id or API key.
	User      string `yaml:"user"`
	UserBurst int    `yaml:"user_burst"`
	// Login is per client address on login, register and refresh_token.
	Login      string `yaml:"login"`
	LoginBurst int    `yaml:"login_burst"`
}

// Limits returns the parsed budgets.
func (r RateLimit) Limits() (ip, user, login ratelimit.Limit, err error) {
	if ip, err = ratelimit.ParseLimit(r.IP, r.IPBurst); err != nil {
		return
	}
	if user, err = ratelimit.ParseLimit(r.User, r.UserBurst); err != nil {
		return
	}
	login, err = ratelimit.ParseLimit(r.Login, r.LoginBurst)
	return
}

// Documents configures persisted queries and trusted documents.
type Documents struct {
	// APQ answers Apollo's automatic persisted queries (stored in Redis
	// when configured, else in memory) for APQTTL.
	APQ    bool          `yaml:"apq"`
	APQTTL time.Duration `yaml:"apq_ttl"`
	// Manifest is a trusted-documents file (Apollo's persisted query
	// manifest, or a JSON object of id → document).
	Manifest string `yaml:"manifest"`
	// Enforce runs only the manifest's documents, except for BypassRoles.
	Enforce     bool     `yaml:"enforce"`
	BypassRoles []string `yaml:"bypass_roles"`
}

// Audit configures the audit log (table autogql_audit and the log).
type Audit struct {
	Enabled bool `yaml:"enabled"`
	// Retention is how long rows are kept (0: forever).
	Retention time.Duration `yaml:"retention"`
}

// validateSecurity checks the security settings (called by Validate).
func validateSecurity(c *Config, bad, warn func(string, ...any)) {
	sec := c.Security
	needKeys := false
	for _, a := range sec.JWTAlgorithms {
		switch a {
		case "HS256":
		case "RS256", "ES256":
			needKeys = true
		default:
			bad("security.jwt_algorithms: %q is not supported: use HS256, RS256 or ES256 (none is never accepted)", a)
		}
	}
	switch {
	case sec.JWKSFile != "" && sec.JWKSURL != "":
		bad("security: set jwks_file or jwks_url, not both")
	case needKeys && sec.JWKSFile == "" && sec.JWKSURL == "":
		bad("security.jwt_algorithms lists RS256 or ES256: set security.jwks_file or security.jwks_url (AUTOGQL_SECURITY_JWKS_URL)")
	case !needKeys && (sec.JWKSFile != "" || sec.JWKSURL != ""):
		warn("security.jwks_file/jwks_url is set but security.jwt_algorithms has no RS256 or ES256: the keys are not used")
	}
	if sec.JWKSFile != "" {
		if _, err := os.Stat(sec.JWKSFile); err != nil {
			bad("security.jwks_file: %v", err)
		}
	}
	if sec.JWKSURL != "" {
		u, err := url.Parse(sec.JWKSURL)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			bad("security.jwks_url %q is not an http(s) URL", sec.JWKSURL)
		case u.Scheme == "http" && c.Env == Production:
			bad("security.jwks_url must use https in production: keys fetched over plain http can be swapped on the way")
		}
	}
	for _, p := range sec.ClaimMap {
		name, path, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(path) == "" || strings.TrimSpace(name) == "id" {
			bad("security.claim_map: %q: want name=path (and not id, which is security.user_id_claim)", p)
		}
	}
	if u := sec.Users; u.Enabled {
		if len(sec.JWTSecret) < MinJWTSecretBytes {
			bad("security.users.enabled needs security.jwt_secret of at least %d bytes to sign access tokens (AUTOGQL_JWT_SECRET_FILE)", MinJWTSecretBytes)
		}
		hs := false
		for _, a := range sec.JWTAlgorithms {
			hs = hs || a == "HS256"
		}
		if !hs {
			bad("security.users.enabled: the built-in users' tokens are HS256: add HS256 to security.jwt_algorithms")
		}
		if u.AccessTTL <= 0 || u.RefreshTTL <= 0 || u.AccessTTL >= u.RefreshTTL {
			bad("security.users: access_ttl (%s) must be positive and shorter than refresh_ttl (%s)", u.AccessTTL, u.RefreshTTL)
		}
		if u.AccessTTL > time.Hour {
			warn("security.users.access_ttl is %s: access tokens cannot be recalled before they expire, keep it short", u.AccessTTL)
		}
		if u.MinPasswordLength < 8 {
			bad("security.users.min_password_length must be at least 8")
		}
	}
	if _, _, _, err := c.RateLimit.Limits(); err != nil {
		bad("rate_limit: %v", err)
	}
	if c.Env == Production && !c.RateLimit.Enabled {
		warn("rate_limit.enabled is off in production: one client can use the whole server")
	}
	if c.Documents.Enforce && c.Documents.Manifest == "" {
		bad("documents.enforce needs documents.manifest, the trusted documents")
	}
	if c.Documents.Manifest != "" {
		if _, err := os.Stat(c.Documents.Manifest); err != nil {
			bad("documents.manifest: %v", err)
		}
	}
	if c.Env == Production && !sec.ClosedByDefault {
		warn("security.closed_by_default is off in production: models without meta.permissions are open to everyone")
	}
}
