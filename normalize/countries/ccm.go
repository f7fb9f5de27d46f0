package countries

import (
	"fmt"
	"strconv"
)

// CCM is a State's status under the Convention on Cluster Munitions.
// Dates are "yyyy-mm-dd" or "" when not recorded (unknown, not "never").
type CCM struct {
	Code           string
	Status         string // state_party or signatory; see CCMStatusOf for the rest
	SignedOn       string
	RatifiedOn     string // ratification or accession
	EntryIntoForce string
}

// Art5 is a State Party that declared victims in areas under its
// jurisdiction (Art. 5 obligations) from From to To; To 0 means still.
type Art5 struct {
	Code     string
	From, To int
}

var (
	ccm  []CCM
	art5 []Art5
)

func loadCCM() {
	for _, r := range mustRead(ccmCSV, 6) {
		mustKnow(r[0], "ccm.csv")
		if r[1] != "state_party" && r[1] != "signatory" {
			panic(fmt.Sprintf("countries: ccm.csv: bad status %q", r[1]))
		}
		ccm = append(ccm, CCM{Code: r[0], Status: r[1], SignedOn: r[2], RatifiedOn: r[3], EntryIntoForce: r[4]})
	}
	for _, r := range mustRead(art5CSV, 4) {
		mustKnow(r[0], "art5.csv")
		from, err1 := strconv.Atoi(r[1])
		to, err2 := strconv.Atoi(r[2])
		if err1 != nil || err2 != nil {
			panic(fmt.Sprintf("countries: art5.csv: bad years for %s", r[0]))
		}
		art5 = append(art5, Art5{Code: r[0], From: from, To: to})
	}
}

func mustKnow(code, file string) {
	if _, ok := byCode[code]; !ok || len(code) != 3 {
		panic(fmt.Sprintf("countries: %s: unknown area %q", file, code))
	}
}

// CCMStatus lists the States Parties and signatories, sorted by Code.
// Every area not listed is not_party.
func CCMStatus() []CCM { return append([]CCM(nil), ccm...) }

// CCMStatusOf is the status of one area: state_party, signatory or not_party.
func CCMStatusOf(code string) string {
	for _, c := range ccm {
		if c.Code == code {
			return c.Status
		}
	}
	return "not_party"
}

// Art5States lists the States Parties with Article 5 obligations.
func Art5States() []Art5 { return append([]Art5(nil), art5...) }
