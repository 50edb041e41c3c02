// Package auth establishes who makes a request: it verifies bearer JWTs
// (HS256 with a shared secret, RS256/ES256 with keys from a JWKS file or
// URL, the algorithm pinned by configuration), API keys (stored hashed,
// revocable) and the built-in users' tokens (argon2id passwords, short
// access tokens, rotated refresh tokens), and turns each into an
// engine.Identity through configurable claim paths.
//
// It sits before the engine in the request flow: internal/httpapi calls an
// Authenticator for every request and hands the identity to the engine,
// whose plans compile the models file's rules for it. The package does no
// HTTP serving of its own; the login, register, refresh_token, logout and
// me operations are served by httpapi on top of Users.
//
// Tables it keeps in the application's database, created on start by
// EnsureTables: autogql_api_keys, autogql_users, autogql_refresh_tokens.
package auth
