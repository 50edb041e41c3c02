// Package e2e is the end-to-end proof of the read side: GraphQL documents
// go through engine.Execute against a real SQLite and a real PostgreSQL
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
//   - TestStatementsPerRootField proves one SQL statement per root field.
//   - FuzzCompile feeds arbitrary documents and variables to the engine.
//
// It sits at the top of the read path (engine → plan → sqlgen → database)
// and imports only what a library user would.
package e2e
