package seed

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

var blogCounts = map[string]int{"Category": 5, "Tag": 10, "Author": 20, "Post": 100, "Comment": 300}

func TestGenerateBlog(t *testing.T) {
	s := loadSchema(t, blogModels)
	slugRE := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	emailRE := regexp.MustCompile(`^[a-z]+\.[a-z]+[0-9]+@example\.com$`)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			made, err := Generate(ctx, db, s, GenerateOptions{Seed: 7, Counts: blogCounts})
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			counts := tableCounts(t, db, s)
			if diff := cmp.Diff(counts, made); diff != "" {
				t.Errorf("reported counts differ from the tables (-tables +reported):\n%s", diff)
			}
			for name, n := range blogCounts {
				if counts[name] != n {
					t.Errorf("%s has %d rows, want %d", name, counts[name], n)
				}
			}
			if n := counts["Post.tags"]; n < 100 || n > 400 {
				t.Errorf("%d post-tag links, want 0–4 per post and about 2 on average", n)
			}
			if bad := orphans(t, db, s); len(bad) > 0 {
				t.Errorf("dangling references: %v", bad)
			}

			rows := dump(t, db, s)
			var problems []string
			bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
			unique := map[string]bool{}
			nulls := map[string]int{}
			nonASCII := 0
			start, end := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			for _, a := range rows["Author"] {
				if !emailRE.MatchString(a["email"]) || unique["email "+a["email"]] {
					bad("author email %q is malformed or repeated", a["email"])
				}
				unique["email "+a["email"]] = true
			}
			for _, p := range rows["Post"] {
				if n := utf8.RuneCountInString(p["title"]); n == 0 || n > 200 {
					bad("title %q has %d characters, want 1–200", p["title"], n)
				}
				if !slugRE.MatchString(p["slug"]) || len(p["slug"]) > 200 || unique["slug "+p["slug"]] {
					bad("slug %q is malformed, too long or repeated", p["slug"])
				}
				unique["slug "+p["slug"]] = true
				if !slices.Contains([]string{"draft", "published", "archived"}, p["status"]) {
					bad("status %q is not a choice", p["status"])
				}
				if v, err := strconv.Atoi(p["views"]); err != nil || v < 0 {
					bad("views %q is not ≥ 0", p["views"])
				}
				if r := p["rating"]; r != "<nil>" {
					if f, err := strconv.ParseFloat(r, 64); err != nil || f < 0 || f > 5 || len(r) > 3 {
						bad("rating %q does not fit decimal(3,1) within 0–5", r)
					}
				}
				created, _ := time.Parse(time.RFC3339Nano, p["created_at"])
				updated, _ := time.Parse(time.RFC3339Nano, p["updated_at"])
				if created.Before(start) || !created.Before(end) || updated.Before(created) || !updated.Before(end) {
					bad("created_at %s / updated_at %s not in 2020–2026 in order", p["created_at"], p["updated_at"])
				}
				for _, k := range []string{"category_id", "rating", "published_at"} {
					if p[k] == "<nil>" {
						nulls[k]++
					}
				}
				if !isASCII(p["content"]) {
					nonASCII++
				}
			}
			for k, n := range nulls {
				if n == 0 || n > 30 {
					bad("%d of 100 posts have a NULL %s, want about 10", n, k)
				}
			}
			if len(nulls) != 3 {
				bad("NULLs only in %v, want category_id, rating and published_at", nulls)
			}
			if nonASCII == 0 {
				bad("no post content has non-ASCII text")
			}
			links := map[string]bool{}
			perPost := map[string]int{}
			for _, l := range rows["Post.tags"] {
				links[l["post_id"]+"/"+l["tag_id"]] = true
				perPost[l["post_id"]]++
			}
			if len(links) != len(rows["Post.tags"]) {
				bad("duplicate post-tag links")
			}
			for p, n := range perPost {
				if n > DefaultMaxLinks {
					bad("post %s has %d tags, want ≤ %d", p, n, DefaultMaxLinks)
				}
			}
			if len(problems) > 0 {
				t.Errorf("generated data breaks the model:\n%s", strings.Join(problems, "\n"))
			}
		})
	}
}

// TestGenerateDeterministic: the same seed on an empty database gives the
// same rows, on every dialect; another seed gives others.
func TestGenerateDeterministic(t *testing.T) {
	s := loadSchema(t, blogModels)
	gen := func(t *testing.T, d database.Dialect, seed uint64) map[string][]row {
		db := openMigrated(t, d, s)
		if _, err := Generate(context.Background(), db, s, GenerateOptions{Seed: seed, Counts: blogCounts}); err != nil {
			t.Fatalf("Generate: %v", err)
		}
		return dump(t, db, s)
	}
	byDialect := map[database.Dialect]map[string][]row{}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			a, b, c := gen(t, d, 42), gen(t, d, 42), gen(t, d, 43)
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("same seed, different data (-first +second):\n%s", diff)
			}
			if cmp.Equal(a["Post"], c["Post"]) {
				t.Errorf("seeds 42 and 43 gave the same posts")
			}
			byDialect[d] = a
		})
	}
	if a, b := byDialect[database.SQLite], byDialect[database.Postgres]; a != nil && b != nil {
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("same seed, different data on SQLite and PostgreSQL (-sqlite +postgres):\n%s", diff)
		}
	}
}

