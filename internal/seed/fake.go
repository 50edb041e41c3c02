package seed

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/autogql/autogql/internal/model"
)

// Generated dates and times fall in [fakeStart, fakeEnd).
var (
	fakeStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	fakeEnd   = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

// nullRate is the share of NULLs in nullable fields.
const nullRate = 0.1

// faker makes field values from one random stream. Values are API values
// (string, int64, float64, bool, or a JSON value), converted for the
// database by database.Dialect.Encode like any client input.
type faker struct {
	r *rand.Rand
}

// rowTime is the moment a generated row was "created": auto_now_add fields
// take it and auto_now fields a later moment, so updated ≥ created.
func (g *faker) rowTime() time.Time {
	return fakeStart.Add(time.Duration(g.r.Int64N(int64(fakeEnd.Sub(fakeStart)/time.Second))) * time.Second)
}

// value returns a value for a non-relation field. seq is the row's 1-based
// number in the table (existing rows included); unique fields build on it.
func (g *faker) value(f *model.Field, seq int, created time.Time) any {
	if f.Null && !f.AutoNow && !f.AutoNowAdd && g.r.Float64() < nullRate {
		return nil
	}
	if len(f.Choices) > 0 {
		return f.Choices[g.r.IntN(len(f.Choices))].Value
	}
	switch f.Type.Kind() {
	case model.KindText:
		return g.text(f, seq)
	case model.KindInt, model.KindBigInt:
		return g.integer(f, seq)
	case model.KindFloat:
		lo, hi := g.bounds(f, 0, 1000)
		if f.Unique {
			return lo + float64(seq)
		}
		return math.Round((lo+g.r.Float64()*(hi-lo))*100) / 100
	case model.KindDecimal:
		return g.decimal(f, seq)
	case model.KindBool:
		return g.r.IntN(2) == 1
	case model.KindDate:
		days := int(fakeEnd.Sub(fakeStart).Hours() / 24)
		n := g.r.IntN(days)
		if f.Unique {
			n = seq
		}
		return fakeStart.AddDate(0, 0, n).Format(time.DateOnly)
	case model.KindDateTime:
		t := g.rowTime()
		switch {
		case f.AutoNowAdd:
			t = created
		case f.AutoNow:
			t = created.Add(time.Duration(g.r.Int64N(90*24*3600)) * time.Second)
			if !t.Before(fakeEnd) {
				t = fakeEnd.Add(-time.Second)
			}
		case f.Unique:
			t = fakeStart.Add(time.Duration(seq) * time.Minute)
		}
		return t.Format(time.RFC3339)
	case model.KindTime:
		s := g.r.IntN(24 * 3600)
		if f.Unique {
			s = seq % (24 * 3600)
		}
		return fakeStart.Add(time.Duration(s) * time.Second).Format(time.TimeOnly)
	case model.KindDuration:
		if f.Unique {
			return int64(seq)
		}
		return g.r.Int64N(7 * 24 * 3600)
	case model.KindUUID:
		return g.uuid()
	case model.KindJSON:
		return map[string]any{
			"score":  int64(g.r.IntN(100)),
			"tags":   []any{g.word(), g.word()},
			"active": g.r.IntN(2) == 1,
		}
	}
	return nil
}

func (g *faker) uuid() string { return newUUID(randReader{g.r}) }

// randReader reads bytes from a deterministic random stream.
type randReader struct{ r *rand.Rand }

func (x randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(x.r.Uint32())
	}
	return len(p), nil
}

// word picks a word; about one in forty is non-ASCII.
func (g *faker) word() string {
	if g.r.IntN(3) == 0 {
		return words[g.r.IntN(len(words))]
	}
	return g.asciiWord()
}

func (g *faker) asciiWord() string { return asciiWords[g.r.IntN(len(asciiWords))] }
func (g *faker) pick(list []string) string {
	return list[g.r.IntN(len(list))]
}

// words returns n words from the vocabulary, space-separated.
func (g *faker) words(n int, title bool) string {
	parts := make([]string, n)
	for i := range parts {
		w := g.word()
		if title || i == 0 {
			w = capitalize(w)
		}
		parts[i] = w
	}
	return strings.Join(parts, " ")
}

