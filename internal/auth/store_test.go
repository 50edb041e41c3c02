package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

// fastArgon keeps the tests quick; production uses DefaultArgon2.
var fastArgon = Argon2Params{Memory: 64, Time: 1, Threads: 1}

func openStore(t *testing.T, d database.Dialect) *database.DB {
	t.Helper()
	db := testdb.Open(t, d)
	if err := EnsureTables(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := EnsureTables(context.Background(), db); err != nil {
		t.Fatalf("second EnsureTables: %v", err)
	}
	return db
}

func TestAPIKeys(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := openStore(t, d)
			now := testNow
			keys := NewAPIKeys(db, func() time.Time { return now })
			ctx := context.Background()
			key, rec, err := keys.Create(ctx, "ci", []string{"editor", "reader"}, "", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(key, APIKeyPrefix+rec.Prefix+"_") || len(key) != 4+8+1+64 {
				t.Fatalf("key %q does not look like agk_<prefix>_<secret>", key)
			}
			id, err := keys.Verify(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			want := &identityOf{ID: "apikey:" + rec.Prefix, Roles: []string{"editor", "reader"}}
			if diff := cmp.Diff(want, &identityOf{ID: id.ID, Roles: id.Roles}); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
			// The secret is not stored.
			var stored string
			db.QueryRows(ctx, "SELECT key_hash FROM "+APIKeysTable, nil, func(scan func(...any) error) error { return scan(&stored) })
			if strings.Contains(stored, key[13:]) || stored != hashKey(key) {
				t.Errorf("stored %q: want the SHA-256 of the key only", stored)
			}
			tampered := key[:len(key)-1] + "0"
			if tampered == key {
				tampered = key[:len(key)-1] + "1"
			}
			for name, k := range map[string]string{"tampered": tampered, "malformed": "agk_short", "unknown prefix": APIKeyPrefix + "00000000_" + strings.Repeat("a", 64)} {
				if _, err := keys.Verify(ctx, k); !errors.Is(err, ErrUnauthenticated) {
					t.Errorf("%s key: %v, want unauthenticated", name, err)
				}
			}
			expiring, _, err := keys.Create(ctx, "temp", nil, "svc-1", now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if id, err := keys.Verify(ctx, expiring); err != nil || id.ID != "svc-1" {
				t.Fatalf("expiring key before expiry: %v %v", id, err)
			}
			now = now.Add(2 * time.Hour)
			if _, err := keys.Verify(ctx, expiring); !errors.Is(err, ErrUnauthenticated) || err.Error() != "the API key has expired" {
				t.Errorf("expired key: %v", err)
			}
			if err := keys.Revoke(ctx, rec.Prefix); err != nil {
				t.Fatal(err)
			}
			if _, err := keys.Verify(ctx, key); err == nil || err.Error() != "the API key has been revoked" {
				t.Errorf("revoked key: %v", err)
			}
			if err := keys.Revoke(ctx, "ffffffff"); !errors.Is(err, ErrKeyNotFound) {
				t.Errorf("revoke unknown: %v", err)
			}
			list, err := keys.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 {
				t.Fatalf("list: %+v", list)
			}
			for _, k := range list {
				if k.Prefix == rec.Prefix && k.RevokedAt.IsZero() {
					t.Errorf("listed %s without its revocation", k.Prefix)
				}
			}
		})
	}
}

type identityOf struct {
	ID    string
	Roles []string
}

func newUsers(t *testing.T, db *database.DB, now *time.Time) *Users {
	t.Helper()
	u, err := NewUsers(db, UsersOptions{Secret: testSecret, Argon2: fastArgon, Now: func() time.Time { return *now },
		RegisterRoles: []string{"member"}, MaxFailedLogins: 3, LockoutBase: time.Minute, LockoutMax: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsers(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := openStore(t, d)
			now := testNow
			users := newUsers(t, db, &now)
			v, err := NewVerifier(JWTOptions{Algorithms: []string{HS256}, Secret: testSecret, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := users.Create(ctx, "Ann", "short", nil); err == nil || !strings.Contains(err.Error(), "at least 10") {
				t.Errorf("short password: %v", err)
			}
			ann, err := users.Create(ctx, " Ann ", "correct horse battery", []string{"editor"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := users.Create(ctx, "ANN", "another long password", nil); err == nil || !strings.Contains(err.Error(), "taken") {
				t.Errorf("duplicate username: %v", err)
			}
			var hash string
			db.QueryRows(ctx, "SELECT password_hash FROM "+UsersTable, nil, func(scan func(...any) error) error { return scan(&hash) })
			if !strings.HasPrefix(hash, "$argon2id$v=19$") {
				t.Errorf("stored hash %q is not argon2id", hash)
			}

			tok, err := users.Login(ctx, "ann", "correct horse battery")
			if err != nil {
				t.Fatal(err)
			}
			id, err := v.Verify(ctx, tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if id.ID != ann.ID || !cmp.Equal(id.Roles, []string{"editor"}) || id.Claims["username"] != "ann" {
				t.Errorf("access token identity %+v", id)
			}
			// A refresh token is not an access token.
			if _, err := v.Verify(ctx, tok.RefreshToken); !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("refresh token verified as an access token: %v", err)
			}

			// Rotation: each refresh token works once.
			tok2, err := users.Refresh(ctx, tok.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if tok2.RefreshToken == tok.RefreshToken {
				t.Fatal("refresh token was not rotated")
			}
			tok3, err := users.Refresh(ctx, tok2.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			// Reusing a rotated token revokes the whole family, including
			// the newest token.
			if _, err := users.Refresh(ctx, tok.RefreshToken); !errors.Is(err, ErrRefreshReused) {
				t.Errorf("reused token: %v", err)
			}
			if _, err := users.Refresh(ctx, tok3.RefreshToken); !errors.Is(err, ErrRefreshInvalid) {
				t.Errorf("newest token of a revoked family: %v", err)
			}
			// Other sessions are untouched; logout ends one.
			other, err := users.Login(ctx, "ann", "correct horse battery")
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := users.Logout(ctx, other.RefreshToken); !ok || err != nil {
				t.Fatalf("logout: %v %v", ok, err)
			}
			if _, err := users.Refresh(ctx, other.RefreshToken); !errors.Is(err, ErrRefreshInvalid) {
				t.Errorf("refresh after logout: %v", err)
			}
			if _, err := users.Refresh(ctx, "agr_"+strings.Repeat("0", 64)); !errors.Is(err, ErrRefreshInvalid) {
				t.Errorf("unknown refresh token: %v", err)
			}
			// Expiry.
			late, _ := users.Login(ctx, "ann", "correct horse battery")
			now = now.Add(31 * 24 * time.Hour)
			if _, err := users.Refresh(ctx, late.RefreshToken); !errors.Is(err, ErrRefreshInvalid) {
				t.Errorf("expired refresh token: %v", err)
			}
			if _, err := v.Verify(ctx, late.AccessToken); err == nil {
				t.Error("expired access token verified")
			}

			// Lockout: 3 failures lock for 1m, each further one doubles.
			if _, err := users.Login(ctx, "nobody", "whatever password"); !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("unknown user: %v", err)
			}
			for i := 1; i <= 2; i++ {
				if _, err := users.Login(ctx, "ann", "wrong password!"); !errors.Is(err, ErrInvalidCredentials) {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			var locked *LockedError
			if _, err := users.Login(ctx, "ann", "wrong password!"); !errors.As(err, &locked) || locked.RetryAfter != time.Minute {
				t.Fatalf("third failure: %v, want locked for 1m", err)
			}
			if _, err := users.Login(ctx, "ann", "correct horse battery"); !errors.As(err, &locked) {
				t.Fatalf("right password while locked: %v, want locked", err)
			}
			now = now.Add(61 * time.Second)
			if _, err := users.Login(ctx, "ann", "wrong password!"); !errors.As(err, &locked) || locked.RetryAfter != 2*time.Minute {
				t.Fatalf("fourth failure: %v, want locked for 2m", err)
			}
			now = now.Add(121 * time.Second)
			if _, err := users.Login(ctx, "ann", "correct horse battery"); err != nil {
				t.Fatalf("login after the lock: %v", err)
			}
			if _, err := users.Login(ctx, "ann", "wrong password!"); !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("a success resets the count: %v", err)
			}

			reg, err := users.Register(ctx, "bob", "bobs long password")
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(reg.User.Roles, []string{"member"}) || reg.AccessToken == "" {
				t.Errorf("register: %+v", reg.User)
			}
		})
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("pässwörd", fastArgon)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword("pässwörd", h); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := CheckPassword("passwörd", h); ok {
		t.Error("wrong password matched")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if ok, err := CheckPassword("x", bad); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v %v, want an error", bad, ok, err)
		}
	}
}
