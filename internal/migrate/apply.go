package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// HistoryTable is the table recording every applied migration.
const HistoryTable = "autogql_migrations"

// InitialName is the name recorded for the first application of a schema.
const InitialName = "0001_initial"

// AdvisoryLockKey is the PostgreSQL advisory lock every migration holds for
// the length of its transaction, in the schema public. An arbitrary
// constant shared by all autogql processes against one database; in
// another schema (search_path) the key is mixed with the schema's name
// (lockSQL), so applications kept in separate schemas of one database do
// not wait for each other's migrations.
const AdvisoryLockKey int64 = 0x6175746f67716c // "autogql"

// lockSQL takes the migration lock of the current schema until the
// transaction ends; its parameter is AdvisoryLockKey.
const lockSQL = `SELECT pg_advisory_xact_lock($1::bigint # CASE WHEN current_schema() = 'public' THEN 0 ELSE hashtext(current_schema())::bigint END)`

// Record is one row of the history table.
type Record struct {
	ID        int64
	Name      string
	Checksum  string
	AppliedAt time.Time
	SQL       string
}

// Checksum is the hex SHA-256 of statements, as recorded in the history.
func Checksum(stmts []string) string {
	sum := sha256.Sum256([]byte(joinSQL(stmts)))
	return hex.EncodeToString(sum[:])
}

// joinSQL renders statements as one script, as recorded in the history.
func joinSQL(stmts []string) string {
	if len(stmts) == 0 {
		return ""
	}
	return strings.Join(stmts, ";\n\n") + ";\n"
}

// historyTableSQL creates the history table.
func historyTableSQL(d database.Dialect) string {
	return createTableSQL(HistoryTable, []string{
		columnSQL(&Column{Name: "id", Type: TypeAuto, PrimaryKey: true}, d),
		`"name" text NOT NULL UNIQUE`,
		`"checksum" text NOT NULL`,
		columnSQL(&Column{Name: "applied_at", Type: TypeDateTime}, d),
		`"sql" text NOT NULL`,
	})
}

// Apply creates the tables of s that do not exist yet and records the
// application in the history table, all in one transaction. It reports
// whether anything was applied: false when a history row already carries
// the checksum of s's statements. On PostgreSQL the transaction holds the
// advisory lock AdvisoryLockKey, so concurrent callers apply once and the
// others see the row. See the package documentation for what a changed
// schema does.
func Apply(ctx context.Context, db *database.DB, s *model.Schema) (applied bool, err error) {
	d := db.Dialect()
	stmts := CreateStatements(s, d)
	sum := Checksum(stmts)
	err = db.InTx(ctx, func(tx database.Querier) error {
		if d == database.Postgres {
			if err := tx.Exec(ctx, lockSQL, AdvisoryLockKey); err != nil {
				return fmt.Errorf("take migration lock: %w", err)
			}
		}
		if err := tx.Exec(ctx, historyTableSQL(d)); err != nil {
			return fmt.Errorf("create %s: %w", HistoryTable, err)
		}
		var rows int
		var seen bool
		err := tx.QueryRows(ctx, `SELECT "checksum" FROM `+quoteIdent(HistoryTable), nil, func(scan func(...any) error) error {
			var c string
			if err := scan(&c); err != nil {
				return err
			}
			rows++
			seen = seen || c == sum
			return nil
		})
		if err != nil {
			return fmt.Errorf("read %s: %w", HistoryTable, err)
		}
		if seen {
			return nil
		}
		for _, st := range stmts {
			if err := tx.Exec(ctx, st); err != nil {
				return fmt.Errorf("run %q: %w", firstLine(st), err)
			}
		}
		name := InitialName
		if rows > 0 {
			name = "auto_" + sum[:8]
		}
		now, err := d.Encode(model.KindDateTime, time.Now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		insert := `INSERT INTO ` + quoteIdent(HistoryTable) + ` ("name", "checksum", "applied_at", "sql") VALUES ` + placeholders(d, 4)
		if err := tx.Exec(ctx, insert, name, sum, now, joinSQL(stmts)); err != nil {
			return fmt.Errorf("record %s: %w", name, err)
		}
		applied = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("apply migrations: %w", err)
	}
	return applied, nil
}

// Status returns the history, oldest first; it is empty (and no error) when
// nothing was ever applied.
func Status(ctx context.Context, db *database.DB) ([]Record, error) {
	exists := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if db.Dialect() == database.Postgres {
		exists = `SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = $1`
	}
	var n int64
	err := db.QueryRows(ctx, exists, []any{HistoryTable}, func(scan func(...any) error) error { return scan(&n) })
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	var recs []Record
	q := `SELECT "id", "name", "checksum", "applied_at", "sql" FROM ` + quoteIdent(HistoryTable) + ` ORDER BY "id"`
	err = db.QueryRows(ctx, q, nil, func(scan func(...any) error) error {
		var r Record
		var at any
		if err := scan(&r.ID, &r.Name, &r.Checksum, &at, &r.SQL); err != nil {
			return err
		}
		switch v := at.(type) {
		case time.Time:
			r.AppliedAt = v.UTC()
		case string:
			t, err := database.ParseDateTime(v)
			if err != nil {
				return fmt.Errorf("applied_at of %s: %w", r.Name, err)
			}
			r.AppliedAt = t
		default:
			return fmt.Errorf("applied_at of %s: unexpected %T", r.Name, at)
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	return recs, nil
}

// placeholders renders "(?, ?, …)" or "($1, $2, …)" for n parameters.
func placeholders(d database.Dialect, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if d == database.Postgres {
			fmt.Fprintf(&b, "$%d", i+1)
		} else {
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
