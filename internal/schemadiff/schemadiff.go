// Package schemadiff classifies the differences between two GraphQL
// schemas as a client sees them: breaking (a valid query may now fail or
// get a value it cannot handle), dangerous (queries stay valid but may
// behave differently: a new enum value, a changed default), or safe. It
// follows graphql-js's findBreakingChanges and findDangerousChanges. `autogql
// schema diff` uses it as a CI gate; it works on parsed schemas only
// (gqlparser's AST), whether they come from models files or SDL files.
package schemadiff

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Severity of a change.
type Severity string

// Severities, worst first.
const (
	Breaking  Severity = "breaking"
	Dangerous Severity = "dangerous"
	Safe      Severity = "safe"
)

func (s Severity) rank() int {
	switch s {
	case Breaking:
		return 0
	case Dangerous:
		return 1
	}
	return 2
}

// Change is one difference.
type Change struct {
	Severity Severity `json:"severity"`
	// Path names what changed: "Post", "Post.title", "Query.posts(limit:)",
	// "PostStatus.draft".
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (c Change) String() string {
	return fmt.Sprintf("%-9s %s: %s", strings.ToUpper(string(c.Severity)), c.Path, c.Message)
}

// Diff lists the changes from old to new, worst first, then by path.
func Diff(old, new *ast.Schema) []Change {
	d := &differ{}
	for _, name := range slices.Sorted(maps.Keys(old.Types)) {
		ot := old.Types[name]
		if ot.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		nt := new.Types[name]
		switch {
		case nt == nil:
			d.add(Breaking, name, "%s was removed", kindName(ot.Kind))
		case nt.Kind != ot.Kind:
			d.add(Breaking, name, "changed from %s to %s", kindName(ot.Kind), kindName(nt.Kind))
		default:
			d.typ(ot, nt)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(new.Types)) {
		nt := new.Types[name]
		if nt.BuiltIn || strings.HasPrefix(name, "__") || old.Types[name] != nil {
			continue
		}
		d.add(Safe, name, "%s was added", kindName(nt.Kind))
	}
	for _, name := range slices.Sorted(maps.Keys(old.Directives)) {
		od := old.Directives[name]
		if od.Position != nil && od.Position.Src != nil && od.Position.Src.BuiltIn {
			continue
		}
		nd := new.Directives[name]
		if nd == nil {
			d.add(Breaking, "@"+name, "directive was removed")
			continue
		}
		for _, loc := range od.Locations {
			if !slices.Contains(nd.Locations, loc) {
				d.add(Breaking, "@"+name, "location %s was removed", loc)
			}
		}
		d.args("@"+name, od.Arguments, nd.Arguments)
	}
	slices.SortStableFunc(d.out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Severity.rank(), b.Severity.rank()), strings.Compare(a.Path, b.Path))
	})
	return d.out
}

// Count returns how many changes have severity s.
func Count(changes []Change, s Severity) int {
	n := 0
	for _, c := range changes {
		if c.Severity == s {
			n++
		}
	}
	return n
}

type differ struct{ out []Change }

func (d *differ) add(s Severity, path, format string, args ...any) {
	d.out = append(d.out, Change{Severity: s, Path: path, Message: fmt.Sprintf(format, args...)})
}

func kindName(k ast.DefinitionKind) string {
	switch k {
	case ast.Object:
		return "object type"
	case ast.Interface:
		return "interface"
	case ast.Union:
		return "union"
	case ast.Enum:
		return "enum"
	case ast.InputObject:
		return "input type"
	case ast.Scalar:
		return "scalar"
	}
	return strings.ToLower(string(k))
}

func (d *differ) typ(ot, nt *ast.Definition) {
	switch ot.Kind {
	case ast.Object, ast.Interface:
		d.outputFields(ot, nt)
		for _, i := range ot.Interfaces {
			if !slices.Contains(nt.Interfaces, i) {
				d.add(Breaking, ot.Name, "no longer implements %s", i)
			}
		}
		for _, i := range nt.Interfaces {
			if !slices.Contains(ot.Interfaces, i) {
				d.add(Dangerous, ot.Name, "now implements %s", i)
			}
		}
	case ast.InputObject:
		d.inputFields(ot, nt)
	case ast.Enum:
		for _, v := range ot.EnumValues {
			if nt.EnumValues.ForName(v.Name) == nil {
				d.add(Breaking, ot.Name+"."+v.Name, "enum value was removed")
			}
		}
		for _, v := range nt.EnumValues {
			if ot.EnumValues.ForName(v.Name) == nil {
				d.add(Dangerous, nt.Name+"."+v.Name, "enum value was added (clients switching over the values may not handle it)")
			}
		}
	case ast.Union:
		for _, t := range ot.Types {
			if !slices.Contains(nt.Types, t) {
				d.add(Breaking, ot.Name, "member %s was removed", t)
			}
		}
		for _, t := range nt.Types {
			if !slices.Contains(ot.Types, t) {
				d.add(Dangerous, ot.Name, "member %s was added", t)
			}
		}
	}
}

