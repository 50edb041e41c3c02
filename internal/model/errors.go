package model

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// problems collects every error found in one models file so that they are
// all reported at once, in file order.
type problems struct {
	file string
	list []*Error
}

func (p *problems) at(pos Pos, format string, args ...any) {
	p.list = append(p.list, &Error{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// errorf reports a problem at n's position (1:1 when n is nil).
func (p *problems) errorf(n *yaml.Node, format string, args ...any) {
	p.at(nodePos(n), format, args...)
}

// err returns the problems sorted by position and joined, or nil. Identical
// problems (an anchor reused through aliases) are reported once.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col), cmp.Compare(a.Msg, b.Msg))
	})
	p.list = slices.CompactFunc(p.list, func(a, b *Error) bool { return *a == *b })
	errs := make([]error, len(p.list))
	for i, e := range p.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func nodePos(n *yaml.Node) Pos {
	if n == nil || n.Line == 0 {
		return Pos{Line: 1, Col: 1}
	}
	return Pos{Line: n.Line, Col: n.Column}
}

// didYouMean returns " (did you mean X?)" when one of the valid names is a
// likely misspelling of name, or "".
func didYouMean(name string, valid []string) string {
	if best := suggestion(name, valid); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

// suggestion returns the valid name closest to name when it is close
// enough to be a typo, or "".
func suggestion(name string, valid []string) string {
	best, bestDist := "", len(name)/3+1
	if bestDist > 3 {
		bestDist = 3
	}
	for _, v := range valid {
		if d := editDistance(name, v); d <= bestDist && (best == "" || d < bestDist) {
			best, bestDist = v, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (with adjacent
// transpositions), so "max_lenght" is one edit from "max_length".
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not a typo of any option name
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
