package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
)

// FuzzCompile feeds arbitrary documents and variables to the engine over
// the SQLite fixtures, with the request limits the server applies by
// default (engine.DefaultLimits). Whatever the input, Execute must not
// panic, must answer one JSON object with "data" or "errors", and must not
// answer INTERNAL_SERVER_ERROR: every bad input is the client's error
// (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT,
// QUERY_TOO_COMPLEX) and nothing the engine generates may fail in the
// database. The corpus is seeded with every case of testdata/cases.
//
// Without limits (the zero engine.Limits) one database error remains
// reachable: a selection nested about twenty relations deep renders a
// statement deeper than SQLite's expression depth limit (1000). The
// default max_depth (12) rejects such documents first.
func FuzzCompile(f *testing.F) {
	for _, cf := range loadCases(f) {
		for _, c := range cf.cases {
			vars := ""
			if c.Variables != nil {
				b, err := json.Marshal(c.Variables)
				if err != nil {
					f.Fatal(err)
				}
				vars = string(b)
			}
			f.Add(c.Query, vars)
		}
	}
	fx := newFixture(f, database.SQLite, database.Options{})
	// Debug puts the cause of an internal error into the message, so a
	// failure says what went wrong.
	e := engine.New(fx.db, fx.engine.Schema(), engine.Options{Introspection: true, Debug: true, Limits: engine.DefaultLimits(), Now: func() time.Time { return Now }})
	f.Fuzz(func(t *testing.T, query, varsJSON string) {
		var vars map[string]any
		if varsJSON != "" {
			dec := json.NewDecoder(strings.NewReader(varsJSON))
			dec.UseNumber()
			if dec.Decode(&vars) != nil {
				vars = nil
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, _ := e.Execute(ctx, &engine.Request{Query: query, Variables: vars}, nil)
		var resp struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message    string `json:"message"`
				Extensions struct {
					Code string `json:"code"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		if err := dec.Decode(&resp); err != nil || dec.More() {
			t.Fatalf("response is not one JSON object (%v):\n%s", err, out)
		}
		if resp.Data == nil && len(resp.Errors) == 0 {
			t.Fatalf("response has neither data nor errors:\n%s", out)
		}
		for _, e := range resp.Errors {
			if e.Extensions.Code == engine.CodeInternal {
				t.Fatalf("internal error for\nquery: %q\nvariables: %q\nresponse: %s", query, varsJSON, out)
			}
		}
	})
}
