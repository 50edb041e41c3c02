package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// MinJWTSecretBytes is the shortest HS256 secret production accepts: the
// key should be as long as the hash (RFC 7518 §3.2).
const MinJWTSecretBytes = 32

// Validate checks the configuration. It returns an error listing every
// setting that must change (each message says what to change), and
// warnings for settings that work but deserve a look.
//
// Decisions worth knowing: in production, graphql.debug is always refused
// (it leaks internal errors); GraphiQL, introspection and suggestions are
// refused unless graphql.public_schema acknowledges a public schema; a JWT
// secret shorter than 32 bytes is refused (a warning elsewhere); SQLite is
// a warning, not an error (one machine with an embedded database is a
// legitimate deployment); a missing JWT secret is a warning while
// authentication is not configured.
func (c *Config) Validate() (warnings []string, err error) {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	warn := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }

	switch c.Env {
	case Development, Staging, Production:
	default:
		bad("env %q is not a profile: use development, staging or production (AUTOGQL_ENV)", c.Env)
	}
	if c.Models == "" {
		bad("models is empty: name the models file (--models or AUTOGQL_MODELS)")
	}
	if !c.Database.IsPostgres() && !strings.HasPrefix(c.Database.URL, "sqlite:") {
		bad("database.url %q is not supported: use sqlite:PATH, postgres://… or postgresql://… (DATABASE_URL)", MaskURL(c.Database.URL))
	}
	if c.Redis.URL != "" && !strings.HasPrefix(c.Redis.URL, "redis://") && !strings.HasPrefix(c.Redis.URL, "rediss://") && !strings.HasPrefix(c.Redis.URL, "unix://") {
		bad("redis.url %q is not supported: use redis://host:port/db or rediss:// (REDIS_URL)", MaskURL(c.Redis.URL))
	}
	if c.Server.Addr == "" {
		bad("server.addr is empty: set a listen address such as :8080 (--addr, AUTOGQL_ADDR or PORT)")
	} else if _, _, err := net.SplitHostPort(c.Server.Addr); err != nil {
		bad("server.addr %q is not host:port (for example :8080)", c.Server.Addr)
	}
	if c.Server.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.Server.AdminAddr); err != nil {
			bad("server.admin_addr %q is not host:port (for example 127.0.0.1:9090)", c.Server.AdminAddr)
		} else if c.Server.AdminAddr == c.Server.Addr && !strings.HasSuffix(c.Server.Addr, ":0") {
			bad("server.admin_addr is the same as server.addr: give the admin listener its own port or leave it empty")
		}
	}
	if c.Server.RequestTimeout > 0 && c.Server.WriteTimeout > 0 && c.Server.RequestTimeout >= c.Server.WriteTimeout {
		bad("server.request_timeout (%s) must be shorter than server.write_timeout (%s), or the connection is cut before the timeout answers", c.Server.RequestTimeout, c.Server.WriteTimeout)
	}
	if c.Server.ShutdownTimeout <= 0 {
		bad("server.shutdown_timeout must be positive (for example 20s)")
	}
	if c.Server.MaxBodyBytes <= 0 {
		bad("server.max_body_bytes must be positive (for example 1048576)")
	}
	for _, p := range c.Server.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				bad("server.trusted_proxies: %q is neither an address nor a CIDR", p)
			}
		}
	}
	wildcard := false
	for _, o := range c.Server.CORS.AllowedOrigins {
		switch {
		case o == "*":
			wildcard = true
		case !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://"):
			bad("server.cors.allowed_origins: %q is not an origin (scheme://host[:port]) or *", o)
		case strings.Count(o, "/") > 2:
			bad("server.cors.allowed_origins: %q has a path; an origin is scheme://host[:port]", o)
		}
	}
	if wildcard && c.Server.CORS.AllowCredentials {
		bad("server.cors: allowed_origins * with allow_credentials lets any site act with a user's credentials: list the origins instead")
	}
	if c.Database.MaxConns < 0 || c.Database.MinConns < 0 || (c.Database.MaxConns > 0 && c.Database.MinConns > c.Database.MaxConns) {
		bad("database.min_conns (%d) must be between 0 and database.max_conns (%d)", c.Database.MinConns, c.Database.MaxConns)
	}
	if c.GraphQL.MaxPageSize < 1 {
		bad("graphql.max_page_size must be at least 1")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level %q: use debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		bad("log.format %q: use json or text", c.Log.Format)
	}
	if c.Tracing.SampleRatio < 0 || c.Tracing.SampleRatio > 1 {
		bad("tracing.sample_ratio %v must be between 0 and 1", c.Tracing.SampleRatio)
	}
	if c.Tracing.Endpoint != "" && !strings.HasPrefix(c.Tracing.Endpoint, "http://") && !strings.HasPrefix(c.Tracing.Endpoint, "https://") {
		bad("tracing.endpoint %q must be an http:// or https:// OTLP/HTTP URL", c.Tracing.Endpoint)
	}
	if c.Metrics.MaxOperationNames < 1 {
		bad("metrics.max_operation_names must be at least 1")
	}
	if c.Health.PoolUsageWarning <= 0 || c.Health.PoolUsageWarning > 1 {
		bad("health.pool_usage_warning %v must be a fraction in (0, 1]", c.Health.PoolUsageWarning)
	}
	if c.Health.ReadyTimeout <= 0 {
		bad("health.ready_timeout must be positive (for example 2s)")
	}

	secret := len(c.Security.JWTSecret)
	if c.Env == Production {
		if c.GraphQL.Debug {
			bad("graphql.debug is on in production, which shows internal errors to clients: set graphql.debug: false (AUTOGQL_GRAPHQL_DEBUG=false)")
		}
		if !c.GraphQL.PublicSchema {
			if c.GraphQL.GraphiQL {
				bad("graphql.graphiql is on in production: set graphql.graphiql: false (AUTOGQL_GRAPHQL_GRAPHIQL=false), or graphql.public_schema: true if the schema is meant to be public")
			}
			if c.GraphQL.Introspection {
				bad("graphql.introspection is on in production: set graphql.introspection: false (AUTOGQL_GRAPHQL_INTROSPECTION=false), or graphql.public_schema: true if the schema is meant to be public")
			}
			if c.GraphQL.Suggestions {
				bad("graphql.suggestions is on in production, which reveals field names: set graphql.suggestions: false (AUTOGQL_GRAPHQL_SUGGESTIONS=false), or graphql.public_schema: true if the schema is meant to be public")
			}
		}
		if secret > 0 && secret < MinJWTSecretBytes {
			bad("security.jwt_secret is %d bytes; production needs at least %d random bytes: generate one with `openssl rand -base64 48` and set AUTOGQL_JWT_SECRET_FILE", secret, MinJWTSecretBytes)
		}
		if secret == 0 && c.Security.JWKSFile == "" && c.Security.JWKSURL == "" {
			warn("security.jwt_secret is not set: authentication is not configured")
		}
		if !c.Database.IsPostgres() {
			warn("database.url is SQLite in production: fine for one instance, but several replicas need PostgreSQL")
		}
		if wildcard {
			warn("server.cors.allowed_origins is * in production: any site can call the API from a browser")
		}
		if c.Database.AutoMigrate {
			warn("database.auto_migrate is on in production: prefer `autogql migrate` as a separate step")
		}
	} else if secret > 0 && secret < MinJWTSecretBytes {
		warn("security.jwt_secret is %d bytes: production will refuse fewer than %d", secret, MinJWTSecretBytes)
	}
	validateSecurity(c, bad, warn)
	l := c.Limits
	if l.MaxTokens == 0 || l.MaxDepth == 0 || l.MaxCost == 0 || l.MaxAliases == 0 {
		warn("a query limit is disabled (limits.max_tokens/max_depth/max_aliases/max_cost = 0): hostile queries can be expensive")
	}
	if len(errs) > 0 {
		return warnings, errors.New("invalid configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return warnings, nil
}
