// Package fold builds the matching key shared by normalize and
// normalize/countries, which cannot import each other.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Letters that NFKD leaves whole but that writers of reports treat as their
// base letters (Œuvre, Ærø, Đakovica, Łódź, Straße).
var ligatures = strings.NewReplacer(
	"œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ø", "o", "Ø", "o",
	"đ", "d", "Đ", "d", "ł", "l", "Ł", "l", "ß", "ss", "ı", "i",
)

// StripMarks returns s in NFKD with every combining mark removed, so that
// "Côte" and "Cote", or the full-width "５０" and "50", compare equal.
func StripMarks(s string) string {
	if isASCII(s) { // most cells: skip the transform and its allocations
		return s
	}
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		// Only reachable on invalid UTF-8 handling bugs; the input is the
		// best we can offer then.
		return s
	}
	return ligatures.Replace(out)
}

// Key is the matching key described at normalize.Fold.
func Key(s string) string {
	// Lower-case on both sides of NFKD: some capitals (ẞ) only reach the
	// letters StripMarks rewrites once lowered, and NFKD can expose capitals.
	s = strings.ToLower(StripMarks(strings.ToLower(s)))
	s = strings.ReplaceAll(s, "&", " and ")
	s = strings.ReplaceAll(s, "(the)", " ")
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces and collapse runs
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	out := strings.TrimSuffix(b.String(), " ")
	for { // "The The" is still a name after one article goes
		rest, ok := strings.CutPrefix(out, "the ")
		if !ok {
			return out
		}
		out = rest
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
