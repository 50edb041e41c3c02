package httpapi

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autogql/autogql/internal/audit"
	"github.com/autogql/autogql/internal/auth"
	"github.com/autogql/autogql/internal/documents"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/ratelimit"
)

// Error codes of the security checks (SPEC §2.5).
const (
	codeUnauthenticated = "UNAUTHENTICATED"
	codeRateLimited     = "RATE_LIMITED"
	codeForbidden       = "FORBIDDEN"
)

// Authenticator establishes a request's identity from its headers;
// *auth.Authenticator implements it. A nil identity is anonymous; an error
// wrapping auth.ErrUnauthenticated is a refused credential (401), any
// other error a failure to check one (500).
type Authenticator interface {
	Authenticate(r *http.Request) (*engine.Identity, error)
}

// AuditLog receives security events; *audit.Log implements it.
type AuditLog interface {
	Security(ctx context.Context, ev audit.Event)
}

// RateLimits are the request budgets. A zero Limit is no limit.
type RateLimits struct {
	Limiter ratelimit.Limiter
	// IP is per client address (X-Forwarded-For is believed only from
	// TrustedProxies), User per user id or API key, Login per client
	// address on login, register and refresh_token.
	IP, User, Login ratelimit.Limit
	// Refused, when set, counts refusals by scope (ip, user, login).
	Refused func(scope string)
}

type clientIPKey struct{}

// ClientIP returns the client address the handler determined for the
// request of ctx ("" outside a request).
func ClientIP(ctx context.Context) string {
	s, _ := ctx.Value(clientIPKey{}).(string)
	return s
}

// clientIP is the request's client address: the peer, or when the peer is
// a trusted proxy, the last address in X-Forwarded-For that is not one
// (addresses further left are the client's own claims and are ignored).
func (h *Handler) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !h.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: stop at the last address we believe
		}
		client = a.Unmap()
		if !h.trusted(client) {
			break
		}
	}
	return client.String()
}

func (h *Handler) trusted(a netip.Addr) bool {
	for _, p := range h.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// guard runs the checks that come before the request body is read: the
// per-IP budget, authentication and the per-user budget. It returns the
// request carrying the client address in its context, and the identity;
// false means it has answered.
func (h *Handler) guard(w http.ResponseWriter, r *http.Request, media mediaType) (*http.Request, *engine.Identity, bool) {
	ip := h.clientIP(r)
	r = r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip))
	if !h.allow(w, r, media, "ip", "ip:"+ip, h.opts.RateLimits.IP, nil) {
		return r, nil, false
	}
	var id *engine.Identity
	if h.opts.Auth != nil {
		var err error
		id, err = h.opts.Auth.Authenticate(r)
		if err != nil {
			h.refuseCredential(w, r, media, err)
			return r, nil, false
		}
	}
	if id != nil && id.ID != "" && !h.allow(w, r, media, "user", "user:"+id.ID, h.opts.RateLimits.User, id) {
		return r, nil, false
	}
	return r, id, true
}

// refuseCredential answers a credential that did not verify (401) or
// could not be checked (500).
func (h *Handler) refuseCredential(w http.ResponseWriter, r *http.Request, media mediaType, err error) {
	var te *auth.TokenError
	if !errors.As(err, &te) {
		h.log.ErrorContext(r.Context(), "authentication failed", "err", err, "request_id", RequestID(r.Context()))
		writeError(w, r, http.StatusInternalServerError, media, codeInternal, "internal server error")
		return
	}
	h.security(r.Context(), audit.Event{Event: audit.Unauthenticated, Detail: te.Reason, RequestID: RequestID(r.Context())})
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+strings.ReplaceAll(te.Reason, `"`, "'")+`"`)
	writeError(w, r, http.StatusUnauthorized, media, codeUnauthenticated, te.Reason)
}

