package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// This file runs migration files against a database: Up applies the
// pending ones, Down rolls applied ones back, StatusOf and Pending report.
// Each migration runs in its own transaction (database.InMigrationTx); on
// PostgreSQL the transaction first takes the schema's advisory lock (see
// AdvisoryLockKey) and then reads the history again, so when many replicas start at once
// each migration is applied exactly once and the others see it recorded.
// On SQLite the transaction is BEGIN IMMEDIATE, which serialises writers
// the same way.

// ChecksumError reports an applied migration whose file changed since.
type ChecksumError struct {
	Name     string
	Recorded string
	File     string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("migration %s was changed after it was applied (recorded checksum %.12s…, the file's is %.12s…): "+
		"restore the file as it was applied and put the change in a new migration", e.Name, e.Recorded, e.File)
}

// DestructiveError reports a step refused without AllowDestructive.
type DestructiveError struct {
	Migration string
	Operation string
	Reason    string
	// Down is true when the refused step undoes an operation (rollback).
	Down bool
}

func (e *DestructiveError) Error() string {
	flag := "migrate apply"
	if e.Down {
		flag = "migrate rollback"
	}
	return fmt.Sprintf("migration %s: %s: %s; refused: run autogql %s --allow-destructive to accept the loss", e.Migration, e.Operation, e.Reason, flag)
}

// ErrInconsistentHistory is returned when the history has a migration
// applied while an earlier one is not.
var ErrInconsistentHistory = errors.New("inconsistent migration history")

// UpOptions tune Up.
type UpOptions struct {
	// AllowDestructive runs steps that lose or make up data.
	AllowDestructive bool
	// ExpandOnly applies pending migrations up to the first one with a
	// contract operation (a rolling deploy, while old instances serve).
	ExpandOnly bool
	// FakeInitial records 0001 as applied without running it when every
	// table it creates exists already (a database made by another tool,
	// such as Django, then inspected).
	FakeInitial bool
	// Logger receives a line per migration applied; nil logs nothing.
	Logger *slog.Logger
}

// UpResult says what Up did.
type UpResult struct {
	// Applied lists the migrations this call applied, in order.
	Applied []string
	// Held lists the pending migrations ExpandOnly left for later.
	Held []string
	// Adopted is set when a database created before migration files
	// existed had its "0001_initial" history row adopted by the file.
	Adopted string
}

// legacy reports whether a history row was written by Apply for a schema
// change (before migration files existed).
func legacy(name string) bool { return strings.HasPrefix(name, "auto_") }

