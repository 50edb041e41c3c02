package write

import (
	"fmt"
	"strconv"
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
	bulk := mu.Op != "delete"
	for i, v := range given {
		p := path
		if bulk {
			p = path + "." + strconv.Itoa(i)
		}
		k, ok := s.key(m, v, p)
		if !ok {
			continue
		}
		found, err := s.admitted(m, k)
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
	for i, k := range keys {
		p := path
		if bulk {
			p = path + "." + strconv.Itoa(i)
		}
		if err := s.protected(m, k, p); err != nil {
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

// protected reports why deleting the row id of m is refused, as Django's
// deletion collector would: a row reached through on_delete protect, from
// the row itself or from any row the delete cascades into, or through
// on_delete restrict from a row that is not deleted too. The database
// performs the cascades; this walk only finds what must stop them, so it
// is skipped for models whose cascades reach no protect or restrict.
func (s *session) protected(m *model.Model, id any, path string) error {
	if !guarded(m, map[*model.Model]bool{}) {
		return nil
	}
	type ref struct {
		e   *model.Edge
		key string
	}
	doomed := map[*model.Model]map[string]bool{m: {fmt.Sprint(id): true}}
	type batch struct {
		m    *model.Model
		keys []any
	}
	queue := []batch{{m, []any{id}}}
	protect := map[*model.Edge]int{}
	var edges []*model.Edge // protect edges in the order found
	var restricted []ref
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		for _, e := range b.m.Edges {
			if !e.Reverse || e.Join != nil {
				continue
			}
			od := e.Field.Rel.OnDelete
			if od != model.Cascade && od != model.Protect && od != model.Restrict {
				continue
			}
			child := e.To
			var found []any
			err := s.referencing(e, b.keys, func(k any) { found = append(found, k) })
			if err != nil {
				return err
			}
			switch od {
			case model.Cascade:
				var fresh []any
				for _, k := range found {
					ks := fmt.Sprint(k)
					if doomed[child] == nil {
						doomed[child] = map[string]bool{}
					}
					if !doomed[child][ks] {
						doomed[child][ks] = true
						fresh = append(fresh, k)
					}
				}
				if len(fresh) > 0 {
					queue = append(queue, batch{child, fresh})
				}
			case model.Protect:
				if len(found) > 0 && protect[e] == 0 {
					edges = append(edges, e)
				}
				protect[e] += len(found)
			case model.Restrict:
				for _, k := range found {
					restricted = append(restricted, ref{e, fmt.Sprint(k)})
				}
			}
		}
	}
	for _, e := range edges {
		s.fail(path, "protected", "Cannot delete %s %v: protected by %s (%s.%s, on_delete: protect).", m.Name, id, rows(protect[e], e.To.Name), e.To.Name, s.w.g.Name(e.Field.Name))
	}
	restrict := map[*model.Edge]int{}
	edges = edges[:0]
	for _, r := range restricted {
		if doomed[r.e.To][r.key] {
			continue // deleted by the same cascade: Django allows it
		}
		if restrict[r.e] == 0 {
			edges = append(edges, r.e)
		}
		restrict[r.e]++
	}
	for _, e := range edges {
		s.fail(path, "protected", "Cannot delete %s %v: restricted by %s (%s.%s, on_delete: restrict).", m.Name, id, rows(restrict[e], e.To.Name), e.To.Name, s.w.g.Name(e.Field.Name))
	}
	return nil
}

// rows says "1 Pin row" or "3 Pin rows".
func rows(n int, name string) string {
	if n == 1 {
		return "1 " + name + " row"
	}
	return strconv.Itoa(n) + " " + name + " rows"
}

// referencingBatch bounds the keys of one IN list.
const referencingBatch = 500

// referencing calls fn with the key of every row of e.To whose foreign key
// (e.Field) holds one of keys.
func (s *session) referencing(e *model.Edge, keys []any, fn func(any)) error {
	child := e.To
	for len(keys) > 0 {
		n := min(len(keys), referencingBatch)
		phs := make([]string, n)
		for i := range phs {
			phs[i] = s.ph(i + 1)
		}
		sql := "SELECT " + q(child.PK.Column) + " FROM " + q(child.Table) + " WHERE " + q(e.ToColumn) + " IN (" + strings.Join(phs, ", ") + ")"
		err := s.tx.QueryRows(s.ctx, sql, keys[:n], func(scan func(...any) error) error {
			var k any
			if err := scan(&k); err != nil {
				return err
			}
			fn(normalizeKey(child, k))
			return nil
		})
		if err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// guarded reports whether deleting rows of m can meet a protect or
// restrict relation, directly or through cascades.
func guarded(m *model.Model, seen map[*model.Model]bool) bool {
	if seen[m] {
		return false
	}
	seen[m] = true
	for _, e := range m.Edges {
		if !e.Reverse || e.Join != nil {
			continue
		}
		switch e.Field.Rel.OnDelete {
		case model.Protect, model.Restrict:
			return true
		case model.Cascade:
			if guarded(e.To, seen) {
				return true
			}
		}
	}
	return false
}
