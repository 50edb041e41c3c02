package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/plan"
)

// MutationEvent is one mutation root field that wrote, as the audit log
// records it: never the values written, only what was touched.
type MutationEvent struct {
	// Op is the root field's operation: create, update, delete or their
	// bulk_ forms.
	Op string
	// Model is the model's name.
	Model string
	// IDs are the keys of the rows written by the root field.
	IDs []string
	// Fields are the input names the client set (sorted; the union over
	// a bulk field's inputs). Deletes have none.
	Fields []string
}

// Auditor records the writes of mutation operations. The engine calls
// RecordMutations inside the mutation's transaction once every root field
// succeeded, so the audit rows commit with the writes or not at all (an
// error rolls the request back), and Committed after the commit.
type Auditor interface {
	RecordMutations(ctx context.Context, tx database.Querier, req *Request, events []MutationEvent) error
	Committed(ctx context.Context, req *Request, events []MutationEvent)
}

// mutationEvents describes the root fields that ran.
func mutationEvents(c *compiled, results []mutationResult, vars map[string]any) []MutationEvent {
	var out []MutationEvent
	for i, r := range c.op.Roots {
		if r.Kind != plan.RootMutation || !results[i].ran {
			continue
		}
		mu := r.Mutation
		ev := MutationEvent{Op: mu.Op, Model: mu.Model.Name}
		for _, id := range results[i].res.IDs {
			if id != nil {
				ev.IDs = append(ev.IDs, fmt.Sprint(id))
			}
		}
		args := mu.Field.ArgumentMap(vars)
		seen := map[string]bool{}
		addKeys := func(in any) {
			m, _ := in.(map[string]any)
			for k := range m {
				seen[k] = true
			}
		}
		switch mu.Op {
		case gqlschema.OpCreate, gqlschema.OpUpdate:
			addKeys(args["input"])
		case gqlschema.OpBulkCreate:
			list, _ := args["inputs"].([]any)
			for _, in := range list {
				addKeys(in)
			}
		case gqlschema.OpBulkUpdate:
			list, _ := args["inputs"].([]any)
			for _, item := range list {
				m, _ := item.(map[string]any)
				addKeys(m["data"])
			}
		}
		for k := range seen {
			ev.Fields = append(ev.Fields, k)
		}
		sort.Strings(ev.Fields)
		out = append(out, ev)
	}
	return out
}
