package e2e

import (
	"sync"
	"testing"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/testdb"
)

// TestE2E runs every case of testdata/cases on each dialect, each dialect
// on its own fresh database loaded with testdata/fixtures.json, and holds
// both to the same expected response.
//
// With -update the SQLite answers become the expected values (and
// PostgreSQL is then checked against them); the diff of the case files is
// what a reviewer checks against the fixtures.
func TestE2E(t *testing.T) {
	files := loadCases(t)
	var mu sync.Mutex
	updates := map[*Case][]byte{}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d, database.Options{})
			for _, cf := range files {
				t.Run(cf.name, func(t *testing.T) {
					for _, c := range cf.cases {
						t.Run(c.Name, func(t *testing.T) {
							got := f.run(t, c)
							if *update && d == database.SQLite {
								mu.Lock()
								updates[c] = got
								mu.Unlock()
								if tree, err := parseJSON(got); err == nil {
									c.Want = tree.pretty() + "\n"
								}
								return
							}
							check(t, c, got)
						})
					}
				})
			}
		})
	}
	if *update {
		writeUpdates(t, files, updates)
	}
}
