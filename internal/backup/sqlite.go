package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	sqlite "modernc.org/sqlite"

	"github.com/autogql/autogql/internal/database"
)

// openRaw opens a SQLite file without autogql's pragmas (no WAL switch):
// backup files stay single files.
func openRaw(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// sqlQuerier adapts *sql.DB to rowQuerier.
type sqlQuerier struct{ db *sql.DB }

func (s sqlQuerier) QueryRows(ctx context.Context, query string, args []any, scan func(func(...any) error) error) error {
	return database.QueryRowsSQL(ctx, s.db, query, args, scan)
}

// dumpSQLite writes a consistent copy of the live database to file with
// VACUUM INTO (a read transaction: writers go on), drops the operational
// tables from the copy, and fills the manifest from the copy itself.
func dumpSQLite(ctx context.Context, db *database.DB, file string, man *Manifest) error {
	if err := db.Exec(ctx, `VACUUM INTO ?`, file); err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	raw, err := openRaw(file)
	if err != nil {
		return err
	}
	defer raw.Close()
	for _, t := range OperationalTables {
		if _, err := raw.ExecContext(ctx, `DROP TABLE IF EXISTS `+database.QuoteIdent(t)); err != nil {
			return fmt.Errorf("drop %s from the copy: %w", t, err)
		}
	}
	if _, err := raw.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("vacuum the copy: %w", err)
	}
	return inspectSQLite(ctx, raw, man)
}

func inspectSQLite(ctx context.Context, raw *sql.DB, man *Manifest) error {
	q := sqlQuerier{raw}
	var check string
	if err := q.QueryRows(ctx, `PRAGMA integrity_check`, nil, func(scan func(...any) error) error { return scan(&check) }); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if check != "ok" {
		return fmt.Errorf("integrity check: %s", check)
	}
	tables, err := tablesOf(ctx, q, database.SQLite, "")
	if err != nil {
		return err
	}
	if man.Tables, err = statsOf(ctx, q, database.SQLite, "", tables); err != nil {
		return err
	}
	man.SchemaVersion, man.Migrations, err = schemaVersion(ctx, q, database.SQLite, "", tables)
	return err
}

// restoreSQLite copies the backup into the database file at target with
// SQLite's online backup API: page by page under the database's own locks,
// so open connections of serving processes see the restored content at
// their next transaction. The live operational tables are first copied
// into a working copy of the backup, so they survive.
func restoreSQLite(ctx context.Context, file, target string) error {
	work, err := os.CreateTemp("", "autogql-restore-*.db")
	if err != nil {
		return err
	}
	work.Close()
	defer os.Remove(work.Name())
	if err := copyFile(file, work.Name()); err != nil {
		return err
	}
	if _, err := os.Stat(target); err == nil {
		if err := keepOperational(ctx, work.Name(), target); err != nil {
			return err
		}
	}
	dst, err := openRaw(target)
	if err != nil {
		return err
	}
	defer dst.Close()
	conn, err := dst.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", target, err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the SQLite driver has no online backup API")
		}
		b, err := r.NewRestore(work.Name())
		if err != nil {
			return fmt.Errorf("start restore: %w", err)
		}
		for {
			more, err := b.Step(-1)
			if err == nil && !more {
				break
			}
			if err != nil {
				// Busy or locked by a writer: wait and go on, within ctx.
				if ctx.Err() != nil {
					b.Finish() //nolint:errcheck // the context error is the one to report
					return fmt.Errorf("restore: %w (last error: %w)", ctx.Err(), err)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		if err := b.Finish(); err != nil {
			return fmt.Errorf("finish restore: %w", err)
		}
		return nil
	})
}

// keepOperational copies the operational tables of the live database into
// the working copy of the backup.
func keepOperational(ctx context.Context, work, live string) error {
	db, err := openRaw(work)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS live`, live); err != nil {
		return fmt.Errorf("attach %s: %w", live, err)
	}
	for _, t := range OperationalTables {
		var ddl string
		err := conn.QueryRowContext(ctx, `SELECT sql FROM live.sqlite_master WHERE type = 'table' AND name = ?`, t).Scan(&ddl)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", t, err)
		}
		if _, err := conn.ExecContext(ctx, `DROP TABLE IF EXISTS main.`+database.QuoteIdent(t)); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create %s: %w", t, err)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO main.`+database.QuoteIdent(t)+` SELECT * FROM live.`+database.QuoteIdent(t)); err != nil {
			return fmt.Errorf("copy %s: %w", t, err)
		}
	}
	_, err = conn.ExecContext(ctx, `DETACH DATABASE live`)
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
