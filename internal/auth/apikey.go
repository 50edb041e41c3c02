package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
)

// APIKeyPrefix starts every API key: agk_<prefix>_<secret>, where prefix
// (8 hex digits) names the key in lists, logs and revocation, and secret
// (64 hex digits, 256 random bits) is never stored: the table keeps the
// SHA-256 of the whole key. A fast hash is enough for keys of that
// entropy; passwords get argon2id.
const APIKeyPrefix = "agk_"

// APIKey is a stored key, without its secret.
type APIKey struct {
	Prefix    string
	Name      string
	Roles     []string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time // zero: never
	RevokedAt time.Time // zero: active
}

// ErrKeyNotFound is returned by Revoke for an unknown prefix.
var ErrKeyNotFound = errors.New("no API key has that prefix")

// APIKeys stores and checks API keys in autogql_api_keys.
type APIKeys struct {
	db  *database.DB
	now func() time.Time
}

// NewAPIKeys returns the key store of db (EnsureTables creates its
// table); now defaults to time.Now.
func NewAPIKeys(db *database.DB, now func() time.Time) *APIKeys {
	if now == nil {
		now = time.Now
	}
	return &APIKeys{db: db, now: now}
}

func (k *APIKeys) sql(q string) string { return database.Rebind(k.db.Dialect(), q) }

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// Create makes a key with the given roles. userID is what rules read as
// $user.id (default "apikey:<prefix>"); a zero expires never expires. The
// returned key is shown once: only its hash is kept.
func (k *APIKeys) Create(ctx context.Context, name string, roles []string, userID string, expires time.Time) (string, APIKey, error) {
	var p [4]byte
	var s [32]byte
	if _, err := rand.Read(p[:]); err != nil {
		return "", APIKey{}, err
	}
	if _, err := rand.Read(s[:]); err != nil {
		return "", APIKey{}, err
	}
	prefix := hex.EncodeToString(p[:])
	key := APIKeyPrefix + prefix + "_" + hex.EncodeToString(s[:])
	if userID == "" {
		userID = "apikey:" + prefix
	}
	for _, r := range roles {
		if r == "" || strings.ContainsAny(r, ", ") {
			return "", APIKey{}, fmt.Errorf("role %q: a role is a name without spaces or commas", r)
		}
	}
	rec := APIKey{Prefix: prefix, Name: name, Roles: roles, UserID: userID, CreatedAt: k.now().UTC().Truncate(time.Microsecond), ExpiresAt: expires}
	d := k.db.Dialect()
	err := k.db.Exec(ctx, k.sql(`INSERT INTO `+APIKeysTable+` (prefix, name, key_hash, roles, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`),
		prefix, name, hashKey(key), strings.Join(roles, ","), userID, database.TimeValue(d, rec.CreatedAt), database.TimeValue(d, expires))
	if err != nil {
		return "", APIKey{}, fmt.Errorf("create api key: %w", err)
	}
	return key, rec, nil
}

// List returns every key, newest first.
func (k *APIKeys) List(ctx context.Context) ([]APIKey, error) {
	var out []APIKey
	err := k.db.QueryRows(ctx, `SELECT prefix, name, roles, user_id, created_at, expires_at, revoked_at FROM `+APIKeysTable+` ORDER BY created_at DESC, prefix`, nil,
		func(scan func(...any) error) error {
			var r APIKey
			var roles string
			var created, expires, revoked any
			if err := scan(&r.Prefix, &r.Name, &roles, &r.UserID, &created, &expires, &revoked); err != nil {
				return err
			}
			r.Roles = splitList(roles)
			r.CreatedAt, r.ExpiresAt, r.RevokedAt = database.ScanTime(created), database.ScanTime(expires), database.ScanTime(revoked)
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// Revoke marks the key with the prefix revoked; it stops working at once
// (keys are checked against the table on every request).
func (k *APIKeys) Revoke(ctx context.Context, prefix string) error {
	prefix = strings.TrimPrefix(prefix, APIKeyPrefix)
	if i := strings.IndexByte(prefix, '_'); i >= 0 {
		prefix = prefix[:i] // a whole key names its prefix too
	}
	found := false
	err := k.db.QueryRows(ctx, k.sql(`UPDATE `+APIKeysTable+` SET revoked_at = COALESCE(revoked_at, $1) WHERE prefix = $2 RETURNING prefix`),
		[]any{database.TimeValue(k.db.Dialect(), k.now()), prefix}, func(scan func(...any) error) error {
			var p string
			found = true
			return scan(&p)
		})
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if !found {
		return ErrKeyNotFound
	}
	return nil
}

// Verify checks a presented key and returns its identity: ID the key's
// user id, Roles its roles, and the claim api_key (the prefix).
func (k *APIKeys) Verify(ctx context.Context, key string) (*engine.Identity, error) {
	rest, ok := strings.CutPrefix(key, APIKeyPrefix)
	prefix, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(prefix) != 8 || len(secret) != 64 {
		return nil, refused("the API key is malformed", nil)
	}
	var rec APIKey
	var hash, roles string
	var expires, revoked any
	found := false
	err := k.db.QueryRows(ctx, k.sql(`SELECT key_hash, roles, user_id, expires_at, revoked_at FROM `+APIKeysTable+` WHERE prefix = $1`), []any{prefix},
		func(scan func(...any) error) error {
			found = true
			return scan(&hash, &roles, &rec.UserID, &expires, &revoked)
		})
	if err != nil {
		return nil, fmt.Errorf("check api key: %w", err)
	}
	want := hashKey(key)
	if !found {
		// Same work as a found key, so timing tells nothing.
		subtle.ConstantTimeCompare([]byte(want), []byte(want))
		return nil, refused("the API key is not valid", nil)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(want)) != 1 {
		return nil, refused("the API key is not valid", nil)
	}
	if !database.ScanTime(revoked).IsZero() {
		return nil, refused("the API key has been revoked", nil)
	}
	if e := database.ScanTime(expires); !e.IsZero() && !k.now().Before(e) {
		return nil, refused("the API key has expired", nil)
	}
	return &engine.Identity{ID: rec.UserID, Roles: splitList(roles), Claims: map[string]any{"api_key": prefix}}, nil
}
