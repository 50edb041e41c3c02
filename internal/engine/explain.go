package engine

import (
	"context"
	"errors"
	"sort"

	"github.com/vektah/gqlparser/v2/validator"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
	"github.com/autogql/autogql/internal/sqlgen"
)

// Explanation is what a request compiles to for its identity: the roles
// the rules were looked up for, the models the plan reads or writes, and
// the SQL of each root field with the parameters this request binds.
type Explanation struct {
	// Roles are the request's roles with the inherited ones.
	Roles []string
	// Models the plan touches (reads, nested reads, relation filters,
	// counts, writes), sorted.
	Models []string
	Roots  []ExplainedRoot
}

// ExplainedRoot is one root field of an explained request.
type ExplainedRoot struct {
	Key string
	// Kind is select, mutation, introspection or typename.
	Kind string
	// SQL is the statement answering a select, or reading a mutation's
	// payload object; Params are its bound values (nil where only the
	// write supplies them, such as the written row's key).
	SQL    string
	Params []any
	// Guard is the row-guard statement of an update or delete: the row
	// must satisfy the role's filter to be written.
	Guard string
}

// ErrExplain is returned by Explain for a request that does not compile
// (it does not parse or validate, or the roles may not make it); the
// message is the error a client would get.
var ErrExplain = errors.New("explain")

// Explain compiles req (its Identity included) for dialect d, as Execute
// would, without running anything. The engine needs no database for it.
func (e *Engine) Explain(ctx context.Context, req *Request, d database.Dialect) (*Explanation, error) {
	doc := e.lookupCtx(ctx, req.Query)
	if doc.errs != nil {
		return nil, explainError(doc.errs[0].Message)
	}
	op, errs := selectOperation(doc.doc, req.OperationName)
	if errs != nil {
		return nil, explainError(errs[0].Message)
	}
	vars, gerr := validator.VariableValues(e.schema.AST, op, req.Variables)
	if gerr != nil {
		return nil, explainError(gerr.Error())
	}
	vars = e.withIdentity(vars, req.Identity)
	c, err := e.compileFor(doc, op, vars, d)
	if err != nil {
		_, msg, internal := classify(err)
		if internal {
			msg = err.Error()
		}
		return nil, explainError(msg)
	}
	ex := &Explanation{Roles: roles(vars)}
	if ex.Roles == nil {
		ex.Roles = e.schema.Roles(identityRoles(req.Identity))
	}
	seen := map[string]bool{}
	for i, r := range c.op.Roots {
		er := ExplainedRoot{Key: r.Key}
		switch r.Kind {
		case plan.RootTypename:
			er.Kind = "typename"
		case plan.RootIntrospection:
			er.Kind = "introspection"
		case plan.RootSelect:
			er.Kind = "select"
			touchQuery(r.Query, seen)
		case plan.RootMutation:
			er.Kind = "mutation"
			seen[r.Mutation.Model.Name] = true
			if r.Mutation.Object != nil {
				touchSelect(r.Mutation.Object.Select, seen)
			}
			if r.Mutation.Guard != nil {
				touchSelect(r.Mutation.Guard.Select, seen)
			}
			er.Guard = c.guards[i].SQL
		}
		er.SQL = c.stmts[i].SQL
		er.Params = explainParams(c, c.stmts[i], vars)
		ex.Roots = append(ex.Roots, er)
	}
	for m := range seen {
		ex.Models = append(ex.Models, m)
	}
	sort.Strings(ex.Models)
	return ex, nil
}

func explainError(msg string) error { return &explainErr{msg: msg} }

type explainErr struct{ msg string }

func (e *explainErr) Error() string { return e.msg }
func (e *explainErr) Unwrap() error { return ErrExplain }

func identityRoles(id *Identity) []string {
	if id == nil {
		return []string{model.RoleAnonymous}
	}
	return append([]string{model.RoleAuthenticated}, id.Roles...)
}

// explainParams evaluates a statement's parameters for the request; a
// parameter only the write supplies is nil.
func explainParams(c *compiled, st sqlgen.Statement, vars map[string]any) []any {
	if st.SQL == "" {
		return nil
	}
	out := make([]any, len(st.Params))
	for j, pi := range st.Params {
		v, err := c.op.Params[pi].Value(vars)
		if err == nil {
			out[j] = v
		}
	}
	return out
}

func touchQuery(q plan.Query, seen map[string]bool) {
	switch q := q.(type) {
	case *plan.One:
		touchSelect(q.Select, seen)
	case *plan.List:
		touchSelect(q.Select, seen)
	case *plan.Pages:
		touchSelect(q.Select, seen)
	case *plan.Connection:
		touchSelect(q.Select, seen)
	case *plan.Groups:
		seen[q.Model.Name] = true
		touchCond(q.Where, seen)
	case *plan.Aggregate:
		seen[q.Model.Name] = true
		touchCond(q.Where, seen)
	}
}

func touchSelect(s *plan.Select, seen map[string]bool) {
	if s == nil {
		return
	}
	seen[s.Model.Name] = true
	touchCond(s.Where, seen)
	touchCond(s.Access, seen)
	for _, o := range s.Order {
		for _, e := range o.Path {
			seen[e.To.Name] = true
		}
		if o.Count != nil {
			seen[o.Count.To.Name] = true
		}
		touchCond(o.CountWhere, seen)
	}
	for _, f := range s.Fields {
		touchSelect(f.Sub, seen)
		if f.Edge != nil {
			seen[f.Edge.To.Name] = true
		}
		touchCond(f.Where, seen)
	}
}

func touchCond(c *plan.Cond, seen map[string]bool) {
	if c == nil {
		return
	}
	if c.Edge != nil {
		seen[c.Edge.To.Name] = true
	}
	for _, ch := range c.Children {
		touchCond(ch, seen)
	}
}
