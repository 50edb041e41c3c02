package seed

import "strings"

// words is the vocabulary of generated text: plain English with a sprinkling
// of accented and non-Latin words, so that case-insensitive lookups
// (Unicode case folding: "Ünïcode" ~ "üNÏCODE", "Straße" ~ "STRASSE") and
// collation have real data to work on.
var words = strings.Fields(`
	about above across action active actual after again against agent air
	almost along already also always among amount analysis animal another answer
	anything apple area around article artist attention autumn available away
	balance band base beautiful because become before begin behind believe
	benefit better between beyond bird black blue board body book border bread
	bridge bright bring brother build building business butter cabin camera
	candle capital card care carry case castle cause center century chair
	chance change chapter character check child choice church circle city class
	clear clock close cloud coast coffee cold color common community company
	concert corner country couple course cover craft create culture current
	dance dark data daughter debate decade decide deep design detail develop
	dinner direction discover distance doctor door dream drive early earth east
	easy economy edge effect effort energy engine enjoy enough entire evening
	event evidence exactly example experience eye face fact family farm fast
	father feature field figure final finger fire first fish floor flower focus
	forest forget form forward free fresh friend front fruit future garden gentle
	glass global golden good green ground group growth guess guide habit half
	hand happy harbor heart heavy history hold home hope horse hotel hour house
	idea image impact increase island journey kitchen knowledge lake language
	large late laugh leader learn letter level library light line list little
	local long machine magic market matter meadow measure memory method middle
	minute mirror model moment money month morning mountain music narrow nation
	nature near network night north note number ocean office open orange order
	paper parent party pattern peace people period person piano picture place
	plain planet plant play pocket poem point policy popular power practice
	present pretty process project public purpose quality question quick quiet
	radio rain range reason record region remember report result river road
	rock room round rule safe salt sample science season second secret sense
	series shadow shape share ship short signal silver simple single sister
	small smile snow social soft solution song sound source south space spring
	square stage star station stone story street strong student study style
	summer sun system table teacher theory thing thought today together tomorrow
	tonight tower town track trade travel tree true truth type under unit valley
	value village voice wall water wave weather week west white whole window
	winter wish wonder wood word work world writer yellow young
	été Ünïcode naïve café crème brûlée façade jalapeño smörgåsbord résumé
	Ångström Straße Zürich déjà fiancée Øresund Łódź Dvořák piñata São
	coöperate über Σίσυφος ΟΔΥΣΣΕΑΣ İstanbul
`)

// asciiWords are the words usable in slugs, e-mail addresses and URLs.
var asciiWords = func() []string {
	var out []string
	for _, w := range words {
		if isASCII(w) {
			out = append(out, w)
		}
	}
	return out
}()

// firstNames and lastNames make person names (an apostrophe included, to
// exercise quoting).
var firstNames = strings.Fields(`
	Ada Alan Amélie Anaïs Ben Björn Carmen Chloé Dmitri Elena Emma Fatima
	Grace Hugo Ingrid Isaac José Juan Karin Kenji Lars Léa Liam Lucía Maya
	Mei Mohammed Nadia Noël Olivia Oskar Priya Quentin Renée Rosa Sami Søren
	Tomás Uma Victor Wen Yara Zoë
`)

var lastNames = strings.Fields(`
	Andersen Bauer Carter Chen Costa Dubois Dvořák Evans Fischer García
	Hansen Ito Jensen Kowalski Lefèvre López Martin Müller Nakamura Novak
	O'Brien Ødegaard Patel Pérez Rossi Santos Schmidt Silva Tanaka Thompson
	Ueda Vargas Walsh Weiß Xu Yılmaz Zhang Łukasiewicz
`)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
