package monitor

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Prose figures are read only from clauses about the data year, and only
// in these shapes (N is digits or words, with an optional qualifier):
//
//	N [adult|child] GROUP          "59 men", "one girl", "17 adult casualties"
//	GROUP (N; …) / GROUP (N)       "children (20; 16 boys …)", "male (39)"
//	GROUP made up N                "Adults made up 63 of the casualties"
//	N [casualties] were|was GROUP  "19 were children", "four were demining personnel"
//	N casualties among GROUP       "10 casualties among women"
//	recorded|reported N casualties the total
//
// GROUP is a sex/age word (men, women, boys, girls, children, adults, male,
// female) or a civilian status (civilian, military, deminer). A group
// followed by another descriptor ("one adult male civilian was injured")
// or by an outcome ("one … was killed") is a cross-tabulated figure vahub
// does not read from prose. Partial breakdowns stay partial: "19 children,
// including one girl" gives children 19 and girls 1, never 18 boys.

// splitSentences splits a paragraph at sentence ends.
func splitSentences(s string) []string {
	var out []string
	rs := []rune(s)
	start := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\n' {
			out = appendTrim(out, string(rs[start:i]))
			start = i + 1
			continue
		}
		if r != '.' && r != '!' && r != '?' {
			continue
		}
		j := i + 1
		for j < len(rs) && (rs[j] == '"' || rs[j] == '”' || rs[j] == '’' || rs[j] == ')') {
			j++
		}
		if j < len(rs) && rs[j] != ' ' {
			continue
		}
		k := j
		for k < len(rs) && rs[k] == ' ' {
			k++
		}
		if k < len(rs) && !(unicode.IsUpper(rs[k]) || unicode.IsDigit(rs[k]) || rs[k] == '“' || rs[k] == '"' || rs[k] == '(') {
			continue
		}
		if r == '.' && abbreviation(rs[start:i]) {
			continue
		}
		out = appendTrim(out, string(rs[start:j]))
		start = j
	}
	return appendTrim(out, string(rs[start:]))
}

func appendTrim(out []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}

// abbreviation reports whether the text before a dot ends in an
// abbreviation ("e.g", "No", a single letter).
func abbreviation(before []rune) bool {
	i := len(before)
	for i > 0 && (unicode.IsLetter(before[i-1]) || before[i-1] == '.') {
		i--
	}
	w := strings.ToLower(string(before[i:]))
	if utf8.RuneCountInString(w) == 1 {
		return true
	}
	switch w {
	case "e.g", "i.e", "no", "nos", "mr", "mrs", "ms", "dr", "st", "vs", "approx", "etc", "art", "para", "u.s", "u.n", "fig":
		return true
	}
	return false
}

// splitClauses splits a sentence at semicolons outside parentheses.
func splitClauses(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ';':
			if depth == 0 {
				out = appendTrim(out, s[start:i])
				start = i + 1
			}
		}
	}
	return appendTrim(out, s[start:])
}

// proseReader tracks the year a paragraph is talking about.
type proseReader struct {
	c        *collector
	dataYear int
}

const mixedYear = -1

// paragraph reads one paragraph of the casualties section.
func (pr *proseReader) paragraph(text string) {
	topic := 0
	for _, sent := range splitSentences(cleanText(text)) {
		for _, cl := range splitClauses(sent) {
			toks := tokenize(cl)
			year := clauseYear(toks)
			switch {
			case leadYear(toks) != 0:
				topic = leadYear(toks)
				year = topic
			case year == 0:
				year = topic
			case year != mixedYear && topic == 0:
				topic = year
			}
			if year != pr.dataYear || year <= 0 {
				continue
			}
			pr.clause(toks, cl)
		}
	}
}

// clauseYear is the one year a clause names, 0 if none, mixedYear if more.
func clauseYear(toks []token) int {
	y := 0
	for _, t := range toks {
		if t.kind == tkNum && t.year {
			switch {
			case y == 0:
				y = int(t.n)
			case y != int(t.n):
				return mixedYear
			}
		}
	}
	return y
}

// leadYear reads a clause that opens with "In 2017," or "For 2015".
func leadYear(toks []token) int {
	if len(toks) >= 2 && toks[0].is("in", "for", "during", "throughout") && toks[1].kind == tkNum && toks[1].year {
		return int(toks[1].n)
	}
	return 0
}

type groupMatch struct {
	d   dims
	end int // index after the group's words
}

// groupAt matches the longest sex/age or status phrase starting at i.
func groupAt(toks []token, i int) (groupMatch, bool) {
	for n := 3; n >= 1; n-- {
		if i+n > len(toks) {
			continue
		}
		words := make([]string, 0, n)
		ok := true
		for _, t := range toks[i : i+n] {
			if t.kind != tkWord {
				ok = false
				break
			}
			words = append(words, t.text)
		}
		if !ok {
			continue
		}
		p := strings.Join(words, " ")
		end := i + n
		if end < len(toks) && toks[end].is("casualties", "casualty") {
			end++
		}
		if s, a, ok := sexAgeOf(p); ok {
			return groupMatch{dims{sex: s, age: a}, end}, true
		}
		if c, ok := civOf(p); ok && p != "unknown" {
			return groupMatch{dims{civ: c}, end}, true
		}
	}
	return groupMatch{}, false
}

