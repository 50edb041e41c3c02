package seed

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
)

// maxParams is the number of bind parameters one statement may carry:
// SQLite's SQLITE_MAX_VARIABLE_NUMBER and PostgreSQL's protocol limit.
var maxParams = map[database.Dialect]int{
	database.SQLite:   32766,
	database.Postgres: 65535,
}

// maxBatchRows caps the rows of one INSERT: larger statements stop paying
// off and cost memory.
const maxBatchRows = 500

// valuesSQL appends "(p, p, …), (p, …)" for rows of cols parameters,
// numbering PostgreSQL parameters from first.
func valuesSQL(b *strings.Builder, d database.Dialect, rows, cols, first int) {
	n := first
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if d == database.Postgres {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			} else {
				b.WriteByte('?')
			}
			n++
		}
		b.WriteByte(')')
	}
}

func insertSQL(d database.Dialect, table string, cols []string, rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(quoteIdent(table))
	b.WriteString(" (")
	b.WriteString(quoteIdents(cols))
	b.WriteString(") VALUES ")
	valuesSQL(&b, d, rows, len(cols), 1)
	return b.String()
}

// batch accumulates rows for one table and writes them with multi-row
// INSERTs of up to size rows, within the dialect's parameter limit.
type batch struct {
	tx    database.Querier
	d     database.Dialect
	table string
	cols  []string
	size  int
	full  string // the INSERT for a full batch, built once
	args  []any
	rows  int
	total int
}

func newBatch(tx database.Querier, d database.Dialect, table string, cols []string) *batch {
	size := min(maxBatchRows, maxParams[d]/len(cols))
	return &batch{tx: tx, d: d, table: table, cols: cols, size: size, args: make([]any, 0, size*len(cols))}
}

// add queues one row (len(vals) == len(cols)), writing a full batch.
func (b *batch) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows == b.size {
		return b.flush(ctx)
	}
	return nil
}

// flush writes the queued rows.
func (b *batch) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	q := b.full
	if b.rows != b.size || q == "" {
		q = insertSQL(b.d, b.table, b.cols, b.rows)
		if b.rows == b.size {
			b.full = q
		}
	}
	if err := b.tx.Exec(ctx, q, b.args...); err != nil {
		return fmt.Errorf("insert into %s: %w", b.table, err)
	}
	b.total += b.rows
	b.rows = 0
	b.args = b.args[:0]
	return nil
}

// resetSequence moves a PostgreSQL identity sequence past the largest id,
// after rows were inserted with explicit ids (SQLite's AUTOINCREMENT
// follows explicit ids by itself).
func resetSequence(ctx context.Context, tx database.Querier, d database.Dialect, m *model.Model) error {
	if d != database.Postgres || m.PK == nil || m.PK.Type != model.TypeAutoID {
		return nil
	}
	q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence(%s, %s), max(%s)) FROM %s`,
		quoteString(quoteIdent(m.Table)), quoteString(m.PK.Column), quoteIdent(m.PK.Column), quoteIdent(m.Table))
	if err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("reset id sequence of %s: %w", m.Table, err)
	}
	return nil
}

// textCast renders expr cast to text, for reading keys of any type alike.
func textCast(expr string) string {
	return "CAST(" + expr + " AS TEXT)"
}

// Short names for the quoting helpers of internal/database, used throughout
// this package's SQL building.
var (
	quoteIdent  = database.QuoteIdent
	quoteString = database.QuoteString
	quoteIdents = database.QuoteIdents
)
