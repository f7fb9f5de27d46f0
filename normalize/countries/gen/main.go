// Command gen writes countries.csv from the CLDR data in golang.org/x/text.
// Run it through `go generate ./normalize/countries`. CLDR's names are not
// always the current ISO or UN ones; aliases.csv corrects them at load time
// so that this output stays a faithful copy of CLDR.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Codes that IsCountry accepts but that are not ISO 3166-1 countries:
// exceptional reservations (AC, CP, DG, EA, IC, TA) and unions.
var notISO = map[string]bool{
	"AC": true, "CP": true, "DG": true, "EA": true, "IC": true, "TA": true,
	"EU": true, "EZ": true, "UN": true, "QO": true, "ZZ": true,
	// Exceptionally reserved for the United Kingdom and Clipperton.
	"UK": true, "CQ": true,
	// Withdrawn codes (ISO 3166-3) that CLDR still knows.
	"AN": true, "BU": true, "CS": true, "CT": true, "DD": true, "DY": true,
	"FQ": true, "FX": true, "HV": true, "JT": true, "MI": true, "NH": true,
	"NQ": true, "NT": true, "PC": true, "PU": true, "PZ": true, "RH": true,
	"SU": true, "TP": true, "VD": true, "WK": true, "YD": true, "YU": true,
	"ZR": true,
}

// otherAreas are the Monitor's "other areas". Western Sahara is in ISO
// 3166-1 as EH but is listed as an area, not a state; Kosovo uses the
// user-assigned XK/XKX that the EU and the UN's agencies use; Nagorno-Karabakh
// has no code at all, so XNK is ours.
var otherAreas = map[string]string{"EH": "ESH", "XK": "XKX"}

func main() {
	out := flag.String("o", "countries.csv", "output file")
	flag.Parse()
	rows := [][]string{{"alpha3", "alpha2", "m49", "kind", "en", "fr", "es", "ar", "ru", "zh"}}
	dicts := []*display.Dictionary{display.English, display.French, display.Spanish, display.Arabic, display.Russian, display.Chinese}
	var body [][]string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if notISO[code] || (code[0] == 'X' && code != "XK") || (code[0] == 'Q' && code[1] >= 'M') || code == "AA" {
				continue
			}
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code {
				continue // unknown, a grouping, or a deprecated code CLDR maps to its successor
			}
			iso3, kind := r.ISO3(), "state"
			if c, ok := otherAreas[code]; ok {
				iso3, kind = c, "other_area"
			}
			m49 := ""
			if n := r.M49(); n != 0 && code != "XK" { // 983 is CLDR's, not the UN's
				m49 = fmt.Sprintf("%03d", n)
			}
			row := []string{iso3, code, m49, kind}
			for _, d := range dicts {
				row = append(row, d.Regions().Name(r))
			}
			body = append(body, row)
		}
	}
	body = append(body, []string{"XNK", "", "", "other_area", "Nagorno-Karabakh", "Haut-Karabakh", "Nagorno Karabaj", "ناغورني كاراباخ", "Нагорный Карабах", "纳戈尔诺-卡拉巴赫"})
	sort.Slice(body, func(i, j int) bool { return body[i][0] < body[j][0] })
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(append(rows, body...)); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("gen: wrote %s areas to %s", strconv.Itoa(len(body)), *out)
}
