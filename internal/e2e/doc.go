// Package e2e is the end-to-end proof of the API: GraphQL documents go
// through engine.Execute against a real SQLite and a real PostgreSQL
// database loaded with the same hand-checkable fixtures, and every response
// body must equal one expected value on both dialects (key order included).
//
// The package has no API; its tests are the product:
//
//   - TestE2E runs testdata/cases/*.yaml (one file per feature group) over
//     testdata/fixtures.json; testdata/README.md describes the data so that
//     every expected value can be checked by hand. `go test -run TestE2E
//     -update` rewrites the expected values from the SQLite answers, to be
//     reviewed as a diff, never accepted blindly.
//   - TestStatementsPerRootField proves one SQL statement per root field,
//     and TestPageSizeCaps the page size caps, on generated data larger
//     than the caps.
//   - TestTimeZone runs date lookups with the engine in a non-UTC zone.
//   - FuzzCompile feeds arbitrary documents and variables to the engine.
//   - TestMutations runs testdata/mutations/*.yaml, each case on a fresh
//     database per dialect: the blog, or a test-only schema of
//     testdata/models (kitchen: every field type and validation option;
//     ondelete: every on_delete behaviour). A case names the tables it
//     writes, and every other table must be unchanged ("writes: []" proves
//     a failure wrote nothing); then-checks query the result through
//     GraphQL or SQL. -update rewrites its expected responses too.
//   - TestConcurrentUniqueCreate and TestConcurrentWriters race writers on
//     the same rows: one winner for a unique value, no error, no lost write.
//   - FuzzMutation feeds arbitrary mutations to the three schemas and
//     checks that a failed request leaves every table as it was.
//   - TestCheck and TestPretty test the runner itself.
//
// The generated SQL itself is pinned by TestSQLGolden in internal/sqlgen.
// PostgreSQL comes from testdb (AUTOGQL_TEST_POSTGRES; skipped when
// unreachable unless AUTOGQL_REQUIRE_SERVICES=1); AUTOGQL_TEST_DIALECTS
// narrows the run to one dialect.
//
// It sits at the top of the read and write paths (engine → plan → sqlgen
// and write → database) and imports only what a library user would, plus
// the migrations and fixtures loader that set the databases up.
package e2e
