package migrate

import (
	"strings"
)

// SQLite's catalog pragmas do not report CHECK constraints, nor the names
// of foreign keys and unique constraints; sqlite_master keeps the CREATE
// TABLE text, which this file reads for them.

type parsedTable struct {
	columns map[string]*parsedColumn // by lower-case column name
	// checks are the table-level CHECK expressions.
	checks []string
	// fkNames maps a lower-case key column to its constraint's name;
	// uniqueNames maps lower-case "a,b" to a unique constraint's name.
	fkNames     map[string]string
	uniqueNames map[string]string
}

type parsedColumn struct {
	checks []string
}

// parseCreateTable reads the column CHECKs and the constraint names of a
// CREATE TABLE statement. It is lenient: what it cannot read it leaves out.
func parseCreateTable(sql string) *parsedTable {
	p := &parsedTable{columns: map[string]*parsedColumn{}, fkNames: map[string]string{}, uniqueNames: map[string]string{}}
	open := strings.IndexByte(sql, '(')
	if open < 0 {
		return p
	}
	for _, item := range splitTop(sql[open+1:]) {
		toks := tokens(item)
		if len(toks) == 0 {
			continue
		}
		name := ""
		i := 0
		if strings.EqualFold(toks[0], "CONSTRAINT") && len(toks) > 1 {
			name, i = unquoteIdent(toks[1]), 2
		}
		if i >= len(toks) {
			continue
		}
		switch strings.ToUpper(toks[i]) {
		case "PRIMARY":
			continue
		case "UNIQUE":
			if cols := parenList(toks[i+1:]); len(cols) > 0 && name != "" {
				p.uniqueNames[strings.ToLower(strings.Join(cols, ","))] = name
			}
			continue
		case "FOREIGN":
			if cols := parenList(toks[i+2:]); len(cols) == 1 && name != "" {
				p.fkNames[strings.ToLower(cols[0])] = name
			}
			continue
		case "CHECK":
			p.checks = append(p.checks, checkExpr(toks[i+1:])...)
			continue
		}
		if i > 0 {
			continue
		}
		col := &parsedColumn{}
		for j, t := range toks {
			if strings.EqualFold(t, "CHECK") {
				col.checks = append(col.checks, checkExpr(toks[j+1:])...)
			}
		}
		p.columns[strings.ToLower(unquoteIdent(toks[0]))] = col
	}
	return p
}

// splitTop splits the body of a parenthesised list at its top-level commas,
// stopping at the list's closing parenthesis.
func splitTop(s string) []string {
	var items []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			i = skipQuoted(s, i, c)
		case '[':
			if j := strings.IndexByte(s[i:], ']'); j >= 0 {
				i += j
			}
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return append(items, s[start:i])
			}
			depth--
		case ',':
			if depth == 0 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	return append(items, s[start:])
}

// skipQuoted returns the index of the quote closing the one at i (a
// doubled quote is an escaped one).
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return len(s) - 1
}

// tokens splits an item into words, quoted names and parenthesised groups
// (kept whole, parentheses included).
func tokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"' || c == '`':
			j := skipQuoted(s, i, c)
			out = append(out, s[i:j+1])
			i = j + 1
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				j = len(s) - i - 1
			}
			out = append(out, s[i:i+j+1])
			i += j + 1
		case c == '(':
			depth, j := 0, i
		group:
			for ; j < len(s); j++ {
				switch s[j] {
				case '\'', '"', '`':
					j = skipQuoted(s, j, s[j])
				case '(':
					depth++
				case ')':
					depth--
					if depth == 0 {
						break group
					}
				}
			}
			if j >= len(s) {
				j = len(s) - 1
			}
			out = append(out, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r('\"`[", rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// checkExpr returns the expression of "CHECK (expr)" given the tokens
// after CHECK.
func checkExpr(toks []string) []string {
	if len(toks) == 0 || !strings.HasPrefix(toks[0], "(") {
		return nil
	}
	return []string{strings.TrimSpace(toks[0][1 : len(toks[0])-1])}
}

// parenList reads "(a, b)" from the first token as a list of names.
func parenList(toks []string) []string {
	if len(toks) == 0 || !strings.HasPrefix(toks[0], "(") {
		return nil
	}
	var out []string
	for _, part := range splitTop(toks[0][1:]) {
		if f := tokens(part); len(f) > 0 {
			out = append(out, unquoteIdent(f[0]))
		}
	}
	return out
}

// unquoteIdent removes SQL identifier quotes.
func unquoteIdent(s string) string {
	if len(s) >= 2 {
		switch {
		case s[0] == '"' && s[len(s)-1] == '"':
			return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
		case s[0] == '`' && s[len(s)-1] == '`':
			return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
		case s[0] == '[' && s[len(s)-1] == ']':
			return s[1 : len(s)-1]
		}
	}
	return s
}
