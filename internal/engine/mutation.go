package engine

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/plan"
	"github.com/autogql/autogql/internal/sqlgen"
	"github.com/autogql/autogql/internal/write"
)

// errRollback ends a mutation transaction whose input was invalid.
var errRollback = errors.New("mutation rolled back")

// maxAttempts bounds the runs of a mutation transaction that keeps losing
// serialization or deadlock races on PostgreSQL. Requests that write the
// same rows in different orders deadlock for real under load; with a
// jittered backoff between attempts they untangle well before this.
const maxAttempts = 10

// retryBackoff waits before attempt n+1 (n ≥ 1): a random time up to
// 10ms·2ⁿ⁻¹, at most 320ms, so that transactions that deadlocked together
// do not start over together. It returns ctx's error if ctx ends first.
func retryBackoff(ctx context.Context, n int) error {
	limit := 10 * time.Millisecond << min(n-1, 5)
	t := time.NewTimer(rand.N(limit) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// mutationResult is the outcome of one root field of a mutation operation.
type mutationResult struct {
	res write.Result
	ran bool
}

// runMutation executes every root field of a mutation operation in one
// transaction. If any field reports input errors, nothing is written: that
// field answers its own errors and every other mutation field answers
// ok: false with a rolled_back error, so no part of the response claims a
// write that did not happen.
func (e *Engine) runMutation(ctx context.Context, dst []byte, c *compiled, vars map[string]any, req *Request) ([]byte, string) {
	start := len(dst)
	w := write.New(e.schema, e.db.Dialect(), e.opts.Now)
	results := make([]mutationResult, len(c.op.Roots))
	failed := -1
	cur := -1 // the root field running, to name it in an internal error
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		failed, cur = -1, -1
		clear(results)
		err = e.db.InTx(ctx, func(tx database.Querier) error {
			for i, r := range c.op.Roots {
				if r.Kind != plan.RootMutation {
					continue
				}
				cur = i
				read := func(ctx context.Context, id any) ([]byte, error) {
					return e.readObject(ctx, tx, c, i, vars, id)
				}
				var guard write.GuardFunc
				if c.guards[i].SQL != "" {
					guard = func(ctx context.Context, id any) (bool, error) {
						out, err := e.runByID(ctx, tx, c, c.guards[i], vars, id)
						return err == nil && string(out) != "null", err
					}
				}
				res, err := w.Run(ctx, tx, r.Mutation, vars, read, guard)
				if err != nil {
					return err
				}
				results[i] = mutationResult{res: res, ran: true}
				if len(res.Errors) > 0 {
					failed = i
					return errRollback
				}
			}
			if e.opts.Auditor != nil {
				return e.opts.Auditor.RecordMutations(ctx, tx, req, mutationEvents(c, results, vars))
			}
			return nil
		})
		if !retryable(err) || attempt == maxAttempts || retryBackoff(ctx, attempt) != nil {
			break
		}
	}
	if err != nil && !errors.Is(err, errRollback) {
		var path []string
		if cur >= 0 {
			path = []string{c.op.Roots[cur].Key}
		}
		return e.fieldError(dst[:start], withContextErr(ctx, err), path, req)
	}
	if e.opts.Auditor != nil && failed < 0 {
		e.opts.Auditor.Committed(ctx, req, mutationEvents(c, results, vars))
	}
	dst = append(dst, `{"data":{`...)
	for i, r := range c.op.Roots {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, r.Key)
		dst = append(dst, ':')
		switch r.Kind {
		case plan.RootTypename:
			dst = appendString(dst, r.Typename)
		case plan.RootMutation:
			res := results[i].res
			if failed >= 0 && i != failed {
				res = write.Result{Errors: []write.FieldError{{
					Code:    "rolled_back",
					Message: "Not applied: " + c.op.Roots[failed].Key + " failed, so nothing in this request was written.",
				}}}
			}
			dst = appendPayload(dst, r.Mutation, res)
		default:
			dst = append(dst, "null"...)
		}
	}
	return append(dst, "}}"...), ""
}

// readObject renders the payload object of one written row with the read
// path's statement for root i, inside the transaction.
func (e *Engine) readObject(ctx context.Context, tx database.Querier, c *compiled, i int, vars map[string]any, id any) ([]byte, error) {
	return e.runByID(ctx, tx, c, c.stmts[i], vars, id)
}

// runByID runs a by-key statement of a mutation (payload object or row
// guard) for the row with the given key.
func (e *Engine) runByID(ctx context.Context, tx database.Querier, c *compiled, st sqlgen.Statement, vars map[string]any, id any) ([]byte, error) {
	v := maps.Clone(vars)
	if v == nil {
		v = map[string]any{}
	}
	v[plan.IDVariable] = id
	args := make([]any, len(st.Params))
	for j, pi := range st.Params {
		val, err := c.op.Params[pi].Value(v)
		if err != nil {
			return nil, err
		}
		args[j] = val
	}
	return tx.AppendJSON(ctx, nil, st.SQL, args...)
}

// renderMutation renders a by-key read of a mutation root (the payload
// object or the row guard), if there is one.
func renderMutation(d database.Dialect, q *plan.One, params []plan.Param, opts sqlgen.Options) (sqlgen.Statement, error) {
	if q == nil {
		return sqlgen.Statement{}, nil
	}
	return sqlgen.Render(d, q, params, opts)
}

// appendParts writes a JSON object of fixed-shape parts in selection
// order: __typename answers its type's name, every other part what value
// appends for it.
func appendParts(dst []byte, parts []plan.Part, value func(dst []byte, p plan.Part) []byte) []byte {
	dst = append(dst, '{')
	for i, p := range parts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, p.Key)
		dst = append(dst, ':')
		if p.What == "__typename" {
			dst = appendString(dst, p.Typename)
		} else {
			dst = value(dst, p)
		}
	}
	return append(dst, '}')
}

// appendPayload writes a mutation payload in selection order.
func appendPayload(dst []byte, mu *plan.Mutation, res write.Result) []byte {
	ok := len(res.Errors) == 0
	return appendParts(dst, mu.Out, func(dst []byte, o plan.Part) []byte {
		switch o.What {
		case "ok":
			return strconv.AppendBool(dst, ok)
		case "object":
			if ok && len(res.Objects) == 1 {
				return append(dst, res.Objects[0]...)
			}
			return append(dst, "null"...)
		case "objects":
			dst = append(dst, '[')
			if ok {
				for j, obj := range res.Objects {
					if j > 0 {
						dst = append(dst, ',')
					}
					dst = append(dst, obj...)
				}
			}
			return append(dst, ']')
		default: // errors
			dst = append(dst, '[')
			for j, fe := range res.Errors {
				if j > 0 {
					dst = append(dst, ',')
				}
				dst = appendFieldError(dst, o.Sub, fe)
			}
			return append(dst, ']')
		}
	})
}

func appendFieldError(dst []byte, sel []plan.Part, fe write.FieldError) []byte {
	return appendParts(dst, sel, func(dst []byte, o plan.Part) []byte {
		switch o.What {
		case "field":
			if fe.Field == "" {
				return append(dst, "null"...)
			}
			return appendString(dst, fe.Field)
		case "message":
			return appendString(dst, fe.Message)
		default: // code
			return appendString(dst, fe.Code)
		}
	})
}

// retryable reports PostgreSQL serialization failures and deadlocks.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
