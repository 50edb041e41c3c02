package config

import (
	"strings"
	"time"
)

// Environment profiles (AUTOGQL_ENV).
const (
	Development = "development"
	Staging     = "staging"
	Production  = "production"
)

// Secret is a configuration value that is never printed: String and the
// effective-config printer show it masked.
type Secret string

// String masks the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "********"
}

// Config is the whole server configuration. Every field has a yaml key (the
// autogql.yaml spelling), an environment variable derived from it
// (AUTOGQL_<SECTION>_<KEY>, plus the aliases in its env tag) and a
// documented default (Default, then the profile of Env).
type Config struct {
	// Env is the profile: development, staging or production.
	Env string `yaml:"env" env:"AUTOGQL_ENV"`
	// Models is the models file.
	Models   string   `yaml:"models" env:"AUTOGQL_MODELS"`
	Server   Server   `yaml:"server"`
	Database Database `yaml:"database"`
	Redis    Redis    `yaml:"redis"`
	GraphQL  GraphQL  `yaml:"graphql"`
	Limits   Limits   `yaml:"limits"`
	Security Security `yaml:"security"`
	Log      Log      `yaml:"log"`
	Metrics  Metrics  `yaml:"metrics"`
	Tracing  Tracing  `yaml:"tracing"`
	Health   Health   `yaml:"health"`
	Backup   Backup   `yaml:"backup"`
	// RateLimit, Documents and Audit are in security.go.
	RateLimit RateLimit `yaml:"rate_limit"`
	Documents Documents `yaml:"documents"`
	Audit     Audit     `yaml:"audit"`
}

// Server configures the HTTP listeners and the lifecycle.
type Server struct {
	// Addr is the public listener (PORT=N means ":N").
	Addr string `yaml:"addr" env:"AUTOGQL_ADDR"`
	// AdminAddr, when set, serves /metrics and the health endpoints on a
	// second listener (and /metrics leaves the public one).
	AdminAddr         string        `yaml:"admin_addr" env:"AUTOGQL_ADMIN_ADDR"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	ReadTimeout       time.Duration `yaml:"read_timeout"`
	WriteTimeout      time.Duration `yaml:"write_timeout"`
	IdleTimeout       time.Duration `yaml:"idle_timeout"`
	// RequestTimeout bounds one GraphQL request, database statements
	// included (they are cancelled when it passes). 0 disables.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// DrainDelay is how long readiness reports "draining" before the
	// listener stops accepting, so load balancers take the instance out.
	DrainDelay time.Duration `yaml:"drain_delay"`
	// ShutdownTimeout bounds how long in-flight requests may take to finish.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// MaxBodyBytes bounds a request body (413 above).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// TrustedProxies are the CIDRs (or addresses) whose X-Forwarded-Proto
	// and X-Forwarded-For are believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	CORS           CORS     `yaml:"cors"`
}

// CORS is the cross-origin allow-list. An empty list allows no cross-origin
// browser calls.
type CORS struct {
	AllowedOrigins   []string      `yaml:"allowed_origins"`
	AllowCredentials bool          `yaml:"allow_credentials"`
	MaxAge           time.Duration `yaml:"max_age"`
}

// Database configures the SQL database and its pool.
type Database struct {
	// URL is sqlite:PATH, postgres://… or postgresql://….
	URL string `yaml:"url" env:"DATABASE_URL,AUTOGQL_DATABASE"`
	// MaxConns caps the pool (0: the driver's default, 4 or #CPU on pgx).
	MaxConns int `yaml:"max_conns"`
	// MinConns keeps this many PostgreSQL connections open.
	MinConns        int           `yaml:"min_conns"`
	MaxConnLifetime time.Duration `yaml:"max_conn_lifetime"`
	MaxConnIdleTime time.Duration `yaml:"max_conn_idle_time"`
	// PgBouncer uses no server-side prepared statements (for PgBouncer in
	// transaction pooling mode); it costs some speed.
	PgBouncer bool `yaml:"pgbouncer"`
	// AutoMigrate creates missing tables at start (development default).
	AutoMigrate bool `yaml:"auto_migrate"`
}

// Redis configures the optional shared store.
type Redis struct {
	// URL is redis://[user:pass@]host:port/db; empty means no Redis.
	URL         string        `yaml:"url" env:"REDIS_URL"`
	DialTimeout time.Duration `yaml:"dial_timeout"`
}

// GraphQL configures what the API exposes.
type GraphQL struct {
	// GraphiQL serves the IDE to browsers at /graphql/.
	GraphiQL bool `yaml:"graphiql"`
	// Introspection answers __schema/__type and serves /schema.graphql.
	Introspection bool `yaml:"introspection"`
	// Suggestions adds "Did you mean …?" to validation errors.
	Suggestions bool `yaml:"suggestions"`
	// Debug puts internal error causes into responses.
	Debug bool `yaml:"debug"`
	// PublicSchema acknowledges that GraphiQL, introspection and
	// suggestions are wanted in production (refused there otherwise).
	PublicSchema bool `yaml:"public_schema"`
	// MaxPageSize caps every list (per model: meta.max_page_size).
	MaxPageSize int `yaml:"max_page_size"`
	// SlowQueryThreshold logs operations slower than this (0 disables).
	SlowQueryThreshold time.Duration `yaml:"slow_query_threshold"`
}

// Limits bound what one request may ask for; 0 disables a limit.
type Limits struct {
	MaxTokens         int `yaml:"max_tokens"`
	MaxDepth          int `yaml:"max_depth"`
	MaxAliases        int `yaml:"max_aliases"`
	MaxRootFields     int `yaml:"max_root_fields"`
	MaxDirectives     int `yaml:"max_directives"`
	MaxCost           int `yaml:"max_cost"`
	MaxQueryBytes     int `yaml:"max_query_bytes"`
	MaxVariablesBytes int `yaml:"max_variables_bytes"`
}

// Security holds credentials and their policy (see security.go for the
// rest of the security settings).
type Security struct {
	// JWTSecret is the HS256 key (at least 32 bytes in production).
	JWTSecret Secret `yaml:"jwt_secret" env:"AUTOGQL_JWT_SECRET"`
	// JWTAlgorithms pins the accepted algorithms (HS256, RS256, ES256);
	// every other one, "none" included, is refused.
	JWTAlgorithms []string `yaml:"jwt_algorithms"`
	// JWKSFile or JWKSURL hold the RS256/ES256 public keys.
	JWKSFile string `yaml:"jwks_file"`
	JWKSURL  string `yaml:"jwks_url"`
	// JWKSMinRefresh bounds key refetches caused by unknown kids.
	JWKSMinRefresh time.Duration `yaml:"jwks_min_refresh"`
	// JWTIssuer and JWTAudience, when set, must match iss and aud.
	JWTIssuer   string `yaml:"jwt_issuer"`
	JWTAudience string `yaml:"jwt_audience"`
	// ClockSkew is the leeway for exp, nbf and iat.
	ClockSkew time.Duration `yaml:"clock_skew"`
	// UserIDClaim and RolesClaim are claim paths (dots walk nested
	// objects: "https://hasura.io/jwt/claims.x-hasura-user-id").
	UserIDClaim string `yaml:"user_id_claim"`
	RolesClaim  string `yaml:"roles_claim"`
	// ClaimMap adds $user.<name> variables from nested claims: name=path.
	ClaimMap []string `yaml:"claim_map"`
	// APIKeys accepts keys made with autogql apikey create.
	APIKeys bool `yaml:"api_keys"`
	// ClosedByDefault denies access to models that declare no
	// meta.permissions (staging and production); development leaves them
	// open and warns.
	ClosedByDefault bool  `yaml:"closed_by_default"`
	Users           Users `yaml:"users"`
}

// Log configures the structured log.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level" env:"AUTOGQL_LOG_LEVEL"`
	// Format is json or text.
	Format string `yaml:"format" env:"AUTOGQL_LOG_FORMAT"`
}

