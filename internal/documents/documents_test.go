package documents

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/autogql/autogql/internal/cache"
	"github.com/autogql/autogql/internal/engine"
)

func TestParseManifest(t *testing.T) {
	q := `query A { posts { id } }`
	for name, doc := range map[string]string{
		"apollo":     `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + Hash(q) + `","name":"A","type":"query","body":"query A { posts { id } }"}]}`,
		"object":     `{"` + Hash(q) + `": "query A { posts { id } }"}`,
		"sha256 ids": `{"sha256:` + Hash(q) + `": "query A { posts { id } }"}`,
		"custom id":  `{"my-op": "query A { posts { id } }"}`,
	} {
		m, err := ParseManifest([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m[Hash(q)] != q {
			t.Errorf("%s: the document is not listed under its hash: %v", name, m)
		}
	}
	for name, doc := range map[string]string{"empty": `{}`, "not json": `[`, "other format": `{"format":"x","operations":[]}`, "no body": `{"format":"apollo-persisted-query-manifest","operations":[{"id":"x"}]}`} {
		if _, err := ParseManifest([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func pq(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": json.Number("1"), "sha256Hash": hash}}
}

func TestResolve(t *testing.T) {
	trusted := `{ posts { id } }`
	other := `{ authors { id } }`
	r, err := New(Options{APQ: true, Store: cache.NewMemory(), Manifest: map[string]string{Hash(trusted): trusted}, Enforce: true, BypassRoles: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	open, _ := New(Options{APQ: true, Store: cache.NewMemory()})
	ctx := context.Background()
	admin := &engine.Identity{ID: "a", Roles: []string{"admin"}}
	code := func(err error) string {
		var e *Error
		if errors.As(err, &e) {
			return e.Code
		}
		return ""
	}
	for _, tc := range []struct {
		name  string
		r     *Resolver
		query string
		ext   map[string]any
		id    *engine.Identity
		want  string // the query, or the error code
	}{
		{"trusted text", r, trusted, nil, nil, trusted},
		{"trusted hash", r, "", pq(Hash(trusted)), nil, trusted},
		{"untrusted text", r, other, nil, nil, CodeForbidden},
		{"untrusted registration", r, other, pq(Hash(other)), nil, CodeForbidden},
		{"bypass", r, other, nil, admin, other},
		{"mismatch", r, trusted, pq(Hash(other)), nil, CodeBadUserInput},
		{"bad hash", r, "", pq("xyz"), nil, CodeBadUserInput},
		{"unknown hash enforced", r, "", pq(Hash(other)), nil, CodeNotFound},
		{"apq unknown", open, "", pq(Hash(other)), nil, CodeNotFound},
		{"apq register", open, other, pq(Hash(other)), nil, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.r.Resolve(ctx, tc.query, tc.ext, tc.id)
			got := res.Query
			if err != nil {
				got = code(err)
			}
			if got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	// Registration happens only when the caller confirms the document.
	res, _ := open.Resolve(ctx, other, pq(Hash(other)), nil)
	if res.Hash != Hash(other) {
		t.Fatalf("registration hash %q", res.Hash)
	}
	if _, err := open.Resolve(ctx, "", pq(Hash(other)), nil); code(err) != CodeNotFound {
		t.Errorf("stored before Register: %v", err)
	}
	if err := open.Register(ctx, res.Hash, other); err != nil {
		t.Fatal(err)
	}
	if got, err := open.Resolve(ctx, "", pq(Hash(other)), nil); err != nil || got.Query != other {
		t.Errorf("after Register: %q %v", got.Query, err)
	}
}
