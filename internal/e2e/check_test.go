package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a testing.TB that keeps the errors reported to it, to test
// the runner's own comparison.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestCheck proves the runner fails a case on a different value and on a
// different key order, at any depth, and accepts equal JSON written
// differently.
func TestCheck(t *testing.T) {
	want := `{"data": {"posts": [{"id": "1", "title": "a"}, {"id": "2", "title": "b"}], "n": 1.5}}`
	tests := []struct {
		name string
		got  string
		// wantErrors are substrings of the expected errors, in order.
		wantErrors []string
	}{
		{"equal", `{"data":{"posts":[{"id":"1","title":"a"},{"id":"2","title":"b"}],"n":1.50}}`, nil},
		{"other value", `{"data":{"posts":[{"id":"1","title":"a"},{"id":"2","title":"c"}],"n":1.5}}`, []string{"response mismatch"}},
		{"other list order", `{"data":{"posts":[{"id":"2","title":"b"},{"id":"1","title":"a"}],"n":1.5}}`, []string{"response mismatch"}},
		{"keys out of order deep", `{"data":{"posts":[{"id":"1","title":"a"},{"title":"b","id":"2"}],"n":1.5}}`, []string{"keys out of order"}},
		{"keys out of order top", `{"data":{"n":1.5,"posts":[{"id":"1","title":"a"},{"id":"2","title":"b"}]}}`, []string{"keys out of order"}},
		{"extra key", `{"data":{"posts":[{"id":"1","title":"a"},{"id":"2","title":"b"}],"n":1.5},"errors":[]}`, []string{"response mismatch", "keys out of order"}},
		{"not JSON", `{"data":`, []string{"not JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			ok := check(r, &Case{Name: tt.name, Want: want}, []byte(tt.got))
			if ok != (len(tt.wantErrors) == 0) {
				t.Errorf("check returned %v with errors %q", ok, r.errors)
			}
			if len(r.errors) != len(tt.wantErrors) {
				t.Fatalf("got %d errors %q, want %d", len(r.errors), r.errors, len(tt.wantErrors))
			}
			for i, w := range tt.wantErrors {
				if !strings.Contains(r.errors[i], w) {
					t.Errorf("error %d = %q, want it to mention %q", i, r.errors[i], w)
				}
			}
		})
	}
}

// TestPretty proves the layout of expected values keeps every value and
// key order, fits short values on one line and packs short list items.
func TestPretty(t *testing.T) {
	in := `{"data":{"posts":[{"id":"20"},{"id":"1"},{"id":"2"}],"b":{"z":1,"a":[true,null,"é<&>"]},` +
		`"long":{"title":"` + strings.Repeat("x", 90) + `","n":-1.25e3}}}`
	n, err := parseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := n.pretty()
	want := `{
  "data": {
    "posts": [{"id": "20"}, {"id": "1"}, {"id": "2"}],
    "b": {"z": 1, "a": [true, null, "é<&>"]},
    "long": {
      "title": "` + strings.Repeat("x", 90) + `",
      "n": -1.25e3
    }
  }
}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pretty (-want +got):\n%s", diff)
	}
	back, err := parseJSON([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if back.compact() != n.compact() {
		t.Errorf("pretty does not round-trip:\n%s\n%s", back.compact(), n.compact())
	}
}
