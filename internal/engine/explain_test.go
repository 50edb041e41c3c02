package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/testdb"
)

// TestRolePageCap: roles.<r>.max_page_size caps lists below the model's
// cap, at the root, nested and in pages.
func TestRolePageCap(t *testing.T) {
	reader := &engine.Identity{ID: "u1", Roles: []string{"reader"}}
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := accessEngine(t, d, false)
			for _, tc := range []struct{ name, query, want string }{
				{"root list", `{ posts { id } }`, `{"data":{"posts":[{"id":"1"}]}}`},
				{"a larger limit is clamped", `{ posts(limit: 50) { id } }`, `{"data":{"posts":[{"id":"1"}]}}`},
				{"pages report the clamped size", `{ posts_pages(per_page: 10) { items { id } page_info { per_page total_count } } }`,
					`{"data":{"posts_pages":{"items":[{"id":"1"}],"page_info":{"per_page":1,"total_count":3}}}}`},
				{"nested lists", `{ author(id: 1) { posts { id } } }`, `{"data":{"author":{"posts":[{"id":"1"}]}}}`},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if diff := cmp.Diff(parse(t, tc.want), run(t, e, reader, tc.query)); diff != "" {
						t.Errorf("%s (-want +got):\n%s", tc.query, diff)
					}
				})
			}
			// The same user without the role gets the model's cap.
			got := run(t, e, u1, `{ posts(limit: 50) { id } }`)
			if diff := cmp.Diff(parse(t, `{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"4"}]}}`), got); diff != "" {
				t.Errorf("without the role (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExplain: Explain shows the roles, the models touched and the SQL
// with the role's filter and the identity's values bound.
func TestExplain(t *testing.T) {
	ms, err := model.Load("testdata/access.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(nil, g, engine.Options{})
	ctx := context.Background()
	ex, err := e.Explain(ctx, &engine.Request{Query: `{ authors { name posts_count } }`, Identity: u1}, database.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"authenticated"}, ex.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Author", "Post"}, ex.Models); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	if len(ex.Roots) != 1 || ex.Roots[0].Kind != "select" || !strings.Contains(ex.Roots[0].SQL, `"owner"`) {
		t.Fatalf("roots: %+v, want one select whose count reads the owner filter", ex.Roots)
	}
	found := false
	for _, p := range ex.Roots[0].Params {
		if p == "u1" {
			found = true
		}
	}
	if !found {
		t.Errorf("params %v: want the identity's id u1 bound", ex.Roots[0].Params)
	}
	_, err = e.Explain(ctx, &engine.Request{Query: `{ authors { email } }`}, database.SQLite)
	if !errors.Is(err, engine.ErrExplain) || err.Error() != "Author.email is not readable by role anonymous" {
		t.Errorf("denied explain: %v", err)
	}
	mu, err := e.Explain(ctx, &engine.Request{Query: `mutation { delete_post(id: 1) { ok } }`, Identity: u1}, database.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if mu.Roots[0].Kind != "mutation" || !strings.Contains(mu.Roots[0].Guard, `"owner"`) {
		t.Errorf("delete guard: %+v, want the owner filter", mu.Roots[0])
	}
}
