package normalize

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/vahub/vahub/normalize/internal/fold"
	"github.com/vahub/vahub/schema"
)

// Errors of Count and NumericCount. They are wrapped with the raw text, so
// test with errors.Is and quote err.Error() to users.
var (
	ErrNotNumber = errors.New("not a number")
	ErrNegative  = errors.New("negative count")
	ErrFraction  = errors.New("not a whole number")
)

// Cell texts that say something other than a number. Keys are Fold keys.
var stateWords = map[string]schema.ValueState{}

func init() {
	add := func(st schema.ValueState, words ...string) {
		for _, w := range words {
			stateWords[fold.Key(w)] = st
		}
	}
	add(schema.StateUnknown,
		"unknown", "unk", "not known", "unspecified", "not specified", "not available", "no data", "not reported", "nr",
		"inconnu", "inconnue", "inconnus", "non connu", "non connue", "non précisé", "non précisée", "non spécifié",
		"non disponible", "nc", "non communiqué", "pas de données",
		"desconocido", "desconocida", "sin información", "sin info", "s/i", "no disponible", "no especificado",
		"sin datos", "s/d", "nd", "n.d.")
	add(schema.StateNotApplicable,
		"n/a", "na", "n.a.", "not applicable", "s.o.", "sans objet", "non applicable", "no aplica", "no aplicable",
		"no corresponde")
	add(schema.StateWithheld,
		"withheld", "suppressed", "redacted", "confidential", "confidentiel", "confidentielle", "masqué", "masquée",
		"confidencial", "reservado", "reservada")
}

// Words that mean zero. A blank is not zero, but "none" is.
var zeroWords = map[string]bool{
	"none": true, "nil": true, "zero": true, "neant": true, "aucun": true, "aucune": true,
	"ninguno": true, "ninguna": true, "cero": true,
}

// "Unchanged (last reporting: 2019)": the cover page's way of saying "take
// that year's figure".
var carriedPrefixes = []string{
	"unchanged", "no change", "no changes", "inchange", "inchangee", "inchanges", "inchangees",
	"sans changement", "pas de changement", "sans modification",
	"sin cambios", "sin cambio", "sin modificacion", "sin modificaciones",
}

// Censored values: "<5" is a suppressed small count, not a number.
var withheldPrefixes = []string{"<=", "<", "≤", "less than", "fewer than", "moins de", "menos de"}

type affix struct {
	text string
	q    schema.Qualifier
}

// Longest first, so "estimated" wins over "est" and "ca." over "c.".
var qualPrefixes = sortLongestFirst([]affix{
	{"at least", schema.QualAtLeast}, {"≥", schema.QualAtLeast}, {">=", schema.QualAtLeast}, {">", schema.QualAtLeast},
	{"over", schema.QualAtLeast}, {"more than", schema.QualAtLeast}, {"no less than", schema.QualAtLeast},
	{"not less than", schema.QualAtLeast}, {"a minimum of", schema.QualAtLeast}, {"minimum", schema.QualAtLeast},
	{"au moins", schema.QualAtLeast}, {"au minimum", schema.QualAtLeast}, {"plus de", schema.QualAtLeast},
	{"al menos", schema.QualAtLeast}, {"por lo menos", schema.QualAtLeast}, {"como minimo", schema.QualAtLeast},
	{"mas de", schema.QualAtLeast}, {"no menos de", schema.QualAtLeast},
	{"~", schema.QualEstimate}, {"≈", schema.QualEstimate}, {"approx.", schema.QualEstimate}, {"approx", schema.QualEstimate},
	{"approximately", schema.QualEstimate}, {"about", schema.QualEstimate}, {"around", schema.QualEstimate},
	{"circa", schema.QualEstimate}, {"ca.", schema.QualEstimate}, {"c.", schema.QualEstimate}, {"some", schema.QualEstimate},
	{"estimated", schema.QualEstimate}, {"an estimated", schema.QualEstimate}, {"est.", schema.QualEstimate},
	{"roughly", schema.QualEstimate}, {"nearly", schema.QualEstimate}, {"almost", schema.QualEstimate},
	{"environ", schema.QualEstimate}, {"env.", schema.QualEstimate}, {"approximativement", schema.QualEstimate},
	{"a peu pres", schema.QualEstimate}, {"pres de", schema.QualEstimate}, {"presque", schema.QualEstimate},
	{"estime", schema.QualEstimate}, {"estimee", schema.QualEstimate}, {"estimes", schema.QualEstimate},
	{"aprox.", schema.QualEstimate}, {"aprox", schema.QualEstimate}, {"aproximadamente", schema.QualEstimate},
	{"alrededor de", schema.QualEstimate}, {"cerca de", schema.QualEstimate}, {"casi", schema.QualEstimate},
	{"unos", schema.QualEstimate}, {"unas", schema.QualEstimate}, {"estimado", schema.QualEstimate},
	{"estimados", schema.QualEstimate}, {"estimada", schema.QualEstimate}, {"estimadas", schema.QualEstimate},
})

