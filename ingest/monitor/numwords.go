package monitor

import "strings"

// English number words as the Monitor writes small counts in prose
// ("seven girls", "one girl", "twenty-one boys", "a hundred").
var (
	unitWords = map[string]int64{
		"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
		"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
	}
	tensWords = map[string]int64{
		"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
		"eighty": 80, "ninety": 90,
	}
	scaleWords = map[string]int64{"hundred": 100, "thousand": 1000, "million": 1000000}
)

// isNumberWord reports whether w (lower case) is one of the words a spelled
// number is made of; "a" and "and" only count between other number words.
func isNumberWord(w string) bool {
	if _, ok := unitWords[w]; ok {
		return true
	}
	if _, ok := tensWords[w]; ok {
		return true
	}
	_, ok := scaleWords[w]
	return ok
}

// splitNumberWords splits "twenty-one" and "one hundred and five" into words.
func splitNumberWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == '-' || r == '\u00a0' || r == '\t' || r == '\n'
	})
}

// parseNumberWords reads the longest spelled number at the start of words
// and returns its value and how many words it used. "a" counts as one only
// before a scale word ("a hundred"); "and" only inside a number ("one
// hundred and five"). ok is false when words do not start with a number.
func parseNumberWords(words []string) (n int64, used int, ok bool) {
	var total, group int64 // total: completed thousands/millions; group: below 1,000
	seen := false          // any number word read
	lastKind := ""         // "unit", "teen", "tens", "hundred", "scale"
	var lastScale int64    // the last thousand/million read: scales descend
	i := 0
	for i < len(words) {
		w := words[i]
		switch {
		case w == "a" && !seen:
			if i+1 < len(words) && (words[i+1] == "hundred" || words[i+1] == "thousand" || words[i+1] == "million") {
				group, seen, lastKind = 1, true, "unit"
				i++
				continue
			}
			return finish(total, group, used, seen)
		case w == "and":
			// "hundred and five", "thousand and twenty": only after a scale word
			// and before a unit or tens word.
			if (lastKind == "hundred" || lastKind == "scale") && i+1 < len(words) {
				nx := words[i+1]
				if _, u := unitWords[nx]; u {
					i++
					continue
				}
				if _, t := tensWords[nx]; t {
					i++
					continue
				}
			}
			return finish(total, group, used, seen)
		}
		if v, ok := unitWords[w]; ok {
			// A unit may follow nothing, a tens word ("twenty one"), "hundred" or a scale.
			if lastKind == "unit" || lastKind == "teen" {
				break
			}
			if v >= 10 && lastKind == "tens" {
				break // "twenty twelve" is no number
			}
			group += v
			if v >= 10 {
				lastKind = "teen"
			} else {
				lastKind = "unit"
			}
			seen = true
			i++
			used = i
			continue
		}
		if v, ok := tensWords[w]; ok {
			if lastKind == "unit" || lastKind == "teen" || lastKind == "tens" {
				break
			}
			group += v
			lastKind, seen = "tens", true
			i++
			used = i
			continue
		}
		if v, ok := scaleWords[w]; ok {
			if !seen && w != "hundred" {
				break // "thousand" alone is no count
			}
			if v == 100 {
				if lastKind == "hundred" || group >= 100 {
					break
				}
				if group == 0 {
					if seen {
						break // "thousand hundred"
					}
					group = 1 // "hundred" alone is one hundred
				}
				group *= 100
				lastKind = "hundred"
			} else {
				if group == 0 || (lastScale != 0 && v >= lastScale) {
					break // "million thousand", "one thousand two million"
				}
				total += group * v
				group, lastScale = 0, v
				lastKind = "scale"
			}
			seen = true
			i++
			used = i
			continue
		}
		break
	}
	return finish(total, group, used, seen)
}

func finish(total, group int64, used int, seen bool) (int64, int, bool) {
	if !seen || used == 0 {
		return 0, 0, false
	}
	return total + group, used, true
}

// ParseNumberWords reads a whole string as a spelled English number
// ("seven", "twenty-one", "one hundred and five"). It refuses text that
// holds anything else.
func ParseNumberWords(s string) (int64, bool) {
	words := splitNumberWords(s)
	n, used, ok := parseNumberWords(words)
	if !ok || used != len(words) {
		return 0, false
	}
	return n, true
}

// spellNumber writes n in English words, the inverse of ParseNumberWords
// for 0 ≤ n < 1,000,000,000 (used by tests and the fuzz target).
func spellNumber(n int64) string {
	if n == 0 {
		return "zero"
	}
	var parts []string
	for _, sc := range []struct {
		v    int64
		name string
	}{{1000000, "million"}, {1000, "thousand"}} {
		if n >= sc.v {
			parts = append(parts, spellBelowThousand(n/sc.v), sc.name)
			n %= sc.v
		}
	}
	if n > 0 {
		if len(parts) > 0 && n < 100 {
			parts = append(parts, "and")
		}
		parts = append(parts, spellBelowThousand(n))
	}
	return strings.Join(parts, " ")
}

func spellBelowThousand(n int64) string {
	var parts []string
	if n >= 100 {
		parts = append(parts, spellBelowHundred(n/100), "hundred")
		n %= 100
		if n > 0 {
			parts = append(parts, "and")
		}
	}
	if n > 0 {
		parts = append(parts, spellBelowHundred(n))
	}
	return strings.Join(parts, " ")
}

func spellBelowHundred(n int64) string {
	for w, v := range unitWords {
		if v == n {
			return w
		}
	}
	tens := n / 10 * 10
	for w, v := range tensWords {
		if v == tens {
			if n%10 == 0 {
				return w
			}
			return w + "-" + spellBelowHundred(n%10)
		}
	}
	return ""
}