// TestGenerateOnFixtures: generated rows follow the existing keys and may
// reference existing rows.
func TestGenerateOnFixtures(t *testing.T) {
	s := loadSchema(t, blogModels)
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			if _, err := LoadFixtures(ctx, db, s, readExample(t)); err != nil {
				t.Fatal(err)
			}
			opts := GenerateOptions{Seed: 1, Counts: map[string]int{"Category": 0, "Tag": 0, "Author": 0, "Post": 10, "Comment": 5}}
			made, err := Generate(ctx, db, s, opts)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			want := map[string]int{"Category": 0, "Tag": 0, "Author": 0, "Post": 10, "Comment": 5}
			for k, v := range want {
				if made[k] != v {
					t.Errorf("made %d %s, want %d", made[k], k, v)
				}
			}
			if got := queryInt(t, db, `SELECT max("id") FROM "blog_post"`); got != 40 {
				t.Errorf("max post id = %d, want 40", got)
			}
			if got := queryInt(t, db, `SELECT count(*) FROM "blog_post" WHERE "id" > 30 AND "author_id" BETWEEN 1 AND 6`); got < 9 {
				t.Errorf("%d of 10 new posts reference the 6 existing authors, want all", got)
			}
			if bad := orphans(t, db, s); len(bad) > 0 {
				t.Errorf("dangling references: %v", bad)
			}
			// The sequence follows: a row without id gets the next one.
			if _, err := LoadFixtures(ctx, db, s, []byte(`[{"model": "post", "fields": {"title": "t", "slug": "after", "content": "c", "author": 1}}]`)); err != nil {
				t.Fatal(err)
			}
			if got := queryInt(t, db, `SELECT "id" FROM "blog_post" WHERE "slug" = 'after'`); got != 41 {
				t.Errorf("next post id = %d, want 41", got)
			}
		})
	}
}

// TestGenerateKitchen runs Generate on a schema with every field type,
// non-integer keys, a reference cycle, a self reference, a one-to-one and a
// through model with unique_together.
func TestGenerateKitchen(t *testing.T) {
	s := loadSchema(t, "../migrate/testdata/kitchen.yaml")
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openMigrated(t, d, s)
			opts := GenerateOptions{Seed: 3, Default: 30, Counts: map[string]int{"badge": 10, "Membership": 60}}
			made, err := Generate(ctx, db, s, opts)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			counts := tableCounts(t, db, s)
			if diff := cmp.Diff(counts, made); diff != "" {
				t.Errorf("reported counts differ from the tables (-tables +reported):\n%s", diff)
			}
			for _, m := range []string{"Warehouse", "Employee", "Everything"} {
				if counts[m] != 30 {
					t.Errorf("%s has %d rows, want 30", m, counts[m])
				}
			}
			if counts["Badge"] != 10 {
				t.Errorf("Badge has %d rows, want 10", counts["Badge"])
			}
			// 30 employees × 10 badges = 300 pairs: 60 distinct ones fit.
			if counts["Membership"] < 55 || counts["Membership"] > 60 {
				t.Errorf("Membership has %d rows, want about 60 distinct pairs", counts["Membership"])
			}
			if bad := orphans(t, db, s); len(bad) > 0 {
				t.Errorf("dangling references: %v", bad)
			}
			if n := queryInt(t, db, `SELECT count(*) FROM (SELECT "badge_id" FROM "shop_employee" WHERE "badge_id" IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x`); n != 0 {
				t.Errorf("%d badges held by several employees; one_to_one wants one", n)
			}
			if n := queryInt(t, db, `SELECT count(*) FROM "shop_employee" WHERE "badge_id" IS NOT NULL`); n != 10 {
				t.Errorf("%d employees hold a badge, want all 10 badges used once", n)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	s := loadSchema(t, blogModels)
	tests := []struct {
		name    string
		opts    GenerateOptions
		wantMsg string
	}{
		{"unknown model", GenerateOptions{Counts: map[string]int{"Pots": 1}},
			`generate: cannot generate: unknown model "Pots" in counts`},
		{"no targets", GenerateOptions{Counts: map[string]int{"Author": 0, "Post": 1}},
			`generate: Post: cannot generate: field author needs Author rows and there are none (give Author a count)`},
	}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			db := openMigrated(t, d, s)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					_, err := Generate(context.Background(), db, s, tt.opts)
					if err == nil || !errors.Is(err, ErrCannotGenerate) || err.Error() != tt.wantMsg {
						t.Errorf("Generate error = %v\nwant %s", err, tt.wantMsg)
					}
					for name, n := range tableCounts(t, db, s) {
						if n != 0 {
							t.Errorf("a failed Generate left %d rows in %s", n, name)
						}
					}
				})
			}
		})
	}
}

func TestScale(t *testing.T) {
	tests := []struct {
		name        string
		opts        GenerateOptions
		f           float64
		wantCounts  map[string]int
		wantDefault int
	}{
		{"up", GenerateOptions{Counts: map[string]int{"Author": 10, "Post": 200}}, 100,
			map[string]int{"Author": 1000, "Post": 20000}, 5000},
		{"down rounds", GenerateOptions{Counts: map[string]int{"Tag": 5}, Default: 3}, 0.1,
			map[string]int{"Tag": 1}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.opts.Scale(tt.f)
			if diff := cmp.Diff(tt.wantCounts, got.Counts); diff != "" {
				t.Errorf("Counts mismatch (-want +got):\n%s", diff)
			}
			if got.Default != tt.wantDefault {
				t.Errorf("Default = %d, want %d", got.Default, tt.wantDefault)
			}
		})
	}
}

func TestFormatUnits(t *testing.T) {
	tests := []struct {
		units  int64
		places int
		want   string
	}{
		{45, 1, "4.5"}, {5, 2, "0.05"}, {-5, 2, "-0.05"}, {1999, 2, "19.99"}, {7, 0, "7"}, {0, 1, "0.0"},
	}
	for _, tt := range tests {
		if got := formatUnits(tt.units, tt.places); got != tt.want {
			t.Errorf("formatUnits(%d, %d) = %q, want %q", tt.units, tt.places, got, tt.want)
		}
	}
}
