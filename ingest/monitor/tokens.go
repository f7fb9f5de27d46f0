package monitor

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

type tokKind uint8

const (
	tkWord tokKind = iota
	tkNum
	tkPunct
)

// token is one word, number or punctuation mark of a text. Numbers written
// as words ("seven", "twenty-one") are read into one number token.
type token struct {
	kind    tokKind
	text    string // words in lower case; punctuation as written; numbers raw
	n       int64
	year    bool // four plain digits 1900–2099: a year, never a count
	percent bool // followed by "%" or "percent": a share, never a count
	bad     bool // "1.5", "1,23": not a whole count
}

func (t token) is(words ...string) bool {
	if t.kind == tkNum {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

func (t token) count() bool { return t.kind == tkNum && !t.year && !t.percent && !t.bad }

var (
	footnoteRE   = regexp.MustCompile(`\[\s*\d{1,3}\s*\]`)
	digitAlphaRE = regexp.MustCompile(`(\d)(\p{L})`)
	groupedRE    = regexp.MustCompile(`^\d{1,3}(,\d{3})+$`)
)

// cleanText removes footnote markers ("[1]"), turns non-breaking and other
// odd spaces into spaces and separates a number glued to its word
// ("22,901injured").
func cleanText(s string) string {
	s = footnoteRE.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2007', '\u2009', '\u200a', '\u2002', '\u2003', '\t', '\r', '\f', '\v':
			return ' '
		case '\u200b', '\u200c', '\u200d', '\ufeff', '\u00ad':
			return -1
		case '\u2019', '\u2018':
			return '\''
		}
		return r
	}, s)
	return digitAlphaRE.ReplaceAllString(s, "$1 $2")
}

// tokenize splits cleaned text into tokens. Newlines are kept as "\n"
// punctuation: in a table cell they separate the items of a breakdown.
func tokenize(s string) []token {
	rs := []rune(s)
	var out []token
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '\n':
			if len(out) == 0 || out[len(out)-1].text != "\n" {
				out = append(out, token{kind: tkPunct, text: "\n"})
			}
			i++
		case unicode.IsSpace(r):
			i++
		case r >= '0' && r <= '9':
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || ((rs[j] == ',' || rs[j] == '.') && j+1 < len(rs) && rs[j+1] >= '0' && rs[j+1] <= '9')) {
				j++
			}
			out = append(out, numToken(string(rs[i:j])))
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || unicode.IsMark(rs[j]) ||
				((rs[j] == '-' || rs[j] == '\'') && j+1 < len(rs) && unicode.IsLetter(rs[j+1]))) {
				j++
			}
			out = append(out, token{kind: tkWord, text: strings.ToLower(string(rs[i:j]))})
			i = j
		default:
			out = append(out, token{kind: tkPunct, text: string(r)})
			i++
		}
	}
	out = mergeNumberWords(out)
	for i := range out {
		if out[i].kind != tkNum {
			continue
		}
		if i+1 < len(out) && (out[i+1].text == "%" || out[i+1].is("percent", "per")) {
			out[i].percent = true
		}
	}
	return out
}

func numToken(raw string) token {
	t := token{kind: tkNum, text: raw}
	digits := raw
	switch {
	case strings.Contains(raw, "."):
		t.bad = true
		return t
	case strings.Contains(raw, ","):
		if !groupedRE.MatchString(raw) {
			t.bad = true
			return t
		}
		digits = strings.ReplaceAll(raw, ",", "")
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || len(digits) > 12 {
		t.bad = true
		return t
	}
	t.n = n
	t.year = len(raw) == 4 && n >= 1900 && n <= 2099
	return t
}

// mergeNumberWords turns runs of number words into number tokens, taking
// the longest run that reads as one number.
func mergeNumberWords(in []token) []token {
	out := make([]token, 0, len(in))
	for i := 0; i < len(in); i++ {
		t := in[i]
		if t.kind != tkWord || !startsNumberWord(t.text, in, i) {
			out = append(out, t)
			continue
		}
		end := i
		for end+1 < len(in) && in[end+1].kind == tkWord && end+1-i < 12 && numberWordToken(in[end+1].text) {
			end++
		}
		merged := false
		for k := end; k >= i; k-- {
			var parts []string
			for _, x := range in[i : k+1] {
				parts = append(parts, splitNumberWords(x.text)...)
			}
			n, used, ok := parseNumberWords(parts)
			if ok && used == len(parts) {
				raw := make([]string, 0, k+1-i)
				for _, x := range in[i : k+1] {
					raw = append(raw, x.text)
				}
				out = append(out, token{kind: tkNum, text: strings.Join(raw, " "), n: n})
				i = k
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, t)
		}
	}
	return out
}

func startsNumberWord(w string, in []token, i int) bool {
	if w == "a" {
		return i+1 < len(in) && in[i+1].is("hundred", "thousand", "million")
	}
	parts := splitNumberWords(w)
	if len(parts) == 0 {
		return false
	}
	for _, p := range parts {
		if !isNumberWord(p) {
			return false
		}
	}
	return true
}

func numberWordToken(w string) bool {
	if w == "and" {
		return true
	}
	for _, p := range splitNumberWords(w) {
		if !isNumberWord(p) {
			return false
		}
	}
	return w != ""
}
