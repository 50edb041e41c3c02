package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SnakeCase converts a PascalCase or camelCase name to snake_case:
// "BlogPost" → "blog_post", "isPublished" → "is_published",
// "HTTPServer" → "http_server". A run of capitals is one word, except that
// its last capital starts the next word when a lower-case letter follows.
// A name that is already snake_case is returned unchanged.
func SnakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && rs[i-1] != '_' {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CamelCase converts a snake_case name to lower camelCase: "is_published" →
// "isPublished", "posts_pages" → "postsPages". Django lookup paths keep their
// double underscores and camel-case each segment, so "author__first_name"
// becomes "author__firstName" and "author__name" is unchanged. Leading and
// trailing underscores are kept, since they carry meaning ("_private").
func CamelCase(snake string) string {
	parts := strings.Split(snake, "__")
	for i, p := range parts {
		parts[i] = camelSegment(p)
	}
	return strings.Join(parts, "__")
}

// camelSegment camel-cases a name that holds no double underscore.
func camelSegment(s string) string {
	lead := len(s) - len(strings.TrimLeft(s, "_"))
	trail := len(s) - len(strings.TrimRight(s, "_"))
	if lead == len(s) {
		return s
	}
	core := s[lead : len(s)-trail]
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:lead])
	upper := false
	for _, r := range core {
		if r == '_' {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	b.WriteString(s[len(s)-trail:])
	return b.String()
}

// PascalCase converts a snake_case name to PascalCase: "blog_post" →
// "BlogPost", "post" → "Post". Underscores are dropped.
func PascalCase(snake string) string {
	var b strings.Builder
	b.Grow(len(snake))
	for _, p := range strings.Split(snake, "_") {
		if p == "" {
			continue
		}
		r, n := utf8.DecodeRuneInString(p)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(p[n:])
	}
	return b.String()
}
