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
// first takes the schema's advisory lock (AdvisoryLockKey), so replicas that start
// at once apply the schema exactly once; on SQLite the transaction is opened
// with BEGIN IMMEDIATE (see package database), which serialises writers.
//
// # Migration files (Django-style)
//
// State is the database schema in dialect-neutral terms. FromSchema derives
// the state a models file wants; ReplayState rebuilds, without a database,
// the state the migration files in a directory have made; Introspect reads
// the state of a live database. Diff turns the difference between two
// states into Operations (create/drop/rename table, add/drop/alter/rename
// column, add/drop index and constraint), renaming only where the models
// say so (renamed_from → RenamesFor), never by guessing. Each operation
// carries its up and down SQL on both dialects, its phase (expand: safe
// while the previous release serves; contract: not) and notes on what it
// destroys. SQLite changes ALTER TABLE cannot make use SQLite's documented
// table rebuild, inside a transaction with foreign key enforcement off
// (database.InMigrationTx), checked before commit.
//
// MakeMigration writes the next numbered file (0002_add_blog_post_subtitle
// .yaml). The first file's up SQL is exactly CreateStatements, which is
// itself rendered through Diff, so databases created by Apply keep their
// "0001_initial" row: Up recognises it by checksum, or adopts it when the
// models changed since but the live tables are what the file creates.
//
// Up applies pending files, each in its own transaction under the advisory
// lock, re-reading the history inside the lock so that concurrent replicas
// apply each migration once; it refuses destructive steps without
// AllowDestructive, stops at a changed applied file (ChecksumError), and
// can stop before contract steps (ExpandOnly). Down runs down SQL. Drift
// and Compare list how a live database differs from the models.
//
// # Apply without migration files
//
// The first application is recorded as "0001_initial". When the models later
// change, the checksum differs: Apply then runs the (idempotent) statements
// again, which creates missing tables and indexes, and records a row named
// "auto_<first 8 hex digits of the checksum>". If any recorded row already
// carries the current checksum (for example after rolling back to an earlier
// models file) nothing is done. Columns added to or removed from an existing
// table are not altered by this; migration files do that.
package migrate
