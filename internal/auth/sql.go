package auth

import (
	"context"
	"fmt"
	"strings"

	"github.com/autogql/autogql/internal/database"
)

// The tables autogql keeps for authentication. Times are timestamptz on
// PostgreSQL and UTC text (YYYY-MM-DD HH:MM:SS.ffffff) on SQLite, as the
// models' datetime columns are.
const (
	APIKeysTable       = "autogql_api_keys"
	UsersTable         = "autogql_users"
	RefreshTokensTable = "autogql_refresh_tokens"
)

func tablesDDL(d database.Dialect) []string {
	ts := database.TimeColumnType(d)
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + APIKeysTable + ` (
	prefix text PRIMARY KEY,
	name text NOT NULL,
	key_hash text NOT NULL,
	roles text NOT NULL DEFAULT '',
	user_id text NOT NULL DEFAULT '',
	created_at ` + ts + ` NOT NULL,
	expires_at ` + ts + ` NULL,
	revoked_at ` + ts + ` NULL
)`,
		`CREATE TABLE IF NOT EXISTS ` + UsersTable + ` (
	id text PRIMARY KEY,
	username text NOT NULL UNIQUE,
	password_hash text NOT NULL,
	roles text NOT NULL DEFAULT '',
	failed_logins integer NOT NULL DEFAULT 0,
	locked_until ` + ts + ` NULL,
	last_login_at ` + ts + ` NULL,
	disabled_at ` + ts + ` NULL,
	created_at ` + ts + ` NOT NULL
)`,
		`CREATE TABLE IF NOT EXISTS ` + RefreshTokensTable + ` (
	token_hash text PRIMARY KEY,
	family text NOT NULL,
	user_id text NOT NULL,
	created_at ` + ts + ` NOT NULL,
	expires_at ` + ts + ` NOT NULL,
	used_at ` + ts + ` NULL,
	revoked_at ` + ts + ` NULL
)`,
		`CREATE INDEX IF NOT EXISTS autogql_refresh_tokens_family ON ` + RefreshTokensTable + ` (family)`,
		`CREATE INDEX IF NOT EXISTS autogql_refresh_tokens_user ON ` + RefreshTokensTable + ` (user_id)`,
	}
}

// EnsureTables creates the authentication tables when they are missing.
// It is safe to run from several replicas at once.
func EnsureTables(ctx context.Context, db *database.DB) error {
	return ensure(ctx, db, tablesDDL(db.Dialect()))
}

// ensure runs idempotent DDL; a concurrent creator can make PostgreSQL's
// IF NOT EXISTS fail once (a catalog unique violation), so each statement
// gets a second try.
func ensure(ctx context.Context, db *database.DB, stmts []string) error {
	for _, s := range stmts {
		err := db.Exec(ctx, s)
		if err != nil {
			err = db.Exec(ctx, s)
		}
		if err != nil {
			return fmt.Errorf("create %s: %w", tableOf(s), err)
		}
	}
	return nil
}

func tableOf(stmt string) string {
	f := strings.Fields(stmt)
	for i, w := range f {
		if w == "EXISTS" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return "table"
}

// splitList reads a comma-separated column.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
