package auth

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzToken feeds arbitrary strings to the verifier and the HTTP
// authenticator. Neither may panic, and a token the verifier accepts must
// carry a signature that an independent check (HMAC-SHA256 with the
// secret, or RSA PKCS#1 v1.5 with the JWKS key) confirms, under an
// algorithm the configuration allows, and an exp still in force: no input
// gets around the checks.
func FuzzToken(f *testing.F) {
	key := mustRSA(f)
	dir := f.TempDir()
	jwksFile := filepath.Join(dir, "jwks.json")
	os.WriteFile(jwksFile, jwksOf(map[string]any{"r1": &key.PublicKey}), 0o600)
	v, err := NewVerifier(JWTOptions{Algorithms: []string{HS256, RS256}, Secret: testSecret, JWKSFile: jwksFile, ClockSkew: time.Second, Now: clock,
		Claims: ClaimMapping{Roles: "https://hasura.io/jwt/claims.x-hasura-allowed-roles"}})
	if err != nil {
		f.Fatal(err)
	}
	a := &Authenticator{JWT: v}
	good := sign(f, jwt.SigningMethodHS256, "", testSecret, claims(nil))
	f.Add(good)
	f.Add(sign(f, jwt.SigningMethodRS256, "r1", key, claims(map[string]any{"https://hasura.io/jwt/claims": map[string]any{"x-hasura-allowed-roles": []string{"a"}}})))
	f.Add(noneToken(claims(nil)))
	f.Add(good[:len(good)-3] + "AAA")
	f.Add(strings.Replace(good, ".", "..", 1))
	f.Add("agr_" + strings.Repeat("0", 64))
	f.Add("agk_00000000_" + strings.Repeat("0", 64))
	f.Add("e30.e30.")
	f.Add("")
	parts := strings.Split(good, ".")
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(hdr), "HS256", "RS256", 1))) + "." + parts[1] + "." + parts[2])
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := v.Verify(context.Background(), tok)
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		id2, err2 := a.Authenticate(r)
		if (err == nil) != (err2 == nil) && !strings.HasPrefix(strings.TrimSpace(tok), "ag") && strings.TrimSpace(tok) == tok && tok != "" {
			t.Fatalf("verifier and authenticator disagree on %q: %v / %v", tok, err, err2)
		}
		_ = id2
		if err != nil {
			return
		}
		if id == nil {
			t.Fatalf("accepted %q without an identity", tok)
		}
		p := strings.Split(tok, ".")
		if len(p) != 3 {
			t.Fatalf("accepted %q, which is not a compact JWS", tok)
		}
		var h struct {
			Alg string `json:"alg"`
		}
		hb, err := base64.RawURLEncoding.DecodeString(p[0])
		if err != nil || json.Unmarshal(hb, &h) != nil {
			t.Fatalf("accepted %q with an unreadable header", tok)
		}
		sig, err := base64.RawURLEncoding.DecodeString(p[2])
		if err != nil {
			t.Fatalf("accepted %q with an unreadable signature", tok)
		}
		signed := []byte(p[0] + "." + p[1])
		switch h.Alg {
		case HS256:
			m := hmac.New(sha256.New, testSecret)
			m.Write(signed)
			if !hmac.Equal(m.Sum(nil), sig) {
				t.Fatalf("BYPASS: accepted %q whose HMAC does not verify", tok)
			}
		case RS256:
			d := sha256.Sum256(signed)
			if rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, d[:], sig) != nil {
				t.Fatalf("BYPASS: accepted %q whose RSA signature does not verify", tok)
			}
		default:
			t.Fatalf("BYPASS: accepted %q with algorithm %q", tok, h.Alg)
		}
		var c map[string]any
		pb, _ := base64.RawURLEncoding.DecodeString(p[1])
		if json.Unmarshal(pb, &c) != nil {
			t.Fatalf("accepted %q with unreadable claims", tok)
		}
		exp, ok := c["exp"].(float64)
		if !ok || time.Unix(int64(exp), 0).Add(time.Second).Before(testNow) {
			t.Fatalf("accepted %q with exp %v at %s", tok, c["exp"], testNow)
		}
	})
}
