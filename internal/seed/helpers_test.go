package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

const blogModels = "../../examples/blog/models.yaml"

func loadSchema(t testing.TB, path string) *model.Schema {
	t.Helper()
	s, err := model.Load(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return s
}

// openMigrated returns a fresh database of dialect d with the tables of s.
func openMigrated(t testing.TB, d database.Dialect, s *model.Schema) *database.DB {
	t.Helper()
	db := testdb.Open(t, d)
	if _, err := migrate.Apply(context.Background(), db, s); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func queryInt(t testing.TB, db *database.DB, q string) int {
	t.Helper()
	var n int64
	err := db.QueryRows(context.Background(), q, nil, func(scan func(...any) error) error { return scan(&n) })
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return int(n)
}

// tableCounts counts the rows of every table of s (join tables as
// "Model.field").
func tableCounts(t testing.TB, db *database.DB, s *model.Schema) map[string]int {
	t.Helper()
	got := map[string]int{}
	for _, m := range s.Models {
		got[m.Name] = queryInt(t, db, "SELECT count(*) FROM "+quoteIdent(m.Table))
		for _, f := range m.Fields {
			if f.Type == model.TypeManyToMany && f.Rel.Join.Through == nil {
				got[m.Name+"."+f.Name] = queryInt(t, db, "SELECT count(*) FROM "+quoteIdent(f.Rel.Join.Table))
			}
		}
	}
	return got
}

// orphans lists the references to missing rows in every table of s: it
// must be empty.
func orphans(t testing.TB, db *database.DB, s *model.Schema) []string {
	t.Helper()
	var bad []string
	check := func(what, table, col string, target *model.Model) {
		q := fmt.Sprintf(`SELECT count(*) FROM %s s WHERE s.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = s.%s)`,
			quoteIdent(table), quoteIdent(col), quoteIdent(target.Table), quoteIdent(target.PK.Column), quoteIdent(col))
		if n := queryInt(t, db, q); n > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d dangling", what, n))
		}
	}
	for _, m := range s.Models {
		for _, f := range m.Fields {
			switch {
			case f.Type == model.TypeForeignKey || f.Type == model.TypeOneToOne:
				check(m.Name+"."+f.Name, m.Table, f.Column, f.Rel.Target)
			case f.Type == model.TypeManyToMany && f.Rel.Join.Through == nil:
				j := f.Rel.Join
				check(m.Name+"."+f.Name+" (source)", j.Table, j.SourceColumn, m)
				check(m.Name+"."+f.Name+" (target)", j.Table, j.TargetColumn, f.Rel.Target)
			}
		}
	}
	return bad
}

// row is one row in canonical form: column → value text ("<nil>" for NULL),
// identical on both dialects for equal data.
type row map[string]string

// dump reads every table of s in canonical form, in key order, so that
// data can be compared across runs and across dialects.
func dump(t testing.TB, db *database.DB, s *model.Schema) map[string][]row {
	t.Helper()
	out := map[string][]row{}
	for _, m := range s.Models {
		var cols []string
		var kinds []model.Kind
		for _, f := range m.Fields {
			if f.Column != "" {
				cols = append(cols, f.Column)
				kinds = append(kinds, f.ValueKind())
			}
		}
		out[m.Name] = dumpTable(t, db, m.Table, cols, kinds, "t."+quoteIdent(m.PK.Column))
		for _, f := range m.Fields {
			if f.Type == model.TypeManyToMany && f.Rel.Join.Through == nil {
				j := f.Rel.Join
				out[m.Name+"."+f.Name] = dumpTable(t, db, j.Table, []string{j.SourceColumn, j.TargetColumn},
					[]model.Kind{m.PK.ValueKind(), f.Rel.Target.PK.ValueKind()},
					"t."+quoteIdent(j.SourceColumn)+", t."+quoteIdent(j.TargetColumn))
			}
		}
	}
	return out
}

func dumpTable(t testing.TB, db *database.DB, table string, cols []string, kinds []model.Kind, orderBy string) []row {
	t.Helper()
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = textCast("t." + quoteIdent(c))
	}
	// orderBy names columns of t (qualified, so that PostgreSQL does not
	// take them for the text output columns of the same name).
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quoteIdent(table) + " t ORDER BY " + orderBy
	var rows []row
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	err := db.QueryRows(context.Background(), q, nil, func(scan func(...any) error) error {
		if err := scan(dest...); err != nil {
			return err
		}
		r := row{}
		for i, c := range cols {
			r[c] = canonical(t, kinds[i], vals[i])
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	return rows
}

// canonical writes a value read as text the same way on both dialects.
func canonical(t testing.TB, k model.Kind, v any) string {
	t.Helper()
	var s string
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		s = fmt.Sprint(x)
	}
	switch k {
	case model.KindBool:
		return strconv.FormatBool(s == "1" || s == "true")
	case model.KindDateTime:
		for _, layout := range []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05.999999"} {
			if tm, err := time.Parse(layout, s); err == nil {
				return tm.UTC().Format(time.RFC3339Nano)
			}
		}
		t.Fatalf("unreadable datetime %q", s)
	case model.KindDuration:
		if us, err := strconv.ParseInt(s, 10, 64); err == nil {
			return (time.Duration(us) * time.Microsecond).String()
		}
		d, err := database.ParseISODuration(s)
		if err != nil {
			t.Fatalf("unreadable duration %q", s)
		}
		return d.String()
	case model.KindFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("unreadable float %q", s)
		}
		return strconv.FormatFloat(f, 'g', 12, 64)
	case model.KindDecimal:
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	case model.KindJSON:
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			t.Fatalf("unreadable JSON %q", s)
		}
		b, _ := json.Marshal(x)
		return string(b)
	case model.KindUUID:
		return strings.ToLower(s)
	}
	return s
}