var qualSuffixes = sortLongestFirst([]affix{
	{"+", schema.QualAtLeast}, {"or more", schema.QualAtLeast}, {"and more", schema.QualAtLeast},
	{"and over", schema.QualAtLeast}, {"et plus", schema.QualAtLeast}, {"ou plus", schema.QualAtLeast},
	{"o mas", schema.QualAtLeast}, {"y mas", schema.QualAtLeast},
	{"(est.)", schema.QualEstimate}, {"(est)", schema.QualEstimate}, {"(estimated)", schema.QualEstimate},
	{"(estimate)", schema.QualEstimate}, {"(approx.)", schema.QualEstimate}, {"(approx)", schema.QualEstimate},
	{"(estime)", schema.QualEstimate}, {"(estimation)", schema.QualEstimate}, {"(estimado)", schema.QualEstimate},
	{"(aprox.)", schema.QualEstimate}, {"est.", schema.QualEstimate}, {"approx.", schema.QualEstimate},
})

func sortLongestFirst(a []affix) []affix {
	for i := 1; i < len(a); i++ { // insertion sort: tiny, stable, no import
		for j := i; j > 0 && len(a[j].text) > len(a[j-1].text); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
	return a
}

// Count parses a number cell as written in a report whose language is lang
// ("en", "fr", "es" or "" when unknown).
//
// A blank cell gives the zero Value (State "") and no error: it is no fact.
// Words and marks for unknown ("unknown", "inconnu", "?", "-", "—" …), not
// applicable ("n/a", "sans objet" …), withheld ("<5", "confidencial" …) and
// carried forward ("unchanged since 2019", "sin cambios" …) give that state
// with People nil; CarriedFrom holds the year when the text names one.
// Numbers accept thousands separators (",", spaces incl. U+00A0 and U+202F,
// "'" and, outside English, "."), a zero fraction ("1234.0"), and one
// qualifier ("at least 50", "50+", "environ 50", "aprox. 50").
//
// Separators are read by lang: in "en" "1.234" is a fraction (ErrFraction);
// in "fr", "es" and "" a dot followed by exactly three digits groups
// thousands. A comma followed by exactly three digits groups thousands in
// every language; followed by other digits it is a decimal comma, except in
// "en", where it is ErrNotNumber. "none", "nil", "néant", "ninguno" are 0.
func Count(raw, lang string) (schema.Value, error) {
	if isBlank(raw) {
		return schema.Value{}, nil
	}
	s := cleanNumber(raw)
	if s == "" { // only combining marks: not blank, not anything either
		return schema.Value{}, fmt.Errorf("%w: %q", ErrNotNumber, raw)
	}
	if isDashes(s) {
		return schema.Value{State: schema.StateUnknown}, nil
	}
	key := fold.Key(raw)
	if st, ok := stateWords[key]; ok {
		return schema.Value{State: st}, nil
	}
	if zeroWords[key] {
		return reported(0, schema.QualExact), nil
	}
	if v, ok, err := carried(key); ok {
		if err != nil {
			return schema.Value{}, fmt.Errorf("%w: %q", err, raw)
		}
		return v, nil
	}
	for _, p := range withheldPrefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			if _, err := parseCount(strings.TrimSpace(rest), lang); err == nil {
				return schema.Value{State: schema.StateWithheld}, nil
			}
		}
	}
	q, num := splitQualifier(s)
	n, err := parseCount(num, lang)
	if err != nil {
		return schema.Value{}, fmt.Errorf("%w: %q", err, raw)
	}
	return reported(n, q), nil
}