func (g *faker) sentence() string {
	return g.words(5+g.r.IntN(10), false) + "."
}

func (g *faker) paragraphs() string {
	paras := make([]string, 1+g.r.IntN(2))
	for i := range paras {
		s := make([]string, 1+g.r.IntN(4))
		for j := range s {
			s[j] = g.sentence()
		}
		paras[i] = strings.Join(s, " ")
	}
	return strings.Join(paras, "\n\n")
}

func (g *faker) slug(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.asciiWord()
	}
	return strings.Join(parts, "-")
}

func (g *faker) person() string {
	return g.pick(firstNames) + " " + g.pick(lastNames)
}

// text makes a value for a text field that fits max_length and min_length.
// A unique field ends with its row number, kept whole when the rest is cut.
func (g *faker) text(f *model.Field, seq int) string {
	var base, suffix string
	num := strconv.Itoa(seq)
	switch f.Type {
	case model.TypeEmail:
		base = asciiName(g.pick(firstNames)) + "." + asciiName(g.pick(lastNames))
		suffix = "@example.com"
		if f.Unique {
			suffix = num + suffix
		}
	case model.TypeURL:
		base = "https://example.com/" + g.slug(2+g.r.IntN(3))
		if f.Unique {
			suffix = "-" + num
		}
	case model.TypeSlug:
		base = g.slug(2 + g.r.IntN(4))
		if f.Unique {
			suffix = "-" + num
		}
	case model.TypeText:
		base = g.paragraphs()
		if f.Unique {
			suffix = " (" + num + ")"
		}
	default:
		base = g.stringFor(f)
		if f.Unique {
			suffix = " " + num
		}
	}
	for utf8.RuneCountInString(base) < f.MinLength {
		base += " " + g.word()
	}
	limit := f.MaxLength
	if limit == 0 {
		limit = defaultMaxLength[f.Type]
	}
	if limit > 0 {
		base = strings.TrimRight(truncateRunes(base, limit-utf8.RuneCountInString(suffix)), " -.")
	}
	return base + suffix
}

// stringFor makes a short string that suits the field's name.
func (g *faker) stringFor(f *model.Field) string {
	name := strings.ToLower(f.Name)
	switch {
	case name == "first_name" || name == "given_name":
		return g.pick(firstNames)
	case name == "last_name" || name == "family_name" || name == "surname":
		return g.pick(lastNames)
	case name == "username" || name == "login" || name == "handle":
		return asciiName(g.pick(firstNames)) + "_" + g.asciiWord()
	case name == "name" || name == "full_name" || name == "display_name":
		if hasEmail(f.Model) {
			return g.person()
		}
		return g.words(1+g.r.IntN(2), true)
	case strings.Contains(name, "title") || name == "headline" || name == "subject":
		return g.words(3+g.r.IntN(5), true)
	case strings.Contains(name, "phone"):
		return "+1 555 " + strconv.Itoa(1000000+g.r.IntN(9000000))
	case strings.Contains(name, "color") || strings.Contains(name, "colour"):
		return "#" + strconv.FormatInt(int64(g.r.IntN(1<<24))|1<<24, 16)[1:]
	}
	return g.words(2+g.r.IntN(4), false)
}

// hasEmail reports whether a model has an e-mail field: its "name" is then
// a person's.
func hasEmail(m *model.Model) bool {
	if m == nil {
		return false
	}
	for _, f := range m.Fields {
		if f.Type == model.TypeEmail {
			return true
		}
	}
	return false
}

// defaultMaxLength is Django's max_length for the types that have one.
var defaultMaxLength = map[model.FieldType]int{
	model.TypeSlug:  50,
	model.TypeEmail: 254,
	model.TypeURL:   200,
}

// Default ranges of generated integers per type, before min/max_value.
var intDefaults = map[model.FieldType][2]int64{
	model.TypeSmallInteger:    {0, 100},
	model.TypeInteger:         {0, 1000},
	model.TypePositiveInteger: {0, 1000},
	model.TypeBigInteger:      {0, 1_000_000},
}

