package httpapi

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/autogql/autogql/internal/engine"
)

// decodeBodyFast parses the body every GraphQL client sends, a flat object
// with plain "query" and "operationName" strings and an optional
// "variables" or "extensions" object, without encoding/json's tokenizer,
// which costs more than the rest of the transport together. It reports false,
// leaving the decision to decodeBodyStrict, for anything else: a string with
// an escape, control character or invalid UTF-8, an unknown or repeated
// key, a value of another type, malformed JSON, or no query.
//
// On true, req holds exactly what decodeBodyStrict would have produced
// (FuzzDecodeBody checks this).
func decodeBodyFast(b []byte, req *engine.Request) bool {
	p := fastParser{b: b}
	p.ws()
	if !p.eat('{') {
		return false
	}
	var seen [4]bool // query, operationName, variables, extensions
	p.ws()
	if p.eat('}') {
		return false // no query: let the strict path word the error
	}
	for {
		p.ws()
		key, ok := p.plainString()
		if !ok {
			return false
		}
		p.ws()
		if !p.eat(':') {
			return false
		}
		p.ws()
		var slot int
		switch string(key) { // no allocation: the compiler compares in place
		case "query":
			slot = 0
			s, ok := p.plainString()
			if !ok {
				return false
			}
			req.Query = string(s)
		case "operationName":
			slot = 1
			if p.literal("null") {
				break
			}
			s, ok := p.plainString()
			if !ok {
				return false
			}
			req.OperationName = string(s)
		case "variables", "extensions":
			slot = 2
			if key[0] == 'e' {
				slot = 3
			}
			if p.literal("null") {
				break
			}
			raw, ok := p.object()
			if !ok {
				return false
			}
			if slot == 3 {
				ext, ok := decodeVariables(raw)
				if !ok {
					return false
				}
				req.Extensions = ext
				break
			}
			vars, ok := decodeVariables(raw)
			if !ok {
				return false
			}
			req.Variables = vars
		default:
			return false
		}
		if seen[slot] {
			return false
		}
		seen[slot] = true
		p.ws()
		if p.eat(',') {
			continue
		}
		if !p.eat('}') {
			return false
		}
		break
	}
	p.ws()
	return p.i == len(p.b) && seen[0]
}

// decodeVariables decodes a JSON object keeping numbers exact.
func decodeVariables(raw []byte) (map[string]any, bool) {
	if string(raw) == "{}" {
		return map[string]any{}, true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.InputOffset() != int64(len(raw)) {
		return nil, false
	}
	return m, true
}

// fastParser walks a JSON text; every method reports failure rather than
// guessing, so the caller can fall back to the strict path.
type fastParser struct {
	b []byte
	i int
}

func (p *fastParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// literal consumes lit if it is next and ends there.
func (p *fastParser) literal(lit string) bool {
	end := p.i + len(lit)
	if end > len(p.b) || string(p.b[p.i:end]) != lit {
		return false
	}
	if end < len(p.b) {
		switch p.b[end] {
		case ' ', '\t', '\n', '\r', ',', '}', ']':
		default:
			return false
		}
	}
	p.i = end
	return true
}

// plainString consumes a string with no escape and no control character,
// in valid UTF-8, and returns its contents (aliasing p.b).
func (p *fastParser) plainString() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return nil, false
}

// object consumes a JSON object and returns its text. It only matches
// brackets and skips strings; the caller validates the contents.
func (p *fastParser) object() ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '{' {
		return nil, false
	}
	start, depth := p.i, 0
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				p.i++
				return p.b[start:p.i], true
			}
		case '"':
			p.i++
			for p.i < len(p.b) && p.b[p.i] != '"' {
				if p.b[p.i] == '\\' {
					p.i++
				}
				p.i++
			}
			if p.i >= len(p.b) {
				return nil, false
			}
		}
		p.i++
	}
	return nil, false
}
