package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// jsonNode is a decoded JSON value that keeps the order of object keys,
// which encoding/json's maps lose: the spec requires response keys in
// selection order, so the suite checks the order as well as the values.
type jsonNode struct {
	// kind is '{' or '[' for containers, 0 for scalars.
	kind  byte
	keys  []string // object keys, parallel to elems
	elems []*jsonNode
	// scalar is the JSON text of a scalar (strings re-encoded canonically).
	scalar string
}

// parseJSON decodes one JSON value and refuses trailing data.
func parseJSON(data []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := parseNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return n, nil
}

func parseNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &jsonNode{kind: byte(t)}
		for dec.More() {
			if t == '{' {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, kt.(string))
			}
			child, err := parseNode(dec)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, child)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &jsonNode{scalar: quoteJSON(t)}, nil
	case json.Number:
		return &jsonNode{scalar: t.String()}, nil
	case bool:
		return &jsonNode{scalar: fmt.Sprint(t)}, nil
	case nil:
		return &jsonNode{scalar: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// quoteJSON encodes s as a JSON string without HTML escaping, so expected
// values stay readable ("<", "&" and non-ASCII as they are).
func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// keyOrder lists, for every object in n, its path and its keys in order.
func (n *jsonNode) keyOrder() []string {
	var out []string
	var walk func(n *jsonNode, path string)
	walk = func(n *jsonNode, path string) {
		switch n.kind {
		case '{':
			out = append(out, path+": "+strings.Join(n.keys, ", "))
			for i, c := range n.elems {
				walk(c, path+"."+n.keys[i])
			}
		case '[':
			for i, c := range n.elems {
				walk(c, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(n, "$")
	return out
}

// lookup returns the value at a dotted path of object keys ("data.posts"),
// or nil.
func (n *jsonNode) lookup(path ...string) *jsonNode {
	for _, p := range path {
		if n == nil || n.kind != '{' {
			return nil
		}
		var next *jsonNode
		for i, k := range n.keys {
			if k == p {
				next = n.elems[i]
			}
		}
		n = next
	}
	return n
}

// compact renders n on one line.
func (n *jsonNode) compact() string {
	var b strings.Builder
	n.writeCompact(&b)
	return b.String()
}

func (n *jsonNode) writeCompact(b *strings.Builder) {
	switch n.kind {
	case 0:
		b.WriteString(n.scalar)
	case '{':
		b.WriteByte('{')
		for i, c := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteJSON(n.keys[i]) + ": ")
			c.writeCompact(b)
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for i, c := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			c.writeCompact(b)
		}
		b.WriteByte(']')
	}
}

// packable reports whether every element of a list is short enough to
// share a line with others.
func (n *jsonNode) packable() bool {
	for _, e := range n.elems {
		if len(e.compact()) > 24 {
			return false
		}
	}
	return true
}

// maxLine is the width up to which a value is written on one line.
const maxLine = 100

// pretty renders n for a case file: a value that fits on one line stays on
// one line, larger containers put one member per line. The result is
// meant for people reviewing expected values, so it favours short lines
// of whole rows over one token per line.
func (n *jsonNode) pretty() string {
	var b strings.Builder
	n.writePretty(&b, "", 0)
	return b.String()
}

func (n *jsonNode) writePretty(b *strings.Builder, indent string, used int) {
	c := n.compact()
	if n.kind == 0 || len(indent)+used+len(c) <= maxLine || len(n.elems) == 0 {
		b.WriteString(c)
		return
	}
	inner := indent + "  "
	open, close := "[", "]"
	if n.kind == '{' {
		open, close = "{", "}"
	}
	b.WriteString(open + "\n")
	if n.kind == '[' && n.packable() {
		// Short rows ({"id": "20"}) share lines, so a list of ids reads as
		// a sequence rather than a column.
		line := inner
		for i, e := range n.elems {
			item := e.compact()
			if i < len(n.elems)-1 {
				item += ","
			}
			if line != inner && len(line)+1+len(item) > maxLine {
				b.WriteString(line + "\n")
				line = inner
			}
			if line != inner {
				line += " "
			}
			line += item
		}
		b.WriteString(line + "\n" + indent + close)
		return
	}
	for i, e := range n.elems {
		b.WriteString(inner)
		used := 0
		if n.kind == '{' {
			k := quoteJSON(n.keys[i]) + ": "
			b.WriteString(k)
			used = len(k)
		}
		e.writePretty(b, inner, used)
		if i < len(n.elems)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(indent + close)
}
