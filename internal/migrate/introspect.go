package migrate

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
)

// Introspect reads the live schema of the database q talks to (on
// PostgreSQL, the current schema) as a State. Every column carries the SQL
// type the database reports (SQLType) and, where it can be told, a neutral
// Type; constraints and indexes carry their names (SQLite does not name
// foreign keys unless the CREATE TABLE text does). The history table and
// SQLite's own tables are left out.
func Introspect(ctx context.Context, q database.Querier, d database.Dialect) (*State, error) {
	var st *State
	var err error
	if d == database.Postgres {
		st, err = introspectPG(ctx, q)
	} else {
		st, err = introspectSQLite(ctx, q)
	}
	if err != nil {
		return nil, fmt.Errorf("inspect database: %w", err)
	}
	return st, nil
}

// systemTables are the tables autogql keeps for itself (history, API keys,
// users, audit, deployments, maintenance, backups); they are not the
// models', so drift checks and inspect leave them out.
var systemTables = map[string]bool{
	HistoryTable: true, "autogql_api_keys": true, "autogql_users": true,
	"autogql_refresh_tokens": true, "autogql_audit": true, "autogql_deployments": true,
	"autogql_maintenance": true, "autogql_backups": true,
}

func skipTable(name string) bool {
	return systemTables[name] || strings.HasPrefix(name, "sqlite_")
}

// PostgreSQL.

var pgDeleteRules = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

