package monitor

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

type labelKind uint8

const (
	lkNone       labelKind = iota
	lkTotal                // "Casualties in 2017", "Annual total"
	lkCumulative           // "All known casualties by end 2016"
	lkOutcome              // "Survival outcome", "2016 casualties by outcome"
	lkDevice               // "Device type causing casualties"
	lkCivilian             // "Civilian status"
	lkSexAge               // "Age and gender"
	lkDim                  // a category used as a label: "Killed: 31", "ERW: 57"
)

func (k labelKind) String() string {
	return [...]string{"", "total", "cumulative total", "outcome", "device type", "civilian status", "age and gender", "category"}[k]
}

// label is a recognised key-figure label.
type label struct {
	kind labelKind
	year int    // the year the label names, 0 if none
	text string // as written, for messages
}

var (
	typoRE      = regexp.MustCompile(`\bcas[a-z]{2,7}ties\b`)
	yearRE      = regexp.MustCompile(`\b(19\d\d|20\d\d)\b`)
	labelTotal  = regexp.MustCompile(`^(?:new |annual )?(?:(?:mine erw|mines erw|mine|landmine|erw|cluster munition|ied|uxo) )?casualties (?:occurring |recorded |identified |reported )?(?:in|during) (\d{4})$|^(?:annual )?total(?: casualties)?$|^casualties total$`)
	labelCum    = regexp.MustCompile(`^all known (?:(?:mine erw|mines erw|mine|landmine|erw|cluster munition) )?casualties\b`)
	labelOut    = regexp.MustCompile(`^(?:(\d{4}) )?casualties by (?:survival )?outcome$|^survival outcome$|^outcome$|^casualty analysis$|^killed and injured$`)
	labelDevice = regexp.MustCompile(`^(?:(\d{4}) )?casualties by (?:device|item|weapon|explosive) types?$|^(?:device|item|weapon) types?(?: causing casualties)?$`)
	labelCiv    = regexp.MustCompile(`^(?:(\d{4}) )?casualties by (?:civilian )?status$|^civilian status$|^civilian military status$`)
	labelSexAge = regexp.MustCompile(`^(?:(\d{4}) )?casualties by (?:age and (?:gender|sex)|(?:gender|sex) and age|age|gender|sex)$|^(?:age and (?:gender|sex)|(?:gender|sex) and age)$`)
	compareRE   = regexp.MustCompile(`(?i)\b(?:an? )?(?:increase|decrease|rise|fall|drop|up|down)\s+from\s+(\d{1,3}(?:,\d{3})+|\d+)\s+in\s+(\d{4})\b`)
	otherYearRE = regexp.MustCompile(`\(\s*((?:19|20)\d\d)\s*:\s*([^()]*)\)`)
)

// labelKey folds a label and repairs the Monitor's typos ("Casulaties").
func labelKey(s string) string {
	s = strings.TrimSpace(cleanText(s))
	s = strings.TrimRight(s, " |:")
	k := normalize.Fold(s)
	return typoRE.ReplaceAllString(k, "casualties")
}

func lastYear(s string) int {
	m := yearRE.FindAllString(s, -1)
	if len(m) == 0 {
		return 0
	}
	y, _ := strconv.Atoi(m[len(m)-1])
	return y
}

// matchLabel recognises a whole block as a key-figure label.
func matchLabel(text string) (label, bool) {
	if len(text) > 120 || strings.Contains(strings.TrimSpace(text), "\n") {
		return label{}, false
	}
	k := labelKey(text)
	if k == "" {
		return label{}, false
	}
	for _, t := range tokenize(k) {
		if t.count() {
			return label{}, false // a label names years, never counts
		}
	}
	l := label{text: strings.TrimRight(collapse(text), " |:")}
	year := func(m []string) int {
		for _, s := range m[1:] {
			if y, err := strconv.Atoi(s); err == nil {
				return y
			}
		}
		return 0
	}
	switch {
	case labelCum.MatchString(k):
		l.kind, l.year = lkCumulative, lastYear(k)
	case labelTotal.MatchString(k):
		l.kind, l.year = lkTotal, year(labelTotal.FindStringSubmatch(k))
	case labelOut.MatchString(k):
		l.kind, l.year = lkOutcome, year(labelOut.FindStringSubmatch(k))
	case labelDevice.MatchString(k):
		l.kind, l.year = lkDevice, year(labelDevice.FindStringSubmatch(k))
	case labelCiv.MatchString(k):
		l.kind, l.year = lkCivilian, year(labelCiv.FindStringSubmatch(k))
	case labelSexAge.MatchString(k):
		l.kind, l.year = lkSexAge, year(labelSexAge.FindStringSubmatch(k))
	default:
		return label{}, false
	}
	return l, true
}

