package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
)

// ErrForeignKeyViolation is returned by InMigrationTx when, on SQLite, the
// migration left rows referencing missing rows.
var ErrForeignKeyViolation = errors.New("foreign key violation")

// InMigrationTx runs fn in one transaction meant for a schema migration,
// committing when fn returns nil.
//
// On PostgreSQL it is InTx: DDL is transactional and foreign keys stay
// enforced (autogql declares them DEFERRABLE INITIALLY DEFERRED, so they
// are checked at commit).
//
// On SQLite the transaction runs on one connection with foreign key
// enforcement turned off around it, as SQLite's documented table rebuild
// ("making other kinds of table schema changes", steps 1 and 12) requires:
// PRAGMA foreign_keys has no effect inside a transaction, and with
// enforcement on, dropping the old table would fire the ON DELETE actions
// of the tables that reference it. Before committing, PRAGMA
// foreign_key_check must report nothing; otherwise the transaction rolls
// back with ErrForeignKeyViolation. Enforcement is turned back on before
// the connection returns to the pool; if that fails the connection is
// discarded instead.
func (db *DB) InMigrationTx(ctx context.Context, fn func(tx Querier) error) error {
	if db.pg != nil {
		return db.InTx(ctx, fn)
	}
	conn, err := db.sq.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer func() {
		// A fresh context: the caller's may be cancelled, and the
		// connection must not go back to the pool without enforcement.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := fn(&sqlTx{tx: tx, db: db}); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var table, parent string
		var rowid, fkid any
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return fmt.Errorf("foreign key check: %w", err)
		}
		if len(problems) < 5 {
			problems = append(problems, fmt.Sprintf("%s row %v references a missing %s row", table, rowid, parent))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrForeignKeyViolation, strings.Join(problems, "; "))
	}
	return tx.Commit()
}
