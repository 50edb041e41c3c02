package migrate

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

func names(migs []*Migration) []string {
	var out []string
	for _, m := range migs {
		out = append(out, m.Name)
	}
	return out
}

// TestUpConcurrent runs Up from several pools at once, as replicas
// starting together would: every migration is applied exactly once, the
// others see it recorded, and nobody fails.
func TestUpConcurrent(t *testing.T) {
	migs := makeRevisions(t)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			url := testdb.URL(t, d)
			const n = 4
			dbs := make([]*database.DB, n)
			for i := range dbs {
				dbs[i] = testdb.Connect(t, url, database.Options{})
			}
			results := make([]UpResult, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					results[i], errs[i] = Up(context.Background(), dbs[i], migs, UpOptions{AllowDestructive: true})
				})
			}
			close(start)
			wg.Wait()
			var applied []string
			for i := range n {
				if errs[i] != nil {
					t.Errorf("Up #%d: %v", i, errs[i])
				}
				applied = append(applied, results[i].Applied...)
			}
			slices.Sort(applied)
			if diff := cmp.Diff(names(migs), applied); diff != "" {
				t.Errorf("migrations applied across all callers (-want +got): each once\n%s", diff)
			}
			recs, err := Status(context.Background(), dbs[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(migs) {
				t.Errorf("history has %d rows, want %d", len(recs), len(migs))
			}
			diffs, err := Drift(context.Background(), dbs[0], FromSchema(loadSchema(t, revisionPath(revisions))))
			if err != nil || len(diffs) != 0 {
				t.Errorf("drift after concurrent apply: %v, %v", diffs, err)
			}
		})
	}
}

func TestUpGuards(t *testing.T) {
	migs := makeRevisions(t)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)

			// 0007 drops a column: refused, and nothing before it runs
			// either, so a refusal never leaves a half-applied batch.
			_, err := Up(ctx, db, migs, UpOptions{})
			var de *DestructiveError
			if !errors.As(err, &de) || de.Migration != "0007_remove_blog_post_subtitle" {
				t.Fatalf("Up without --allow-destructive = %v; want a DestructiveError for 0007", err)
			}
			if recs, _ := Status(ctx, db); len(recs) != 0 {
				t.Errorf("history after a refusal has %d rows, want 0", len(recs))
			}

			// Expand-only stops before the first contract migration.
			res, err := Up(ctx, db, migs, UpOptions{ExpandOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"0001_initial", "0002_add_blog_post_subtitle"}, res.Applied); diff != "" {
				t.Errorf("expand-only applied (-want +got):\n%s", diff)
			}
			if len(res.Held) != revisions-2 || res.Held[0] != "0003_rename_blog_post_title_headline" {
				t.Errorf("expand-only held %v, want 0003 and every later one", res.Held)
			}
			if n, err := pendingOf(ctx, db, migs); err != nil || n != revisions-2 {
				t.Errorf("pending = %d, %v; want %d", n, err, revisions-2)
			}

			if _, err := Up(ctx, db, migs, UpOptions{AllowDestructive: true}); err != nil {
				t.Fatal(err)
			}
			// Rolling back to 0008 undoes 0009, which drops a column it
			// added: refused without the flag.
			if _, err := Down(ctx, db, migs, 8, DownOptions{}); !errors.As(err, &de) || !de.Down {
				t.Errorf("Down without --allow-destructive = %v; want a DestructiveError", err)
			}

			// A changed applied file stops everything with a clear error.
			changed := slices.Clone(migs)
			m := *changed[1]
			op := *m.Operations[0]
			op.Postgres.Up = []string{`ALTER TABLE "blog_post" ADD COLUMN "subtitle" text`}
			op.SQLite.Up = op.Postgres.Up
			m.Operations = []*Operation{&op}
			changed[1] = &m
			var ce *ChecksumError
			if _, err := Up(ctx, db, changed, UpOptions{}); !errors.As(err, &ce) || ce.Name != "0002_add_blog_post_subtitle" {
				t.Errorf("Up with a changed file = %v; want a ChecksumError for 0002", err)
			}
			if _, err := Down(ctx, db, changed, 1, DownOptions{AllowDestructive: true}); !errors.As(err, &ce) {
				t.Errorf("Down with a changed file = %v; want a ChecksumError", err)
			}
		})
	}
}

func pendingOf(ctx context.Context, db *database.DB, migs []*Migration) (int, error) {
	st, _, err := StatusOf(ctx, db, migs)
	n := 0
	for _, s := range st {
		if !s.Applied {
			n++
		}
	}
	return n, err
}