// Ranges the integer types can store.
var intLimits = map[model.FieldType][2]int64{
	model.TypeSmallInteger:    {math.MinInt16, math.MaxInt16},
	model.TypeInteger:         {math.MinInt32, math.MaxInt32},
	model.TypePositiveInteger: {0, math.MaxInt32},
	model.TypeBigInteger:      {math.MinInt64, math.MaxInt64},
}

func (g *faker) integer(f *model.Field, seq int) int64 {
	def, ok := intDefaults[f.Type]
	if !ok {
		def = [2]int64{0, 1000}
	}
	lo, hi := g.bounds(f, float64(def[0]), float64(def[1]))
	l, h := int64(math.Ceil(lo)), int64(math.Floor(hi))
	if lim, ok := intLimits[f.Type]; ok {
		l, h = max(l, lim[0]), min(h, lim[1])
	}
	if f.Unique {
		return l + int64(seq) - 1
	}
	if h <= l {
		return l
	}
	// Skewed towards small values, as counts and views are in real data.
	u := g.r.Float64()
	return l + int64(u*u*float64(h-l+1))
}

// bounds narrows the default range [lo, hi] by min_value and max_value,
// keeping the default width when only one side is given.
func (g *faker) bounds(f *model.Field, lo, hi float64) (float64, float64) {
	width := hi - lo
	switch {
	case f.MinValue != nil && f.MaxValue != nil:
		return *f.MinValue, *f.MaxValue
	case f.MinValue != nil:
		lo = max(lo, *f.MinValue)
		if hi < lo {
			hi = lo + width
		}
	case f.MaxValue != nil:
		hi = min(hi, *f.MaxValue)
		if lo > hi {
			lo = hi - width
		}
	}
	return lo, hi
}

// decimal makes a value that fits max_digits and decimal_places, as text.
func (g *faker) decimal(f *model.Field, seq int) string {
	places := f.DecimalPlaces
	digits := f.MaxDigits
	if digits == 0 || digits > 18 {
		digits = 18
	}
	places = min(places, digits)
	scale := math.Pow10(places)
	maxUnits := int64(math.Pow10(digits)) - 1
	hiDefault := 1000.0
	if n := strings.ToLower(f.Name); strings.Contains(n, "rating") || strings.Contains(n, "score") || strings.Contains(n, "stars") {
		hiDefault = 5
	}
	lo, hi := g.bounds(f, 0, hiDefault)
	loU := max(int64(math.Ceil(lo*scale)), -maxUnits)
	hiU := min(int64(math.Floor(hi*scale)), maxUnits)
	units := loU
	switch {
	case f.Unique:
		units = min(loU+int64(seq)-1, maxUnits)
	case hiU > loU:
		units = loU + g.r.Int64N(hiU-loU+1)
	}
	return formatUnits(units, places)
}

// formatUnits writes units/10^places as a plain decimal.
func formatUnits(units int64, places int) string {
	neg := units < 0
	if neg {
		units = -units
	}
	s := strconv.FormatInt(units, 10)
	if places > 0 {
		if len(s) <= places {
			s = strings.Repeat("0", places-len(s)+1) + s
		}
		s = s[:len(s)-places] + "." + s[len(s)-places:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func capitalize(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

func truncateRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// unaccent spells the accented letters of the name lists in ASCII.
var unaccent = strings.NewReplacer(
	"á", "a", "à", "a", "ä", "a", "å", "a", "ç", "c", "é", "e", "è", "e", "ë", "e",
	"í", "i", "ï", "i", "ı", "i", "ł", "l", "ñ", "n", "ó", "o", "ö", "o", "ø", "o",
	"ř", "r", "ß", "ss", "ú", "u", "ü", "u",
)

// asciiName lower-cases a name and keeps its ASCII letters, for e-mail
// addresses ("O'Brien" → "obrien", "Müller" → "muller").
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range unaccent.Replace(strings.ToLower(s)) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}