// matchDimLabel recognises a category used as a label ("Killed", "ERW",
// "Unknown devices") in "Label: value" lines under a group label.
func matchDimLabel(text string) (label, bool) {
	k := labelKey(text)
	if k == "" || len(k) > 40 {
		return label{}, false
	}
	_, o := normalize.Outcome(k)
	_, _, s := sexAgeOf(k)
	_, c := civOf(k)
	_, d := causeOf(k)
	if !(o || s || c || d) {
		return label{}, false
	}
	return label{kind: lkDim, text: collapse(text)}, true
}

// splitInline splits "Label: value" written on one line (a paragraph with
// a bold run-in label, or a summary box line).
func splitInline(text string) (label, string, bool) {
	first, rest, _ := strings.Cut(text, "\n")
	// "<strong>Casualties in 2014</strong><br>45 (2013: 42)": label on the
	// first line, value below.
	if rest != "" && looksLikeValue(rest) {
		if l, ok := matchLabel(first); ok {
			return l, rest, true
		}
	}
	i := strings.Index(first, ":")
	if i <= 0 {
		return label{}, "", false
	}
	left, right := first[:i], strings.TrimSpace(first[i+1:])
	if rest != "" {
		right = strings.TrimSpace(right + "\n" + rest)
	}
	if right == "" || !looksLikeValue(right) {
		return label{}, "", false
	}
	if l, ok := matchLabel(left); ok {
		return l, right, true
	}
	if l, ok := matchDimLabel(left); ok {
		return l, right, true
	}
	return label{}, "", false
}

// looksLikeValue reports whether text is a short figure: it starts with a
// count, possibly after a qualifier ("At least 50,570 …", "4 (2012: 3)").
func looksLikeValue(text string) bool {
	if len(text) > 400 {
		return false
	}
	toks := tokenize(cleanText(text))
	for _, t := range toks {
		switch {
		case t.kind == tkNum:
			return t.count()
		case t.is("at", "least", "over", "more", "than", "approximately", "an", "estimated", "about",
			"around", "some", "nearly", "almost", "total", "a", "minimum", "of", "no", "fewer", "in", "excess", "approx", "circa"):
			continue
		case t.text == "~" || t.text == "|":
			continue
		default:
			return false
		}
	}
	return false
}

// keyFigures reads the label/value blocks of a page into facts.
type keyFigures struct {
	c        *collector
	dataYear int
}

// value turns one label's value text into facts for year (the label's own
// year, its group's or the data year).
func (kf *keyFigures) value(l label, group label, year int, text string) {
	text = cleanText(text)
	text = strings.TrimRight(strings.TrimSpace(text), "|")
	origin := l.text
	kind := l.kind
	if kind == lkTotal || kind == lkCumulative {
		for _, m := range compareRE.FindAllStringSubmatch(text, -1) {
			kf.comparison(m, origin)
		}
		text = compareRE.ReplaceAllString(text, " ")
	}
	scope := "new"
	if kind == lkCumulative {
		scope = "cumulative"
		if l.year == 0 {
			// "… casualties (6,761 killed …) between 1978 and 2016"
			if y := lastYear(text); y != 0 {
				year = y
			}
		}
	}
	for _, m := range otherYearRE.FindAllStringSubmatch(text, -1) {
		y, _ := strconv.Atoi(m[1])
		if y == year {
			continue
		}
		kf.items(l, group, y, scope, m[2], origin+" ("+m[1]+")")
	}
	text = otherYearRE.ReplaceAllString(text, " ")
	kf.items(l, group, year, scope, text, origin)
}

