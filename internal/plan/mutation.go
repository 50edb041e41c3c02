package plan

import (
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
)

// IDVariable is the reserved variable through which the write executor
// hands the key of a written row to the read of its payload object. It
// cannot clash with a GraphQL variable name.
const IDVariable = "\x00id"

// Mutation is a mutation root field: the write is done by the write
// executor from Field's arguments; the payload is shaped from Out, and the
// written object is read back with Object (by IDVariable).
type Mutation struct {
	Op    string
	Model *model.Model
	Field *ast.Field
	Out   []Part
	// Object reads one written row; nil when the payload selects no object.
	Object *One
}

func (*Mutation) query() {}

// mutation plans a mutation root field.
func (b *builder) mutation(r *gqlschema.MutationRoot, fg fieldGroup) (*Mutation, error) {
	m := r.Model
	mu := &Mutation{Op: r.Op, Model: m, Field: fg.first()}
	payload := m.Name + "Payload"
	if r.Op == gqlschema.OpBulkCreate || r.Op == gqlschema.OpBulkUpdate || r.Op == gqlschema.OpBulkDelete {
		payload = m.Name + "BulkPayload"
	}
	for _, sub := range b.subCollect(fg) {
		name := sub.first().Name
		out := Part{Key: sub.key, What: name}
		switch name {
		case "__typename":
			out.Typename = payload
		case "object", "objects":
			sel, err := b.objectSelect(m, sub)
			if err != nil {
				return nil, err
			}
			pk := m.PK
			id := b.addParam(Param{Kind: pk.ValueKind(), Value: func(vars map[string]any) (any, error) {
				return vars[IDVariable], nil
			}})
			mu.Object = &One{Select: sel, ID: id}
		case "errors":
			for _, e := range b.subCollect(sub) {
				en := e.first().Name
				po := Part{Key: e.key, What: en}
				if en == "__typename" {
					po.Typename = "FieldError"
				}
				out.Sub = append(out.Sub, po)
			}
		}
		mu.Out = append(mu.Out, out)
	}
	return mu, nil
}