// NumericCount reads the raw stored value of a spreadsheet cell whose type
// is number ("1234", "1234.0", "1.2E3"): the writer's locale does not apply,
// "." is always the decimal point. Blank gives the zero Value and no error.
func NumericCount(raw string) (schema.Value, error) {
	s := strings.TrimSpace(raw)
	if isBlank(raw) {
		return schema.Value{}, nil
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.eE+-", r) {
			return schema.Value{}, fmt.Errorf("%w: %q", ErrNotNumber, raw)
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil { // exact above 2^53 too
		if n < 0 {
			return schema.Value{}, fmt.Errorf("%w: %q", ErrNegative, raw)
		}
		return reported(n, schema.QualExact), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return schema.Value{}, fmt.Errorf("%w: %q", ErrNotNumber, raw)
	}
	switch {
	case f < 0:
		return schema.Value{}, fmt.Errorf("%w: %q", ErrNegative, raw)
	case math.IsInf(f, 0) || f >= math.MaxInt64:
		return schema.Value{}, fmt.Errorf("%w: too large: %q", ErrNotNumber, raw)
	case f != math.Trunc(f):
		return schema.Value{}, fmt.Errorf("%w: %q", ErrFraction, raw)
	}
	return reported(int64(f), schema.QualExact), nil
}

func reported(n int64, q schema.Qualifier) schema.Value {
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: q}
}

// cleanNumber lower-cases, strips accents and collapses every kind of space
// (NBSP and the narrow NBSP French typesetting puts in "1 234") to one
// ASCII space. Superscript digits are kept out of NFKD, which would turn
// the footnote mark of "50¹" into a digit of "501".
func cleanNumber(raw string) string {
	var b strings.Builder
	for _, r := range raw {
		if unicode.Is(unicode.Cf, r) { // zero-width spaces and BOMs pasted from the web
			continue
		}
		if isSuperscriptDigit(r) {
			b.WriteRune('¤') // never valid in a number
			continue
		}
		b.WriteRune(r)
	}
	s := strings.ToLower(fold.StripMarks(b.String()))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// isBlank: nothing but spaces and invisible format characters.
func isBlank(raw string) bool {
	return strings.TrimFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }) == ""
}

func isSuperscriptDigit(r rune) bool {
	return r == '¹' || r == '²' || r == '³' || (r >= 0x2070 && r <= 0x209F)
}

// isDashes reports whether s is only the marks tables use for "no figure":
// "?", "..", "-", "–", "—", "…".
func isDashes(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("?.-–—‒―−_ ", r) {
			return false
		}
	}
	return true
}

func carried(key string) (schema.Value, bool, error) {
	for _, p := range carriedPrefixes {
		rest, ok := strings.CutPrefix(key, p)
		if !ok || (rest != "" && rest[0] != ' ') {
			continue
		}
		v := schema.Value{State: schema.StateCarriedForward}
		for _, tok := range strings.Fields(rest) {
			if !isDigits(tok) {
				continue
			}
			// Any other number is a figure written next to the word: it
			// needs a human, not a silent pick.
			y, err := strconv.Atoi(tok)
			if err != nil || len(tok) != 4 || y < 1900 || y > 2100 {
				return schema.Value{}, true, ErrNotNumber
			}
			if v.CarriedFrom == 0 {
				v.CarriedFrom = y
			}
		}
		return v, true, nil
	}
	return schema.Value{}, false, nil
}

