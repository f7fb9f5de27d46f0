package normalize

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vahub/vahub/normalize/internal/fold"
	"github.com/vahub/vahub/schema"
)

// maxAge bounds a plausible age in years; beyond it the figure is a typo.
const maxAge = 120

// AgeBand returns the canonical band (schema.AgeBands) of an age in years,
// or "" for a negative or absurd (over 120) age.
func AgeBand(years int) string {
	switch {
	case years < 0 || years > maxAge:
		return ""
	case years <= 4:
		return "0-4"
	case years <= 9:
		return "5-9"
	case years <= 14:
		return "10-14"
	case years <= 17:
		return "15-17"
	case years <= 24:
		return "18-24"
	case years <= 59:
		return "25-59"
	}
	return "60+"
}

// AgeGroupOf returns child (under 18) or adult, or unknown for a negative
// or absurd (over 120) age.
func AgeGroupOf(years int) string {
	switch {
	case years < 0 || years > maxAge:
		return schema.Unknown
	case years < 18:
		return "child"
	}
	return "adult"
}

var ageWords = map[string]string{}

func init() {
	for code, words := range map[string][]string{
		"child": {"child", "children", "minor", "minors", "enfant", "enfants", "mineur", "mineurs",
			"nino", "ninos", "ninos y ninas", "menor", "menores", "menor de edad", "menores de edad"},
		"adult": {"adult", "adults", "adulte", "adultes", "adulto", "adultos", "mayor de edad", "mayores de edad"},
		schema.Unknown: {"unknown", "age unknown", "inconnu", "age inconnu", "non precise", "desconocido",
			"edad desconocida", "desconocida", "sin informacion"},
		schema.Total: {"all", "all ages", "total", "tous ages", "toutes", "todas las edades", "todos"},
	} {
		for _, w := range words {
			ageWords[w] = code
		}
	}
}

// Words that only say the numbers are years.
var ageUnits = map[string]bool{
	"years": true, "year": true, "yrs": true, "yr": true, "old": true, "aged": true, "age": true,
	"ages": true, "ans": true, "an": true, "anos": true, "ano": true, "edad": true, "de": true, "d": true,
}

var (
	ageRange = regexp.MustCompile(`^(\d{1,3}) (?:to |a |al |au |through )?(\d{1,3})$`)
	ageUnder = regexp.MustCompile(`^(?:under|below|less than|younger than|moins|menor|menores|menos|inferieur a) (\d{1,3})$`)
	ageOver  = regexp.MustCompile(`^(?:over|above|more than|older than|plus|mayor|mayores|mas|superieur a) (\d{1,3})$`)
	ageUp    = regexp.MustCompile(`^(\d{1,3}) (?:and over|and above|and older|or more|or older|and up|et plus|ou plus|y mas|o mas|plus)$`)
)

// AgeGroupOfBand rolls a band label up to child, adult, unknown or total:
// "0-17", "0-4", "15-17" and "under 18", "moins de 18 ans", "Menor de 18
// años" are child; "18-64", "65+", "18 and over", "Mayor de 18 años" are
// adult; "child", "adultes", "unknown", "all" are read as words. A band
// that straddles 18 ("10-24") is refused: it belongs to neither group.
func AgeGroupOfBand(label string) (string, bool) {
	raw := strings.TrimSpace(cleanNumber(label))
	var toks []string
	for _, t := range strings.Fields(fold.Key(label)) {
		if !ageUnits[t] {
			toks = append(toks, t)
		}
	}
	k := strings.Join(toks, " ")
	if code, ok := ageWords[fold.Key(label)]; ok { // "mayor de edad" needs its "de"
		return code, true
	}
	if code, ok := ageWords[k]; ok {
		return code, true
	}
	switch {
	case strings.HasSuffix(raw, "+") && isDigits(k), strings.HasPrefix(raw, ">=") && isDigits(k),
		strings.HasPrefix(raw, "≥") && isDigits(k):
		return adultFrom(atoiAge(k), 18)
	case strings.HasPrefix(raw, ">") && isDigits(k):
		return adultFrom(atoiAge(k), 17)
	case (strings.HasPrefix(raw, "<=") || strings.HasPrefix(raw, "≤")) && isDigits(k):
		return childBelow(atoiAge(k) + 1)
	case strings.HasPrefix(raw, "<") && isDigits(k):
		return childBelow(atoiAge(k))
	}
	if m := ageRange.FindStringSubmatch(k); m != nil {
		lo, hi := atoiAge(m[1]), atoiAge(m[2])
		switch {
		case lo > hi || hi > maxAge:
			return "", false
		case hi < 18:
			return "child", true
		case lo >= 18:
			return "adult", true
		}
		return "", false
	}
	if m := ageUnder.FindStringSubmatch(k); m != nil {
		return childBelow(atoiAge(m[1]))
	}
	if m := ageOver.FindStringSubmatch(k); m != nil {
		return adultFrom(atoiAge(m[1]), 17)
	}
	if m := ageUp.FindStringSubmatch(k); m != nil {
		return adultFrom(atoiAge(m[1]), 18)
	}
	return "", false
}

// childBelow: "under n" is all children only when n is at most 18.
func childBelow(n int) (string, bool) {
	if n >= 1 && n <= 18 {
		return "child", true
	}
	return "", false
}

// adultFrom: "n and over" is all adults when n reaches min.
func adultFrom(n, min int) (string, bool) {
	if n >= min && n <= maxAge {
		return "adult", true
	}
	return "", false
}

func atoiAge(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
