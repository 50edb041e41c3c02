package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	// Registers the specified validation rules.
	_ "github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/introspection"
	"github.com/autogql/autogql/internal/plan"
	"github.com/autogql/autogql/internal/sqlgen"
)

// Options configure an Engine.
type Options struct {
	// Introspection allows __schema and __type.
	Introspection bool
	// Debug puts internal error causes into responses (development only).
	Debug bool
	// TimeZone for date lookups (default UTC).
	TimeZone *time.Location
	// Now overrides the clock (tests).
	Now func() time.Time
	// MaxDocuments bounds the document cache (default 1000).
	MaxDocuments int
	// ClosedByDefault denies every role access to models that declare no
	// meta.permissions (production); otherwise such models are open.
	ClosedByDefault bool
	// CursorSecret keys connection cursor checks, so cursors only decode
	// where they were made (default: the schema version). Replicas of one
	// deployment need the same secret.
	CursorSecret string
	Logger       *slog.Logger
	// Limits bound each request (see Limits); the zero value checks nothing.
	Limits Limits
	// NoSuggestions leaves gqlparser's "Did you mean …?" hints out of
	// validation errors (production: they reveal the schema).
	NoSuggestions bool
	// Timeout bounds the execution of one request, database statements
	// included: they are cancelled when it passes (0: no bound beyond the
	// caller's context).
	Timeout time.Duration
	// Tracer, when set, records spans for parse, validate, plan and
	// execute. Nil costs nothing.
	Tracer trace.Tracer
	// Auditor, when set, records every mutation that writes (see
	// Auditor).
	Auditor Auditor
}

// Engine executes GraphQL requests against one database and schema. It is
// safe for concurrent use.
type Engine struct {
	db     *database.DB
	schema *gqlschema.Schema
	opts   Options
	tzName string

	rules *rules.Rules // validation rules; nil means gqlparser's defaults

	mu    sync.RWMutex
	docs  map[string]*document
	stats cacheCounters
}

