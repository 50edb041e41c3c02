package auth

import (
	"net/http"
	"strings"

	"github.com/autogql/autogql/internal/engine"
)

// APIKeyHeader carries an API key as an alternative to
// "Authorization: Bearer agk_…".
const APIKeyHeader = "X-API-Key"

// Authenticator establishes the identity of an HTTP request from its
// headers: "Authorization: Bearer <JWT>", "Authorization: Bearer agk_…"
// or "X-API-Key: agk_…". Tokens are never read from the URL: a request
// that puts one there is refused, so the mistake is found before the
// token leaks into more logs.
type Authenticator struct {
	// JWT verifies bearer JWTs; nil refuses them.
	JWT *Verifier
	// Keys checks API keys; nil refuses them.
	Keys *APIKeys
}

// queryTokenParams are URL parameters that suggest a credential.
var queryTokenParams = []string{"access_token", "token", "api_key", "apikey", "jwt"}

// Authenticate returns the request's identity: nil (anonymous) without
// credentials, an error wrapping ErrUnauthenticated (a *TokenError whose
// Reason can be shown) for credentials that do not verify.
func (a *Authenticator) Authenticate(r *http.Request) (*engine.Identity, error) {
	if r.URL.RawQuery != "" {
		q := r.URL.Query()
		for _, p := range queryTokenParams {
			if q.Has(p) {
				return nil, refused("credentials are never read from the URL: send them in the Authorization header", nil)
			}
		}
	}
	authz := r.Header.Values("Authorization")
	keys := r.Header.Values(APIKeyHeader)
	switch {
	case len(authz) == 0 && len(keys) == 0:
		return nil, nil
	case len(authz)+len(keys) > 1:
		return nil, refused("send one credential: one Authorization or X-API-Key header", nil)
	case len(keys) == 1:
		return a.apiKey(r, strings.TrimSpace(keys[0]))
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(authz[0]), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, refused("unsupported Authorization scheme: use Bearer", nil)
	}
	if token == "" {
		return nil, refused("the Authorization header has no token", nil)
	}
	if strings.HasPrefix(token, APIKeyPrefix) {
		return a.apiKey(r, token)
	}
	if strings.HasPrefix(token, RefreshTokenPrefix) {
		return nil, refused("a refresh token is not an access token: trade it with refresh_token", nil)
	}
	if a.JWT == nil {
		return nil, refused("bearer tokens are not accepted: authentication is not configured", nil)
	}
	return a.JWT.Verify(r.Context(), token)
}

func (a *Authenticator) apiKey(r *http.Request, key string) (*engine.Identity, error) {
	if a.Keys == nil {
		return nil, refused("API keys are not accepted here", nil)
	}
	return a.Keys.Verify(r.Context(), key)
}