// history reads the history table inside a migration transaction.
func history(ctx context.Context, q database.Querier) (map[string]Record, error) {
	recs := map[string]Record{}
	err := q.QueryRows(ctx, `SELECT "id", "name", "checksum" FROM `+quoteIdent(HistoryTable), nil, func(scan func(...any) error) error {
		var r Record
		if err := scan(&r.ID, &r.Name, &r.Checksum); err != nil {
			return err
		}
		recs[r.Name] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", HistoryTable, err)
	}
	return recs, nil
}

// begin takes the lock and makes sure the history table exists.
func begin(ctx context.Context, tx database.Querier, d database.Dialect) error {
	if d == database.Postgres {
		if err := tx.Exec(ctx, lockSQL, AdvisoryLockKey); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
	}
	if err := tx.Exec(ctx, historyTableSQL(d)); err != nil {
		return fmt.Errorf("create %s: %w", HistoryTable, err)
	}
	return nil
}

func record(ctx context.Context, tx database.Querier, d database.Dialect, name, sum, sql string) error {
	now, err := d.Encode(model.KindDateTime, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return err
	}
	insert := `INSERT INTO ` + quoteIdent(HistoryTable) + ` ("name", "checksum", "applied_at", "sql") VALUES ` + placeholders(d, 4)
	if err := tx.Exec(ctx, insert, name, sum, now, sql); err != nil {
		return fmt.Errorf("record %s: %w", name, err)
	}
	return nil
}

// Up applies the pending migrations of migs (LoadDir's result) in order,
// each in its own transaction under the migration lock, and records each
// with its checksum. Before anything runs it checks that no applied
// migration changed (ChecksumError), that the history is consistent, and
// that no pending step is destructive unless allowed (DestructiveError).
// A step that makes up values for existing rows is refused, without
// AllowDestructive, only when its table has rows.
func Up(ctx context.Context, db *database.DB, migs []*Migration, opts UpOptions) (UpResult, error) {
	var res UpResult
	d := db.Dialect()
	st, _, err := StatusOf(ctx, db, migs)
	if err != nil {
		return res, err
	}
	var pending []*Migration
	for _, s := range st {
		if s.Applied && len(pending) > 0 {
			return res, fmt.Errorf("%w: %s is applied but %s is not", ErrInconsistentHistory, s.Migration.Name, pending[0].Name)
		}
		if s.Applied && s.Checksum != s.Migration.Checksum(d) && s.Migration.Number() != 1 {
			return res, &ChecksumError{Name: s.Migration.Name, Recorded: s.Checksum, File: s.Migration.Checksum(d)}
		}
		if !s.Applied {
			pending = append(pending, s.Migration)
		}
	}
	if opts.ExpandOnly {
		for i, m := range pending {
			if m.Phase() != PhaseExpand {
				for _, h := range pending[i:] {
					res.Held = append(res.Held, h.Name)
				}
				pending = pending[:i]
				break
			}
		}
	}
	if !opts.AllowDestructive {
		for _, m := range pending {
			for _, op := range m.Operations {
				if op.Destructive != "" {
					return res, &DestructiveError{Migration: m.Name, Operation: op.Describe(), Reason: op.Destructive}
				}
			}
		}
	}
	// The initial migration of a database created before migration files
	// existed is adopted (or refused) in the first transaction.
	if len(st) > 0 && st[0].Applied && st[0].Checksum != migs[0].Checksum(d) {
		pending = append([]*Migration{migs[0]}, pending...)
	}
	for _, m := range pending {
		applied, adopted, err := upOne(ctx, db, migs, m, opts)
		if err != nil {
			return res, err
		}
		if adopted {
			res.Adopted = m.Name
			if opts.Logger != nil {
				opts.Logger.Info("migration adopted", "migration", m.Name)
			}
		}
		if applied {
			res.Applied = append(res.Applied, m.Name)
			if opts.Logger != nil {
				opts.Logger.Info("migration applied", "migration", m.Name, "phase", m.Phase())
			}
		}
	}
	return res, nil
}

// upOne applies one migration in its own transaction, unless another
// process applied it first.
func upOne(ctx context.Context, db *database.DB, migs []*Migration, m *Migration, opts UpOptions) (applied, adopted bool, err error) {
	d := db.Dialect()
	sum := m.Checksum(d)
	err = db.InMigrationTx(ctx, func(tx database.Querier) error {
		if err := begin(ctx, tx, d); err != nil {
			return err
		}
		recs, err := history(ctx, tx)
		if err != nil {
			return err
		}
		if rec, ok := recs[m.Name]; ok {
			if rec.Checksum == sum {
				return nil // applied meanwhile by another process
			}
			if m.Number() != 1 {
				return &ChecksumError{Name: m.Name, Recorded: rec.Checksum, File: sum}
			}
			ok, err := adoptable(ctx, tx, d, migs[0], recs)
			if err != nil {
				return err
			}
			if !ok {
				return &ChecksumError{Name: m.Name, Recorded: rec.Checksum, File: sum}
			}
			upd := `UPDATE ` + quoteIdent(HistoryTable) + ` SET "checksum" = ` + placeholder(d, 1) + `, "sql" = ` + placeholder(d, 2) + ` WHERE "name" = ` + placeholder(d, 3)
			if err := tx.Exec(ctx, upd, sum, joinSQL(m.Up(d)), m.Name); err != nil {
				return fmt.Errorf("adopt %s: %w", m.Name, err)
			}
			adopted = true
			return nil
		}
		if opts.FakeInitial && m.Number() == 1 {
			live, err := Introspect(ctx, tx, d)
			if err != nil {
				return err
			}
			exists := true
			for _, op := range m.Operations {
				if op.Op == OpCreateTable && live.Table(op.Table) == nil {
					exists = false
				}
			}
			if exists {
				applied = true
				return record(ctx, tx, d, m.Name, sum, joinSQL(m.Up(d)))
			}
		}
		for _, op := range m.Operations {
			if op.DestructiveIfRows != "" && !opts.AllowDestructive {
				rows, err := hasRows(ctx, tx, op.Table)
				if err != nil {
					return fmt.Errorf("migration %s: %s: %w", m.Name, op.Describe(), err)
				}
				if rows {
					return &DestructiveError{Migration: m.Name, Operation: op.Describe(), Reason: op.DestructiveIfRows + " (the table has rows)"}
				}
			}
			for _, s := range op.SQLFor(d).Up {
				if err := tx.Exec(ctx, s); err != nil {
					return fmt.Errorf("migration %s: %s: run %q: %w", m.Name, op.Describe(), firstLine(s), err)
				}
			}
		}
		applied = true
		return record(ctx, tx, d, m.Name, sum, joinSQL(m.Up(d)))
	})
	if err != nil {
		return false, false, fmt.Errorf("apply migrations: %w", err)
	}
	return applied, adopted, nil
}

// adoptable reports whether a recorded "0001_initial" that differs from
// the initial file may be taken as that file: a row written before
// migration files existed carries the file's checksum (the models then
// equal the models now), or the live tables are exactly what the file
// creates.
func adoptable(ctx context.Context, tx database.Querier, d database.Dialect, initial *Migration, recs map[string]Record) (bool, error) {
	sum := initial.Checksum(d)
	for name, r := range recs {
		if legacy(name) && r.Checksum == sum {
			return true, nil
		}
	}
	want, err := ReplayState([]*Migration{initial})
	if err != nil {
		return false, err
	}
	live, err := Introspect(ctx, tx, d)
	if err != nil {
		return false, err
	}
	return len(Compare(want, live, d)) == 0, nil
}

func hasRows(ctx context.Context, q database.Querier, table string) (bool, error) {
	found := false
	err := q.QueryRows(ctx, "SELECT 1 FROM "+quoteIdent(table)+" LIMIT 1", nil, func(func(...any) error) error {
		found = true
		return nil
	})
	return found, err
}

// DownOptions tune Down.
type DownOptions struct {
	// AllowDestructive undoes steps whose undoing loses data (dropping a
	// table or column a migration added).
	AllowDestructive bool
	Logger           *slog.Logger
}

// Down rolls back, newest first, every applied migration of migs numbered
// above to (0 rolls back all), each in its own transaction under the
// migration lock, running its down SQL and deleting its history row. It
// refuses when a migration applied later than those is not in migs.
func Down(ctx context.Context, db *database.DB, migs []*Migration, to int, opts DownOptions) ([]string, error) {
	d := db.Dialect()
	st, unknown, err := StatusOf(ctx, db, migs)
	if err != nil {
		return nil, err
	}
	for _, r := range unknown {
		return nil, fmt.Errorf("migration %s is applied but not in the migrations directory: roll it back with the release that has its file first", r.Name)
	}
	var targets []*Migration
	for i := len(st) - 1; i >= 0; i-- {
		s := st[i]
		if !s.Applied || s.Migration.Number() <= to {
			continue
		}
		if s.Checksum != s.Migration.Checksum(d) {
			return nil, &ChecksumError{Name: s.Migration.Name, Recorded: s.Checksum, File: s.Migration.Checksum(d)}
		}
		targets = append(targets, s.Migration)
	}
	if !opts.AllowDestructive {
		for _, m := range targets {
			for _, op := range slices.Backward(m.Operations) {
				if op.DownDestructive != "" {
					return nil, &DestructiveError{Migration: m.Name, Operation: "undo " + op.Describe(), Reason: op.DownDestructive, Down: true}
				}
			}
		}
	}
	var done []string
	for _, m := range targets {
		err := db.InMigrationTx(ctx, func(tx database.Querier) error {
			if err := begin(ctx, tx, d); err != nil {
				return err
			}
			recs, err := history(ctx, tx)
			if err != nil {
				return err
			}
			if _, ok := recs[m.Name]; !ok {
				return nil // rolled back meanwhile by another process
			}
			for _, s := range m.Down(d) {
				if err := tx.Exec(ctx, s); err != nil {
					return fmt.Errorf("migration %s: run %q: %w", m.Name, firstLine(s), err)
				}
			}
			del := `DELETE FROM ` + quoteIdent(HistoryTable) + ` WHERE "name" = ` + placeholder(d, 1)
			if err := tx.Exec(ctx, del, m.Name); err != nil {
				return fmt.Errorf("unrecord %s: %w", m.Name, err)
			}
			done = append(done, m.Name)
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("roll back migrations: %w", err)
		}
		if opts.Logger != nil {
			opts.Logger.Info("migration rolled back", "migration", m.Name)
		}
	}
	return done, nil
}

// MigrationStatus is one migration file and whether it is applied.
type MigrationStatus struct {
	Migration *Migration
	Applied   bool
	AppliedAt time.Time
	// Checksum is the recorded checksum (applied migrations only).
	Checksum string
}

// StatusOf reports each migration of migs as applied or pending, and the
// history rows no file accounts for (rows of Apply's auto_ schema changes
// excepted).
func StatusOf(ctx context.Context, db *database.DB, migs []*Migration) ([]MigrationStatus, []Record, error) {
	recs, err := Status(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	byName := map[string]Record{}
	for _, r := range recs {
		byName[r.Name] = r
	}
	out := make([]MigrationStatus, len(migs))
	known := map[string]bool{}
	for i, m := range migs {
		known[m.Name] = true
		out[i] = MigrationStatus{Migration: m}
		if r, ok := byName[m.Name]; ok {
			out[i].Applied, out[i].AppliedAt, out[i].Checksum = true, r.AppliedAt, r.Checksum
		}
	}
	var unknown []Record
	for _, r := range recs {
		if !known[r.Name] && !legacy(r.Name) {
			unknown = append(unknown, r)
		}
	}
	return out, unknown, nil
}

// Pending counts the migrations in dir the database has not applied. A
// directory without migrations has none pending (0, nil). It is what
// readiness (/readyz) asks.
func Pending(ctx context.Context, db *database.DB, dir string) (int, error) {
	migs, err := LoadDir(dir)
	if errors.Is(err, ErrNoMigrations) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	st, _, err := StatusOf(ctx, db, migs)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if !s.Applied {
			n++
		}
	}
	return n, nil
}

// placeholder renders parameter i (1-based) for d.
func placeholder(d database.Dialect, i int) string {
	if d == database.Postgres {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}
