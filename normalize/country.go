package normalize

import "github.com/vahub/vahub/normalize/countries"

// Country maps a country name in English, French or Spanish (current,
// official, former or common spellings), an alpha-3 or alpha-2 code in any
// case, or a three-digit M49 code to the area code stored everywhere:
// ISO 3166-1 alpha-3, or XKX, ESH, XNK for the Monitor's other areas.
// Alpha-2 "VA" is the Holy See (VAT). Names two areas share are refused.
func Country(s string) (string, bool) { return countries.Lookup(s) }
