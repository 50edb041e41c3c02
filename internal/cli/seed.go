package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/seed"
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("seed", "seed [--models FILE] [--database URL] [--fixtures FILE | --generate [--count Model=N,…] [--seed N]]", stderr)
	c := addCommon(fs)
	fixtures := fs.String("fixtures", "", "fixtures file (Django loaddata JSON or YAML); default: fixtures.json beside the models file")
	generate := fs.Bool("generate", false, "generate fake rows for every model instead of loading fixtures")
	counts := fs.String("count", "", "rows per model for --generate, e.g. Author=1000,Post=20000 (others: 50)")
	seedN := fs.Uint64("seed", 1, "random seed for --generate")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := c.load(); err != nil {
		return err
	}
	ms, err := model.Load(c.models)
	if err != nil {
		return err
	}
	opts := seed.GenerateOptions{Seed: *seedN}
	if *counts != "" {
		if opts.Counts, err = parseCounts(*counts); err != nil {
			return fmt.Errorf("--count: %w: %w", err, errUsage)
		}
	}
	db, err := database.Open(ctx, c.database, database.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		return err
	}
	var n map[string]int
	if *generate {
		n, err = seed.Generate(ctx, db, ms, opts)
	} else {
		n, err = loadFixtures(ctx, db, ms, c.models, *fixtures)
	}
	if err != nil {
		return err
	}
	names := make([]string, 0, len(n))
	for k := range n {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(stdout, "seed: %s %d\n", k, n[k])
	}
	return nil
}

// loadFixtures loads path, or fixtures.json beside the models file.
func loadFixtures(ctx context.Context, db *database.DB, ms *model.Schema, modelsPath, path string) (map[string]int, error) {
	if path == "" {
		path = filepath.Join(filepath.Dir(modelsPath), "fixtures.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read fixtures: %w", err)
	}
	return seed.LoadFixtures(ctx, db, ms, data)
}

func parseCounts(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		name, num, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not Model=N", part)
		}
		out[name] = n
	}
	return out, nil
}
