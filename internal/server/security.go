package server

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/autogql/autogql/internal/audit"
	"github.com/autogql/autogql/internal/auth"
	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/config"
	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/documents"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/httpapi"
	"github.com/autogql/autogql/internal/metrics"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/ratelimit"
)

// security holds the parts of SPEC §6 the server wires into the engine
// and the HTTP handler.
type security struct {
	authn    *auth.Authenticator
	accounts *httpapi.Accounts
	limits   httpapi.RateLimits
	docs     *documents.Resolver
	audit    *audit.Log
}

// buildSecurity creates autogql's own tables (API keys, users, audit) and
// the authenticator, budgets, document resolver and audit log the settings
// ask for.
func buildSecurity(ctx context.Context, s *config.Config, db *database.DB, store cache.Store, m *metrics.Metrics, log *slog.Logger) (*security, error) {
	sec := &security{authn: &auth.Authenticator{}}
	cs := s.Security
	if cs.APIKeys || cs.Users.Enabled {
		if err := auth.EnsureTables(ctx, db); err != nil {
			return nil, err
		}
	}
	if cs.APIKeys {
		sec.authn.Keys = auth.NewAPIKeys(db, nil)
	}
	// Only algorithms with key material are accepted: HS256 needs the
	// secret, RS256/ES256 the JWKS.
	var algs []string
	for _, a := range cs.JWTAlgorithms {
		if a == auth.HS256 && cs.JWTSecret == "" || a != auth.HS256 && cs.JWKSFile == "" && cs.JWKSURL == "" {
			continue
		}
		algs = append(algs, a)
	}
	if len(algs) > 0 {
		extra, err := auth.ParseClaimMap(cs.ClaimMap)
		if err != nil {
			return nil, err
		}
		v, err := auth.NewVerifier(auth.JWTOptions{
			Algorithms: algs, Secret: []byte(cs.JWTSecret), JWKSFile: cs.JWKSFile, JWKSURL: cs.JWKSURL, JWKSMinRefresh: cs.JWKSMinRefresh,
			Issuer: cs.JWTIssuer, Audience: cs.JWTAudience, ClockSkew: cs.ClockSkew,
			Claims: auth.ClaimMapping{UserID: cs.UserIDClaim, Roles: cs.RolesClaim, Extra: extra},
		})
		if err != nil {
			return nil, err
		}
		sec.authn.JWT = v
	}
	if cs.Users.Enabled {
		u := cs.Users
		users, err := auth.NewUsers(db, auth.UsersOptions{
			Secret: []byte(cs.JWTSecret), Issuer: cs.JWTIssuer, Audience: cs.JWTAudience,
			AccessTTL: u.AccessTTL, RefreshTTL: u.RefreshTTL, MaxFailedLogins: u.MaxFailedLogins,
			LockoutBase: u.Lockout, LockoutMax: u.LockoutMax, MinPasswordLength: u.MinPasswordLength, RegisterRoles: u.RegisterRoles,
		})
		if err != nil {
			return nil, err
		}
		if sec.accounts, err = httpapi.NewAccounts(users, u.Register, s.GraphQL.Introspection); err != nil {
			return nil, err
		}
	}
	if s.RateLimit.Enabled {
		ip, user, login, err := s.RateLimit.Limits()
		if err != nil {
			return nil, err
		}
		var lim ratelimit.Limiter = ratelimit.NewMemory(nil)
		if r, ok := store.(*cache.Redis); ok {
			lim = ratelimit.NewRedis(r)
		}
		sec.limits = httpapi.RateLimits{Limiter: lim, IP: ip, User: user, Login: login}
		if s.Metrics.Enabled {
			sec.limits.Refused = m.RateLimited
		}
	}
	d := s.Documents
	if d.APQ || d.Manifest != "" {
		var manifest map[string]string
		if d.Manifest != "" {
			var err error
			if manifest, err = documents.LoadManifest(d.Manifest); err != nil {
				return nil, err
			}
		}
		r, err := documents.New(documents.Options{APQ: d.APQ, Store: store, TTL: d.APQTTL, Manifest: manifest, Enforce: d.Enforce, BypassRoles: d.BypassRoles})
		if err != nil {
			return nil, err
		}
		sec.docs = r
	}
	if s.Audit.Enabled {
		if err := audit.EnsureTable(ctx, db); err != nil {
			return nil, err
		}
		sec.audit = audit.New(db, audit.Options{Retention: s.Audit.Retention, ClientIP: httpapi.ClientIP, Logger: log})
	}
	log.Info("security", "jwt_algorithms", strings.Join(algs, ","), "api_keys", cs.APIKeys, "users", cs.Users.Enabled,
		"rate_limit", s.RateLimit.Enabled, "apq", d.APQ, "trusted_documents", len(d.Manifest) > 0, "enforced", d.Enforce, "audit", s.Audit.Enabled)
	return sec, nil
}

// auditor is the engine's Auditor (nil without an audit log).
func (sec *security) auditor() engine.Auditor {
	if sec.audit == nil {
		return nil
	}
	return sec.audit
}

// apply sets the handler options.
func (sec *security) apply(o *httpapi.Options) {
	o.Auth = sec.authn
	o.RateLimits = sec.limits
	o.Documents = sec.docs
	o.Accounts = sec.accounts
	if sec.audit != nil {
		o.Audit = sec.audit
	}
}

// run writes the audit log's queued events until ctx ends.
func (sec *security) run(ctx context.Context) {
	if sec.audit != nil {
		_ = sec.audit.Run(ctx)
	}
}

// reportAccess says at start which models are open or closed to whom:
// with closed defaults (staging, production), the models no role can
// reach; otherwise a warning naming the models anyone can read and write.
func reportAccess(ms *model.Schema, closed bool, log *slog.Logger) {
	var bare []string
	for _, m := range ms.Models {
		if len(m.Meta.Permissions) == 0 {
			bare = append(bare, m.Name)
		}
	}
	slices.Sort(bare)
	switch {
	case len(bare) == 0:
		log.Info("access rules cover every model")
	case closed:
		log.Info("models without meta.permissions are closed", "models", strings.Join(bare, ","))
	default:
		log.Warn("models without meta.permissions are open to everyone, anonymous callers included (production closes them)", "models", strings.Join(bare, ","))
	}
}
