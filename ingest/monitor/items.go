package monitor

import (
	"strings"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// dims are the dimensions of one casualty figure; "" means total.
type dims struct {
	outcome, sex, age, cause, civ string
}

func (d dims) or() dims {
	f := func(s string) string {
		if s == "" {
			return schema.Total
		}
		return s
	}
	return dims{f(d.outcome), f(d.sex), f(d.age), f(d.cause), f(d.civ)}
}

// item is "<number> <phrase>" in a figure: "1,503 injured", "at least 50 boys".
type item struct {
	n      int64
	q      schema.Qualifier
	phrase string
	pos    int // token index of the number
}

// qualifierBefore reads the words before tokens[i] ("at least", "over",
// "an estimated"). skip is true for an upper bound ("less than 5"), which
// is no count.
func qualifierBefore(toks []token, i int) (q schema.Qualifier, skip bool) {
	w := func(k int) string {
		if i-k < 0 || toks[i-k].kind != tkWord {
			return ""
		}
		return toks[i-k].text
	}
	switch {
	case w(2) == "at" && w(1) == "least", w(1) == "over", w(2) == "more" && w(1) == "than",
		w(3) == "no" && w(2) == "fewer" && w(1) == "than", w(3) == "no" && w(2) == "less" && w(1) == "than",
		w(3) == "in" && w(2) == "excess" && w(1) == "of", w(2) == "a" && w(1) == "minimum", w(1) == "minimum":
		return schema.QualAtLeast, false
	case w(2) == "less" && w(1) == "than", w(2) == "fewer" && w(1) == "than", w(2) == "up" && w(1) == "to",
		w(1) == "under", w(2) == "at" && w(1) == "most":
		return "", true
	case w(1) == "approximately", w(1) == "estimated", w(1) == "about", w(1) == "around", w(1) == "some",
		w(1) == "roughly", w(1) == "nearly", w(1) == "almost", w(1) == "approx", w(1) == "circa",
		w(1) == "ca", w(2) == "an" && w(1) == "estimated":
		return schema.QualEstimate, false
	}
	if i > 0 && toks[i-1].text == "~" {
		return schema.QualEstimate, false
	}
	return schema.QualExact, false
}

// phraseStops end the words that name what a number counts.
var phraseStops = map[string]bool{
	";": true, ",": true, "(": true, ")": true, ":": true, "\n": true, ".": true, "[": true, "]": true,
	"|": true, "•": true, "–": true, "—": true,
}

// valueItems reads every counted number of a key-figure value with the
// words after it, up to the next separator or number.
func valueItems(toks []token) []item {
	var out []item
	for i, t := range toks {
		if !t.count() {
			continue
		}
		q, skip := qualifierBefore(toks, i)
		if skip {
			continue
		}
		var words []string
		for j := i + 1; j < len(toks); j++ {
			x := toks[j]
			if x.kind == tkNum || phraseStops[x.text] {
				break
			}
			nextNum := j+1 < len(toks) && toks[j+1].kind == tkNum
			nextEnd := j+1 >= len(toks) || toks[j+1].kind == tkPunct
			if x.is("between", "since", "including", "by", "from", "during", "compared") ||
				x.is("and", "or") && (nextNum || nextEnd) || x.is("in", "of", "to") && nextNum {
				break
			}
			words = append(words, x.text)
		}
		out = append(out, item{n: t.n, q: q, phrase: strings.Join(words, " "), pos: i})
	}
	return out
}

// trimPhrase drops words that do not change what is counted.
func trimPhrase(p string) string {
	p = strings.TrimSpace(strings.ReplaceAll(p, " / ", "/"))
	for {
		old := p
		for _, suf := range []string{" casualties", " casualty", " people", " persons", " victims", " each", " were", " was"} {
			p = strings.TrimSuffix(p, suf)
		}
		for _, pre := range []string{"new ", "people ", "persons ", "other ", "the ", "were ", "was "} {
			if pre == "other " && strings.HasPrefix(p, "other erw") {
				continue
			}
			p = strings.TrimPrefix(p, pre)
		}
		if p == old {
			return p
		}
	}
}

func outcomeOf(phrase string) (string, bool) {
	p := trimPhrase(phrase)
	if p == "" || strings.Contains(p, " ") && !strings.HasPrefix(p, "outcome") && !strings.HasPrefix(p, "survival") {
		return "", false
	}
	return normalize.Outcome(p)
}

// sexAgeOf maps "women", "adult casualties", "girl" to sex and age group.
// Single letters ("m", "f") are table headers, never prose.
func sexAgeOf(phrase string) (sex, age string, ok bool) {
	p := trimPhrase(phrase)
	if len(p) < 3 {
		return "", "", false
	}
	switch p {
	case "unknown", "inconnu", "desconocido", "sin informacion", "non precise":
		return "", "", false // "unknown" alone belongs to the figure's own dimension
	}
	return normalize.SexAge(p, "en", true)
}

var civExtra = map[string]string{
	"demining personnel": "deminer", "clearance personnel": "deminer", "deminer casualties": "deminer",
	"demining": "deminer", "military personnel": "military", "security personnel": "military",
	"soldiers": "military", "civilian": "civilian", "civilians": "civilian",
}

func civOf(phrase string) (string, bool) {
	p := trimPhrase(phrase)
	if p == "" {
		return "", false
	}
	if c, ok := civExtra[p]; ok {
		return c, true
	}
	return normalize.CivilianStatus(p)
}

// causeExtra are Monitor device-type wordings normalize.Cause does not
// know. A "cluster munition" in a profile's casualties-by-item row is an
// unexploded submunition: attacks are reported apart, as attacks.
var causeExtra = map[string]string{
	"cluster munition": "cm_remnant", "cluster munitions": "cm_remnant", "cluster submunition": "cm_remnant",
	"cluster submunitions": "cm_remnant", "unexploded cluster submunitions": "cm_remnant",
	"unknown devices": "unknown", "unknown device types": "unknown", "unknown explosive items": "unknown",
	"improvised mines": "improvised_mine", "victim-activated improvised explosive devices": "improvised_mine",
	"antivehicle": "mine", "antipersonnel": "mine", "mine erw": "mine_erw",
}

func causeOf(phrase string) (string, bool) {
	p := trimPhrase(phrase)
	if p == "" {
		return "", false
	}
	if c, ok := causeExtra[p]; ok {
		return c, true
	}
	return normalize.Cause(p)
}
