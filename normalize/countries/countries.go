// Package countries maps the names and codes of countries and the Monitor's
// "other areas" to vahub's area codes: ISO 3166-1 alpha-3, plus XKX
// (Kosovo), ESH (Western Sahara) and XNK (Nagorno-Karabakh).
//
// countries.csv is generated from CLDR (see gen) and never edited by hand;
// aliases.csv corrects CLDR's outdated names and adds the spellings seen in
// reports. Both are embedded, so the package does no I/O.
package countries

//go:generate go run ./gen -o countries.csv

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/vahub/vahub/normalize/internal/fold"
)

var (
	//go:embed countries.csv
	countriesCSV []byte
	//go:embed aliases.csv
	aliasesCSV []byte
	//go:embed ccm.csv
	ccmCSV []byte
	//go:embed art5.csv
	art5CSV []byte
)

// Area is a country or other area.
type Area struct {
	Code   string // alpha-3, or XKX/ESH/XNK
	ISO2   string // alpha-2; XK for Kosovo; "" for XNK
	M49    string // UN M49, three digits; "" where the UN assigns none
	Kind   string // "state" or "other_area"
	NameEN string
	NameFR string
	NameES string
}

// Alias is one accepted spelling of an area's name.
type Alias struct {
	Code    string
	Lang    string // en, fr, es, ar, ru, zh, or "" for every language
	Alias   string
	Variant string // official, short, alias or former
}

// The tables are built once from the embedded files; a malformed file is a
// bug caught by the tests, so it panics at start-up rather than limping on.
var (
	areas   []Area
	aliases []Alias
	byCode  = map[string]int{} // alpha-3, alpha-2 and M49 -> index in areas
	byName  = map[string]string{}
	version string
)

func init() {
	mustLoad()
	loadCCM() // needs the areas
}

func mustLoad() {
	for _, rec := range mustRead(countriesCSV, 10) {
		areas = append(areas, Area{Code: rec[0], ISO2: rec[1], M49: rec[2], Kind: rec[3], NameEN: rec[4], NameFR: rec[5], NameES: rec[6]})
	}
	slices.SortFunc(areas, func(a, b Area) int { return strings.Compare(a.Code, b.Code) })
	for i, a := range areas {
		for _, c := range []string{a.Code, a.ISO2, a.M49} {
			if c != "" {
				byCode[c] = i
			}
		}
	}

	overridden := map[[2]string]bool{}
	var hand []Alias
	for _, rec := range mustRead(aliasesCSV, 4) {
		al := Alias{Code: rec[0], Lang: rec[1], Alias: rec[2], Variant: rec[3]}
		if _, ok := byCode[al.Code]; !ok || len(al.Code) != 3 {
			panic(fmt.Sprintf("countries: aliases.csv: unknown area %q", al.Code))
		}
		switch al.Variant {
		case "official", "short", "alias", "former":
		default:
			panic(fmt.Sprintf("countries: aliases.csv: bad variant %q", al.Variant))
		}
		if al.Variant == "short" && !overridden[[2]string{al.Code, al.Lang}] {
			overridden[[2]string{al.Code, al.Lang}] = true
			setName(&areas[byCode[al.Code]], al.Lang, al.Alias)
		}
		hand = append(hand, al)
	}

	// CLDR's names stay accepted even where a short name replaced them for
	// display: reports written years ago use them.
	langs := []string{"en", "fr", "es", "ar", "ru", "zh"}
	for _, rec := range mustRead(countriesCSV, 10) {
		for j, lang := range langs {
			name := rec[4+j]
			if name == "" {
				continue
			}
			v := "short"
			if overridden[[2]string{rec[0], lang}] {
				v = "alias"
			}
			aliases = append(aliases, Alias{Code: rec[0], Lang: lang, Alias: name, Variant: v})
		}
	}
	aliases = append(aliases, hand...)

	// A key claimed by two areas is ambiguous: it resolves to neither.
	ambiguous := map[string]bool{}
	for _, al := range aliases {
		k := fold.Key(al.Alias)
		if k == "" {
			continue
		}
		if c, ok := byName[k]; ok && c != al.Code {
			ambiguous[k] = true
		}
		byName[k] = al.Code
	}
	for k := range ambiguous {
		delete(byName, k)
	}

	h := sha256.New()
	for _, b := range [][]byte{countriesCSV, aliasesCSV, ccmCSV, art5CSV} {
		h.Write(b)
		h.Write([]byte{0})
	}
	version = hex.EncodeToString(h.Sum(nil))
}

func setName(a *Area, lang, name string) {
	switch lang {
	case "en":
		a.NameEN = name
	case "fr":
		a.NameFR = name
	case "es":
		a.NameES = name
	}
}

func mustRead(b []byte, fields int) [][]string {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comment = '#'
	r.FieldsPerRecord = fields
	recs, err := r.ReadAll()
	if err != nil {
		panic("countries: embedded data: " + err.Error())
	}
	return recs[1:] // header
}

// All returns every area, sorted by Code. The slice is a copy.
func All() []Area { return slices.Clone(areas) }

// Aliases returns every accepted spelling: CLDR's names in ar, en, es, fr,
// ru and zh and the hand-maintained aliases. Codes are not listed; Lookup
// accepts them anyway.
func Aliases() []Alias { return slices.Clone(aliases) }

// Lookup maps an alpha-3 or alpha-2 code (any case), a three-digit M49 code or a name
// in any listed spelling to the area code. Names match on fold.Key, so case,
// accents, "&", "(the)" and punctuation do not matter. A name that two areas
// claim is refused rather than guessed.
func Lookup(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if isDigits(s) {
		// Only the three-digit form: a bare "4" is far more likely a count
		// in the wrong column than Afghanistan.
		if i, ok := byCode[s]; ok && len(s) == 3 {
			return areas[i].Code, true
		}
		return "", false
	}
	if len(s) == 2 || len(s) == 3 {
		if i, ok := byCode[strings.ToUpper(s)]; ok && isLetters(s) {
			return areas[i].Code, true
		}
	}
	c, ok := byName[fold.Key(s)]
	return c, ok
}

// Name is the display name of code in lang (en, fr or es), falling back to
// English, or "" for an unknown code.
func Name(code, lang string) string {
	i, ok := byCode[strings.ToUpper(code)]
	if !ok {
		return ""
	}
	a := areas[i]
	switch lang {
	case "fr":
		return a.NameFR
	case "es":
		return a.NameES
	}
	return a.NameEN
}

// Version identifies the embedded data, for cache keys: it changes whenever
// any embedded file does.
func Version() string { return version }

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}