// Metrics configures the Prometheus endpoint.
type Metrics struct {
	Enabled bool `yaml:"enabled"`
	// MaxOperationNames bounds the operation name label: later names are
	// counted as "other".
	MaxOperationNames int `yaml:"max_operation_names"`
}

// Tracing configures OpenTelemetry export.
type Tracing struct {
	// Endpoint is the OTLP/HTTP URL (http://collector:4318); empty disables
	// tracing. OTEL_EXPORTER_OTLP_ENDPOINT is read too.
	Endpoint    string  `yaml:"endpoint" env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	ServiceName string  `yaml:"service_name" env:"OTEL_SERVICE_NAME"`
	SampleRatio float64 `yaml:"sample_ratio"`
}

// Health holds the thresholds of the /health/ report.
type Health struct {
	// ReadyTimeout bounds the database check of /readyz and /health/.
	ReadyTimeout time.Duration `yaml:"ready_timeout"`
	// DatabaseLatencyWarning: a slower ping is "warning".
	DatabaseLatencyWarning time.Duration `yaml:"database_latency_warning"`
	// PoolUsageWarning: a pool busier than this fraction is "warning".
	PoolUsageWarning float64 `yaml:"pool_usage_warning"`
	// CacheLatencyWarning: a slower Redis ping is "warning".
	CacheLatencyWarning time.Duration `yaml:"cache_latency_warning"`
	// MemoryWarningBytes: a larger Go heap is "warning" (0 disables).
	MemoryWarningBytes uint64 `yaml:"memory_warning_bytes"`
	// DiskFreeWarningBytes / DiskFreeCriticalBytes: less free space on the
	// working directory's file system is "warning" / "critical".
	DiskFreeWarningBytes  uint64 `yaml:"disk_free_warning_bytes"`
	DiskFreeCriticalBytes uint64 `yaml:"disk_free_critical_bytes"`
}

// Backup configures backups: where the backup commands keep them, and the
// schedule and retention of serve's scheduled backups.
type Backup struct {
	// Dir is the backup directory (storage).
	Dir string `yaml:"dir"`
	// Schedule is a cron expression ("17 3 * * *", "@daily", "@every 6h");
	// serve makes a backup at each activation, then prunes. Empty: none.
	Schedule string `yaml:"schedule"`
	// KeepLast, KeepDaily and KeepWeekly are the retention applied after
	// each scheduled backup (all 0: keep everything).
	KeepLast   int `yaml:"keep_last"`
	KeepDaily  int `yaml:"keep_daily"`
	KeepWeekly int `yaml:"keep_weekly"`
	// PGBin is the directory of pg_dump and pg_restore; empty picks the
	// ones matching the server's major version.
	PGBin string `yaml:"pg_bin"`
}

// Default returns the built-in defaults: a development-safe server on
// :8080 over sqlite:autogql.db with every limit on. The profile of Env is
// applied on top by Load.
func Default() Config {
	return Config{
		Env:    Development,
		Models: "models.yaml",
		Server: Server{
			Addr:              ":8080",
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			RequestTimeout:    30 * time.Second,
			ShutdownTimeout:   20 * time.Second,
			MaxBodyBytes:      1 << 20,
			CORS:              CORS{MaxAge: 10 * time.Minute},
		},
		Database: Database{
			URL:             "sqlite:autogql.db",
			MaxConnLifetime: time.Hour,
			MaxConnIdleTime: 30 * time.Minute,
		},
		Redis:   Redis{DialTimeout: 2 * time.Second},
		GraphQL: GraphQL{MaxPageSize: 100, SlowQueryThreshold: time.Second},
		Limits: Limits{
			MaxTokens:         10000,
			MaxDepth:          12,
			MaxAliases:        30,
			MaxRootFields:     20,
			MaxDirectives:     50,
			MaxCost:           50000,
			MaxQueryBytes:     100 << 10,
			MaxVariablesBytes: 256 << 10,
		},
		Log:    Log{Level: "info", Format: "json"},
		Backup: Backup{Dir: "backups", KeepLast: 7, KeepDaily: 7, KeepWeekly: 4},
		Security: Security{
			JWTAlgorithms: []string{"HS256"}, JWKSMinRefresh: 30 * time.Second, ClockSkew: 30 * time.Second,
			UserIDClaim: "sub", RolesClaim: "roles", APIKeys: true,
			Users: Users{AccessTTL: 15 * time.Minute, RefreshTTL: 30 * 24 * time.Hour, MaxFailedLogins: 5,
				Lockout: time.Minute, LockoutMax: time.Hour, MinPasswordLength: 10},
		},
		RateLimit: RateLimit{IP: "1200/m", IPBurst: 200, User: "2400/m", UserBurst: 400, Login: "10/m", LoginBurst: 5},
		Documents: Documents{APQ: true, APQTTL: 24 * time.Hour},
		Audit:     Audit{Enabled: true, Retention: 90 * 24 * time.Hour},
		Metrics:   Metrics{Enabled: true, MaxOperationNames: 100},
		Tracing:   Tracing{ServiceName: "autogql", SampleRatio: 1},
		Health: Health{
			ReadyTimeout:           2 * time.Second,
			DatabaseLatencyWarning: 200 * time.Millisecond,
			PoolUsageWarning:       0.9,
			CacheLatencyWarning:    100 * time.Millisecond,
			DiskFreeWarningBytes:   1 << 30,
			DiskFreeCriticalBytes:  100 << 20,
		},
	}
}

// ForEnv returns the defaults with the profile of env applied: what Load
// returns when nothing else is configured.
func ForEnv(env string) Config {
	c := Default()
	applyProfile(&c, env)
	c.Env = env
	return c
}

// applyProfile sets what the environment profile changes from the
// defaults: development opens up the API for a person at a browser
// (GraphiQL, introspection, suggestions, detailed errors, table creation,
// text logs); staging and production keep it closed, and production drains
// for 5 s before stopping so load balancers notice.
func applyProfile(c *Config, env string) {
	switch env {
	case Development:
		c.GraphQL.GraphiQL = true
		c.GraphQL.Introspection = true
		c.GraphQL.Suggestions = true
		c.GraphQL.Debug = true
		c.Database.AutoMigrate = true
		c.Log.Format = "text"
	case Staging:
		c.GraphQL.Introspection = true
		c.GraphQL.Suggestions = true
		c.Server.DrainDelay = 2 * time.Second
		c.Security.ClosedByDefault = true
		c.RateLimit.Enabled = true
	case Production:
		c.Server.DrainDelay = 5 * time.Second
		c.Security.ClosedByDefault = true
		c.RateLimit.Enabled = true
	}
}

// IsPostgres reports whether the database URL names PostgreSQL.
func (d Database) IsPostgres() bool {
	return strings.HasPrefix(d.URL, "postgres://") || strings.HasPrefix(d.URL, "postgresql://")
}
