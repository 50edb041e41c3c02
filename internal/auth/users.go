package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/autogql/autogql/internal/database"
)

// UsersOptions configure the built-in users.
type UsersOptions struct {
	// Secret signs access tokens (HS256, at least MinSecretBytes); the
	// Verifier must accept HS256 with the same secret.
	Secret []byte
	// Issuer and Audience go into access tokens (as the Verifier checks
	// them).
	Issuer, Audience string
	// AccessTTL is an access token's lifetime (default 15m): a logout
	// cannot recall an access token, so keep it short.
	AccessTTL time.Duration
	// RefreshTTL is a refresh token's lifetime (default 30 days).
	RefreshTTL time.Duration
	// MaxFailedLogins consecutive failures lock the account (default 5)
	// for LockoutBase, doubled for each further failure, at most
	// LockoutMax (defaults 1m and 1h).
	MaxFailedLogins         int
	LockoutBase, LockoutMax time.Duration
	// MinPasswordLength for new passwords (default 10).
	MinPasswordLength int
	// RegisterRoles are the roles of self-registered users.
	RegisterRoles []string
	Argon2        Argon2Params
	Now           func() time.Time
}

// User is a built-in user (never its password hash).
type User struct {
	ID        string
	Username  string
	Roles     []string
	CreatedAt time.Time
}

// Tokens is what login, register and refresh_token return.
type Tokens struct {
	AccessToken  string
	ExpiresIn    time.Duration
	RefreshToken string
	User         User
}

// Errors of the built-in users, safe to show (they name no secret and,
// for logins, do not tell a wrong password from an unknown user).
var (
	ErrInvalidCredentials = errors.New("invalid username or password")
	ErrRefreshInvalid     = errors.New("the refresh token is not valid")
	ErrRefreshReused      = errors.New("the refresh token was already used: every token of its session is revoked, log in again")
	ErrUserNotFound       = errors.New("no such user")
)

// LockedError is a login refused because of earlier failures.
type LockedError struct{ RetryAfter time.Duration }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many failed logins: try again in %d seconds", int(e.RetryAfter.Seconds()+0.999))
}

