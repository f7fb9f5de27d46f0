package countries

import (
	"slices"
	"testing"

	"github.com/vahub/vahub/normalize/internal/fold"
)

func TestAll(t *testing.T) {
	all := All()
	if len(all) < 249 {
		t.Fatalf("len(All()) = %d, want at least 249", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b Area) int { return compare(a.Code, b.Code) }) {
		t.Error("All() not sorted by Code")
	}
	kinds := map[string]int{}
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a.Code] {
			t.Errorf("duplicate code %s", a.Code)
		}
		seen[a.Code] = true
		kinds[a.Kind]++
		if a.NameEN == "" || a.NameFR == "" || a.NameES == "" {
			t.Errorf("%s lacks a name: %+v", a.Code, a)
		}
		if len(a.Code) != 3 || (a.ISO2 != "" && len(a.ISO2) != 2) || (a.M49 != "" && len(a.M49) != 3) {
			t.Errorf("bad codes: %+v", a)
		}
	}
	if kinds["other_area"] != 3 || kinds["state"] != 248 {
		t.Errorf("kinds = %v, want 248 state and 3 other_area", kinds)
	}
	for code, want := range map[string]Area{
		"XKX": {Code: "XKX", ISO2: "XK", Kind: "other_area"},
		"ESH": {Code: "ESH", ISO2: "EH", M49: "732", Kind: "other_area"},
		"XNK": {Code: "XNK", Kind: "other_area"},
		"LAO": {Code: "LAO", ISO2: "LA", M49: "418", Kind: "state"},
		"VAT": {Code: "VAT", ISO2: "VA", M49: "336", Kind: "state"},
	} {
		i := slices.IndexFunc(all, func(a Area) bool { return a.Code == code })
		if i < 0 {
			t.Errorf("%s missing", code)
			continue
		}
		a := all[i]
		if a.ISO2 != want.ISO2 || a.M49 != want.M49 || a.Kind != want.Kind {
			t.Errorf("%s = %+v, want %+v", code, a, want)
		}
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestLookupSpellings(t *testing.T) {
	want := map[string][]string{
		"LAO": {"Lao PDR", "Lao People's Democratic Republic", "République démocratique populaire lao",
			"República Democrática Popular Lao", "Laos", "LAO", "LA", "418", "lao"},
		"BIH": {"Bosnia and Herzegovina", "Bosnia & Herzegovina", "BiH", "Bosnie-Herzégovine", "Bosnia y Herzegovina", "BA"},
		"CIV": {"Côte d'Ivoire", "Cote d'Ivoire", "Côte d’Ivoire", "COTE D IVOIRE", "Ivory Coast", "Costa de Marfil", "CI"},
		"COD": {"DRC", "DR Congo", "Congo, Democratic Republic of the", "Democratic Republic of the Congo",
			"Congo (the Democratic Republic of the)", "République démocratique du Congo", "RDC",
			"República Democrática del Congo", "Zaire", "CD"},
		"COG": {"Congo", "Republic of the Congo", "Congo-Brazzaville", "République du Congo", "República del Congo", "CG"},
		"VAT": {"Holy See", "Vatican", "Saint-Siège", "Santa Sede", "Holy See (the)", "VA", "Vatican City"},
		"PSE": {"State of Palestine", "Palestine, State of", "État de Palestine", "Estado de Palestina", "PS"},
		"CPV": {"Cape Verde", "Cabo Verde", "Cap-Vert", "CV"},
		"STP": {"Sao Tome and Principe", "São Tomé and Príncipe", "Sao Tomé-et-Principe", "Santo Tomé y Príncipe", "ST"},
		"SWZ": {"Swaziland", "Eswatini", "Suazilandia", "SZ"},
		"MKD": {"FYR Macedonia", "The former Yugoslav Republic of Macedonia", "North Macedonia", "Macedonia",
			"Macédoine du Nord", "Macedonia del Norte", "MK"},
		"CZE": {"Czech Republic", "Czechia", "Tchéquie", "República Checa", "Chequia", "CZ"},
		"SYR": {"Syria", "Syrian Arab Republic", "République arabe syrienne", "República Árabe Siria"},
		"IRN": {"Iran", "Iran (Islamic Republic of)"},
		"RUS": {"Russia", "Russian Federation", "Fédération de Russie"},
		"VNM": {"Viet Nam", "Vietnam"},
		"GBR": {"UK", "United Kingdom", "United Kingdom of Great Britain and Northern Ireland", "Royaume-Uni"},
		"USA": {"USA", "United States of America", "United States", "US", "États-Unis"},
		"BOL": {"Bolivia (Plurinational State of)", "Bolivia"},
		"VEN": {"Venezuela (Bolivarian Republic of)", "Venezuela"},
		"MDA": {"Moldova", "Republic of Moldova"},
		"KOR": {"Republic of Korea", "South Korea", "Corée du Sud"},
		"PRK": {"Democratic People's Republic of Korea", "DPRK", "North Korea"},
		"TUR": {"Türkiye", "Turkey", "Turquie", "Turquía"},
		"MMR": {"Myanmar", "Burma", "Myanmar (Burma)"},
		"TLS": {"Timor-Leste", "East Timor"},
		"GMB": {"The Gambia", "Gambia (the)", "Gambia"},
		"XKX": {"Kosovo", "XK", "xkx"},
		"ESH": {"Western Sahara", "Sahara occidental", "Sáhara Occidental", "EH", "732"},
		"XNK": {"Nagorno-Karabakh", "Haut-Karabakh", "Nagorno Karabaj"},
		"NIU": {"Niue", "NU"},
		"COK": {"Cook Islands", "Îles Cook", "CK"},
	}
	for code, names := range want {
		for _, n := range names {
			if got, ok := Lookup(n); !ok || got != code {
				t.Errorf("Lookup(%q) = %q, %v; want %s", n, got, ok, code)
			}
		}
	}
	for _, bad := range []string{"", "Korea", "4", "04", "9999", "Atlantis", "EU", "ZZ", "AN", "n/a"} {
		if got, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) = %q, want refused", bad, got)
		}
	}
}