// New returns an engine; it does no I/O.
func New(db *database.DB, schema *gqlschema.Schema, opts Options) *Engine {
	if opts.TimeZone == nil {
		opts.TimeZone = time.UTC
	}
	if opts.MaxDocuments <= 0 {
		opts.MaxDocuments = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{db: db, schema: schema, opts: opts, tzName: opts.TimeZone.String(), docs: map[string]*document{}}
	if opts.NoSuggestions {
		e.rules = rulesWithoutSuggestions()
	}
	return e
}

// cursorKey is the key of connection cursor checks: the configured secret,
// else the schema version (a schema change then invalidates cursors, as
// their order values may no longer mean the same).
func (e *Engine) cursorKey() string {
	if e.opts.CursorSecret != "" {
		return e.opts.CursorSecret
	}
	return e.schema.Version
}

// Schema returns the schema the engine serves.
func (e *Engine) Schema() *gqlschema.Schema { return e.schema }

// SDL returns the schema as GraphQL SDL.
func (e *Engine) SDL() string { return e.schema.SDL }

// document is a parsed and validated query document with its compiled
// plans, keyed by operation name and variable shape.
type document struct {
	doc  *ast.QueryDocument
	errs []gqlError
	// rejected is true when a limit refused the document.
	rejected bool
	// depth and cost are the deepest and costliest operation's measures.
	depth, cost int
	// requestError is true for parse and validation failures.
	mu    sync.Mutex
	plans map[string]*compiled
}

// compiled is the plan of one operation for one variable shape, with one
// SQL statement per root field that needs the database.
type compiled struct {
	op    *plan.Operation
	stmts []sqlgen.Statement // parallel to op.Roots
	// guards are the row guards of update and delete roots (parallel to
	// op.Roots; empty SQL when none).
	guards []sqlgen.Statement
}

// lookup is lookupCtx without a trace.
func (e *Engine) lookup(query string) *document { return e.lookupCtx(context.Background(), query) }

// lookupCtx parses and validates a document once and caches the result,
// limits included.
func (e *Engine) lookupCtx(ctx context.Context, query string) *document {
	e.mu.RLock()
	d := e.docs[query]
	e.mu.RUnlock()
	if d != nil {
		e.stats.documentHits.Add(1)
		return d
	}
	e.stats.documentMisses.Add(1)
	d = e.prepare(ctx, query)
	e.mu.Lock()
	if len(e.docs) >= e.opts.MaxDocuments {
		// Drop an arbitrary half: cheap, and hot documents come back at once.
		n := 0
		for k := range e.docs {
			delete(e.docs, k)
			if n++; n >= e.opts.MaxDocuments/2 {
				break
			}
		}
	}
	e.docs[query] = d
	e.mu.Unlock()
	return d
}

// prepare checks the limits on the text, parses, checks the shape,
// validates and prices a document.
func (e *Engine) prepare(ctx context.Context, query string) *document {
	d := &document{plans: map[string]*compiled{}}
	lim := &e.opts.Limits
	if errs := lim.checkText(query); errs != nil {
		d.errs, d.rejected = errs, true
		return d
	}
	_, span := e.startSpan(ctx, "graphql.parse")
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	endSpan(span, err)
	if err != nil {
		d.errs = toErrors(err, CodeParseFailed)
		return d
	}
	if d.depth, d.errs = lim.checkShape(doc); d.errs != nil {
		d.rejected = true
		return d
	}
	_, span = e.startSpan(ctx, "graphql.validate")
	var errs gqlerror.List
	if e.rules != nil {
		errs = validator.ValidateWithRules(e.schema.AST, doc, e.rules)
	} else {
		errs = validator.Validate(e.schema.AST, doc)
	}
	endSpan(span, errs)
	switch {
	case len(errs) > 0:
		d.errs = toErrors(errs, CodeValidationFailed)
	case !e.opts.Introspection && usesIntrospection(doc):
		d.errs = []gqlError{{Message: "introspection is disabled", Code: CodeValidationFailed}}
	default:
		if d.cost, d.errs = lim.checkCost(e.schema, doc); d.errs != nil {
			d.rejected = true
			return d
		}
		d.doc = doc
	}
	return d
}

func usesIntrospection(doc *ast.QueryDocument) bool {
	var walk func(ast.SelectionSet) bool
	walk = func(set ast.SelectionSet) bool {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if s.Name == "__schema" || s.Name == "__type" {
					return true
				}
			case *ast.InlineFragment:
				if walk(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if s.Definition != nil && walk(s.Definition.SelectionSet) {
					return true
				}
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if walk(op.SelectionSet) {
			return true
		}
	}
	return false
}

func toErrors(err error, code string) []gqlError {
	var list gqlerror.List
	var one *gqlerror.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = gqlerror.List{one}
	default:
		return []gqlError{{Message: err.Error(), Code: code}}
	}
	out := make([]gqlError, 0, len(list))
	for _, e := range list {
		ge := gqlError{Message: e.Message, Code: code}
		if code == CodeBadUserInput {
			ge.Message = variableMessage(e)
		}
		for _, l := range e.Locations {
			ge.Locations = append(ge.Locations, &ast.Position{Line: l.Line, Column: l.Column})
		}
		out = append(out, ge)
	}
	return out
}

// Execute runs a request and appends the complete JSON response to dst.
func (e *Engine) Execute(ctx context.Context, req *Request, dst []byte) ([]byte, Result) {
	start := len(dst)
	d := e.lookupCtx(ctx, req.Query)
	if d.errs != nil {
		return e.requestError(dst, d.errs, req), Result{Outcome: OutcomeRequestError, Rejected: d.rejected, ErrorCode: d.errs[0].Code}
	}
	op, errs := selectOperation(d.doc, req.OperationName)
	if errs != nil {
		return e.requestError(dst, errs, req), Result{Outcome: OutcomeRequestError, ErrorCode: errs[0].Code}
	}
	res := Result{OperationType: string(op.Operation), OperationName: op.Name, Depth: d.depth, Cost: d.cost}
	if req.ReadOnly && op.Operation != ast.Query {
		res.Outcome, res.ErrorCode = OutcomeMutationNotAllowed, CodeBadUserInput
		return e.requestError(dst, []gqlError{{Message: "only queries are allowed over GET; send mutations with POST", Code: CodeBadUserInput}}, req), res
	}
	if max := e.opts.Limits.MaxVariablesBytes; max > 0 && len(req.Variables) > 0 {
		if n, over := variablesTooLarge(req.Variables, max); over {
			res.Outcome, res.Rejected, res.ErrorCode = OutcomeRequestError, true, CodeBadUserInput
			msg := fmt.Sprintf("the variables are over %d bytes (counted %d so far), the limit (max_variables_bytes)", max, n)
			return e.requestError(dst, []gqlError{{Message: msg, Code: CodeBadUserInput}}, req), res
		}
	}
	vars, gerr := validator.VariableValues(e.schema.AST, op, req.Variables)
	if gerr != nil {
		res.Outcome, res.ErrorCode = OutcomeRequestError, CodeBadUserInput
		return e.requestError(dst, toErrors(gerr, CodeBadUserInput), req), res
	}
	vars = e.withIdentity(vars, req.Identity)
	if errs := e.roleLimits(roles(vars), d); errs != nil {
		res.Outcome, res.ErrorCode, res.Rejected = OutcomeRequestError, CodeQueryTooComplex, true
		return e.requestError(dst, errs, req), res
	}
	c, err := e.compileTraced(ctx, d, op, vars)
	if err != nil {
		res.Outcome = OutcomeFieldError
		if errors.Is(err, plan.ErrForbidden) {
			_, res.Denied, _ = classify(err)
		}
		dst, res.ErrorCode = e.fieldError(dst[:start], err, nil, req)
		return dst, res
	}
	if e.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.opts.Timeout)
		defer cancel()
	}
	run := e.run
	if op.Operation == ast.Mutation {
		run = e.runMutation
	}
	var span trace.Span
	if e.opts.Tracer != nil {
		ctx, span = e.opts.Tracer.Start(ctx, "graphql.execute", trace.WithAttributes(
			attribute.String("graphql.operation.type", string(op.Operation)),
			attribute.String("graphql.operation.name", op.Name)))
	}
	out, code := run(ctx, dst, c, vars, req)
	if code != "" {
		res.Outcome, res.ErrorCode = OutcomeFieldError, code
	}
	if span != nil {
		if code != "" {
			span.SetStatus(codes.Error, code)
		}
		span.End()
	}
	return out, res
}

