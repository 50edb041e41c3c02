package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/autogql/autogql/internal/engine"
)

// MinSecretBytes is the shortest HS256 secret accepted: the key should be
// as long as the hash (RFC 7518 §3.2).
const MinSecretBytes = 32

// Supported signing algorithms. The configuration pins which of them are
// accepted; "none" and every other algorithm are always refused.
const (
	HS256 = "HS256"
	RS256 = "RS256"
	ES256 = "ES256"
)

// TokenUseClaim types autogql's own tokens: its access tokens say
// "access". A token that says anything else (such as "refresh") is never
// accepted as an access token.
const TokenUseClaim = "token_use"

// JWTOptions configure a Verifier.
type JWTOptions struct {
	// Algorithms are the accepted algorithms (HS256, RS256, ES256); a
	// token whose header names another is refused before its signature is
	// looked at.
	Algorithms []string
	// Secret is the HS256 key (at least MinSecretBytes).
	Secret []byte
	// JWKSFile or JWKSURL hold the RS256/ES256 public keys.
	JWKSFile, JWKSURL string
	// JWKSMaxAge and JWKSMinRefresh tune key rotation (defaults
	// DefaultJWKSMaxAge and DefaultJWKSMinRefresh).
	JWKSMaxAge, JWKSMinRefresh time.Duration
	// HTTPClient fetches JWKSURL (default: a client with a 5 s timeout).
	HTTPClient *http.Client
	// Issuer and Audience, when set, must match iss and aud.
	Issuer, Audience string
	// ClockSkew is the leeway for exp, nbf and iat.
	ClockSkew time.Duration
	// Claims maps claims to the identity.
	Claims ClaimMapping
	// Now overrides the clock (tests).
	Now func() time.Time
}

// Verifier checks bearer JWTs and maps their claims to identities. It is
// safe for concurrent use.
type Verifier struct {
	opts   JWTOptions
	keys   *keySet
	parser *jwt.Parser
}

// NewVerifier checks the options and returns a Verifier. It does no I/O:
// JWKS keys are fetched on first use.
func NewVerifier(opts JWTOptions) (*Verifier, error) {
	if len(opts.Algorithms) == 0 {
		return nil, errors.New("jwt: no algorithm is allowed: set the accepted algorithms (HS256, RS256, ES256)")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	needKeys := false
	for _, a := range opts.Algorithms {
		switch a {
		case HS256:
			if len(opts.Secret) < MinSecretBytes {
				return nil, fmt.Errorf("jwt: HS256 needs a secret of at least %d bytes (got %d)", MinSecretBytes, len(opts.Secret))
			}
		case RS256, ES256:
			needKeys = true
		default:
			return nil, fmt.Errorf("jwt: algorithm %q is not supported (use HS256, RS256 or ES256)", a)
		}
	}
	v := &Verifier{opts: opts}
	switch {
	case needKeys && opts.JWKSFile != "" && opts.JWKSURL != "":
		return nil, errors.New("jwt: set a JWKS file or a JWKS URL, not both")
	case needKeys && opts.JWKSFile != "":
		v.keys = newKeySet(fileLoader(opts.JWKSFile), opts.JWKSMaxAge, opts.JWKSMinRefresh, opts.Now)
	case needKeys && opts.JWKSURL != "":
		v.keys = newKeySet(urlLoader(opts.JWKSURL, opts.HTTPClient), opts.JWKSMaxAge, opts.JWKSMinRefresh, opts.Now)
	case needKeys:
		return nil, errors.New("jwt: RS256 and ES256 need a JWKS file or URL")
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(opts.Algorithms),
		jwt.WithLeeway(opts.ClockSkew),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithJSONNumber(),
		jwt.WithTimeFunc(opts.Now),
	}
	if opts.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(opts.Issuer))
	}
	if opts.Audience != "" {
		popts = append(popts, jwt.WithAudience(opts.Audience))
	}
	v.parser = jwt.NewParser(popts...)
	return v, nil
}

// TokenError is a refused credential; Reason is safe to show the client.
type TokenError struct {
	Reason string
	Err    error
}

func (e *TokenError) Error() string { return e.Reason }
func (e *TokenError) Unwrap() error { return ErrUnauthenticated }

// ErrUnauthenticated is wrapped by every refused credential.
var ErrUnauthenticated = errors.New("unauthenticated")

func refused(reason string, err error) error { return &TokenError{Reason: reason, Err: err} }

// Verify checks a compact JWS and returns the identity of its claims.
func (v *Verifier) Verify(ctx context.Context, token string) (*engine.Identity, error) {
	claims := jwt.MapClaims{}
	var alg string
	_, err := v.parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		alg, _ = t.Header["alg"].(string)
		switch alg {
		case HS256:
			return v.opts.Secret, nil
		case RS256, ES256:
			if v.keys == nil {
				return nil, errUnknownKey
			}
			kid, _ := t.Header["kid"].(string)
			return v.keys.key(ctx, kid, alg)
		}
		return nil, fmt.Errorf("algorithm %q is not accepted", alg)
	})
	if err != nil {
		return nil, refused(tokenReason(err), err)
	}
	// Typed tokens: only access tokens (and OpenID Connect ID tokens, which
	// some providers send to APIs) are access credentials; a refresh token
	// never is.
	if use, ok := claims[TokenUseClaim]; ok && use != "access" && use != "id" {
		return nil, refused("the token is not an access token", nil)
	}
	var id *engine.Identity
	if claims[TokenUseClaim] == "access" && alg == HS256 {
		// autogql's own access tokens always use sub and roles.
		id, err = ClaimMapping{}.identityFrom(claims)
	} else {
		id, err = v.opts.Claims.identityFrom(claims)
	}
	if err != nil {
		return nil, refused("the token's claims cannot be read: "+err.Error(), err)
	}
	return id, nil
}

// tokenReason words a parse failure for the client: which check failed,
// never the key material.
func tokenReason(err error) string {
	switch {
	case strings.Contains(err.Error(), "signing method"):
		return "the token's algorithm is not accepted"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token lacks a required claim (exp)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token's issuer is not accepted"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token's audience is not accepted"
	case errors.Is(err, errUnknownKey):
		return "the token's signing key is not known"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "the token's signature is not valid"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token cannot be verified"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	}
	return "the token is not valid"
}

// Sign issues an HS256 token with the given claims (autogql's own access
// tokens; tests).
func Sign(secret []byte, claims map[string]any) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims)).SignedString(secret)
}