// comparison reads "Increase from 1,985 in 2016": the total of that year.
func (kf *keyFigures) comparison(m []string, origin string) {
	n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	y, _ := strconv.Atoi(m[2])
	if err != nil || y == 0 {
		return
	}
	kf.c.add(y, "new", dims{}, value(n, schema.QualExact), origin+": "+collapse(m[0]), srcKey)
}

func (kf *keyFigures) items(l label, group label, year int, scope, text, origin string) {
	kind := l.kind
	toks := tokenize(text)
	its := valueItems(toks)
	if len(its) == 0 {
		return
	}
	var unknown []string
	var facts []pending
	addf := func(d dims, it item) { facts = append(facts, pending{d, it}) }
	switch kind {
	case lkTotal, lkCumulative:
		addf(dims{}, its[0])
		for _, it := range its[1:] {
			if o, ok := outcomeOf(it.phrase); ok {
				addf(dims{outcome: o}, it)
			} else if s, a, ok := sexAgeOf(it.phrase); ok {
				addf(dims{sex: s, age: a}, it)
			}
		}
	case lkOutcome:
		for _, it := range its {
			if o, ok := outcomeOf(it.phrase); ok {
				addf(dims{outcome: o}, it)
			} else if it.phrase != "" {
				unknown = append(unknown, it.phrase)
			}
		}
	case lkDevice:
		for _, it := range its {
			if c, ok := causeOf(it.phrase); ok {
				addf(dims{cause: c}, it)
			} else if it.phrase != "" {
				unknown = append(unknown, it.phrase)
			}
		}
	case lkCivilian:
		for _, it := range its {
			if c, ok := civOf(it.phrase); ok {
				addf(dims{civ: c}, it)
			} else if it.phrase != "" {
				unknown = append(unknown, it.phrase)
			}
		}
	case lkSexAge:
		for _, it := range its {
			if s, a, ok := sexAgeOf(it.phrase); ok {
				addf(dims{sex: s, age: a}, it)
			} else if it.phrase != "" {
				unknown = append(unknown, it.phrase)
			}
		}
	case lkDim:
		d, ok := dimOf(group.kind, l.text)
		if !ok {
			return
		}
		addf(d, its[0])
	}
	if len(unknown) > 0 {
		kf.c.issue(schema.SevWarning, schema.CodeUnknownLabels,
			fmt.Sprintf("%q (%d): vahub does not know %s; those figures are not read.", origin, year, quoteList(unknown)))
	}
	kf.c.addSummed(year, scope, facts, origin, srcKey)
}

// dimOf reads a category label ("Killed", "ERW") under its group: the
// word "unknown" is an outcome under "Casualty analysis", a device under a
// total or device group.
func dimOf(groupKind labelKind, labelText string) (dims, bool) {
	w := labelKey(labelText)
	if groupKind == lkOutcome {
		if o, ok := normalize.Outcome(w); ok {
			return dims{outcome: o}, true
		}
	}
	if groupKind == lkCivilian {
		if c, ok := civOf(w); ok {
			return dims{civ: c}, true
		}
	}
	if groupKind == lkSexAge {
		if s, a, ok := sexAgeOf(w); ok {
			return dims{sex: s, age: a}, true
		}
	}
	if w == "total" {
		return dims{}, true
	}
	if o, ok := normalize.Outcome(w); ok && w != "unknown" {
		return dims{outcome: o}, true
	}
	if c, ok := causeOf(w); ok {
		return dims{cause: c}, true
	}
	if s, a, ok := sexAgeOf(w); ok {
		return dims{sex: s, age: a}, true
	}
	if c, ok := civOf(w); ok && w != "unknown" {
		return dims{civ: c}, true
	}
	return dims{}, false
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func value(n int64, q schema.Qualifier) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: q}
}