func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, []gqlError) {
	if name == "" {
		if len(doc.Operations) != 1 {
			return nil, []gqlError{{Message: "the document has several operations: say which with operationName", Code: CodeBadUserInput}}
		}
		return doc.Operations[0], nil
	}
	op := doc.Operations.ForName(name)
	if op == nil {
		return nil, []gqlError{{Message: "unknown operation " + name, Code: CodeBadUserInput}}
	}
	return op, nil
}

// shapeKey identifies the SQL shape a request compiles to: the operation,
// the values of variables that choose SQL structure (@skip/@include
// conditions, order_by and group_by names) and the shape of the others
// (null-ness, filter keys) — never their values.
func shapeKey(op *ast.OperationDefinition, vars map[string]any) string {
	b := make([]byte, 0, 64)
	b = append(b, op.Name...)
	for _, v := range op.VariableDefinitions {
		b = append(b, 0, '$')
		b = append(b, v.Variable...)
		b = append(b, '=')
		val := vars[v.Variable]
		if structural(v) {
			b = appendExact(b, val)
		} else {
			b = plan.Signature(b, val)
		}
	}
	return string(b)
}

// structural reports whether a variable's value (not only its shape)
// decides the SQL: booleans (directive conditions) and strings (order_by,
// group_by). String variables used as filter values compile once per
// distinct value; their values are still bound as parameters.
func structural(v *ast.VariableDefinition) bool {
	t := v.Type
	for t.Elem != nil {
		t = t.Elem
	}
	return t.NamedType == "Boolean" || t.NamedType == "String"
}

func appendExact(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'N')
	case bool:
		if x {
			return append(b, 'T')
		}
		return append(b, 'F')
	case string:
		b = append(b, '"')
		b = append(b, x...)
		return append(b, '"')
	case []any:
		b = append(b, '[')
		for _, e := range x {
			b = appendExact(b, e)
			b = append(b, ',')
		}
		return append(b, ']')
	}
	return plan.Signature(b, v)
}