// Every generated and hand-made spelling resolves to its own area, unless
// two areas claim it (then it resolves to neither).
func TestAliasesResolve(t *testing.T) {
	owners := map[string]map[string]bool{}
	for _, a := range Aliases() {
		k := fold.Key(a.Alias)
		if owners[k] == nil {
			owners[k] = map[string]bool{}
		}
		owners[k][a.Code] = true
	}
	for _, a := range Aliases() {
		if !slices.Contains([]string{"official", "short", "alias", "former"}, a.Variant) {
			t.Errorf("alias %+v: bad variant", a)
		}
		got, ok := Lookup(a.Alias)
		if len(owners[fold.Key(a.Alias)]) > 1 {
			t.Logf("ambiguous spelling %q (%v) refused", a.Alias, owners[fold.Key(a.Alias)])
			if ok && got != a.Code && len(a.Alias) > 3 {
				t.Errorf("ambiguous %q resolved to %s", a.Alias, got)
			}
			continue
		}
		if !ok || got != a.Code {
			t.Errorf("Lookup(%q) = %q, %v; want %s", a.Alias, got, ok, a.Code)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct{ code, lang, want string }{
		{"SWZ", "en", "Eswatini"},
		{"MKD", "en", "North Macedonia"},
		{"MKD", "fr", "Macédoine du Nord"},
		{"TUR", "en", "Türkiye"},
		{"LAO", "fr", "République démocratique populaire lao"},
		{"LAO", "es", "República Democrática Popular Lao"},
		{"VAT", "es", "Santa Sede"},
		{"BIH", "en", "Bosnia and Herzegovina"},
		{"COD", "en", "Democratic Republic of the Congo"},
		{"COG", "fr", "Congo"},
		{"CPV", "en", "Cabo Verde"},
		{"FRA", "de", "France"},
		{"fra", "es", "Francia"},
		{"XXX", "en", ""},
	}
	for _, tt := range tests {
		if got := Name(tt.code, tt.lang); got != tt.want {
			t.Errorf("Name(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}

func TestVersion(t *testing.T) {
	if v := Version(); len(v) != 64 || v != Version() {
		t.Errorf("Version() = %q", v)
	}
}

func TestCCM(t *testing.T) {
	all := CCMStatus()
	n := map[string]int{}
	for _, c := range all {
		n[c.Status]++
		for _, d := range []string{c.SignedOn, c.RatifiedOn, c.EntryIntoForce} {
			if d != "" && len(d) != 10 {
				t.Errorf("%s: bad date %q", c.Code, d)
			}
		}
		if c.EntryIntoForce != "" && c.RatifiedOn != "" && c.EntryIntoForce < c.RatifiedOn {
			t.Errorf("%s: in force before ratification", c.Code)
		}
		if c.Status == "signatory" && c.RatifiedOn != "" {
			t.Errorf("%s: signatory with a ratification", c.Code)
		}
	}
	if n["state_party"] < 105 || n["signatory"] < 10 {
		t.Errorf("counts = %v", n)
	}
	for code, want := range map[string]string{
		"LAO": "state_party", "VAT": "state_party", "COG": "state_party", "COD": "signatory",
		"USA": "not_party", "LTU": "not_party", "XKX": "not_party",
	} {
		if got := CCMStatusOf(code); got != want {
			t.Errorf("CCMStatusOf(%s) = %s, want %s", code, got, want)
		}
	}
	for _, a := range Art5States() {
		if CCMStatusOf(a.Code) != "state_party" || a.From < 2010 || (a.To != 0 && a.To < a.From) {
			t.Errorf("Art5 %+v inconsistent", a)
		}
	}
	if got := len(Art5States()); got != 11 {
		t.Errorf("len(Art5States()) = %d, want 11", got)
	}
}
