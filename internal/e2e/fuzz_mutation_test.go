package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
)

// mutationTemplates seed FuzzMutation with documents whose variables carry
// whole inputs, so that mutating the variables' JSON explores input values
// rather than parse errors.
var mutationTemplates = []struct{ query, vars string }{
	{`mutation($in: PostCreateInput!) { create_post(input: $in) { ok errors { field code } object { id slug tags { id } comments { id } } } }`,
		`{"in": {"title": "t", "slug": "s-1", "content": "c", "author": 1, "tags": [1, 2], "nested_comments": [{"content": "x", "nested_author": {"name": "n", "email": "n@example.com"}}]}}`},
	{`mutation($id: ID!, $in: PostUpdateInput!) { update_post(id: $id, input: $in) { ok errors { field code } object { id } } }`,
		`{"id": "1", "in": {"views": 5, "rating": "4.5", "tags_add": [3], "tags_remove": [1], "published_at": "2024-01-01T00:00:00Z"}}`},
	{`mutation($ids: [ID!]!) { bulk_delete_comment(ids: $ids) { ok errors { field code } objects { id } } }`, `{"ids": [1, 2, 3]}`},
	{`mutation($in: [TagBulkUpdateInput!]!) { bulk_update_tag(inputs: $in) { ok errors { field code } } }`, `{"in": [{"id": 1, "data": {"name": "x"}}]}`},
	{`mutation($in: GadgetCreateInput!) { create_gadget(input: $in) { ok errors { field code } object { id } } }`,
		`{"in": {"code": "AB-2", "kind": "in-stock", "size": 2, "small": 1, "big": "5", "price": "1.25", "day": "2024-01-01", "at": "2024-01-01T00:00:00Z", "clock": "10:00", "span": "PT1S", "extra": {"a": 1}, "token": "6f1c2a4e-1111-4222-8333-444455556666", "owner": 1, "slot": 2}}`},
	{`mutation($id: ID!, $in: TicketCreateInput!) { a: create_ticket(input: $in) { ok } b: delete_ticket(id: $id) { ok errors { code } } }`,
		`{"id": "0b7e4c9a-6a3e-4f0e-9a8e-1c2d3e4f5a6b", "in": {"id": "0b7e4c9a-6a3e-4f0e-9a8e-1c2d3e4f5a6b", "title": "t"}}`},
	{`mutation($id: ID!) { delete_parent(id: $id) { ok errors { field code } } }`, `{"id": 5}`},
}

// FuzzMutation feeds arbitrary documents and variables to engines over the
// SQLite fixtures of every mutation schema (blog, kitchen, ondelete), with
// the server's default limits. Whatever the input, Execute must not panic,
// must answer one JSON object, must never answer INTERNAL_SERVER_ERROR, and
// must be all or nothing: a query, a response in which any payload says
// ok: false, or one that carries errors, leaves every table exactly as it
// was, and no response mixes ok: true with ok: false. The corpus is seeded with every
// case of testdata/mutations and with templates whose variables hold whole
// inputs.
func FuzzMutation(f *testing.F) {
	for _, mf := range loadMutationCases(f) {
		for _, c := range mf.cases {
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
	for _, tm := range mutationTemplates {
		f.Add(tm.query, tm.vars)
	}
	type target struct {
		name string
		fx   *fixture
		e    *engine.Engine
		// tables is the snapshot after the last input: a failed input
		// must leave it as it is, so it is taken again only after a
		// request that may have written.
		tables map[string][]string
	}
	var targets []*target
	for _, name := range []string{"blog", "kitchen", "ondelete"} {
		fx := openFixture(f, database.SQLite, name, database.Options{})
		// Debug puts the cause of an internal error into the message.
		e := engine.New(fx.db, fx.engine.Schema(), engine.Options{Debug: true, Limits: engine.DefaultLimits(), Now: func() time.Time { return Now }})
		targets = append(targets, &target{name: name, fx: fx, e: e})
	}
	f.Fuzz(func(t *testing.T, query, varsJSON string) {
		var vars map[string]any
		if varsJSON != "" {
			dec := json.NewDecoder(strings.NewReader(varsJSON))
			dec.UseNumber()
			if dec.Decode(&vars) != nil {
				vars = nil
			}
		}
		for _, tg := range targets {
			if tg.tables == nil {
				tg.tables = snapshot(t, tg.fx.db, tg.fx.models)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, res := tg.e.Execute(ctx, &engine.Request{Query: query, Variables: vars}, nil)
			cancel()
			var resp struct {
				Data   map[string]json.RawMessage `json:"data"`
				Errors []struct {
					Extensions struct {
						Code string `json:"code"`
					} `json:"extensions"`
				} `json:"errors"`
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			if err := dec.Decode(&resp); err != nil || dec.More() {
				t.Fatalf("%s: response is not one JSON object (%v):\n%s", tg.name, err, out)
			}
			for _, e := range resp.Errors {
				if e.Extensions.Code == engine.CodeInternal {
					t.Fatalf("%s: internal error for\nquery: %q\nvariables: %q\nresponse: %s", tg.name, query, varsJSON, out)
				}
			}
			if res.Outcome == engine.OutcomeRequestError || res.Outcome == engine.OutcomeMutationNotAllowed {
				continue // refused before any statement ran
			}
			var oks []bool
			if res.OperationType == "mutation" {
				oks = payloadOKs(resp.Data)
			}
			if slices.Contains(oks, true) && slices.Contains(oks, false) {
				t.Fatalf("%s: a response claims a write and a failure:\nquery: %q\nvariables: %q\nresponse: %s", tg.name, query, varsJSON, out)
			}
			after := snapshot(t, tg.fx.db, tg.fx.models)
			if res.OperationType == "mutation" && len(resp.Errors) == 0 && !slices.Contains(oks, false) {
				tg.tables = after // may have written
				continue
			}
			if diff := cmp.Diff(tg.tables, after); diff != "" {
				t.Fatalf("%s: a failed request wrote (-before +after):\n%s\nquery: %q\nvariables: %q\nresponse: %s", tg.name, diff, query, varsJSON, out)
			}
		}
	})
}

// payloadOKs returns the ok values of a mutation response's payloads. A
// payload's only Boolean field is ok, so any Boolean directly inside a root
// object is an ok, whatever its alias.
func payloadOKs(data map[string]json.RawMessage) []bool {
	var oks []bool
	for _, raw := range data {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			continue
		}
		for _, v := range obj {
			var b bool
			if json.Unmarshal(v, &b) == nil {
				oks = append(oks, b)
			}
		}
	}
	return oks
}