// InputError is a refused username or password on create or register.
type InputError struct {
	Field, Code, Message string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

// RefreshTokenPrefix starts refresh tokens. They are opaque random
// strings, not JWTs, so no JWT verifier can take one for an access token;
// only their SHA-256 is stored.
const RefreshTokenPrefix = "agr_"

// Users manages autogql_users and autogql_refresh_tokens.
type Users struct {
	db    *database.DB
	opts  UsersOptions
	dummy string // a hash checked for unknown users, so timing tells nothing
}

// NewUsers returns the user store of db (EnsureTables creates its
// tables).
func NewUsers(db *database.DB, opts UsersOptions) (*Users, error) {
	if len(opts.Secret) < MinSecretBytes {
		return nil, fmt.Errorf("built-in users need a token secret of at least %d bytes", MinSecretBytes)
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = 15 * time.Minute
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 30 * 24 * time.Hour
	}
	if opts.MaxFailedLogins <= 0 {
		opts.MaxFailedLogins = 5
	}
	if opts.LockoutBase <= 0 {
		opts.LockoutBase = time.Minute
	}
	if opts.LockoutMax <= 0 {
		opts.LockoutMax = time.Hour
	}
	if opts.MinPasswordLength <= 0 {
		opts.MinPasswordLength = 10
	}
	if opts.Argon2.Memory == 0 {
		opts.Argon2 = DefaultArgon2
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	dummy, err := HashPassword("not a password", opts.Argon2)
	if err != nil {
		return nil, err
	}
	return &Users{db: db, opts: opts, dummy: dummy}, nil
}

func (u *Users) sql(q string) string { return database.Rebind(u.db.Dialect(), q) }
func (u *Users) tv(t time.Time) any  { return database.TimeValue(u.db.Dialect(), t) }
func (u *Users) now() time.Time      { return u.opts.Now().UTC().Truncate(time.Microsecond) }

var usernameRE = regexp.MustCompile(`^[a-z0-9_.@+-]{3,150}$`)

// normalize folds a username to its stored form (trimmed, lower case).
func normalize(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

func (u *Users) checkNew(username, password string) error {
	if !usernameRE.MatchString(username) {
		return &InputError{Field: "username", Code: "invalid", Message: "a username is 3 to 150 letters, digits or _.@+-"}
	}
	if n := utf8.RuneCountInString(password); n < u.opts.MinPasswordLength {
		return &InputError{Field: "password", Code: "min_length", Message: fmt.Sprintf("a password needs at least %d characters", u.opts.MinPasswordLength)}
	}
	if len(password) > 1024 {
		return &InputError{Field: "password", Code: "max_length", Message: "a password has at most 1024 bytes"}
	}
	return nil
}

// Create adds a user with the given roles.
func (u *Users) Create(ctx context.Context, username, password string, roles []string) (User, error) {
	username = normalize(username)
	if err := u.checkNew(username, password); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(password, u.opts.Argon2)
	if err != nil {
		return User{}, err
	}
	usr := User{ID: uuid.NewString(), Username: username, Roles: roles, CreatedAt: u.now()}
	taken := false
	err = u.db.QueryRows(ctx, u.sql(`SELECT 1 FROM `+UsersTable+` WHERE username = $1`), []any{username}, func(scan func(...any) error) error {
		taken = true
		var one int
		return scan(&one)
	})
	if err == nil && !taken {
		err = u.db.Exec(ctx, u.sql(`INSERT INTO `+UsersTable+` (id, username, password_hash, roles, created_at) VALUES ($1, $2, $3, $4, $5)`),
			usr.ID, username, hash, strings.Join(roles, ","), u.tv(usr.CreatedAt))
		if err != nil && isUniqueViolation(err) {
			taken = true
		}
	}
	if taken {
		return User{}, &InputError{Field: "username", Code: "unique", Message: "that username is taken"}
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return usr, nil
}

func isUniqueViolation(err error) bool {
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint") || strings.Contains(s, "23505")
}

// Register creates a user with RegisterRoles and logs it in.
func (u *Users) Register(ctx context.Context, username, password string) (Tokens, error) {
	usr, err := u.Create(ctx, username, password, u.opts.RegisterRoles)
	if err != nil {
		return Tokens{}, err
	}
	return u.issue(ctx, u.db, usr, uuid.NewString())
}

// Login checks a password and returns fresh tokens in a new session
// (refresh-token family). After MaxFailedLogins consecutive failures the
// account is locked, each further failure doubling the wait.
func (u *Users) Login(ctx context.Context, username, password string) (Tokens, error) {
	username = normalize(username)
	var usr User
	var hash, roles string
	var failed int
	var locked, disabled, created any
	found := false
	err := u.db.QueryRows(ctx, u.sql(`SELECT id, password_hash, roles, failed_logins, locked_until, disabled_at, created_at FROM `+UsersTable+` WHERE username = $1`),
		[]any{username}, func(scan func(...any) error) error {
			found = true
			return scan(&usr.ID, &hash, &roles, &failed, &locked, &disabled, &created)
		})
	if err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	if !found || len(password) > 1024 {
		CheckPassword(password, u.dummy) //nolint:errcheck // timing only
		return Tokens{}, ErrInvalidCredentials
	}
	now := u.now()
	if until := database.ScanTime(locked); until.After(now) {
		return Tokens{}, &LockedError{RetryAfter: until.Sub(now)}
	}
	ok, err := CheckPassword(password, hash)
	if err != nil {
		return Tokens{}, fmt.Errorf("login: user %s: %w", usr.ID, err)
	}
	if !ok || !database.ScanTime(disabled).IsZero() {
		return Tokens{}, u.failed(ctx, usr.ID, now)
	}
	if err := u.db.Exec(ctx, u.sql(`UPDATE `+UsersTable+` SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2`), u.tv(now), usr.ID); err != nil {
		return Tokens{}, fmt.Errorf("login: %w", err)
	}
	usr.Username, usr.Roles, usr.CreatedAt = username, splitList(roles), database.ScanTime(created)
	return u.issue(ctx, u.db, usr, uuid.NewString())
}

// failed counts a failed login and locks the account past the limit.
func (u *Users) failed(ctx context.Context, id string, now time.Time) error {
	var n int
	err := u.db.QueryRows(ctx, u.sql(`UPDATE `+UsersTable+` SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`), []any{id},
		func(scan func(...any) error) error { return scan(&n) })
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if n < u.opts.MaxFailedLogins {
		return ErrInvalidCredentials
	}
	wait := u.opts.LockoutBase
	for i := u.opts.MaxFailedLogins; i < n && wait < u.opts.LockoutMax; i++ {
		wait *= 2
	}
	wait = min(wait, u.opts.LockoutMax)
	if err := u.db.Exec(ctx, u.sql(`UPDATE `+UsersTable+` SET locked_until = $1 WHERE id = $2`), u.tv(now.Add(wait)), id); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return &LockedError{RetryAfter: wait}
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// issue signs an access token and stores a new refresh token of family.
func (u *Users) issue(ctx context.Context, q database.Querier, usr User, family string) (Tokens, error) {
	now := u.now()
	var jti [16]byte
	var raw [32]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return Tokens{}, err
	}
	if _, err := rand.Read(raw[:]); err != nil {
		return Tokens{}, err
	}
	roles := usr.Roles
	if roles == nil {
		roles = []string{}
	}
	claims := map[string]any{
		"sub":         usr.ID,
		"username":    usr.Username,
		"roles":       roles,
		TokenUseClaim: "access",
		"iat":         now.Unix(),
		"nbf":         now.Unix(),
		"exp":         now.Add(u.opts.AccessTTL).Unix(),
		"jti":         hex.EncodeToString(jti[:]),
	}
	if u.opts.Issuer != "" {
		claims["iss"] = u.opts.Issuer
	}
	if u.opts.Audience != "" {
		claims["aud"] = u.opts.Audience
	}
	access, err := Sign(u.opts.Secret, claims)
	if err != nil {
		return Tokens{}, fmt.Errorf("sign access token: %w", err)
	}
	refresh := RefreshTokenPrefix + hex.EncodeToString(raw[:])
	err = q.Exec(ctx, u.sql(`INSERT INTO `+RefreshTokensTable+` (token_hash, family, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`),
		hashToken(refresh), family, usr.ID, u.tv(now), u.tv(now.Add(u.opts.RefreshTTL)))
	if err != nil {
		return Tokens{}, fmt.Errorf("store refresh token: %w", err)
	}
	return Tokens{AccessToken: access, ExpiresIn: u.opts.AccessTTL, RefreshToken: refresh, User: usr}, nil
}

// Refresh trades a refresh token for new tokens of the same session; the
// token is used up (rotation). Presenting a used token again means it was
// stolen or replayed: the whole session is revoked.
func (u *Users) Refresh(ctx context.Context, token string) (Tokens, error) {
	if !strings.HasPrefix(token, RefreshTokenPrefix) || len(token) != len(RefreshTokenPrefix)+64 {
		return Tokens{}, ErrRefreshInvalid
	}
	h := hashToken(token)
	var out Tokens
	var outErr error
	err := u.db.InTx(ctx, func(tx database.Querier) error {
		var family, userID string
		var expires, used, revoked any
		found := false
		err := tx.QueryRows(ctx, u.sql(`SELECT family, user_id, expires_at, used_at, revoked_at FROM `+RefreshTokensTable+` WHERE token_hash = $1`), []any{h},
			func(scan func(...any) error) error {
				found = true
				return scan(&family, &userID, &expires, &used, &revoked)
			})
		if err != nil {
			return err
		}
		now := u.now()
		switch {
		case !found, !database.ScanTime(revoked).IsZero(), !database.ScanTime(expires).After(now):
			outErr = ErrRefreshInvalid
			return nil
		case !database.ScanTime(used).IsZero():
			outErr = ErrRefreshReused
			return u.revokeFamily(ctx, tx, family, now)
		}
		claimed := false
		err = tx.QueryRows(ctx, u.sql(`UPDATE `+RefreshTokensTable+` SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL RETURNING family`),
			[]any{u.tv(now), h}, func(scan func(...any) error) error {
				claimed = true
				var f string
				return scan(&f)
			})
		if err != nil {
			return err
		}
		if !claimed { // a concurrent use won the race: a replay
			outErr = ErrRefreshReused
			return u.revokeFamily(ctx, tx, family, now)
		}
		usr, err := u.get(ctx, tx, userID)
		if errors.Is(err, ErrUserNotFound) {
			outErr = ErrRefreshInvalid
			return u.revokeFamily(ctx, tx, family, now)
		}
		if err != nil {
			return err
		}
		out, err = u.issue(ctx, tx, usr, family)
		return err
	})
	if err != nil {
		return Tokens{}, fmt.Errorf("refresh token: %w", err)
	}
	return out, outErr
}

func (u *Users) revokeFamily(ctx context.Context, q database.Querier, family string, now time.Time) error {
	return q.Exec(ctx, u.sql(`UPDATE `+RefreshTokensTable+` SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL`), u.tv(now), family)
}

// Logout revokes the session (refresh-token family) of a refresh token.
// It reports whether the token was known. Access tokens already issued
// stay valid until they expire.
func (u *Users) Logout(ctx context.Context, token string) (bool, error) {
	var family string
	found := false
	err := u.db.QueryRows(ctx, u.sql(`SELECT family FROM `+RefreshTokensTable+` WHERE token_hash = $1`), []any{hashToken(token)},
		func(scan func(...any) error) error {
			found = true
			return scan(&family)
		})
	if err != nil || !found {
		return false, err
	}
	return true, u.revokeFamily(ctx, u.db, family, u.now())
}

// LogoutAll revokes every session of a user.
func (u *Users) LogoutAll(ctx context.Context, userID string) error {
	return u.db.Exec(ctx, u.sql(`UPDATE `+RefreshTokensTable+` SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`), u.tv(u.now()), userID)
}

// Get returns the user with the id.
func (u *Users) Get(ctx context.Context, id string) (User, error) { return u.get(ctx, u.db, id) }

func (u *Users) get(ctx context.Context, q database.Querier, id string) (User, error) {
	var usr User
	var roles string
	var created, disabled any
	found := false
	err := q.QueryRows(ctx, u.sql(`SELECT id, username, roles, created_at, disabled_at FROM `+UsersTable+` WHERE id = $1`), []any{id},
		func(scan func(...any) error) error {
			found = true
			return scan(&usr.ID, &usr.Username, &roles, &created, &disabled)
		})
	if err != nil {
		return User{}, err
	}
	if !found || !database.ScanTime(disabled).IsZero() {
		return User{}, ErrUserNotFound
	}
	usr.Roles, usr.CreatedAt = splitList(roles), database.ScanTime(created)
	return usr, nil
}
