// Package maintenance is the switch that takes the API out of service, or
// makes it read-only, across every replica at once (SPEC §8): `autogql
// maintenance on|off|status`, the recreate deploy strategy and restores
// set it; each serving process runs a Watcher and the HTTP layer consults
// it per request.
//
// The state lives in the database (table autogql_maintenance, one row) and,
// when Redis is configured, in Redis as well (key autogql:maintenance).
// Watchers poll every PollInterval (500 ms), Redis first when there is
// one and the database otherwise, so every replica sees a change within a
// second. The database is the source of truth: a missing or unreachable
// Redis key falls back to it.
package maintenance
