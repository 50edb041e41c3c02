package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"sync"
	"time"
)

// Defaults of a key set's refresh policy.
const (
	// DefaultJWKSMaxAge is how long fetched keys are used before they are
	// fetched again.
	DefaultJWKSMaxAge = time.Hour
	// DefaultJWKSMinRefresh bounds refreshes caused by tokens with an
	// unknown kid: at most one per this interval, so forged kids cannot
	// make autogql hammer the key server.
	DefaultJWKSMinRefresh = 30 * time.Second
	maxJWKSBytes          = 1 << 20
)

// errUnknownKey is a token signed by a key the set does not hold.
var errUnknownKey = errors.New("the token's key (kid) is not known")

// keySet holds the public keys of a JWKS document, by kid, and fetches it
// again when it is older than maxAge or when a token names an unknown kid
// (at most once per minRefresh). Keys of a refresh that fails are kept.
type keySet struct {
	load       func(ctx context.Context) ([]byte, error)
	maxAge     time.Duration
	minRefresh time.Duration
	now        func() time.Time

	mu          sync.Mutex
	keys        map[string]any // kid → *rsa.PublicKey or *ecdsa.PublicKey
	unnamed     []any          // keys without a kid
	fetched     time.Time
	lastAttempt time.Time
	lastErr     error
}

func newKeySet(load func(ctx context.Context) ([]byte, error), maxAge, minRefresh time.Duration, now func() time.Time) *keySet {
	if maxAge <= 0 {
		maxAge = DefaultJWKSMaxAge
	}
	if minRefresh <= 0 {
		minRefresh = DefaultJWKSMinRefresh
	}
	return &keySet{load: load, maxAge: maxAge, minRefresh: minRefresh, now: now}
}

// fileLoader reads a JWKS file (again on every refresh, so rotating the
// file rotates the keys).
func fileLoader(path string) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read jwks file: %w", err)
		}
		return b, nil
	}
}

// urlLoader fetches a JWKS URL with a bounded time and size.
func urlLoader(url string, client *http.Client) func(context.Context) ([]byte, error) {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	return func(ctx context.Context) ([]byte, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch jwks: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch jwks: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetch jwks: %s answered %s", url, resp.Status)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
		if err != nil {
			return nil, fmt.Errorf("fetch jwks: %w", err)
		}
		if len(b) > maxJWKSBytes {
			return nil, fmt.Errorf("fetch jwks: the document is larger than %d bytes", maxJWKSBytes)
		}
		return b, nil
	}
}

// key returns the key for kid that suits alg.
func (ks *keySet) key(ctx context.Context, kid, alg string) (any, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	now := ks.now()
	stale := ks.fetched.IsZero() || now.Sub(ks.fetched) >= ks.maxAge
	if k := ks.find(kid, alg); k != nil && !stale {
		return k, nil
	}
	// Refresh: when stale, or for an unknown kid no more than once per
	// minRefresh (the lock makes concurrent callers wait for one fetch).
	if stale || ks.lastAttempt.IsZero() || now.Sub(ks.lastAttempt) >= ks.minRefresh {
		ks.refresh(ctx, now)
	}
	if k := ks.find(kid, alg); k != nil {
		return k, nil
	}
	if ks.keys == nil && ks.lastErr != nil {
		return nil, fmt.Errorf("no signing keys: %w", ks.lastErr)
	}
	return nil, errUnknownKey
}

func (ks *keySet) refresh(ctx context.Context, now time.Time) {
	ks.lastAttempt = now
	b, err := ks.load(ctx)
	if err == nil {
		var keys map[string]any
		var unnamed []any
		keys, unnamed, err = parseJWKS(b)
		if err == nil {
			ks.keys, ks.unnamed, ks.fetched = keys, unnamed, now
		}
	}
	ks.lastErr = err
}

// find returns the key named kid (or, for a token without kid, the only
// suitable key) when its type suits alg.
func (ks *keySet) find(kid, alg string) any {
	if kid != "" {
		if k := ks.keys[kid]; k != nil && suits(k, alg) {
			return k
		}
		return nil
	}
	var found any
	n := 0
	for _, k := range append(ks.unnamed, values(ks.keys)...) {
		if suits(k, alg) {
			found = k
			n++
		}
	}
	if n == 1 {
		return found
	}
	return nil
}

func values(m map[string]any) []any {
	out := make([]any, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// suits pins key types to algorithms: an RSA key only verifies RS256, a
// P-256 key only ES256. Symmetric keys never come from a JWKS.
func suits(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == "RS256"
	case *ecdsa.PublicKey:
		return alg == "ES256" && k.Curve == elliptic.P256()
	}
	return false
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads the RSA and P-256 signing keys of a JWKS document.
// Keys of other types or uses are skipped; a document with no usable key
// is an error.
func parseJWKS(b []byte) (map[string]any, []any, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("jwks is not valid JSON: %w", err)
	}
	keys := map[string]any{}
	var unnamed []any
	var errs []error
	for i, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		var key any
		var err error
		switch k.Kty {
		case "RSA":
			key, err = rsaKey(k)
		case "EC":
			key, err = ecKey(k)
		default:
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("key %d (kid %q): %w", i, k.Kid, err))
			continue
		}
		if k.Kid == "" {
			unnamed = append(unnamed, key)
		} else {
			keys[k.Kid] = key
		}
	}
	if len(keys) == 0 && len(unnamed) == 0 {
		errs = append(errs, errors.New("jwks has no RSA or P-256 signing key"))
		return nil, nil, errors.Join(errs...)
	}
	return keys, unnamed, nil
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(s)
}

func rsaKey(k jwk) (*rsa.PublicKey, error) {
	n, err := b64(k.N)
	if err != nil || len(n) == 0 {
		return nil, errors.New("bad modulus n")
	}
	e, err := b64(k.E)
	if err != nil || len(e) == 0 || len(e) > 4 {
		return nil, errors.New("bad exponent e")
	}
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("RSA key of %d bits: at least 2048 are needed", key.N.BitLen())
	}
	if key.E < 3 || key.E%2 == 0 {
		return nil, errors.New("bad exponent e")
	}
	return key, nil
}

func ecKey(k jwk) (*ecdsa.PublicKey, error) {
	if k.Crv != "P-256" {
		return nil, fmt.Errorf("curve %q is not supported (P-256 only)", k.Crv)
	}
	x, err := b64(k.X)
	if err != nil || len(x) != 32 {
		return nil, errors.New("bad x coordinate")
	}
	y, err := b64(k.Y)
	if err != nil || len(y) != 32 {
		return nil, errors.New("bad y coordinate")
	}
	// ParseUncompressedPublicKey checks the point is on the curve.
	key, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, fmt.Errorf("bad P-256 point: %w", err)
	}
	return key, nil
}
