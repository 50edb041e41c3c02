package write

import (
	"fmt"
	"strings"

	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/plan"
)

// delete removes the rows with the given keys, all or none: an unknown key
// or a row protected by a relation fails the whole field. The payload
// objects are read before the rows go.
func (s *session) delete(mu *plan.Mutation, given []any, path string, read ReadFunc) (Result, error) {
	m := mu.Model
	var res Result
	var keys []any
	var missing []string
	for _, v := range given {
		k, ok := s.key(m, v, path)
		if !ok {
			continue
		}
		found, err := s.exists(m, k)
		if err != nil {
			return res, err
		}
		if !found {
			missing = append(missing, fmt.Sprint(v))
			continue
		}
		keys = append(keys, k)
	}
	if len(missing) > 0 {
		s.fail(path, "not_found", "%s %s not found; nothing was deleted.", m.Name, strings.Join(missing, ", "))
	}
	for _, k := range keys {
		if err := s.protected(m, k, path); err != nil {
			return res, err
		}
	}
	if res.Errors = s.errs; len(s.errs) > 0 {
		return res, nil
	}
	if mu.Object != nil {
		for _, k := range keys {
			obj, err := read(s.ctx, k)
			if err != nil {
				return res, err
			}
			res.Objects = append(res.Objects, obj)
		}
	}
	for _, k := range keys {
		if err := s.tx.Exec(s.ctx, "DELETE FROM "+q(m.Table)+" WHERE "+q(m.PK.Column)+" = "+s.ph(1), k); err != nil {
			return res, err
		}
	}
	return res, nil
}

// protected reports rows of other models that reference the row through a
// relation declared on_delete protect or restrict.
func (s *session) protected(m *model.Model, id any, path string) error {
	for _, e := range m.Edges {
		if !e.Reverse || e.Join != nil {
			continue
		}
		od := e.Field.Rel.OnDelete
		if od != model.Protect && od != model.Restrict {
			continue
		}
		var n int64
		err := s.tx.QueryRows(s.ctx, "SELECT count(*) FROM "+q(e.To.Table)+" WHERE "+q(e.ToColumn)+" = "+s.ph(1), []any{id},
			func(scan func(...any) error) error { return scan(&n) })
		if err != nil {
			return err
		}
		if n > 0 {
			s.fail(path, "protected", "Cannot delete %s %v: %d %s reference it through %s (on_delete: %s).", m.Name, id, n, e.To.Plural, e.Field.Name, od)
		}
	}
	return nil
}