// descriptor reports whether toks[i] qualifies a group further, so the
// figure is a cross-tabulation: "adult male civilian", "… was killed".
func descriptor(toks []token, i int) bool {
	if i >= len(toks) || toks[i].kind != tkWord {
		return false
	}
	if _, ok := groupAt(toks, i); ok {
		return true
	}
	if toks[i].is("was", "were") && i+1 < len(toks) && toks[i+1].is("killed", "injured", "wounded", "kill") {
		return true
	}
	return toks[i].is("killed", "injured", "wounded", "survivors", "survivor")
}

func (pr *proseReader) clause(toks []token, text string) {
	civScope := ""
	// "Of civilian casualties, …": the figures are among civilians.
	if len(toks) >= 3 && toks[0].is("of", "among") {
		j := 1
		if toks[j].is("the") {
			j++
		}
		if j+1 < len(toks) && toks[j].is("civilian") && toks[j+1].is("casualties") {
			civScope = "civilian"
		}
	}
	var ps []pending
	add := func(g groupMatch, i int, tok token) {
		q, skip := qualifierBefore(toks, i)
		if skip || !tok.count() {
			return
		}
		d := g.d
		if civScope != "" && d.civ == "" {
			d.civ = civScope
		}
		ps = append(ps, pending{d, item{n: tok.n, q: q, pos: i}})
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tkNum {
			if !t.count() {
				continue
			}
			// N [adult|child] GROUP
			if g, ok := groupAt(toks, i+1); ok && !descriptor(toks, g.end) {
				add(g, i, t)
				continue
			}
			// N [)] [casualties] were|was [a|an] GROUP
			j := i + 1
			if j < len(toks) && toks[j].text == ")" {
				j++
			}
			if j < len(toks) && toks[j].is("casualties") {
				j++
			}
			if j < len(toks) && toks[j].is("were", "was") {
				j++
				if j < len(toks) && toks[j].is("a", "an") {
					j++
				}
				if g, ok := groupAt(toks, j); ok && !descriptor(toks, g.end) {
					add(g, i, t)
					continue
				}
			}
			// N casualties among GROUP
			if i+2 < len(toks) && toks[i+1].is("casualties") && toks[i+2].is("among") {
				if g, ok := groupAt(toks, i+3); ok {
					add(g, i, t)
					continue
				}
			}
			// recorded|reported|identified N [new] [mine/ERW] casualties
			if i > 0 && (toks[i-1].is("recorded", "reported", "identified") || i > 2 && toks[i-1].is("least") && toks[i-3].is("recorded", "reported", "identified")) {
				j := i + 1
				for j < len(toks) && j-i < 6 && (toks[j].is("new", "mine", "mines", "erw", "landmine", "landmines", "uxo", "and", "cluster", "munition") || toks[j].text == "/") {
					j++
				}
				if j < len(toks) && toks[j].is("casualties") && !sinceOrBetween(toks) {
					add(groupMatch{}, i, t)
				}
			}
			continue
		}
		if t.kind != tkWord {
			continue
		}
		g, ok := groupAt(toks, i)
		if !ok {
			continue
		}
		j := g.end
		// GROUP (N; …) or GROUP (N)
		if j+2 < len(toks) && toks[j].text == "(" && toks[j+1].kind == tkNum &&
			(toks[j+2].text == ";" || toks[j+2].text == ")" || toks[j+2].text == ",") {
			add(g, j+1, toks[j+1])
			continue
		}
		// GROUP made up N
		if j+2 < len(toks) && toks[j].is("made") && toks[j+1].is("up") && toks[j+2].kind == tkNum &&
			!(j+3 < len(toks) && toks[j+3].text == "%") {
			add(g, j+2, toks[j+2])
		}
	}
	pr.c.addSummed(pr.dataYear, "new", dedupePending(ps), "text: "+shorten(text), srcProse)
}

// dedupePending keeps the first of two readings of the same number (a
// number matched by two shapes must not be summed with itself).
func dedupePending(ps []pending) []pending {
	seen := map[int]bool{}
	var out []pending
	for _, p := range ps {
		if seen[p.it.pos] {
			continue
		}
		seen[p.it.pos] = true
		out = append(out, p)
	}
	// The same group twice in one clause is a repeat, not a sum.
	seenD := map[dims]bool{}
	final := out[:0]
	for _, p := range out {
		if seenD[p.d] {
			continue
		}
		seenD[p.d] = true
		final = append(final, p)
	}
	return final
}

func sinceOrBetween(toks []token) bool {
	for _, t := range toks {
		if t.is("since", "between", "cumulative", "total", "all") {
			return true
		}
	}
	return false
}

func shorten(s string) string {
	s = collapse(s)
	if utf8.RuneCountInString(s) > 80 {
		r := []rune(s)
		return string(r[:77]) + "…"
	}
	return s
}
