package model

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// blogExample is the example models file of SPEC §1; its resolved dump is
// testdata/good/blog.golden.
var blogExample = filepath.Join("..", "..", "examples", "blog", "models.yaml")

// TestGood parses every testdata/good file and the blog example, and
// compares a dump of the resolved schema with the .golden file.
func TestGood(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "good", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no testdata/good files")
	}
	goldens := map[string]string{blogExample: filepath.Join("testdata", "good", "blog.golden")}
	for _, file := range files {
		goldens[file] = strings.TrimSuffix(file, ".yaml") + ".golden"
	}
	for file, goldenFile := range goldens {
		t.Run(strings.TrimSuffix(filepath.Base(goldenFile), ".golden"), func(t *testing.T) {
			s, err := Load(file)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			golden(t, goldenFile, dump(s))
		})
	}
}

// TestBad parses every testdata/bad file and compares the error text with
// the sibling .err file.
func TestBad(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no testdata/bad files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			s, err := Load(file)
			if err == nil {
				t.Fatal("Load succeeded, want errors")
			}
			if s != nil {
				t.Error("Load returned a schema along with errors")
			}
			checkErrors(t, file, err)
			golden(t, strings.TrimSuffix(file, ".yaml")+".err", err.Error()+"\n")
		})
	}
}

// checkErrors checks the shape of a failed Parse: only *Error values, in
// position order, each naming the file.
func checkErrors(t *testing.T, file string, err error) {
	t.Helper()
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("got %T, want errors.Join of *Error", err)
	}
	var prev Pos
	for _, e := range joined.Unwrap() {
		var me *Error
		if !errors.As(e, &me) {
			t.Fatalf("got %T (%v), want *Error", e, e)
		}
		if me.File != file || me.Pos.Line < 1 || me.Pos.Col < 1 {
			t.Errorf("got file %q pos %v, want %q and a position", me.File, me.Pos, file)
		}
		if me.Pos.Line < prev.Line || me.Pos.Line == prev.Line && me.Pos.Col < prev.Col {
			t.Errorf("error %q comes after %v: not sorted by position", me, prev)
		}
		prev = me.Pos
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// dump renders a resolved schema as stable, reviewable text.
func dump(s *Schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "schema version=%d app=%q naming=%s\n", s.Version, s.App, s.Naming)
	for _, m := range s.Models {
		fmt.Fprintf(&b, "\nmodel %s table=%s singular=%s plural=%s pk=%s\n", m.Name, m.Table, m.Singular, m.Plural, m.PK.Name)
		for _, f := range m.Fields {
			fmt.Fprintf(&b, "  field %s %s", f.Name, f.Type)
			if f.Column != "" {
				fmt.Fprintf(&b, " column=%s", f.Column)
			}
			flags := []struct {
				on   bool
				name string
			}{
				{f.PrimaryKey, "pk"}, {f.Implicit, "implicit"}, {!f.Editable, "readonly"},
				{f.Null, "null"}, {f.Blank, "blank"}, {f.Unique, "unique"}, {f.DBIndex, "db_index"},
				{f.WriteOnly, "write_only"}, {f.AutoNow, "auto_now"}, {f.AutoNowAdd, "auto_now_add"},
				{f.Excluded, "excluded"},
			}
			for _, fl := range flags {
				if fl.on {
					b.WriteString(" " + fl.name)
				}
			}
			for _, o := range []struct {
				name string
				v    int
			}{{"max_length", f.MaxLength}, {"min_length", f.MinLength}, {"max_digits", f.MaxDigits}, {"decimal_places", f.DecimalPlaces}} {
				if o.v != 0 {
					fmt.Fprintf(&b, " %s=%d", o.name, o.v)
				}
			}
			if f.MinValue != nil {
				fmt.Fprintf(&b, " min_value=%g", *f.MinValue)
			}
			if f.MaxValue != nil {
				fmt.Fprintf(&b, " max_value=%g", *f.MaxValue)
			}
			if f.Regex != "" {
				fmt.Fprintf(&b, " regex=%q", f.Regex)
			}
			if f.Default != nil {
				if f.Default.Special != "" {
					fmt.Fprintf(&b, " default=%s", f.Default.Special)
				} else {
					fmt.Fprintf(&b, " default=%#v", f.Default.Value)
				}
			}
			for _, c := range f.Choices {
				fmt.Fprintf(&b, " choice=%q:%q", c.Value, c.Label)
			}
			if f.HelpText != "" {
				fmt.Fprintf(&b, " help=%q", f.HelpText)
			}
			if f.Deprecated != "" {
				fmt.Fprintf(&b, " deprecated=%q", f.Deprecated)
			}
			if f.RenamedFrom != "" {
				fmt.Fprintf(&b, " renamed_from=%s", f.RenamedFrom)
			}
			if r := f.Rel; r != nil {
				fmt.Fprintf(&b, " to=%s related_name=%s", r.Target.Name, r.RelatedName)
				if r.OnDelete != "" {
					fmt.Fprintf(&b, " on_delete=%s", r.OnDelete)
				}
				if j := r.Join; j != nil {
					fmt.Fprintf(&b, " join=%s(%s,%s) has_id=%v", j.Table, j.SourceColumn, j.TargetColumn, j.HasID)
					if j.Through != nil {
						fmt.Fprintf(&b, " through=%s", j.Through.Name)
					}
				}
			}
			b.WriteString("\n")
		}
		for _, e := range m.Edges {
			card, dir := "one", "forward"
			if e.Many {
				card = "many"
			}
			if e.Reverse {
				dir = "reverse"
			}
			fmt.Fprintf(&b, "  edge %s -> %s %s %s via %s.%s", e.Name, e.To.Name, card, dir, e.Field.Model.Name, e.Field.Name)
			if e.Join != nil {
				fmt.Fprintf(&b, " %s.%s = %s.%s, %s.%s = %s.%s\n", e.From.Table, e.FromColumn, e.Join.Table, e.JoinFrom, e.Join.Table, e.JoinTo, e.To.Table, e.ToColumn)
				continue
			}
			fmt.Fprintf(&b, " %s.%s = %s.%s\n", e.From.Table, e.FromColumn, e.To.Table, e.ToColumn)
		}
		meta := m.Meta
		for _, o := range []struct {
			name string
			v    any
			set  bool
		}{
			{"ordering", meta.Ordering, meta.Ordering != nil},
			{"quick", meta.Quick, meta.Quick != nil},
			{"unique_together", meta.UniqueTogether, meta.UniqueTogether != nil},
			{"indexes", meta.Indexes, meta.Indexes != nil},
			{"filter_depth", meta.FilterDepth, meta.FilterDepth != 1},
			{"exclude", meta.Exclude, meta.Exclude != nil},
			{"operations", meta.Operations, meta.Operations != nil},
			{"description", meta.Description, meta.Description != ""},
			{"max_page_size", meta.MaxPageSize, meta.MaxPageSize != 0},
			{"renamed_from", meta.RenamedFrom, meta.RenamedFrom != ""},
		} {
			if o.set {
				fmt.Fprintf(&b, "  meta %s=%v\n", o.name, o.v)
			}
		}
	}
	return b.String()
}
