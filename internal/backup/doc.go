// Package backup makes, checks and restores copies of an autogql database
// (SPEC §8): PostgreSQL through pg_dump's custom format and pg_restore,
// SQLite through VACUUM INTO and the online backup API. Each backup is a
// data file and a JSON manifest (time, release, schema version, size,
// SHA-256, rows and a content digest per table) kept in a Storage; the
// directory implementation is the only one so far (an S3-compatible one is
// a later step behind the same interface).
//
// Verify proves a backup can be used: the file's checksum, then a restore
// into a scratch database (a temporary SQLite file, or a scratch PostgreSQL
// database) whose row counts and table digests must equal the manifest's.
// Restore into a database that has tables needs Force (the CLI's --yes).
// The operational tables (OperationalTables: deployments, maintenance,
// backup log) are not part of a backup and survive a restore, so rolling
// back data never rewrites the deployment history.
//
// The CLI (internal/cli/backup.go), the deploy manager (internal/deploy)
// and the server's --backup-schedule call it; every successful backup is
// logged in the database so /metrics can report
// autogql_backup_last_success_timestamp_seconds on every replica.
package backup
