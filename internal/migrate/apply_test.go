package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

// catalogColumn is one column as the live catalog reports it.
type catalogColumn struct {
	Table, Column, Type string
	Null                bool
}

// catalogFK is one foreign key as the live catalog reports it.
type catalogFK struct {
	Table, Column, RefTable, RefColumn, OnDelete string
}

func query(t *testing.T, db *database.DB, q string, args []any, dest func() []any) {
	t.Helper()
	err := db.QueryRows(context.Background(), q, args, func(scan func(...any) error) error {
		return scan(dest()...)
	})
	if err != nil {
		t.Fatalf("catalog query %q: %v", firstLine(q), err)
	}
}

func TestApplyCreatesBlogTables(t *testing.T) {
	s := loadSchema(t, "../../examples/blog/models.yaml")
	// want lists every column: {table, column, PostgreSQL type, SQLite type, nullable}.
	want := []struct {
		table, column, pg, sqlite string
		null                      bool
	}{
		{"blog_category", "id", "bigint", "integer", false},
		{"blog_category", "name", "character varying(100)", "varchar(100)", false},
		{"blog_category", "description", "text", "text", false},
		{"blog_tag", "id", "bigint", "integer", false},
		{"blog_tag", "name", "character varying(50)", "varchar(50)", false},
		{"blog_author", "id", "bigint", "integer", false},
		{"blog_author", "name", "character varying(120)", "varchar(120)", false},
		{"blog_author", "email", "character varying(254)", "varchar(254)", false},
		{"blog_author", "bio", "text", "text", false},
		{"blog_post", "id", "bigint", "integer", false},
		{"blog_post", "title", "character varying(200)", "varchar(200)", false},
		{"blog_post", "slug", "character varying(200)", "varchar(200)", false},
		{"blog_post", "content", "text", "text", false},
		{"blog_post", "status", "character varying(10)", "varchar(10)", false},
		{"blog_post", "is_published", "boolean", "bool", false},
		{"blog_post", "views", "integer", "integer", false},
		{"blog_post", "rating", "numeric(3,1)", "text", true},
		{"blog_post", "published_at", "timestamp with time zone", "datetime", true},
		{"blog_post", "author_id", "bigint", "bigint", false},
		{"blog_post", "category_id", "bigint", "bigint", true},
		{"blog_post", "created_at", "timestamp with time zone", "datetime", false},
		{"blog_post", "updated_at", "timestamp with time zone", "datetime", false},
		{"blog_comment", "id", "bigint", "integer", false},
		{"blog_comment", "post_id", "bigint", "bigint", false},
		{"blog_comment", "author_id", "bigint", "bigint", true},
		{"blog_comment", "content", "text", "text", false},
		{"blog_comment", "created_at", "timestamp with time zone", "datetime", false},
		{"blog_post_tags", "id", "bigint", "integer", false},
		{"blog_post_tags", "post_id", "bigint", "bigint", false},
		{"blog_post_tags", "tag_id", "bigint", "bigint", false},
	}
	wantFKs := []catalogFK{
		{"blog_comment", "author_id", "blog_author", "id", "SET NULL"},
		{"blog_comment", "post_id", "blog_post", "id", "CASCADE"},
		{"blog_post", "author_id", "blog_author", "id", "CASCADE"},
		{"blog_post", "category_id", "blog_category", "id", "SET NULL"},
		{"blog_post_tags", "post_id", "blog_post", "id", "CASCADE"},
		{"blog_post_tags", "tag_id", "blog_tag", "id", "CASCADE"},
	}
	wantUnique := []string{
		"blog_author(email)",
		"blog_category(name)",
		"blog_post(slug)",
		"blog_post_tags(post_id,tag_id)",
		"blog_tag(name)",
	}
	wantIndexes := []string{
		indexName("blog_comment", []string{"author_id"}, ""),
		indexName("blog_comment", []string{"post_id"}, ""),
		indexName("blog_post", []string{"author_id"}, ""),
		indexName("blog_post", []string{"category_id"}, ""),
		indexName("blog_post", []string{"status", "published_at"}, "_idx"),
		indexName("blog_post_tags", []string{"post_id"}, ""),
		indexName("blog_post_tags", []string{"tag_id"}, ""),
	}
	slices.Sort(wantIndexes)
	tables := []string{"blog_category", "blog_tag", "blog_author", "blog_post", "blog_comment", "blog_post_tags"}

	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			applied, err := Apply(ctx, db, s)
			if err != nil || !applied {
				t.Fatalf("Apply = %v, %v; want true, nil", applied, err)
			}

			var wantCols []catalogColumn
			for _, w := range want {
				typ := w.sqlite
				if d == database.Postgres {
					typ = w.pg
				}
				wantCols = append(wantCols, catalogColumn{w.table, w.column, typ, w.null})
			}
			if diff := cmp.Diff(wantCols, liveColumns(t, db, tables)); diff != "" {
				t.Errorf("columns mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantFKs, liveForeignKeys(t, db, tables)); diff != "" {
				t.Errorf("foreign keys mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantUnique, liveUniques(t, db, tables)); diff != "" {
				t.Errorf("unique constraints mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantIndexes, liveIndexes(t, db)); diff != "" {
				t.Errorf("indexes mismatch (-want +got):\n%s", diff)
			}

			again, err := Apply(ctx, db, s)
			if err != nil || again {
				t.Errorf("second Apply = %v, %v; want false, nil", again, err)
			}
			recs, err := Status(ctx, db)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			stmts := CreateStatements(s, d)
			wantRecs := []Record{{ID: 1, Name: InitialName, Checksum: Checksum(stmts), SQL: joinSQL(stmts)}}
			if diff := cmp.Diff(wantRecs, recs, ignoreAppliedAt); diff != "" {
				t.Errorf("Status mismatch (-want +got):\n%s", diff)
			}
			if len(recs) == 1 && time.Since(recs[0].AppliedAt).Abs() > time.Minute {
				t.Errorf("applied_at = %v, want about now", recs[0].AppliedAt)
			}
		})
	}
}

