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
	// Guard reads the key of the target row of an update or delete if the
	// roles' row filter for that operation admits it (nil: no filter).
	Guard *One
	// Writes answers create and update grants for every model the input
	// reaches (nested inputs included).
	Writes Writes
}

func (*Mutation) query() {}

// mutation plans a mutation root field.
func (b *builder) mutation(r *gqlschema.MutationRoot, fg fieldGroup) (*Mutation, error) {
	m := r.Model
	mu := &Mutation{Op: r.Op, Model: m, Field: fg.first(), Writes: b.access}
	if err := b.mutationAllowed(mu); err != nil {
		return nil, err
	}
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

// mutationAllowed checks the operation against the roles' grants and
// builds the row guard of updates and deletes.
func (b *builder) mutationAllowed(mu *Mutation) error {
	m := mu.Model
	var verb string
	var op func(*gqlschema.Grants) *gqlschema.Grant
	switch mu.Op {
	case gqlschema.OpCreate, gqlschema.OpBulkCreate:
		if _, err := b.access.Grant(m, "create"); err != nil {
			return err
		}
	case gqlschema.OpUpdate, gqlschema.OpBulkUpdate:
		if _, err := b.access.Grant(m, "update"); err != nil {
			return err
		}
		verb, op = "update", updateOp
	case gqlschema.OpDelete, gqlschema.OpBulkDelete:
		verb, op = "delete", deleteOp
	}
	if mu.Op == gqlschema.OpBulkCreate || mu.Op == gqlschema.OpBulkUpdate || mu.Op == gqlschema.OpBulkDelete {
		if err := b.bulkAllowed(m); err != nil {
			return err
		}
	}
	if op == nil {
		return nil
	}
	guard, err := b.rowFilter(m, verb, op)
	if err != nil || guard == nil {
		return err
	}
	pk := m.PK
	id := b.addParam(Param{Kind: pk.ValueKind(), Value: func(vars map[string]any) (any, error) {
		return vars[IDVariable], nil
	}})
	mu.Guard = &One{ID: id, Select: &Select{
		Model: m, Access: guard, Limit: -1, Offset: -1, Include: -1,
		Fields: []Out{{Key: "id", Kind: OutColumn, Field: pk}},
	}}
	return nil
}

// bulkAllowed reports whether some role with grants on m allows bulk writes.
func (b *builder) bulkAllowed(m *model.Model) error {
	list, open, err := b.access.grants(m)
	if err != nil || open {
		return err
	}
	for _, gr := range list {
		if gr.Bulk {
			return nil
		}
	}
	return forbidden("role %s may not use bulk mutations on %s", b.access.roleNames(), m.Name)
}