func introspectPG(ctx context.Context, q database.Querier) (*State, error) {
	st := &State{}
	byName := map[string]*Table{}
	err := q.QueryRows(ctx, `SELECT c.relname::text, c.oid::bigint FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		ORDER BY c.oid`, nil, func(scan func(...any) error) error {
		t := &Table{}
		if err := scan(&t.Name, &t.Created); err != nil {
			return err
		}
		if !skipTable(t.Name) {
			st.Tables = append(st.Tables, t)
			byName[t.Name] = t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	identity := map[*Column]bool{}
	err = q.QueryRows(ctx, `SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%'
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY c.oid, a.attnum`, nil, func(scan func(...any) error) error {
		var table, def string
		var notNull, ident bool
		c := &Column{}
		if err := scan(&table, &c.Name, &c.SQLType, &notNull, &def, &ident); err != nil {
			return err
		}
		t := byName[table]
		if t == nil {
			return nil
		}
		c.Null = !notNull
		if def != "" && !ident {
			c.Default = &Default{Postgres: def}
		}
		identity[c] = ident
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	type pgCon struct {
		table, name, kind, refTable, rule, def string
		cols, refCols                          []string
	}
	var cons []pgCon
	err = q.QueryRows(ctx, `SELECT c.relname::text, con.conname::text, con.contype::text,
			ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i),
			coalesce(rc.relname::text, ''),
			ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i),
			con.confdeltype::text, pg_get_constraintdef(con.oid)
		FROM pg_constraint con
		JOIN pg_class c ON c.oid = con.conrelid
		LEFT JOIN pg_class rc ON rc.oid = con.confrelid
		WHERE c.relnamespace = current_schema()::regnamespace
		ORDER BY c.oid, con.oid`, nil, func(scan func(...any) error) error {
		var k pgCon
		if err := scan(&k.table, &k.name, &k.kind, &k.cols, &k.refTable, &k.refCols, &k.rule, &k.def); err != nil {
			return err
		}
		cons = append(cons, k)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, k := range cons {
		t := byName[k.table]
		if t == nil {
			continue
		}
		switch k.kind {
		case "p":
			if len(k.cols) == 1 {
				if c := t.Column(k.cols[0]); c != nil {
					c.PrimaryKey = true
				}
			} else {
				t.Constraints = append(t.Constraints, &Constraint{Name: k.name, Type: ConstraintPrimaryKey, Columns: k.cols})
			}
		case "u":
			addUnique(t, k.name, k.cols)
		case "f":
			if len(k.cols) == 1 && len(k.refCols) == 1 {
				t.Constraints = append(t.Constraints, &Constraint{
					Name: k.name, Type: ConstraintForeignKey, Columns: k.cols,
					RefTable: k.refTable, RefColumn: k.refCols[0], OnDelete: pgDeleteRules[k.rule],
				})
			}
		case "c":
			expr := strings.TrimSuffix(strings.TrimPrefix(k.def, "CHECK ("), ")")
			if len(k.cols) == 1 {
				if c := t.Column(k.cols[0]); c != nil {
					c.Checks = append(c.Checks, expr)
					continue
				}
			}
			t.Checks = append(t.Checks, expr)
		}
	}
	err = q.QueryRows(ctx, `SELECT c.relname::text, i.relname::text, x.indisunique,
			ARRAY(SELECT CASE WHEN k.opt & 1 = 1 THEN '-' ELSE '' END || a.attname::text
				FROM unnest(x.indkey::int2[], x.indoption::int2[]) WITH ORDINALITY k(n, opt, i)
				JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n ORDER BY k.i),
			x.indexprs IS NOT NULL OR x.indpred IS NOT NULL
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class c ON c.oid = x.indrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary
			AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.contype IN ('p', 'u', 'x'))
		ORDER BY c.oid, i.oid`, nil, func(scan func(...any) error) error {
		var table, name string
		var unique, partial bool
		var cols []string
		if err := scan(&table, &name, &unique, &cols, &partial); err != nil {
			return err
		}
		t := byName[table]
		if t == nil || partial {
			return nil // expression and partial indexes are not modelled
		}
		if unique {
			addUnique(t, name, cols)
			return nil
		}
		t.Indexes = append(t.Indexes, &Index{Name: name, Columns: cols})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range st.Tables {
		for _, c := range t.Columns {
			neutralPG(c, identity[c])
		}
	}
	return st, nil
}

// addUnique records a unique constraint: on the column when it has one
// column, else as a table constraint.
func addUnique(t *Table, name string, cols []string) {
	if len(cols) == 1 {
		if c := t.Column(cols[0]); c != nil {
			c.Unique = true
			return
		}
	}
	t.Constraints = append(t.Constraints, &Constraint{Name: name, Type: ConstraintUnique, Columns: cols})
}

var (
	pgVarchar = regexp.MustCompile(`^character varying\((\d+)\)$`)
	pgChar    = regexp.MustCompile(`^character\((\d+)\)$`)
	pgNumeric = regexp.MustCompile(`^numeric\((\d+),(\d+)\)$`)
)

// neutralPG sets the neutral type of a PostgreSQL column from its SQL
// type; an unknown type leaves Type empty.
func neutralPG(c *Column, identity bool) {
	t := c.SQLType
	if m := pgVarchar.FindStringSubmatch(t); m != nil {
		c.Type, c.MaxLength = TypeVarchar, atoi(m[1])
		return
	}
	if m := pgChar.FindStringSubmatch(t); m != nil {
		c.Type, c.MaxLength = TypeVarchar, atoi(m[1])
		return
	}
	if m := pgNumeric.FindStringSubmatch(t); m != nil {
		c.Type, c.MaxDigits, c.DecimalPlaces = TypeDecimal, atoi(m[1]), atoi(m[2])
		return
	}
	switch t {
	case "text", "character varying":
		c.Type = TypeText
	case "integer":
		c.Type = TypeInteger
		if identity && c.PrimaryKey {
			c.Type = TypeAuto
		} else if hasNonNegativeCheck(c) {
			c.Type = TypePositiveInteger
		}
	case "smallint":
		c.Type = TypeSmallInt
		if hasNonNegativeCheck(c) {
			c.Type = TypeInteger // Django's PositiveSmallIntegerField: the nearest fit
		}
	case "bigint":
		c.Type = TypeBigInt
		if identity && c.PrimaryKey {
			c.Type = TypeAuto
		}
	case "double precision", "real":
		c.Type = TypeFloat
	case "numeric":
		c.Type = TypeDecimal
	case "boolean":
		c.Type = TypeBoolean
	case "date":
		c.Type = TypeDate
	case "timestamp with time zone", "timestamp without time zone":
		c.Type = TypeDateTime
	case "time without time zone", "time with time zone":
		c.Type = TypeTime
	case "interval":
		c.Type = TypeDuration
	case "uuid":
		c.Type = TypeUUID
	case "jsonb", "json":
		c.Type = TypeJSON
	}
}

var nonNegative = regexp.MustCompile(`^\(*"?([A-Za-z0-9_$]+)"?\)* >= 0\)*$`)

func hasNonNegativeCheck(c *Column) bool {
	for _, e := range c.Checks {
		if m := nonNegative.FindStringSubmatch(strings.TrimSpace(e)); m != nil && m[1] == c.Name {
			return true
		}
	}
	return false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// SQLite.

func introspectSQLite(ctx context.Context, q database.Querier) (*State, error) {
	// Five queries whatever the number of tables (the pragmas are table-
	// valued functions joined to sqlite_master): serve --watch runs this
	// while requests hold the pool's connections.
	st := &State{}
	byName := map[string]*Table{}
	parsed := map[*Table]*parsedTable{}
	err := q.QueryRows(ctx, `SELECT name, coalesce(sql, ''), rowid FROM sqlite_master WHERE type = 'table' ORDER BY rowid`, nil,
		func(scan func(...any) error) error {
			t := &Table{}
			var sql string
			if err := scan(&t.Name, &sql, &t.Created); err != nil {
				return err
			}
			if !skipTable(t.Name) {
				st.Tables = append(st.Tables, t)
				byName[t.Name] = t
				parsed[t] = parseCreateTable(sql)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	pkCols := map[*Table][]string{}
	err = q.QueryRows(ctx, `SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk
		FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' ORDER BY m.rowid, p.cid`, nil,
		func(scan func(...any) error) error {
			c := &Column{}
			var table string
			var notNull, pk int64
			var def *string
			if err := scan(&table, &c.Name, &c.SQLType, &notNull, &def, &pk); err != nil {
				return err
			}
			t := byName[table]
			if t == nil {
				return nil
			}
			c.SQLType = strings.ToLower(strings.Join(strings.Fields(c.SQLType), " "))
			c.Null = notNull == 0 && pk == 0
			if def != nil {
				c.Default = &Default{SQLite: *def}
			}
			if pk > 0 {
				pkCols[t] = append(pkCols[t], c.Name)
			}
			if pc := parsed[t].columns[strings.ToLower(c.Name)]; pc != nil {
				c.Checks = pc.checks
			}
			t.Columns = append(t.Columns, c)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, t := range st.Tables {
		if len(pkCols[t]) == 1 {
			t.Column(pkCols[t][0]).PrimaryKey = true
		}
		t.Checks = parsed[t].checks
	}

	type fkRow struct {
		id                     int64
		table, from, to, onDel string
	}
	fks := map[*Table][]fkRow{}
	err = q.QueryRows(ctx, `SELECT m.name, f.id, f."table", f."from", coalesce(f."to", ''), f.on_delete
		FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' ORDER BY m.rowid, f.id, f.seq`, nil,
		func(scan func(...any) error) error {
			var table string
			var r fkRow
			if err := scan(&table, &r.id, &r.table, &r.from, &r.to, &r.onDel); err != nil {
				return err
			}
			if t := byName[table]; t != nil {
				fks[t] = append(fks[t], r)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, t := range st.Tables {
		// pragma_foreign_key_list numbers keys last-declared first; one
		// row per column, so a composite key (not modelled) repeats an id.
		count := map[int64]int{}
		for _, r := range fks[t] {
			count[r.id]++
		}
		for _, r := range slices.Backward(fks[t]) {
			if count[r.id] != 1 {
				continue
			}
			k := &Constraint{Name: parsed[t].fkNames[strings.ToLower(r.from)], Type: ConstraintForeignKey, Columns: []string{r.from},
				RefTable: r.table, RefColumn: r.to, OnDelete: strings.ToUpper(r.onDel)}
			if k.RefColumn == "" {
				k.RefColumn = "id" // REFERENCES t with no column: t's primary key
			}
			t.Constraints = append(t.Constraints, k)
		}
	}

	type idx struct {
		table        *Table
		name, origin string
		unique, skip bool
		cols         []string
	}
	var idxs []*idx
	err = q.QueryRows(ctx, `SELECT m.name, il.name, il."unique", il.origin, il.partial, coalesce(ix.name, ''), ix."desc", ix.cid
		FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ix
		WHERE m.type = 'table' AND ix.key = 1 ORDER BY m.rowid, il.seq DESC, ix.seqno`, nil,
		func(scan func(...any) error) error {
			var table, name, origin, col string
			var unique, partial, desc, cid int64
			if err := scan(&table, &name, &unique, &origin, &partial, &col, &desc, &cid); err != nil {
				return err
			}
			t := byName[table]
			if t == nil {
				return nil
			}
			if len(idxs) == 0 || idxs[len(idxs)-1].table != t || idxs[len(idxs)-1].name != name {
				idxs = append(idxs, &idx{table: t, name: name, origin: origin, unique: unique == 1, skip: partial == 1})
			}
			x := idxs[len(idxs)-1]
			if cid < 0 {
				x.skip = true // an expression index: not modelled
			}
			if desc == 1 {
				col = "-" + col
			}
			x.cols = append(x.cols, col)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, x := range idxs {
		t := x.table
		switch {
		case x.skip, x.origin == "pk" && len(pkCols[t]) == 1:
		case x.origin == "pk":
			t.Constraints = append(t.Constraints, &Constraint{Type: ConstraintPrimaryKey, Columns: x.cols})
		case x.unique:
			name := x.name
			if x.origin == "u" {
				name = parsed[t].uniqueNames[strings.ToLower(strings.Join(x.cols, ","))]
			}
			addUnique(t, name, x.cols)
		default:
			t.Indexes = append(t.Indexes, &Index{Name: x.name, Columns: x.cols})
		}
	}
	for _, t := range st.Tables {
		for _, c := range t.Columns {
			neutralSQLite(c)
		}
	}
	return st, nil
}

var (
	sqliteLength  = regexp.MustCompile(`^(?:varchar|character varying|nvarchar|varying character|char|character|nchar)\s*\((\d+)\)$`)
	sqliteDecimal = regexp.MustCompile(`^(?:decimal|numeric)\s*\((\d+),\s*(\d+)\)$`)
	jsonValid     = regexp.MustCompile(`(?i)^json_valid\(\s*"?([A-Za-z0-9_$]+)"?\s*\)$`)
)

// neutralSQLite sets the neutral type of a SQLite column from its
// declared type and checks, as autogql and Django declare them. SQLite
// keeps decimals as text and durations as bigint (their declared types),
// so those read back as text and bigint.
func neutralSQLite(c *Column) {
	t := c.SQLType
	if m := sqliteLength.FindStringSubmatch(t); m != nil {
		c.Type, c.MaxLength = TypeVarchar, atoi(m[1])
		if strings.HasPrefix(t, "char") && (c.MaxLength == 36 || c.MaxLength == 32) {
			c.Type, c.MaxLength = TypeUUID, 0 // autogql's char(36), Django's char(32)
		}
		return
	}
	if m := sqliteDecimal.FindStringSubmatch(t); m != nil {
		c.Type, c.MaxDigits, c.DecimalPlaces = TypeDecimal, atoi(m[1]), atoi(m[2])
		return
	}
	switch t {
	case "text", "varchar", "clob":
		c.Type = TypeText
		for _, e := range c.Checks {
			if m := jsonValid.FindStringSubmatch(strings.TrimSpace(e)); m != nil && m[1] == c.Name {
				c.Type = TypeJSON
			}
		}
	case "integer", "int":
		c.Type = TypeInteger
		if c.PrimaryKey && t == "integer" {
			c.Type = TypeAuto // the rowid: AUTOINCREMENT or not, it numbers new rows
		} else if hasNonNegativeCheck(c) {
			c.Type = TypePositiveInteger
		}
	case "integer unsigned", "smallint unsigned", "bigint unsigned":
		c.Type = TypePositiveInteger // Django's positive integer fields
	case "smallint":
		c.Type = TypeSmallInt
	case "bigint":
		c.Type = TypeBigInt
	case "real", "double", "double precision", "float":
		c.Type = TypeFloat
	case "decimal", "numeric":
		c.Type = TypeDecimal
	case "bool", "boolean":
		c.Type = TypeBoolean
	case "date":
		c.Type = TypeDate
	case "datetime", "timestamp":
		c.Type = TypeDateTime
	case "time":
		c.Type = TypeTime
	case "uuid":
		c.Type = TypeUUID
	case "json", "jsonb":
		c.Type = TypeJSON
	}
}
