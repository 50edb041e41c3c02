// Package seed puts data into the tables package migrate creates. It sits
// beside migrate below the CLI ("autogql seed"), and feeds the examples,
// the end-to-end tests and the benchmarks.
//
// LoadFixtures reads a Django loaddata-style list of objects (JSON or YAML)
// and writes it in one transaction: every value is checked and converted with
// database.Dialect.Encode before anything is written, references are checked
// after, and any problem returns a *FixtureError naming the object, model
// and field while nothing is kept. Objects whose primary key already exists
// are updated, as loaddata does, so loading the same file twice is harmless.
//
// Generate fills the tables of any schema with deterministic fake data: the
// same seed and the same starting database give the same rows on every
// dialect. Values honour the field options (max_length, choices, min/max,
// unique, decimal digits); text mixes in non-ASCII words so that
// case-folding and collation tests have something to bite on. Rows are
// written with multi-row INSERTs in one transaction, fast enough for the
// 100k-row benchmark datasets.
package seed
