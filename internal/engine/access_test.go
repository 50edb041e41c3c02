package engine_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/testdb"
)

const accessFixtures = `[
 {"model": "Author", "pk": 1, "fields": {"name": "Ann", "email": "ann@example.com"}},
 {"model": "Author", "pk": 2, "fields": {"name": "Bob", "email": "bob@example.com"}},
 {"model": "Post", "pk": 1, "fields": {"title": "p1 public by u1", "published": true, "owner": "u1", "author": 1}},
 {"model": "Post", "pk": 2, "fields": {"title": "p2 draft by u1", "published": false, "owner": "u1", "author": 1}},
 {"model": "Post", "pk": 3, "fields": {"title": "p3 draft by u2", "published": false, "owner": "u2", "author": 2}},
 {"model": "Post", "pk": 4, "fields": {"title": "p4 public by u2", "published": true, "owner": "u2", "author": 2}},
 {"model": "Secret", "pk": 1, "fields": {"value": "s"}}
]`

var (
	anonymous = (*engine.Identity)(nil)
	u1        = &engine.Identity{ID: "u1"}
	u2        = &engine.Identity{ID: "u2"}
	editor    = &engine.Identity{ID: "u3", Roles: []string{"editor"}}
	noID      = &engine.Identity{}
)

func accessEngine(t *testing.T, d database.Dialect, closed bool) *engine.Engine {
	t.Helper()
	ms, err := model.Load("testdata/access.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, d)
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadFixtures(ctx, db, ms, []byte(accessFixtures)); err != nil {
		t.Fatal(err)
	}
	return engine.New(db, g, engine.Options{ClosedByDefault: closed})
}

func run(t *testing.T, e *engine.Engine, who *engine.Identity, query string) any {
	t.Helper()
	out, _ := e.Execute(context.Background(), &engine.Request{Query: query, Identity: who}, nil)
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	return v
}

func parse(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expectation %s: %v", s, err)
	}
	return v
}

