package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/autogql/autogql/internal/database"
	"github.com/autogql/autogql/internal/engine"
	"github.com/autogql/autogql/internal/gqlschema"
	"github.com/autogql/autogql/internal/migrate"
	"github.com/autogql/autogql/internal/model"
	"github.com/autogql/autogql/internal/seed"
	"github.com/autogql/autogql/internal/testdb"
)

// FuzzPermissionExpression attacks the access rules from both sides.
//
// The client side: an anonymous caller sends any filter (as JSON, through
// a variable) to every read that accepts one; whatever it is, no draft
// post comes back, not as a row, a nested row, a count, an aggregate or a
// group.
//
// The rule side: any anonymous read filter (a YAML flow mapping in the
// models file) that loads and compiles must admit exactly the rows the
// same filter selects for an unrestricted reader: a rule is never wider
// than its expression.
func FuzzPermissionExpression(f *testing.F) {
	db, g := accessDB(f)
	e := engine.New(db, g, engine.Options{})
	ctx := context.Background()
	f.Add(`{"published": false}`, `{published: false}`)
	f.Add(`{"OR": [{"published": false}, {"id": 2}]}`, `{OR: [{published: true}, {owner: u2}]}`)
	f.Add(`{"NOT": {"published": true}}`, `{NOT: {title__icontains: draft}}`)
	f.Add(`{"author__name": "Ann", "title__icontains": "draft"}`, `{author__name: Ann}`)
	f.Add(`{"id__in": ["1","2","3","4"]}`, `{id__in: [2, 3]}`)
	f.Add(`{"AND": [{"OR": []}, {"NOT": {}}]}`, `{AND: [{OR: []}, {NOT: {}}]}`)
	f.Add(`{"title__regex": ".*"}`, `{title__regex: "p[23]"}`)
	f.Add(`{"published__isnull": false}`, `{owner: $user.id}`)
	raw, err := os.ReadFile("testdata/access.yaml")
	if err != nil {
		f.Fatal(err)
	}
	src := string(raw)
	f.Fuzz(func(t *testing.T, clientFilter, ruleFilter string) {
		checkClientFilter(t, e, clientFilter)
		if strings.ContainsAny(ruleFilter, "\n\r#&*!|>%@`") || len(ruleFilter) > 300 {
			return // one flow mapping on one line; no YAML anchors or tags
		}
		text := strings.Replace(src, "read: {filter: {published: true}}", "read: {filter: "+ruleFilter+"}", 1)
		ms2, err := model.Parse("access.yaml", []byte(text))
		if err != nil {
			return
		}
		g, err := gqlschema.Build(ms2, gqlschema.Options{})
		if err != nil {
			return
		}
		ruled := engine.New(db, g, engine.Options{})
		var rule any
		if p := ms2.Model("Post").Meta.Permissions[model.RoleAnonymous]; p != nil && p.Read != nil {
			rule = p.Read.Filter
		}
		got, gotErr := ids(ctx, ruled, nil, `{ posts(limit: 100) { id } }`, nil)
		want, wantErr := ids(ctx, ruled, editor, `query($f: PostFilter) { posts(filters: $f, limit: 100) { id } }`, map[string]any{"f": jsonRound(rule)})
		if gotErr == nil && wantErr == nil && !slices.Equal(got, want) {
			t.Fatalf("rule %s admits %v; the same filter selects %v", ruleFilter, got, want)
		}
		if gotErr == nil && wantErr != nil && len(got) > 0 {
			// The filter does not coerce as a variable: the rule must then
			// admit no more than the published-or-not rows it names; at
			// least never a row outside the table.
			for _, id := range got {
				if id < "1" || id > "9" {
					t.Fatalf("rule %s admits unknown row %s", ruleFilter, id)
				}
			}
		}
	})
}

// accessDB is accessEngine's database and schema, for fuzzing (which
// needs a testing.TB).
func accessDB(t testing.TB) (*database.DB, *gqlschema.Schema) {
	ms, err := model.Load("testdata/access.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := gqlschema.Build(ms, gqlschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, database.SQLite)
	ctx := context.Background()
	if _, err := migrate.Apply(ctx, db, ms); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadFixtures(ctx, db, ms, []byte(accessFixtures)); err != nil {
		t.Fatal(err)
	}
	return db, g
}

func jsonRound(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	json.Unmarshal(b, &out)
	return out
}

func checkClientFilter(t *testing.T, e *engine.Engine, filter string) {
	t.Helper()
	var f any
	if err := json.Unmarshal([]byte(filter), &f); err != nil {
		return
	}
	out, _ := e.Execute(context.Background(), &engine.Request{
		Query: `query($f: PostFilter) {
			posts(filters: $f, limit: 100) { id published }
			authors { posts(filters: $f) { id published } posts_count(filters: $f) }
			posts_aggregate(filters: $f) { count }
			posts_groups(group_by: "published", filters: $f) { key count }
			posts_pages(filters: $f) { page_info { total_count } }
		}`,
		Variables: map[string]any{"f": f},
	}, nil)
	var res struct {
		Data *struct {
			Posts   []struct{ Published bool } `json:"posts"`
			Authors []struct {
				Posts      []struct{ Published bool } `json:"posts"`
				PostsCount int                        `json:"posts_count"`
			} `json:"authors"`
			Aggregate struct{ Count int } `json:"posts_aggregate"`
			Groups    []struct {
				Key   *string
				Count int
			} `json:"posts_groups"`
			Pages struct {
				PageInfo struct {
					TotalCount int `json:"total_count"`
				} `json:"page_info"`
			} `json:"posts_pages"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("response is not JSON: %s", out)
	}
	if res.Data == nil {
		return // an input error: nothing was read
	}
	d := res.Data
	leak := func(what string, v any) {
		t.Fatalf("filter %s leaked a draft through %s: %v\n%s", filter, what, v, out)
	}
	for _, p := range d.Posts {
		if !p.Published {
			leak("posts", p)
		}
	}
	for _, a := range d.Authors {
		for _, p := range a.Posts {
			if !p.Published {
				leak("authors.posts", p)
			}
		}
		if a.PostsCount > 1 {
			leak("posts_count", a.PostsCount)
		}
	}
	if d.Aggregate.Count > 2 {
		leak("posts_aggregate", d.Aggregate.Count)
	}
	if d.Pages.PageInfo.TotalCount > 2 {
		leak("page_info.total_count", d.Pages.PageInfo.TotalCount)
	}
	for _, g := range d.Groups {
		if g.Key == nil || *g.Key != "true" || g.Count > 2 {
			leak("posts_groups", fmt.Sprintf("%v %d", g.Key, g.Count))
		}
	}
}

func ids(ctx context.Context, e *engine.Engine, who *engine.Identity, query string, vars map[string]any) ([]string, error) {
	out, _ := e.Execute(ctx, &engine.Request{Query: query, Variables: vars, Identity: who}, nil)
	var res struct {
		Data *struct {
			Posts []struct{ ID string } `json:"posts"`
		} `json:"data"`
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, err
	}
	if res.Data == nil {
		return nil, fmt.Errorf("%v", res.Errors)
	}
	var list []string
	for _, p := range res.Data.Posts {
		list = append(list, p.ID)
	}
	return list, nil
}
