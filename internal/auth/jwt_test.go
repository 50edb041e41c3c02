package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/engine"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef-test-secret")
	testNow    = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
)

func clock() time.Time { return testNow }

func mustRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustEC(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// jwksOf renders public keys as a JWKS document.
func jwksOf(keys map[string]any) []byte {
	var list []map[string]string
	for kid, k := range keys {
		switch k := k.(type) {
		case *rsa.PublicKey:
			list = append(list, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
				"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes())})
		case *ecdsa.PublicKey:
			b, _ := k.Bytes()
			list = append(list, map[string]string{"kty": "EC", "kid": kid, "crv": "P-256",
				"x": base64.RawURLEncoding.EncodeToString(b[1:33]), "y": base64.RawURLEncoding.EncodeToString(b[33:])})
		}
	}
	out, _ := json.Marshal(map[string]any{"keys": list})
	return out
}

func claims(over map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"sub": "u1", "roles": []string{"editor"}, "iss": "https://issuer.test", "aud": "autogql-test",
		"iat": testNow.Add(-time.Minute).Unix(), "exp": testNow.Add(time.Hour).Unix()}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func sign(t testing.TB, method jwt.SigningMethod, kid string, key any, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noneToken is an unsigned token (alg none) with the given claims.
func noneToken(c jwt.MapClaims) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	b, _ := json.Marshal(c)
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// TestVerify is the token table: every way a token can be wrong is
// refused with a reason, and good tokens map to identities.
func TestVerify(t *testing.T) {
	rsaKey, ecKey, otherRSA := mustRSA(t), mustEC(t), mustRSA(t)
	dir := t.TempDir()
	jwksFile := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwksFile, jwksOf(map[string]any{"r1": &rsaKey.PublicKey, "e1": &ecKey.PublicKey}), 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(JWTOptions{
		Algorithms: []string{HS256, RS256, ES256}, Secret: testSecret, JWKSFile: jwksFile,
		Issuer: "https://issuer.test", Audience: "autogql-test", ClockSkew: 30 * time.Second, Now: clock,
		Claims: ClaimMapping{Extra: map[string]string{"tenant": "https://hasura.io/jwt/claims.x-hasura-tenant-id"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rsaOnly, err := NewVerifier(JWTOptions{Algorithms: []string{RS256}, JWKSFile: jwksFile, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	for _, tc := range []struct {
		name   string
		v      *Verifier
		token  string
		want   *engine.Identity
		reason string
	}{
		{name: "HS256", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(nil)),
			want: &engine.Identity{ID: "u1", Roles: []string{"editor"}, Claims: map[string]any{"sub": "u1", "iss": "https://issuer.test", "aud": "autogql-test",
				"iat": testNow.Add(-time.Minute).Unix(), "exp": testNow.Add(time.Hour).Unix()}}},
		{name: "RS256 by kid", token: sign(t, jwt.SigningMethodRS256, "r1", rsaKey, claims(map[string]any{"sub": "u2", "roles": "a b"})),
			want: &engine.Identity{ID: "u2", Roles: []string{"a", "b"}}},
		{name: "ES256 by kid", token: sign(t, jwt.SigningMethodES256, "e1", ecKey, claims(nil)), want: &engine.Identity{ID: "u1", Roles: []string{"editor"}}},
		{name: "nested claim mapping", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{
			"https://hasura.io/jwt/claims": map[string]any{"x-hasura-tenant-id": "t9"}})),
			want: &engine.Identity{ID: "u1", Roles: []string{"editor"}, Claims: map[string]any{"tenant": "t9", "sub": "u1", "iss": "https://issuer.test", "aud": "autogql-test",
				"iat": testNow.Add(-time.Minute).Unix(), "exp": testNow.Add(time.Hour).Unix()}}},
		{name: "within the clock skew", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"exp": testNow.Add(-10 * time.Second).Unix()})),
			want: &engine.Identity{ID: "u1", Roles: []string{"editor"}}},
		{name: "expired", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"exp": testNow.Add(-time.Minute).Unix()})),
			reason: "the token has expired"},
		{name: "no exp", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"exp": nil})),
			reason: "the token lacks a required claim (exp)"},
		{name: "not yet valid", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"nbf": testNow.Add(time.Minute).Unix()})),
			reason: "the token is not valid yet"},
		{name: "issued in the future", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"iat": testNow.Add(time.Hour).Unix()})),
			reason: "the token is not valid yet"},
		{name: "wrong issuer", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"iss": "https://evil.test"})),
			reason: "the token's issuer is not accepted"},
		{name: "wrong audience", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"aud": "other"})),
			reason: "the token's audience is not accepted"},
		{name: "alg none", token: noneToken(claims(nil)), reason: "the token's algorithm is not accepted"},
		{name: "HS256 signed with the RSA public key (confusion)", v: rsaOnly,
			token: sign(t, jwt.SigningMethodHS256, "r1", pubPEM, claims(nil)), reason: "the token's algorithm is not accepted"},
		{name: "HS256 with the public key where HS256 is allowed", token: sign(t, jwt.SigningMethodHS256, "r1", pubPEM, claims(nil)),
			reason: "the token's signature is not valid"},
		{name: "HS256 with the public key DER", token: sign(t, jwt.SigningMethodHS256, "r1", pubDER, claims(nil)),
			reason: "the token's signature is not valid"},
		{name: "RS256 signed by another key with a known kid", token: sign(t, jwt.SigningMethodRS256, "r1", otherRSA, claims(nil)),
			reason: "the token's signature is not valid"},
		{name: "unknown kid", token: sign(t, jwt.SigningMethodRS256, "nope", otherRSA, claims(nil)), reason: "the token's signing key is not known"},
		{name: "EC key named for RS256", token: sign(t, jwt.SigningMethodES256, "r1", ecKey, claims(nil)), reason: "the token's signing key is not known"},
		{name: "ES384 is not pinned", token: sign(t, jwt.SigningMethodES384, "", mustECCurve(t, elliptic.P384()), claims(nil)),
			reason: "the token's algorithm is not accepted"},
		{name: "refresh-typed JWT", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{TokenUseClaim: "refresh"})),
			reason: "the token is not an access token"},
		{name: "garbage", token: "not.a.token", reason: "the token is malformed"},
		{name: "bad roles claim", token: sign(t, jwt.SigningMethodHS256, "", testSecret, claims(map[string]any{"roles": 7})),
			reason: `the token's claims cannot be read: the roles claim "roles": want a list of strings or a string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ver := tc.v
			if ver == nil {
				ver = v
			}
			got, err := ver.Verify(context.Background(), tc.token)
			if tc.reason != "" {
				var te *TokenError
				if !errors.As(err, &te) || !errors.Is(err, ErrUnauthenticated) || te.Reason != tc.reason {
					t.Fatalf("got %v, %v; want refusal %q", got, err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want.Claims == nil {
				got.Claims = nil
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

func mustECCurve(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestJWKSRotation: a JWKS URL is fetched once, fetched again for an
// unknown kid (so a rotated key works at once), but no more than once per
// minimum interval however many forged kids arrive.
func TestJWKSRotation(t *testing.T) {
	k1, k2 := mustRSA(t), mustRSA(t)
	var doc atomic.Value
	doc.Store(jwksOf(map[string]any{"k1": &k1.PublicKey}))
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Write(doc.Load().([]byte))
	}))
	defer srv.Close()
	now := testNow
	v, err := NewVerifier(JWTOptions{Algorithms: []string{RS256}, JWKSURL: srv.URL, JWKSMinRefresh: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "k1", k1, claims(map[string]any{"iss": nil, "aud": nil}))); err != nil {
		t.Fatalf("k1: %v", err)
	}
	for range 20 { // forged kids: one refresh at most
		if _, err := v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "forged", k2, claims(nil))); err == nil {
			t.Fatal("forged kid accepted")
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("fetches after forged kids: %d, want 1 (the first use's fetch is fresh)", n)
	}
	// Rotation: the provider publishes k2; after the interval a token with
	// kid k2 triggers a refresh and verifies.
	doc.Store(jwksOf(map[string]any{"k1": &k1.PublicKey, "k2": &k2.PublicKey}))
	now = now.Add(2 * time.Minute)
	tok := sign(t, jwt.SigningMethodRS256, "k2", k2, claims(map[string]any{"iss": nil, "aud": nil, "exp": now.Add(time.Hour).Unix()}))
	if _, err := v.Verify(ctx, tok); err != nil {
		t.Fatalf("rotated key k2: %v", err)
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("fetches: %d, want 2", n)
	}
	// Past the interval, forged kids cause one refresh, not twenty.
	now = now.Add(2 * time.Minute)
	for range 20 {
		v.Verify(ctx, sign(t, jwt.SigningMethodRS256, "forged", k2, claims(nil)))
	}
	if n := fetches.Load(); n != 3 {
		t.Errorf("fetches after more forged kids: %d, want 3", n)
	}
}

func TestNewVerifierRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts JWTOptions
		want string
	}{
		{"no algorithm", JWTOptions{}, "no algorithm"},
		{"short secret", JWTOptions{Algorithms: []string{HS256}, Secret: []byte("short")}, "at least 32 bytes"},
		{"none", JWTOptions{Algorithms: []string{"none"}}, `"none" is not supported`},
		{"RS256 without keys", JWTOptions{Algorithms: []string{RS256}}, "need a JWKS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewVerifier(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	c := map[string]any{"a": map[string]any{"b.c": map[string]any{"d": 1}}, "x.y": 2, "x": map[string]any{"y": 3}}
	for path, want := range map[string]any{"a.b.c.d": 1, "x.y": 2, "a.b.c": map[string]any{"d": 1}} {
		if got, ok := Lookup(c, path); !ok || !cmp.Equal(got, want) {
			t.Errorf("Lookup(%q) = %v %v, want %v", path, got, ok, want)
		}
	}
	for _, path := range []string{"a.b", "a.b.c.d.e", "nope", ""} {
		if got, ok := Lookup(c, path); ok && path != "" {
			t.Errorf("Lookup(%q) = %v, want not found", path, got)
		}
	}
}
