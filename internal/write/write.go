package write

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// Writer performs the writes of mutation root fields inside a transaction.
// It is stateless apart from its configuration and safe for concurrent use.
type Writer struct {
	g   *gqlschema.Schema
	d   database.Dialect
	now func() time.Time
}

// New returns a Writer; now defaults to time.Now.
func New(g *gqlschema.Schema, d database.Dialect, now func() time.Time) *Writer {
	if now == nil {
		now = time.Now
	}
	return &Writer{g: g, d: d, now: now}
}

// ReadFunc renders the payload object of the row with the given key, inside
// the mutation's transaction.
type ReadFunc func(ctx context.Context, id any) ([]byte, error)

// GuardFunc reports whether the roles' row filter for the mutation's
// operation admits the row with the given key.
type GuardFunc func(ctx context.Context, id any) (bool, error)

// Result is the outcome of one mutation root field.
type Result struct {
	// Objects are the payload objects (JSON) of the written or deleted
	// rows, in input order; empty when the payload selects no object.
	Objects [][]byte
	// Errors are the input problems; when there are any nothing of the
	// request may be committed.
	Errors []FieldError
	// IDs are the keys of the created, updated or deleted rows of the root
	// field (not of nested writes), in input order, for the audit log.
	IDs []any
}

// Run performs one mutation root field. A returned error is an internal
// failure; input problems are in Result.Errors.
func (w *Writer) Run(ctx context.Context, tx database.Querier, mu *plan.Mutation, vars map[string]any, read ReadFunc, guard GuardFunc) (Result, error) {
	args := mu.Field.ArgumentMap(vars)
	s := &session{w: w, tx: tx, ctx: ctx, now: w.now().UTC(), writes: mu.Writes, vars: vars, guard: guard}
	var res Result
	var ids []any
	var err error
	switch mu.Op {
	case gqlschema.OpCreate:
		in, _ := args["input"].(map[string]any)
		var id any
		id, err = s.create(mu.Model, in, "", nil)
		ids = []any{id}
	case gqlschema.OpUpdate:
		in, _ := args["input"].(map[string]any)
		var id any
		id, err = s.update(mu.Model, args["id"], in, "")
		ids = []any{id}
	case gqlschema.OpBulkCreate:
		list, _ := args["inputs"].([]any)
		for i, x := range list {
			in, _ := x.(map[string]any)
			id, e := s.create(mu.Model, in, "inputs."+strconv.Itoa(i)+".", nil)
			if err = e; err != nil {
				break
			}
			ids = append(ids, id)
		}
	case gqlschema.OpBulkUpdate:
		list, _ := args["inputs"].([]any)
		for i, x := range list {
			item, _ := x.(map[string]any)
			in, _ := item["data"].(map[string]any)
			id, e := s.update(mu.Model, item["id"], in, "inputs."+strconv.Itoa(i)+".")
			if err = e; err != nil {
				break
			}
			ids = append(ids, id)
		}
	case gqlschema.OpDelete:
		res, err := s.delete(mu, []any{args["id"]}, "id", read)
		res.IDs = []any{args["id"]}
		return res, err
	case gqlschema.OpBulkDelete:
		list, _ := args["ids"].([]any)
		res, err := s.delete(mu, list, "ids", read)
		res.IDs = list
		return res, err
	default:
		return res, fmt.Errorf("write: unknown operation %q", mu.Op)
	}
	if err != nil {
		return res, err
	}
	res.Errors, res.IDs = s.errs, ids
	if len(s.errs) > 0 || mu.Object == nil {
		return res, nil
	}
	for _, id := range ids {
		obj, err := read(ctx, id)
		if err != nil {
			return res, err
		}
		res.Objects = append(res.Objects, obj)
	}
	return res, nil
}

// session is the state of one mutation root field.
type session struct {
	w    *Writer
	tx   database.Querier
	ctx  context.Context
	now  time.Time
	errs []FieldError
	// writes answers the roles' create and update grants; vars hold the
	// identity values presets read; guard applies the row filter of
	// updates and deletes (nil: none).
	writes plan.Writes
	vars   map[string]any
	guard  GuardFunc
}