// TestAccessReads is the read half of the permission matrix: rows the
// roles may not see never show up, not as rows, nested rows, counts,
// aggregates, groups, page totals or through relation filters.
func TestAccessReads(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := accessEngine(t, d, false)
			for _, tc := range []struct {
				name  string
				who   *engine.Identity
				query string
				want  string
			}{
				{"anonymous sees published posts", anonymous, `{ posts { id } }`,
					`{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`},
				{"owner also sees own drafts", u1, `{ posts { id } }`,
					`{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"4"}]}}`},
				{"other owner", u2, `{ posts { id } }`,
					`{"data":{"posts":[{"id":"1"},{"id":"3"},{"id":"4"}]}}`},
				{"inherited role with an open grant sees all", editor, `{ posts { id } }`,
					`{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"3"},{"id":"4"}]}}`},
				{"by id outside the filter is null", anonymous, `{ post(id: 2) { id } }`,
					`{"data":{"post":null}}`},
				{"include cannot reach around the filter", anonymous, `{ posts(include: ["2", "3"]) { id } }`,
					`{"data":{"posts":[{"id":"1"},{"id":"4"}]}}`},
				{"nested lists and counts", anonymous, `{ authors { name posts { id } posts_count } }`,
					`{"data":{"authors":[{"name":"Bob","posts":[{"id":"4"}],"posts_count":1},{"name":"Ann","posts":[{"id":"1"}],"posts_count":1}]}}`},
				{"count filters", anonymous, `{ authors(filters: {posts_count__gte: 2}) { name } }`,
					`{"data":{"authors":[]}}`},
				{"relation filters", anonymous, `{ authors(filters: {posts__title__icontains: "draft"}) { name } }`,
					`{"data":{"authors":[]}}`},
				{"order by count", anonymous, `{ authors(order_by: ["-posts_count", "name"]) { name } }`,
					`{"data":{"authors":[{"name":"Ann"},{"name":"Bob"}]}}`},
				{"aggregate", anonymous, `{ posts_aggregate { count } }`,
					`{"data":{"posts_aggregate":{"count":2}}}`},
				{"groups", anonymous, `{ posts_groups(group_by: "published") { key count } }`,
					`{"data":{"posts_groups":[{"key":"true","count":2}]}}`},
				{"page totals", anonymous, `{ posts_pages(per_page: 1) { page_info { total_count page_count } } }`,
					`{"data":{"posts_pages":{"page_info":{"total_count":2,"page_count":2}}}}`},
				{"connection totals", anonymous, `{ posts_connection(first: 1) { total_count edges { node { id } } } }`,
					`{"data":{"posts_connection":{"total_count":2,"edges":[{"node":{"id":"1"}}]}}}`},
				{"readable fields", anonymous, `{ authors { email } }`,
					`{"errors":[{"message":"Author.email is not readable by role anonymous","path":["authors"],"extensions":{"code":"FORBIDDEN"}}],"data":null}`},
				{"authenticated reads every author field", u1, `{ author(id: 1) { email } }`,
					`{"data":{"author":{"email":"ann@example.com"}}}`},
				{"a rule naming a missing claim grants nothing", noID, `{ posts { id } }`,
					`{"errors":[{"message":"role authenticated may not read Post","path":["posts"],"extensions":{"code":"FORBIDDEN"}}],"data":null}`},
				{"models without rules are open by default", anonymous, `{ secrets { value } }`,
					`{"data":{"secrets":[{"value":"s"}]}}`},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got := run(t, e, tc.who, tc.query)
					if diff := cmp.Diff(parse(t, tc.want), got); diff != "" {
						t.Errorf("%s (-want +got):\n%s", tc.query, diff)
					}
				})
			}
			closed := accessEngine(t, d, true)
			got := run(t, closed, u1, `{ secrets { value } }`)
			want := `{"errors":[{"message":"Secret declares no permissions, and models without rules are closed in this environment","path":["secrets"],"extensions":{"code":"FORBIDDEN"}}],"data":null}`
			if diff := cmp.Diff(parse(t, want), got); diff != "" {
				t.Errorf("closed default (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAccessWrites is the write half: operations, row guards, writable
// fields and presets that the client cannot override.
func TestAccessWrites(t *testing.T) {
	for _, d := range testdb.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			e := accessEngine(t, d, false)
			for _, tc := range []struct {
				name  string
				who   *engine.Identity
				query string
				want  string
			}{
				{"anonymous may not create", anonymous, `mutation { create_post(input: {title: "x", author: 1}) { ok } }`,
					`{"errors":[{"message":"role anonymous may not create Post","path":["create_post"],"extensions":{"code":"FORBIDDEN"}}],"data":null}`},
				{"create gets the preset owner", u1, `mutation { create_post(input: {title: "new", author: 1}) { ok object { title owner } } }`,
					`{"data":{"create_post":{"ok":true,"object":{"title":"new","owner":"u1"}}}}`},
				{"presets cannot be overridden", u1, `mutation { create_post(input: {title: "x", author: 1, owner: "u2"}) { ok errors { field code } } }`,
					`{"data":{"create_post":{"ok":false,"errors":[{"field":"owner","code":"forbidden"}]}}}`},
				{"another owner's row is not found", u1, `mutation { update_post(id: 3, input: {title: "mine"}) { ok errors { field code } } }`,
					`{"data":{"update_post":{"ok":false,"errors":[{"field":"id","code":"not_found"}]}}}`},
				{"own row updates", u1, `mutation { update_post(id: 2, input: {title: "p2 edited"}) { ok object { title } } }`,
					`{"data":{"update_post":{"ok":true,"object":{"title":"p2 edited"}}}}`},
				{"fields outside the writable set", u1, `mutation { update_post(id: 2, input: {author: 2}) { ok errors { field code } } }`,
					`{"data":{"update_post":{"ok":false,"errors":[{"field":"author","code":"forbidden"}]}}}`},
				{"another owner's row cannot be deleted", u1, `mutation { delete_post(id: 4) { ok errors { field code } } }`,
					`{"data":{"delete_post":{"ok":false,"errors":[{"field":"id","code":"not_found"}]}}}`},
				{"bulk is not granted", u1, `mutation { bulk_delete_post(ids: [2]) { ok } }`,
					`{"errors":[{"message":"role authenticated may not use bulk mutations on Post","path":["bulk_delete_post"],"extensions":{"code":"FORBIDDEN"}}],"data":null}`},
				{"editor updates any row", editor, `mutation { update_post(id: 3, input: {title: "p3 by editor"}) { ok object { title owner } } }`,
					`{"data":{"update_post":{"ok":true,"object":{"title":"p3 by editor","owner":"u2"}}}}`},
			} {
				t.Run(tc.name, func(t *testing.T) {
					got := run(t, e, tc.who, tc.query)
					if diff := cmp.Diff(parse(t, tc.want), got); diff != "" {
						t.Errorf("%s (-want +got):\n%s", tc.query, diff)
					}
				})
			}
			// Refused writes changed nothing.
			got := run(t, e, editor, `{ posts { id title owner } }`)
			want := `{"data":{"posts":[{"id":"1","title":"p1 public by u1","owner":"u1"},{"id":"2","title":"p2 edited","owner":"u1"},{"id":"3","title":"p3 by editor","owner":"u2"},{"id":"4","title":"p4 public by u2","owner":"u2"},{"id":"5","title":"new","owner":"u1"}]}}`
			if diff := cmp.Diff(parse(t, want), got); diff != "" {
				t.Errorf("rows after the writes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRoleLimits checks roles.<r>.max_depth and max_cost on top of the
// server's limits.
func TestRoleLimits(t *testing.T) {
	e := accessEngine(t, database.SQLite, false)
	shallow := &engine.Identity{ID: "u1", Roles: []string{"shallow"}}
	for _, tc := range []struct {
		name, query, want string
		who               *engine.Identity
	}{
		{"within the caps", `{ posts(limit: 5) { id } }`, `{"data":{"posts":[{"id":"1"},{"id":"2"},{"id":"4"}]}}`, shallow},
		{"too deep for the role", `{ authors { posts { id } } }`,
			`{"errors":[{"message":"the operation is 2 levels deep, over the limit of 1 for role authenticated, shallow (roles.max_depth)","extensions":{"code":"QUERY_TOO_COMPLEX"}}]}`, shallow},
		{"too costly for the role", `{ posts(limit: 50) { id title } }`,
			`{"errors":[{"message":"the operation costs 101, over the limit of 20 for role authenticated, shallow (roles.max_cost)","extensions":{"code":"QUERY_TOO_COMPLEX"}}]}`, shallow},
		{"other roles are not capped", `{ authors { posts { id } } }`,
			`{"data":{"authors":[{"posts":[{"id":"3"},{"id":"4"}]},{"posts":[{"id":"1"}]}]}}`, u2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, e, tc.who, tc.query)
			if diff := cmp.Diff(parse(t, tc.want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, diff)
			}
		})
	}
}
