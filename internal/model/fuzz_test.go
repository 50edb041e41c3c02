package model

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and must
// return either a consistent schema or only positioned *Error values.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml", "../../examples/blog/models.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatal("got a schema and an error")
			}
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("got %T, want errors.Join", err)
			}
			for _, e := range joined.Unwrap() {
				var me *Error
				if !errors.As(e, &me) || me.Pos.Line < 1 || me.Pos.Col < 1 {
					t.Fatalf("got %#v, want a positioned *Error", e)
				}
				if !strings.HasPrefix(me.Error(), "f.yaml:") {
					t.Fatalf("got %q, want the file name first", me.Error())
				}
			}
			return
		}
		checkSchema(t, s)
	})
}

// checkSchema checks the invariants other packages rely on.
func checkSchema(t *testing.T, s *Schema) {
	t.Helper()
	if len(s.Models) == 0 {
		t.Fatal("schema without models")
	}
	for _, m := range s.Models {
		if s.Model(m.Name) != m {
			t.Fatalf("Schema.Model(%q) is not the model", m.Name)
		}
		if m.PK == nil || m.Field(m.PK.Name) != m.PK || m.Table == "" || m.Singular == "" || m.Plural == "" || m.Plural == m.Singular {
			t.Fatalf("model %s is not fully resolved: %+v", m.Name, m)
		}
		for _, f := range m.Fields {
			if m.Field(f.Name) != f || f.Model != m {
				t.Fatalf("%s.%s is not indexed", m.Name, f.Name)
			}
			if (f.Column == "") != (f.Type == TypeManyToMany) {
				t.Fatalf("%s.%s has column %q", m.Name, f.Name, f.Column)
			}
			if f.Type.IsRelation() && (f.Rel == nil || f.Rel.Target == nil || f.Rel.RelatedName == "") {
				t.Fatalf("%s.%s relation is not resolved", m.Name, f.Name)
			}
			if f.Type == TypeManyToMany && f.Rel.Join == nil {
				t.Fatalf("%s.%s has no join table", m.Name, f.Name)
			}
		}
		names := map[string]bool{}
		for _, e := range m.Edges {
			if names[e.Name] || m.Edge(e.Name) != e || e.From != m {
				t.Fatalf("%s edge %s is duplicated or not indexed", m.Name, e.Name)
			}
			names[e.Name] = true
			if e.Reverse && m.Field(e.Name) != nil {
				t.Fatalf("%s reverse edge %s clashes with a field", m.Name, e.Name)
			}
		}
	}
}