func splitQualifier(s string) (schema.Qualifier, string) {
	for _, a := range qualPrefixes {
		if rest, ok := strings.CutPrefix(s, a.text); ok {
			return a.q, strings.TrimSpace(rest)
		}
	}
	for _, a := range qualSuffixes {
		if rest, ok := strings.CutSuffix(s, a.text); ok {
			return a.q, strings.TrimSpace(rest)
		}
	}
	return schema.QualExact, s
}

// parseCount reads a whole, non-negative number written with the
// separators described at Count.
func parseCount(s, lang string) (int64, error) {
	if s == "" {
		return 0, ErrNotNumber
	}
	if rest, ok := cutMinus(s); ok {
		if _, err := parseCount(strings.TrimSpace(rest), lang); err == nil || errors.Is(err, ErrFraction) {
			return 0, ErrNegative
		}
		return 0, ErrNotNumber
	}
	s = strings.ReplaceAll(s, "’", "'")
	for _, r := range s {
		if !strings.ContainsRune("0123456789,. '", r) {
			return 0, ErrNotNumber
		}
	}
	intPart, frac, err := splitDecimal(s, lang)
	if err != nil {
		return 0, err
	}
	digits, err := ungroup(intPart, frac != "")
	if err != nil {
		return 0, err
	}
	if !isDigits(frac) && frac != "" {
		return 0, ErrNotNumber
	}
	if strings.Trim(frac, "0") != "" {
		return 0, ErrFraction
	}
	if digits == "" {
		return 0, nil // ".0"
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, ErrNotNumber
	}
	return n, nil
}

func cutMinus(s string) (string, bool) {
	for _, m := range []string{"-", "−", "–"} {
		if rest, ok := strings.CutPrefix(s, m); ok {
			return rest, true
		}
	}
	return "", false
}

// splitDecimal finds the decimal separator, if any, and returns the integer
// part (still grouped) and the fraction digits.
func splitDecimal(s, lang string) (intPart, frac string, err error) {
	nComma, nDot := strings.Count(s, ","), strings.Count(s, ".")
	lastComma, lastDot := strings.LastIndex(s, ","), strings.LastIndex(s, ".")
	dec := -1
	switch {
	case nComma > 0 && nDot > 0: // "1,234.5" or "1.234,5": the last one is decimal
		dec = max(lastComma, lastDot)
		if strings.Count(s, s[dec:dec+1]) != 1 {
			return "", "", ErrNotNumber
		}
	case nDot == 1:
		tail := s[lastDot+1:]
		if !(len(tail) == 3 && isDigits(tail) && lang != "en") {
			dec = lastDot
		}
	case nComma == 1:
		tail := s[lastComma+1:]
		if !(len(tail) == 3 && isDigits(tail)) {
			if lang == "en" {
				return "", "", ErrNotNumber
			}
			dec = lastComma
		}
	}
	if dec < 0 {
		return s, "", nil
	}
	frac = s[dec+1:]
	if frac == "" && s[dec] == ',' {
		return "", "", ErrNotNumber // "12," is a list, not a number
	}
	return s[:dec], frac, nil
}

// ungroup checks thousands grouping (one separator kind, groups of three
// after the first) and returns the bare digits.
func ungroup(s string, hasFrac bool) (string, error) {
	if s == "" {
		if hasFrac {
			return "", nil
		}
		return "", ErrNotNumber
	}
	sep := rune(0)
	for _, r := range s {
		if r < '0' || r > '9' {
			if sep != 0 && r != sep {
				return "", ErrNotNumber
			}
			sep = r
		}
	}
	if sep == 0 {
		return s, nil
	}
	groups := strings.Split(s, string(sep))
	for i, g := range groups {
		if g == "" || len(g) > 3 || (i > 0 && len(g) != 3) {
			return "", ErrNotNumber
		}
	}
	return strings.Join(groups, ""), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