var ignoreAppliedAt = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".AppliedAt" }, cmp.Ignore())

func liveColumns(t *testing.T, db *database.DB, tables []string) []catalogColumn {
	t.Helper()
	var got []catalogColumn
	for _, table := range tables {
		if db.Dialect() == database.Postgres {
			query(t, db, `SELECT column_name, data_type
					|| coalesce('(' || character_maximum_length || ')', '')
					|| CASE WHEN data_type = 'numeric' THEN coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '') ELSE '' END,
					is_nullable = 'YES'
				FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
				[]any{table}, func() []any {
					got = append(got, catalogColumn{Table: table})
					c := &got[len(got)-1]
					return []any{&c.Column, &c.Type, &c.Null}
				})
			continue
		}
		query(t, db, `SELECT name, lower(type), "notnull" = 0 FROM pragma_table_info(?) ORDER BY cid`, []any{table}, func() []any {
			got = append(got, catalogColumn{Table: table})
			c := &got[len(got)-1]
			return []any{&c.Column, &c.Type, &c.Null}
		})
	}
	return got
}

func liveForeignKeys(t *testing.T, db *database.DB, tables []string) []catalogFK {
	t.Helper()
	var got []catalogFK
	scanInto := func() []any {
		got = append(got, catalogFK{})
		k := &got[len(got)-1]
		return []any{&k.Table, &k.Column, &k.RefTable, &k.RefColumn, &k.OnDelete}
	}
	if db.Dialect() == database.Postgres {
		query(t, db, `SELECT kcu.table_name, kcu.column_name, ccu.table_name, ccu.column_name, rc.delete_rule
			FROM information_schema.referential_constraints rc
			JOIN information_schema.key_column_usage kcu
				ON kcu.constraint_schema = rc.constraint_schema AND kcu.constraint_name = rc.constraint_name
			JOIN information_schema.constraint_column_usage ccu
				ON ccu.constraint_schema = rc.constraint_schema AND ccu.constraint_name = rc.constraint_name
			WHERE rc.constraint_schema = current_schema()`, nil, scanInto)
	} else {
		for _, table := range tables {
			query(t, db, `SELECT ?, "from", "table", "to", on_delete FROM pragma_foreign_key_list(?)`, []any{table, table}, scanInto)
		}
	}
	slices.SortFunc(got, func(a, b catalogFK) int { return strings.Compare(a.Table+"."+a.Column, b.Table+"."+b.Column) })
	return got
}

// liveUniques lists the unique constraints as "table(col,col)", sorted.
func liveUniques(t *testing.T, db *database.DB, tables []string) []string {
	t.Helper()
	var got []string
	if db.Dialect() == database.Postgres {
		var s string
		query(t, db, `SELECT tc.table_name || '(' || string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) || ')'
			FROM information_schema.table_constraints tc
			JOIN information_schema.key_column_usage kcu
				ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
			WHERE tc.constraint_type = 'UNIQUE' AND tc.table_schema = current_schema() AND tc.table_name = ANY($1)
			GROUP BY tc.table_name, tc.constraint_name`, []any{tables}, func() []any {
			if s != "" {
				got = append(got, s)
			}
			return []any{&s}
		})
		if s != "" {
			got = append(got, s)
		}
	} else {
		for _, table := range tables {
			var s string
			query(t, db, `SELECT ? || '(' || (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) || ')'
				FROM pragma_index_list(?) il WHERE il."unique" AND il.origin = 'u'`, []any{table, table}, func() []any {
				if s != "" {
					got = append(got, s)
				}
				return []any{&s}
			})
			if s != "" {
				got = append(got, s)
			}
		}
	}
	slices.Sort(got)
	return got
}

// liveIndexes lists the names of the non-unique indexes, sorted.
func liveIndexes(t *testing.T, db *database.DB) []string {
	t.Helper()
	var got []string
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`
	if db.Dialect() == database.Postgres {
		q = `SELECT i.relname FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class c ON c.oid = x.indrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND NOT x.indisunique
			ORDER BY i.relname`
	}
	query(t, db, q, nil, func() []any {
		got = append(got, "")
		return []any{&got[len(got)-1]}
	})
	return got
}

// TestApplyKitchen runs the DDL of every field type, default and relation
// shape on a live database, and checks the defaults as the database applies
// them.
func TestApplyKitchen(t *testing.T) {
	s := loadSchema(t, "testdata/kitchen.yaml")
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			for i, want := range []bool{true, false} {
				applied, err := Apply(ctx, db, s)
				if err != nil || applied != want {
					t.Fatalf("Apply #%d = %v, %v; want %v, nil", i+1, applied, err, want)
				}
			}
			// Running every statement again directly (as a changed schema
			// would) must also succeed: they are idempotent.
			for _, st := range CreateStatements(s, d) {
				if err := db.Exec(ctx, st); err != nil {
					t.Fatalf("re-run %q: %v", firstLine(st), err)
				}
			}

			// A row that gives only the columns without defaults gets the
			// model's literal defaults from the database.
			err := db.InTx(ctx, func(tx database.Querier) error {
				stmts := []string{
					`INSERT INTO "shop_badge" ("id", "number") VALUES (1, 10)`,
					`INSERT INTO "shop_warehouse" ("code", "name") VALUES ('W1', 'Main')`,
					`INSERT INTO "shop_employee" ("uid", "name", "warehouse_id") VALUES ('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'Ann', 'W1')`,
					`INSERT INTO "shop_everything_with_a_remarkably_long_table_name" ("slug", "email", "url", "created", "owner_id")
						VALUES ('s', 'e@example.com', 'https://example.com', '2024-01-01 00:00:00', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')`,
				}
				for _, st := range stmts {
					if err := tx.Exec(ctx, st); err != nil {
						return fmt.Errorf("%s: %w", st, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			cast := func(col string) string {
				if d == database.Postgres {
					return col + "::text"
				}
				return "CAST(" + col + " AS TEXT)"
			}
			cols := []string{"label", "body", "count", "small", "big", "positive", "ratio", "price", "active", "day", "moment", "at", "span", "data", "fallback_id"}
			sel := make([]string, len(cols))
			for i, c := range cols {
				sel[i] = cast(quoteIdent(c))
			}
			got := make([]string, len(cols))
			dest := make([]any, len(cols))
			for i := range got {
				dest[i] = &got[i]
			}
			query(t, db, `SELECT `+strings.Join(sel, ", ")+` FROM "shop_everything_with_a_remarkably_long_table_name"`, nil,
				func() []any { return dest })
			want := map[database.Dialect][]string{
				database.Postgres: {"it's", "", "7", "-3", "9007199254740993", "0", "0.25", "19.99", "true", "2024-02-29",
					"2024-02-29 12:30:00+00", "08:15:00", "PT1H30M", `{"a": [1, 2], "b": "ü"}`, "1"},
				database.SQLite: {"it's", "", "7", "-3", "9007199254740993", "0", "0.25", "19.99", "1", "2024-02-29",
					"2024-02-29 12:30:00", "08:15:00", "5400000000", `{"a":[1,2],"b":"ü"}`, "1"},
			}[d]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("defaults mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApplyChangedSchema checks what Apply does when the models change: the
// new tables are created and recorded as auto_<checksum>, and going back to
// a schema already recorded does nothing.
func TestApplyChangedSchema(t *testing.T) {
	v1 := parseSchema(t, `version: 1
models:
  Author:
    fields:
      name: {type: string, max_length: 50}
`)
	v2 := parseSchema(t, `version: 1
models:
  Author:
    fields:
      name: {type: string, max_length: 50}
  Book:
    fields:
      author: {type: foreign_key, to: Author, on_delete: cascade}
`)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			steps := []struct {
				name    string
				schema  *model.Schema
				applied bool
			}{{"v1", v1, true}, {"v2", v2, true}, {"v1", v1, false}, {"v2", v2, false}}
			for i, st := range steps {
				applied, err := Apply(ctx, db, st.schema)
				if err != nil || applied != st.applied {
					t.Fatalf("step %d: Apply(%s) = %v, %v; want %v, nil", i+1, st.name, applied, err, st.applied)
				}
			}
			recs, err := Status(ctx, db)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			var names []string
			for _, r := range recs {
				names = append(names, r.Name)
			}
			sum2 := Checksum(CreateStatements(v2, d))
			if diff := cmp.Diff([]string{InitialName, "auto_" + sum2[:8]}, names); diff != "" {
				t.Errorf("history mismatch (-want +got):\n%s", diff)
			}
			if err := db.Exec(ctx, `INSERT INTO "book" ("author_id") VALUES (1)`); err == nil {
				t.Errorf("insert into book with a missing author succeeded; want a foreign key error")
			}
		})
	}
}

// TestApplyConcurrent starts several Apply calls at once on separate
// connection pools, as replicas starting together would: all succeed, one
// applies, and the history has one row.
func TestApplyConcurrent(t *testing.T) {
	s := loadSchema(t, "../../examples/blog/models.yaml")
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			url := testdb.URL(t, d)
			const n = 4
			dbs := make([]*database.DB, n)
			for i := range dbs {
				dbs[i] = testdb.Connect(t, url, database.Options{})
			}
			var wg sync.WaitGroup
			applied := make([]bool, n)
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					applied[i], errs[i] = Apply(context.Background(), dbs[i], s)
				}()
			}
			close(start)
			wg.Wait()
			count := 0
			for i := range n {
				if errs[i] != nil {
					t.Errorf("Apply #%d: %v", i, errs[i])
				}
				if applied[i] {
					count++
				}
			}
			if count != 1 {
				t.Errorf("%d of %d concurrent Apply calls applied; want 1", count, n)
			}
			recs, err := Status(context.Background(), dbs[0])
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			if len(recs) != 1 {
				t.Errorf("history has %d rows, want 1: %+v", len(recs), recs)
			}
		})
	}
}

func TestStatusEmpty(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			recs, err := Status(context.Background(), testdb.Open(t, d))
			if err != nil || len(recs) != 0 {
				t.Errorf("Status on an empty database = %v, %v; want no records, nil", recs, err)
			}
		})
	}
}
