// Package migrate turns a model.Schema into database tables and records what
// it applied. It sits beside the engine at start-up: the CLI (serve, migrate)
// calls Apply before the engine serves requests, and seed loads data into the
// tables it made.
//
// # What exists today
//
// CreateStatements renders the initial DDL for a schema, per dialect, with
// Django's names and types so that a Django user recognises every table and an
// existing Django database can be served as it is:
//
//   - tables are created in dependency order (a foreign key's target first),
//     then the join tables of many_to_many fields; on PostgreSQL a foreign key
//     that closes a cycle is added afterwards with ALTER TABLE;
//   - every statement is idempotent (CREATE … IF NOT EXISTS, and a guarded
//     ALTER TABLE), so running the whole list again changes nothing;
//   - foreign keys are named table constraints, DEFERRABLE INITIALLY DEFERRED
//     on both dialects as Django declares them, so rows may be inserted in any
//     order inside one transaction; ON DELETE follows on_delete (protect and
//     do_nothing become NO ACTION: Django enforces protect in the application,
//     and the database still refuses a dangling reference at commit);
//   - index and constraint names follow Django's scheme
//     (<table>_<columns>_<digest8><suffix>, shortened to 63 bytes), so they
//     are deterministic and fit PostgreSQL's identifier limit;
//   - literal defaults become DEFAULT clauses so rows written by other tools,
//     and rows that exist when a column is added later, get the model's value;
//     the special defaults "now" and "uuid4" are applied by autogql itself, as
//     Django does, and have no DEFAULT clause.
//
// Apply runs those statements in one transaction and records them in the
// history table autogql_migrations (id, name, checksum, applied_at, sql). The
// checksum is the SHA-256 of the statements. On PostgreSQL the transaction
// first takes pg_advisory_xact_lock(AdvisoryLockKey), so replicas that start
// at once apply the schema exactly once; on SQLite the transaction is opened
// with BEGIN IMMEDIATE (see package database), which serialises writers.
//
// # When the models change
//
// The first application is recorded as "0001_initial". When the models later
// change, the checksum differs: Apply then runs the (idempotent) statements
// again, which creates missing tables and indexes, and records a row named
// "auto_<first 8 hex digits of the checksum>". If any recorded row already
// carries the current checksum (for example after rolling back to an earlier
// models file) nothing is done. Columns added to or removed from an existing
// table are NOT altered by this: that is the job of the Django-style
// migration files (makemigrations / migrate apply) that will build on the
// history table and on the same DDL renderer.
package migrate
