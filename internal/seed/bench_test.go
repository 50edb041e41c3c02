package seed

import (
	"context"
	"testing"

	"github.com/autogql/autogql/internal/testdb"
)

// benchmarkCounts is the blog dataset the engine benchmarks use.
var benchmarkCounts = map[string]int{"Category": 20, "Tag": 50, "Author": 1000, "Post": 20000, "Comment": 100000}

// BenchmarkGenerateBlog loads the benchmark dataset (about 160k rows with
// the post-tag links) into a fresh database per iteration. Run it once:
//
//	go test ./internal/seed -run '^$' -bench GenerateBlog -benchtime 1x
func BenchmarkGenerateBlog(b *testing.B) {
	s := loadSchema(b, blogModels)
	for _, d := range testdb.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			var rows int
			for b.Loop() {
				b.StopTimer()
				db := openMigrated(b, d, s)
				b.StartTimer()
				made, err := Generate(context.Background(), db, s, GenerateOptions{Seed: 1, Counts: benchmarkCounts})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				rows = 0
				for _, n := range made {
					rows += n
				}
				db.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows), "rows/op")
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