func (e *Engine) compile(d *document, op *ast.OperationDefinition, vars map[string]any) (*compiled, error) {
	return e.compileFor(d, op, vars, e.db.Dialect())
}

func (e *Engine) compileFor(d *document, op *ast.OperationDefinition, vars map[string]any, dialect database.Dialect) (*compiled, error) {
	key := shapeKey(op, vars) + accessKey(vars)
	d.mu.Lock()
	c := d.plans[key]
	d.mu.Unlock()
	if c != nil {
		e.stats.planHits.Add(1)
		return c, nil
	}
	e.stats.planMisses.Add(1)
	p, err := plan.Build(e.schema, dialect, op, vars, plan.Options{
		TimeZone: e.opts.TimeZone, Now: e.opts.Now, CursorKey: e.cursorKey(),
		Roles: roles(vars), Closed: e.opts.ClosedByDefault,
	})
	if err != nil {
		return nil, err
	}
	c = &compiled{op: p, stmts: make([]sqlgen.Statement, len(p.Roots)), guards: make([]sqlgen.Statement, len(p.Roots))}
	opts := sqlgen.Options{TimeZone: e.tzName}
	for i, r := range p.Roots {
		switch r.Kind {
		case plan.RootSelect:
			c.stmts[i], err = sqlgen.Render(dialect, r.Query, p.Params, opts)
		case plan.RootMutation:
			c.stmts[i], err = renderMutation(dialect, r.Mutation.Object, p.Params, opts)
			if err == nil {
				c.guards[i], err = renderMutation(dialect, r.Mutation.Guard, p.Params, opts)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	d.mu.Lock()
	if len(d.plans) < 64 {
		d.plans[key] = c
	}
	d.mu.Unlock()
	return c, nil
}

// run executes the compiled operation, one statement per root field, and
// appends `{"data":{…}}` to dst.
func (e *Engine) run(ctx context.Context, dst []byte, c *compiled, vars map[string]any, req *Request) ([]byte, string) {
	start := len(dst)
	values := make([]any, len(c.op.Params))
	done := make([]bool, len(c.op.Params))
	dst = append(dst, `{"data":{`...)
	for i, r := range c.op.Roots {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, r.Key)
		dst = append(dst, ':')
		var err error
		switch r.Kind {
		case plan.RootTypename:
			dst = appendString(dst, r.Typename)
		case plan.RootIntrospection:
			dst, err = introspection.Append(dst, e.schema.AST, r.Field, vars)
		case plan.RootSelect:
			st := c.stmts[i]
			args := make([]any, len(st.Params))
			for j, pi := range st.Params {
				if !done[pi] {
					if values[pi], err = c.op.Params[pi].Value(vars); err != nil {
						break
					}
					done[pi] = true
				}
				args[j] = values[pi]
			}
			if err == nil {
				dst, err = e.appendJSON(ctx, dst, st.SQL, args)
			}
		}
		if err != nil {
			return e.fieldError(dst[:start], withContextErr(ctx, err), []string{r.Key}, req)
		}
	}
	return append(dst, "}}"...), ""
}

func (e *Engine) requestError(dst []byte, errs []gqlError, req *Request) []byte {
	dst = append(dst, '{')
	dst = appendErrors(dst, errs, req.RequestID)
	return append(dst, '}')
}

// fieldError answers {"errors":[…],"data":null}: every root field of the
// generated API is non-null except the by-id readers, so a failed field
// nulls the whole result.
func (e *Engine) fieldError(dst []byte, err error, path []string, req *Request) ([]byte, string) {
	if path == nil {
		path = errorPath(err)
	}
	ge := gqlError{Path: path}
	code, msg, internal := classify(err)
	ge.Code, ge.Message = code, msg
	if internal {
		e.opts.Logger.Error("execute failed", "err", err, "request_id", req.RequestID, "operation", req.OperationName)
		if e.opts.Debug {
			ge.Message = "internal error: " + err.Error()
		}
	}
	dst = append(dst, '{')
	dst = appendErrors(dst, []gqlError{ge}, req.RequestID)
	return append(dst, `,"data":null}`...), ge.Code
}