func (d *differ) outputFields(ot, nt *ast.Definition) {
	for _, of := range ot.Fields {
		path := ot.Name + "." + of.Name
		nf := nt.Fields.ForName(of.Name)
		if nf == nil {
			msg := "field was removed"
			if of.Directives.ForName("deprecated") != nil {
				msg += " (it was deprecated)"
			}
			d.add(Breaking, path, "%s", msg)
			continue
		}
		switch {
		case !safeOutput(of.Type, nf.Type):
			d.add(Breaking, path, "type changed from %s to %s", of.Type, nf.Type)
		case of.Type.String() != nf.Type.String():
			d.add(Safe, path, "type changed from %s to %s", of.Type, nf.Type)
		}
		if of.Directives.ForName("deprecated") == nil && nf.Directives.ForName("deprecated") != nil {
			d.add(Safe, path, "field was deprecated")
		}
		d.args(path, of.Arguments, nf.Arguments)
	}
	for _, nf := range nt.Fields {
		if ot.Fields.ForName(nf.Name) == nil {
			d.add(Safe, nt.Name+"."+nf.Name, "field was added")
		}
	}
}

func (d *differ) args(path string, olds, news ast.ArgumentDefinitionList) {
	for _, oa := range olds {
		apath := path + "(" + oa.Name + ":)"
		na := news.ForName(oa.Name)
		if na == nil {
			d.add(Breaking, apath, "argument was removed")
			continue
		}
		switch {
		case !safeInput(oa.Type, na.Type):
			d.add(Breaking, apath, "type changed from %s to %s", oa.Type, na.Type)
		case oa.Type.String() != na.Type.String():
			d.add(Safe, apath, "type changed from %s to %s", oa.Type, na.Type)
		}
		if od, nd := valueText(oa.DefaultValue), valueText(na.DefaultValue); od != nd {
			d.add(Dangerous, apath, "default changed from %s to %s", orNone(od), orNone(nd))
		}
	}
	for _, na := range news {
		if olds.ForName(na.Name) != nil {
			continue
		}
		apath := path + "(" + na.Name + ":)"
		if na.Type.NonNull && na.DefaultValue == nil {
			d.add(Breaking, apath, "required argument was added")
		} else {
			d.add(Dangerous, apath, "optional argument was added")
		}
	}
}

func (d *differ) inputFields(ot, nt *ast.Definition) {
	for _, of := range ot.Fields {
		path := ot.Name + "." + of.Name
		nf := nt.Fields.ForName(of.Name)
		if nf == nil {
			d.add(Breaking, path, "input field was removed")
			continue
		}
		switch {
		case !safeInput(of.Type, nf.Type):
			d.add(Breaking, path, "type changed from %s to %s", of.Type, nf.Type)
		case of.Type.String() != nf.Type.String():
			d.add(Safe, path, "type changed from %s to %s", of.Type, nf.Type)
		}
		if od, nd := valueText(of.DefaultValue), valueText(nf.DefaultValue); od != nd {
			d.add(Dangerous, path, "default changed from %s to %s", orNone(od), orNone(nd))
		}
	}
	for _, nf := range nt.Fields {
		if ot.Fields.ForName(nf.Name) != nil {
			continue
		}
		path := nt.Name + "." + nf.Name
		if nf.Type.NonNull && nf.DefaultValue == nil {
			d.add(Breaking, path, "required input field was added")
		} else {
			d.add(Dangerous, path, "optional input field was added")
		}
	}
}

func valueText(v *ast.Value) string {
	if v == nil {
		return ""
	}
	return v.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// Type wrappers: gqlparser marks non-null with a flag on the node, where
// graphql-js wraps; these helpers read it the graphql-js way.

func isList(t *ast.Type) bool  { return !t.NonNull && t.Elem != nil }
func isNamed(t *ast.Type) bool { return !t.NonNull && t.Elem == nil }

// ofType unwraps one level: non-null to nullable, list to its items.
func ofType(t *ast.Type) *ast.Type {
	if t.NonNull {
		c := *t
		c.NonNull = false
		return &c
	}
	return t.Elem
}

// safeOutput reports whether a field's type may change from old to new
// without breaking a client: it may only become stricter (non-null).
func safeOutput(old, new *ast.Type) bool {
	switch {
	case isList(old):
		return isList(new) && safeOutput(ofType(old), ofType(new)) || new.NonNull && safeOutput(old, ofType(new))
	case old.NonNull:
		return new.NonNull && safeOutput(ofType(old), ofType(new))
	}
	return isNamed(new) && old.NamedType == new.NamedType || new.NonNull && safeOutput(old, ofType(new))
}

// safeInput reports whether an argument's or input field's type may change
// from old to new without breaking a client: it may only become looser
// (nullable).
func safeInput(old, new *ast.Type) bool {
	switch {
	case isList(old):
		return isList(new) && safeInput(ofType(old), ofType(new))
	case old.NonNull:
		return new.NonNull && safeInput(ofType(old), ofType(new)) || !new.NonNull && safeInput(ofType(old), new)
	}
	return isNamed(new) && old.NamedType == new.NamedType
}
