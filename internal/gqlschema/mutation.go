package gqlschema

import (
	"fmt"
	"slices"

	"github.com/autogql/autogql/internal/model"
)

// Mutation operation names of meta.operations.
const (
	OpCreate     = "create"
	OpUpdate     = "update"
	OpDelete     = "delete"
	OpBulkCreate = "bulk_create"
	OpBulkUpdate = "bulk_update"
	OpBulkDelete = "bulk_delete"
)

var allOperations = []string{OpCreate, OpUpdate, OpDelete, OpBulkCreate, OpBulkUpdate, OpBulkDelete}

// MutationRoot is a generated Mutation field.
type MutationRoot struct {
	// Op is one of the Op* constants.
	Op    string
	Model *model.Model
}

// InputKind tells what an input field writes.
type InputKind int

// Input field kinds.
const (
	// InputColumn sets a column (a scalar field, or a foreign key by id).
	InputColumn InputKind = iota
	// InputNestedOne creates the target of a foreign key and links it.
	InputNestedOne
	// InputSet replaces the links of a many_to_many.
	InputSet
	// InputAdd adds links of a many_to_many (update only).
	InputAdd
	// InputRemove removes links of a many_to_many (update only).
	InputRemove
	// InputNestedMany creates rows across a many_to_many or reverse
	// foreign key and links them.
	InputNestedMany
)

// Input describes a generated input object of a model.
type Input struct {
	Model *model.Model
	// Create is true for <M>CreateInput (required fields enforced).
	Create bool
	// Fields by API name, and in declaration order.
	Fields map[string]*InputField
	Order  []*InputField
}

// InputField is one field of a model's create or update input.
type InputField struct {
	Name string
	Kind InputKind
	// Field is the written field (column, foreign key or many_to_many);
	// nil for a reverse foreign key.
	Field *model.Field
	// Edge is the relation written through (nested and link kinds).
	Edge *model.Edge
}

// Operations returns the mutations a model allows.
func Operations(m *model.Model) []string {
	if m.Meta.Operations == nil {
		return allOperations
	}
	return m.Meta.Operations
}

// writable reports whether a field appears in inputs.
func writable(f *model.Field) bool {
	return !f.Excluded && f.Editable && !f.Implicit && !f.AutoNow && !f.AutoNowAdd
}

// Required reports whether a create input must give f, as Django's model
// forms would: not null, not blank, no default, not set by the server.
func Required(f *model.Field) bool {
	return writable(f) && !f.Null && !f.Blank && f.Default == nil && f.Type != model.TypeManyToMany
}

func (g *Schema) writeMutation(w *sdlWriter) {
	n := g.names.api
	var lines []string
	for _, m := range g.Model.Models {
		ops := Operations(m)
		add := func(op, args, typ string) {
			if !slices.Contains(ops, op) {
				return
			}
			name := n(op + "_" + m.Singular)
			g.Mutations[name] = &MutationRoot{Op: op, Model: m}
			lines = append(lines, fmt.Sprintf("  %s%s: %s", name, args, typ))
		}
		add(OpCreate, fmt.Sprintf("(input: %sCreateInput!)", m.Name), m.Name+"Payload!")
		add(OpUpdate, fmt.Sprintf("(id: ID!, input: %sUpdateInput!)", m.Name), m.Name+"Payload!")
		add(OpDelete, "(id: ID!)", m.Name+"Payload!")
		add(OpBulkCreate, fmt.Sprintf("(inputs: [%sCreateInput!]!)", m.Name), m.Name+"BulkPayload!")
		add(OpBulkUpdate, fmt.Sprintf("(inputs: [%sBulkUpdateInput!]!)", m.Name), m.Name+"BulkPayload!")
		add(OpBulkDelete, "(ids: [ID!]!)", m.Name+"BulkPayload!")
	}
	w.line(`"A problem with one input field (field is null for the whole object)."`)
	w.line("type FieldError {\n  field: String\n  message: String!\n  code: String!\n}\n")
	if len(lines) == 0 {
		return
	}
	w.line("type Mutation {")
	for _, l := range lines {
		w.line("%s", l)
	}
	w.line("}")
	w.line("")
}

// writeInputs writes the create, update and bulk update inputs and the
// payload types of m.
func (g *Schema) writeInputs(w *sdlWriter, m *model.Model) {
	n := g.names.api
	for _, create := range []bool{true, false} {
		in := &Input{Model: m, Create: create, Fields: map[string]*InputField{}}
		name := m.Name + "UpdateInput"
		if create {
			name = m.Name + "CreateInput"
		}
		g.Inputs[name] = in
		add := func(api, typ string, f *InputField) {
			f.Name = n(api)
			in.Fields[f.Name] = f
			in.Order = append(in.Order, f)
			w.line("  %s: %s", f.Name, typ)
		}
		w.line("input %s {", name)
		for _, f := range m.Fields {
			if !writable(f) || f.PrimaryKey && !create {
				// The key names the row to update (the id argument);
				// changing it would orphan its references.
				continue
			}
			switch {
			case f.Type == model.TypeManyToMany:
				e := m.Edge(f.Name)
				add(f.Name, "[ID!]", &InputField{Kind: InputSet, Field: f, Edge: e})
				if !create {
					add(f.Name+"_add", "[ID!]", &InputField{Kind: InputAdd, Field: f, Edge: e})
					add(f.Name+"_remove", "[ID!]", &InputField{Kind: InputRemove, Field: f, Edge: e})
				}
				add("nested_"+f.Name, "["+f.Rel.Target.Name+"CreateInput!]", &InputField{Kind: InputNestedMany, Field: f, Edge: e})
			case f.Rel != nil:
				add(f.Name, "ID", &InputField{Kind: InputColumn, Field: f})
				add("nested_"+f.Name, f.Rel.Target.Name+"CreateInput", &InputField{Kind: InputNestedOne, Field: f, Edge: m.Edge(f.Name)})
			default:
				typ := scalarType(f)
				if f.PrimaryKey {
					typ = "ID"
				}
				if create && Required(f) && !preset(m, f) {
					typ += "!"
				}
				w.desc("  ", f.HelpText)
				add(f.Name, typ, &InputField{Kind: InputColumn, Field: f})
			}
		}
		for _, e := range m.Edges {
			if e.Reverse && e.Many && e.Join == nil && visibleEdge(e) && writable(e.Field) {
				add("nested_"+e.Name, "["+e.To.Name+"CreateInput!]", &InputField{Kind: InputNestedMany, Edge: e})
			}
		}
		if len(in.Order) == 0 {
			// Input objects need a field; this one accepts nothing.
			w.line("  _: Boolean")
		}
		w.line("}")
		w.line("")
	}
	w.line("input %sBulkUpdateInput {\n  id: ID!\n  data: %sUpdateInput!\n}\n", m.Name, m.Name)
	w.line("type %sPayload {\n  ok: Boolean!\n  object: %s\n  errors: [FieldError!]!\n}\n", m.Name, m.Name)
	w.line("type %sBulkPayload {\n  ok: Boolean!\n  objects: [%s!]!\n  errors: [FieldError!]!\n}\n", m.Name, m.Name)
}

// preset reports whether some role's create grant presets f: the input
// cannot require what the server may set.
func preset(m *model.Model, f *model.Field) bool {
	for _, p := range m.Meta.Permissions {
		if p.Create != nil {
			if _, ok := p.Create.Preset[f.Name]; ok {
				return true
			}
		}
	}
	return false
}
