package model

import "strings"

// Pluralize returns the English plural of a snake_case word, following the
// Rails/Django inflection conventions: "category" → "categories",
// "status" → "statuses", "person" → "people". In a compound only the last
// segment changes ("blog_category" → "blog_categories").
//
// Uncountable words ("sheep", "news", "data") and words that already look
// plural ("settings") are returned unchanged. The resolver then names the
// model's list "<singular>_list" so the one-object and list API names
// differ (see Model.Plural). "index" becomes "indexes", not "indices".
func Pluralize(word string) string {
	if word == "" {
		return word
	}
	prefix, last := "", word
	if i := strings.LastIndexByte(word, '_'); i >= 0 {
		prefix, last = word[:i+1], word[i+1:]
	}
	if last == "" {
		return word
	}
	return prefix + pluralWord(last)
}

// uncountable words have no distinct plural.
var uncountable = map[string]bool{
	"advice": true, "aircraft": true, "bison": true, "data": true, "deer": true,
	"equipment": true, "feedback": true, "fish": true, "furniture": true,
	"hardware": true, "information": true, "jeans": true, "luggage": true,
	"metadata": true, "money": true, "moose": true, "news": true,
	"offspring": true, "police": true, "rice": true, "salmon": true,
	"series": true, "sheep": true, "software": true, "species": true,
	"staff": true, "traffic": true, "trout": true,
}

// irregular plurals that no suffix rule produces.
var irregular = map[string]string{
	"alumnus": "alumni", "axis": "axes", "cactus": "cacti", "child": "children",
	"criterion": "criteria", "datum": "data", "die": "dice", "foot": "feet",
	"goose": "geese", "lens": "lenses", "louse": "lice", "medium": "media",
	"mouse": "mice", "ox": "oxen", "person": "people", "phenomenon": "phenomena",
	"quiz": "quizzes", "tooth": "teeth",
}

// ves lists the words whose -f/-fe becomes -ves; other -f words take -s
// ("roof" → "roofs", "chef" → "chefs").
var ves = map[string]string{
	"calf": "calves", "elf": "elves", "half": "halves", "knife": "knives",
	"leaf": "leaves", "life": "lives", "loaf": "loaves", "scarf": "scarves",
	"self": "selves", "sheaf": "sheaves", "shelf": "shelves", "thief": "thieves",
	"wife": "wives", "wolf": "wolves",
}

// oes lists the -o words that take -es; other -o words take -s ("photo").
var oes = map[string]bool{
	"echo": true, "embargo": true, "hero": true, "potato": true, "tomato": true,
	"torpedo": true, "veto": true,
}

// manExceptions end in "man" but are not compounds of "man".
var manExceptions = map[string]bool{
	"caiman": true, "german": true, "human": true, "ottoman": true,
	"roman": true, "shaman": true, "talisman": true,
}

// chAsK end in a "ch" pronounced k, which takes a plain -s.
var chAsK = map[string]bool{
	"epoch": true, "matriarch": true, "monarch": true, "patriarch": true,
	"stomach": true, "tech": true,
}

func pluralWord(w string) string {
	lw := strings.ToLower(w)
	if uncountable[lw] {
		return w
	}
	if p, ok := irregular[lw]; ok {
		return w[:1] + p[1:]
	}
	if p, ok := ves[lw]; ok {
		return w[:1] + p[1:]
	}
	if strings.HasSuffix(lw, "man") && !manExceptions[lw] {
		return w[:len(w)-3] + w[len(w)-3:len(w)-2] + "en"
	}
	switch {
	case strings.HasSuffix(lw, "sis"):
		return w[:len(w)-2] + "es" // analysis → analyses
	case strings.HasSuffix(lw, "ss"), strings.HasSuffix(lw, "us"),
		strings.HasSuffix(lw, "as"), strings.HasSuffix(lw, "is"),
		strings.HasSuffix(lw, "os"):
		return w + "es" // address → addresses, status → statuses
	case strings.HasSuffix(lw, "s"):
		return w // already plural: "settings", "details"
	case strings.HasSuffix(lw, "x"), strings.HasSuffix(lw, "z"),
		strings.HasSuffix(lw, "sh"):
		return w + "es"
	case strings.HasSuffix(lw, "ch"):
		if chAsK[lw] {
			return w + "s"
		}
		return w + "es"
	case strings.HasSuffix(lw, "y") && len(lw) > 1 && !isVowel(lw[len(lw)-2]):
		return w[:len(w)-1] + "ies" // category → categories, but day → days
	case strings.HasSuffix(lw, "o") && oes[lw]:
		return w + "es"
	}
	return w + "s"
}

func isVowel(c byte) bool {
	return strings.IndexByte("aeiou", c) >= 0
}