// TestUpNotNullWithoutDefault adds a NOT NULL column without a default:
// fine on an empty table, refused on a table with rows, and with
// --allow-destructive the existing rows get the zero value.
func TestUpNotNullWithoutDefault(t *testing.T) {
	v1 := parseSchema(t, "version: 1\nmodels:\n  Item:\n    fields:\n      name: {type: string, max_length: 20}\n")
	v2 := parseSchema(t, "version: 1\nmodels:\n  Item:\n    fields:\n      name: {type: string, max_length: 20}\n      rank: {type: integer}\n")
	m1, err := MakeMigration(nil, FromSchema(v1), Renames{}, "")
	if err != nil {
		t.Fatal(err)
	}
	m2, err := MakeMigration([]*Migration{m1}, FromSchema(v2), Renames{}, "")
	if err != nil {
		t.Fatal(err)
	}
	m2.Name = "0002_add_rank"
	if m2.Operations[0].DestructiveIfRows == "" {
		t.Fatalf("add NOT NULL rank: want a destructive_if_rows note")
	}
	migs := []*Migration{m1, m2}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			empty := testdb.Open(t, d)
			if _, err := Up(ctx, empty, migs, UpOptions{}); err != nil {
				t.Errorf("on an empty table: %v", err)
			}

			db := testdb.Open(t, d)
			if _, err := Up(ctx, db, migs[:1], UpOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := db.Exec(ctx, `INSERT INTO "item" ("name") VALUES ('a')`); err != nil {
				t.Fatal(err)
			}
			var de *DestructiveError
			if _, err := Up(ctx, db, migs, UpOptions{}); !errors.As(err, &de) {
				t.Fatalf("on a table with rows = %v; want a DestructiveError", err)
			}
			if _, err := Up(ctx, db, migs, UpOptions{AllowDestructive: true}); err != nil {
				t.Fatal(err)
			}
			var rank int64
			if err := db.QueryRows(ctx, `SELECT "rank" FROM "item"`, nil, func(scan func(...any) error) error { return scan(&rank) }); err != nil || rank != 0 {
				t.Errorf("rank of the existing row = %d, %v; want 0", rank, err)
			}
			diffs, err := Drift(ctx, db, FromSchema(v2))
			if err != nil || len(diffs) != 0 {
				t.Errorf("drift: %v, %v", diffs, err)
			}
		})
	}
}

// TestUpAdoptsLegacyInitial: a database created by `autogql migrate`
// before migration files existed has a history row 0001_initial (and
// auto_… rows for later model changes); the initial migration file takes
// it over instead of failing on the checksum.
func TestUpAdoptsLegacyInitial(t *testing.T) {
	s1 := parseSchema(t, "version: 1\nmodels:\n  Author:\n    fields:\n      name: {type: string, max_length: 50}\n")
	s2 := parseSchema(t, "version: 1\nmodels:\n  Author:\n    fields:\n      name: {type: string, max_length: 50}\n  Book:\n    fields:\n      author: {type: foreign_key, to: Author, on_delete: cascade}\n")
	s3 := parseSchema(t, "version: 1\nmodels:\n  Author:\n    fields:\n      name: {type: string, max_length: 50}\n      born: {type: date, null: true}\n")
	initial := func(s *State) []*Migration {
		m, err := MakeMigration(nil, s, Renames{}, "")
		if err != nil {
			t.Fatal(err)
		}
		return []*Migration{m}
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()

			same := testdb.Open(t, d)
			if _, err := Apply(ctx, same, s1); err != nil {
				t.Fatal(err)
			}
			res, err := Up(ctx, same, initial(FromSchema(s1)), UpOptions{})
			if err != nil || len(res.Applied) != 0 || res.Adopted != "" {
				t.Errorf("same models: %+v, %v; want nothing to do", res, err)
			}

			evolved := testdb.Open(t, d)
			if _, err := Apply(ctx, evolved, s1); err != nil {
				t.Fatal(err)
			}
			if _, err := Apply(ctx, evolved, s2); err != nil {
				t.Fatal(err)
			}
			migs := initial(FromSchema(s2))
			res, err = Up(ctx, evolved, migs, UpOptions{})
			if err != nil || res.Adopted != "0001_initial" {
				t.Errorf("evolved models: %+v, %v; want 0001_initial adopted", res, err)
			}
			if n, err := pendingOf(ctx, evolved, migs); err != nil || n != 0 {
				t.Errorf("pending after adoption = %d, %v", n, err)
			}
			res, err = Up(ctx, evolved, migs, UpOptions{})
			if err != nil || res.Adopted != "" || len(res.Applied) != 0 {
				t.Errorf("second Up: %+v, %v; want nothing to do", res, err)
			}

			// Models that changed a column since: the live table is not
			// what the file creates, so the checksum error stands.
			other := testdb.Open(t, d)
			if _, err := Apply(ctx, other, s1); err != nil {
				t.Fatal(err)
			}
			var ce *ChecksumError
			if _, err := Up(ctx, other, initial(FromSchema(s3)), UpOptions{}); !errors.As(err, &ce) {
				t.Errorf("changed models: %v; want a ChecksumError", err)
			}
		})
	}
}

// TestUpFakeInitial records the initial migration without running it when
// its tables exist (a database another tool created).
func TestUpFakeInitial(t *testing.T) {
	s := loadSchema(t, "../../examples/blog/models.yaml")
	m, err := MakeMigration(nil, FromSchema(s), Renames{}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, d)
			for _, st := range CreateStatements(s, d) {
				if err := db.Exec(ctx, st); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Up(ctx, db, []*Migration{m}, UpOptions{FakeInitial: true})
			if err != nil || len(res.Applied) != 1 {
				t.Fatalf("fake initial: %+v, %v", res, err)
			}
			if n, err := pendingOf(ctx, db, []*Migration{m}); err != nil || n != 0 {
				t.Errorf("pending = %d, %v", n, err)
			}
		})
	}
}