// allow draws from a budget; on refusal it answers 429 with Retry-After
// and reports false.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, media mediaType, scope, key string, l ratelimit.Limit, id *engine.Identity) bool {
	rl := h.opts.RateLimits
	if rl.Limiter == nil || l.Zero() {
		return true
	}
	d, err := rl.Limiter.Allow(r.Context(), key, l)
	if err != nil {
		h.log.WarnContext(r.Context(), "rate limit store unavailable; limiting per process", "err", err)
	}
	if d.Allowed {
		return true
	}
	if rl.Refused != nil {
		rl.Refused(scope)
	}
	if h.firstRefusal(key) {
		actor, role := audit.Actor(id)
		h.security(r.Context(), audit.Event{Event: audit.RateLimited, Actor: actor, Role: role, Detail: scope, RequestID: RequestID(r.Context())})
	}
	secs := int(math.Ceil(d.RetryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	writeError(w, r, http.StatusTooManyRequests, media, codeRateLimited, "too many requests: retry after "+strconv.Itoa(max(secs, 1))+" s")
	return false
}

// refusals remembers when a key was last audited as rate limited, so a
// flood writes one audit row per key and minute, not one per request.
var refusals = struct {
	sync.Mutex
	at map[string]time.Time
}{at: map[string]time.Time{}}

func (h *Handler) firstRefusal(key string) bool {
	refusals.Lock()
	defer refusals.Unlock()
	now := time.Now()
	if t, ok := refusals.at[key]; ok && now.Sub(t) < time.Minute {
		return false
	}
	if len(refusals.at) > 10_000 {
		clear(refusals.at)
	}
	refusals.at[key] = now
	return true
}

func (h *Handler) security(ctx context.Context, ev audit.Event) {
	if h.opts.Audit != nil {
		h.opts.Audit.Security(ctx, ev)
	}
}

// resolveDocument applies persisted queries and trusted documents to req.
// It returns the hash of a persisted query to register once the engine
// accepted it; false means it has answered.
func (h *Handler) resolveDocument(w http.ResponseWriter, r *http.Request, media mediaType, req *engine.Request) (string, bool) {
	if h.opts.Documents == nil {
		if req.Query == "" && persisted(req.Extensions) {
			writeError(w, r, http.StatusBadRequest, media, codeBadUserInput, "PersistedQueryNotSupported")
			return "", false
		}
		return "", true
	}
	res, err := h.opts.Documents.Resolve(r.Context(), req.Query, req.Extensions, req.Identity)
	var de *documents.Error
	if errors.As(err, &de) {
		status := http.StatusOK
		if media == mediaGraphQLResponse || de.Code == codeBadUserInput {
			status = http.StatusBadRequest
		}
		if de.Code == codeForbidden {
			status = http.StatusForbidden
			actor, role := audit.Actor(req.Identity)
			h.security(r.Context(), audit.Event{Event: audit.UntrustedDoc, Actor: actor, Role: role, RequestID: req.RequestID, Detail: "sha256 " + documents.Hash(req.Query)})
		}
		writeError(w, r, status, media, de.Code, de.Message)
		return "", false
	}
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, media, codeInternal, "internal server error")
		return "", false
	}
	req.Query = res.Query
	return res.Hash, true
}

// afterExecute registers a new persisted query the engine accepted and
// audits denials.
func (h *Handler) afterExecute(ctx context.Context, req *engine.Request, res engine.Result, hash string) {
	if hash != "" && res.Outcome != engine.OutcomeRequestError {
		if err := h.opts.Documents.Register(ctx, hash, req.Query); err != nil {
			h.log.WarnContext(ctx, "persisted query not stored", "err", err, "request_id", req.RequestID)
		}
	}
	if res.Denied != "" {
		actor, role := audit.Actor(req.Identity)
		h.security(ctx, audit.Event{Event: audit.Denied, Actor: actor, Role: role, RequestID: req.RequestID, Detail: res.Denied})
	}
}
