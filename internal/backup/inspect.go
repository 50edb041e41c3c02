package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
)

// OperationalTables describe the running system rather than its data: the
// deployment history, the maintenance flag and the backup log. Backups
// leave them out and restores keep the live copies, so restoring data
// never rewrites the record of what was deployed or backed up.
var OperationalTables = []string{"autogql_backups", "autogql_deployments", "autogql_maintenance"}

func operational(table string) bool { return slices.Contains(OperationalTables, table) }

// rowQuerier is what inspection needs: database.Querier, or a PostgreSQL
// snapshot transaction.
type rowQuerier interface {
	QueryRows(ctx context.Context, query string, args []any, scan func(scan func(dest ...any) error) error) error
}

// tablesOf lists the user tables (operational ones excluded): in schema on
// PostgreSQL, in the main database on SQLite.
func tablesOf(ctx context.Context, q rowQuerier, d database.Dialect, schema string) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	var args []any
	if d == database.Postgres {
		query = `SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = $1 ORDER BY tablename`
		args = []any{schema}
	}
	var out []string
	err := q.QueryRows(ctx, query, args, func(scan func(...any) error) error {
		var n string
		if err := scan(&n); err != nil {
			return err
		}
		if !operational(n) {
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	return out, nil
}

// statsOf counts and digests every table. The digest is the SHA-256 of the
// rows' text forms in sorted order, one per line: PostgreSQL's record text
// (t::text), SQLite's quote() of each column joined by commas. Two
// databases of the same dialect with the same rows get the same digest.
func statsOf(ctx context.Context, q rowQuerier, d database.Dialect, schema string, tables []string) (map[string]TableStat, error) {
	out := make(map[string]TableStat, len(tables))
	for _, t := range tables {
		query, err := digestQuery(ctx, q, d, schema, t)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		var n int64
		err = q.QueryRows(ctx, query, nil, func(scan func(...any) error) error {
			var row string
			if err := scan(&row); err != nil {
				return err
			}
			n++
			h.Write([]byte(row))
			h.Write([]byte{'\n'})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("digest table %s: %w", t, err)
		}
		out[t] = TableStat{Rows: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	return out, nil
}

func digestQuery(ctx context.Context, q rowQuerier, d database.Dialect, schema, table string) (string, error) {
	if d == database.Postgres {
		qt := database.QuoteIdent(schema) + "." + database.QuoteIdent(table)
		return `SELECT r::text FROM ` + qt + ` AS r ORDER BY 1`, nil
	}
	var cols []string
	err := q.QueryRows(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, []any{table}, func(scan func(...any) error) error {
		var c string
		if err := scan(&c); err != nil {
			return err
		}
		cols = append(cols, "quote("+database.QuoteIdent(c)+")")
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("columns of %s: %w", table, err)
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("table %s has no columns", table)
	}
	return `SELECT ` + strings.Join(cols, ` || ',' || `) + ` FROM ` + database.QuoteIdent(table) + ` ORDER BY 1`, nil
}

// schemaVersion returns the newest applied migration and how many are
// applied, from the migration history (none yet: "", 0).
func schemaVersion(ctx context.Context, q rowQuerier, d database.Dialect, schema string, tables []string) (string, int, error) {
	if !slices.Contains(tables, migrate.HistoryTable) {
		return "", 0, nil
	}
	table := database.QuoteIdent(migrate.HistoryTable)
	if d == database.Postgres {
		table = database.QuoteIdent(schema) + "." + table
	}
	var last string
	var n int
	err := q.QueryRows(ctx, `SELECT "name" FROM `+table+` ORDER BY "id"`, nil, func(scan func(...any) error) error {
		if err := scan(&last); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return "", 0, fmt.Errorf("read migration history: %w", err)
	}
	return last, n, nil
}

// compare lists how got differs from want, table by table.
func compare(want, got map[string]TableStat) []string {
	var diffs []string
	for _, t := range sortedKeys(want) {
		g, ok := got[t]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("table %s is missing", t))
		case g.Rows != want[t].Rows:
			diffs = append(diffs, fmt.Sprintf("table %s has %d rows, want %d", t, g.Rows, want[t].Rows))
		case g.SHA256 != want[t].SHA256:
			diffs = append(diffs, fmt.Sprintf("table %s: content digest %.12s…, want %.12s…", t, g.SHA256, want[t].SHA256))
		}
	}
	for _, t := range sortedKeys(got) {
		if _, ok := want[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("table %s is not in the manifest", t))
		}
	}
	return diffs
}

func sortedKeys(m map[string]TableStat) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