// admitted reports whether the row exists and the roles' row filter for
// the operation admits it; a row the roles may not touch is reported as
// not found, so its existence does not leak.
func (s *session) admitted(m *model.Model, id any) (bool, error) {
	found, err := s.exists(m, id)
	if err != nil || !found || s.guard == nil {
		return found, err
	}
	return s.guard(s.ctx, id)
}

// grant returns the roles' grant of op on m, reporting a refusal as a
// field error at path.
func (s *session) grant(m *model.Model, op, path string) (*plan.WriteGrant, bool) {
	if s.writes == nil {
		return &plan.WriteGrant{}, true
	}
	g, err := s.writes.Grant(m, op)
	if err != nil {
		s.fail(strings.TrimSuffix(path, "."), "forbidden", "%s.", strings.TrimPrefix(err.Error(), plan.ErrForbidden.Error()+": "))
		return nil, false
	}
	return g, true
}

func (s *session) fail(path, code, format string, args ...any) {
	s.errs = append(s.errs, FieldError{Field: path, Code: code, Message: fmt.Sprintf(format, args...)})
}

// ph renders statement parameter n.
func (s *session) ph(n int) string {
	if s.w.d == database.Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?" + strconv.Itoa(n)
}

func q(name string) string { return database.QuoteIdent(name) }

// exists reports whether a row of m has the key.
func (s *session) exists(m *model.Model, id any) (bool, error) {
	found := false
	err := s.tx.QueryRows(s.ctx, "SELECT 1 FROM "+q(m.Table)+" WHERE "+q(m.PK.Column)+" = "+s.ph(1)+" LIMIT 1", []any{id},
		func(scan func(...any) error) error { found = true; return nil })
	return found, err
}

// key encodes an API key of m, reporting a malformed one.
func (s *session) key(m *model.Model, v any, path string) (any, bool) {
	id, err := encode(s.w.d, m.PK.ValueKind(), v)
	if err != nil || id == nil {
		s.fail(path, "invalid", "%v is not a valid %s id.", v, m.Name)
		return nil, false
	}
	return id, true
}

// now returns the server time encoded for a date or datetime field.
func (s *session) nowFor(f *model.Field) any {
	t := s.now
	if f.Type == model.TypeDate {
		v, _ := s.w.d.Encode(model.KindDate, t.Format("2006-01-02"))
		return v
	}
	v, _ := s.w.d.Encode(model.KindDateTime, t.Format(time.RFC3339Nano))
	return v
}

// defaultValue returns f's default encoded, and whether it has one.
func (s *session) defaultValue(f *model.Field) (any, bool) {
	switch {
	case f.AutoNow || f.AutoNowAdd:
		return s.nowFor(f), true
	case f.Default == nil:
		return nil, false
	case f.Default.Special == "now":
		return s.nowFor(f), true
	case f.Default.Special == "uuid4":
		return uuid.NewString(), true
	}
	v, err := s.w.d.Encode(f.ValueKind(), f.Default.Value)
	return v, err == nil
}

// uniqueErrors maps a database unique violation to a field error (one
// column) or to a unique_together error on the object (several); other
// errors are returned unchanged. It backs up checkUnique when a concurrent
// writer commits the same value between the check and the write.
func (s *session) uniqueErrors(m *model.Model, err error, path string) error {
	cols, ok := uniqueColumns(err)
	if !ok {
		return err
	}
	var names []string
	for _, col := range cols {
		for _, f := range m.Fields {
			if f.Column == col {
				names = append(names, f.Name)
			}
		}
	}
	switch {
	case len(names) == 1 && len(cols) == 1:
		s.fail(path+s.w.g.Name(names[0]), "unique", "%s with this %s already exists.", m.Name, strings.ReplaceAll(names[0], "_", " "))
	case len(names) > 1 && len(names) == len(cols):
		s.fail(strings.TrimSuffix(path, "."), "unique_together", "%s with this %s already exists.", m.Name, strings.Join(names, " and "))
	default:
		s.fail(strings.TrimSuffix(path, "."), "unique", "%s with these values already exists.", m.Name)
	}
	return nil
}

// errConflict marks write conflicts the caller may retry.
var errConflict = errors.New("write conflict")
