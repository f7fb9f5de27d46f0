package ingest

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// What a column of a national dataset is.
type dsRole int

const (
	dsNone       dsRole = iota
	dsSex               // male / female per person
	dsOutcome           // killed / injured per person
	dsAgeBand           // "Menor de 18 años", "0-17", "adult" per person
	dsAgeYears          // age in years per person (needs an age header)
	dsYear              // 2006, "2,006"
	dsDate              // a date: its year is the fact's year
	dsCivilian          // civilian / military / deminer
	dsCause             // mine / erw / …
	dsCountry           // country name or code
	dsKilled            // incident-level count of killed
	dsInjured           // incident-level count of injured
	dsAmputation        // incident-level count of amputees (injured)
	dsVictims           // incident-level count of all victims: a check
	dsID                // record id: repeats are the same record
)

var dsRoleNames = map[dsRole]string{
	dsSex: "sex", dsOutcome: "outcome", dsAgeBand: "age", dsAgeYears: "age", dsYear: "year", dsDate: "date",
	dsCivilian: "civilian status", dsCause: "cause", dsCountry: "country", dsKilled: "killed",
	dsInjured: "injured", dsAmputation: "amputations", dsVictims: "victims", dsID: "record id",
}

// Value classes: what one value could be. A value may fit several.
const (
	vPlaceholder uint16 = 1 << iota // "Sin información", "unknown", "-": not recorded
	vSex
	vOutcome
	vAgeBand
	vCivilian
	vCause
	vCountry
	vInt      // a whole number ("2,006" included)
	vAgeYears // 0..120
	vYear     // 1900..2100
	vDate     // a written date
	vSerial   // a spreadsheet date serial (1927..2119)
)

// dsSampleRows is how many data rows classification looks at.
const dsSampleRows = 5000

// dsMinRows is the fewest data rows a table needs to be read as a dataset.
const dsMinRows = 10

// placeholders are the spellings of "not recorded" (Fold keys): an
// unknown category on any dimension, never zero and never dropped.
var dsPlaceholders = map[string]bool{
	"": true, "sin informacion": true, "sin info": true, "sin dato": true, "sin datos": true,
	"sin registro": true, "no registra": true, "no reporta": true, "no informa": true, "no aplica": true,
	"desconocido": true, "desconocida": true, "no sabe": true, "nd": true, "n d": true, "na": true, "n a": true,
	"ns": true, "nr": true, "s i": true, "unknown": true, "not known": true, "not recorded": true,
	"no data": true, "missing": true, "null": true, "none": true, "inconnu": true, "inconnue": true,
	"non precise": true, "non renseigne": true, "non connu": true, "dnk": true, "dont know": true,
	"don t know": true, "pnta": true, "prefer not to answer": true, "prefer not to say": true,
}

func dsIsPlaceholder(v string) bool { return dsPlaceholders[normalize.Fold(v)] }

// dsValueClass says what a value could be.
func dsValueClass(v string) uint16 {
	if dsIsPlaceholder(v) {
		return vPlaceholder
	}
	var m uint16
	if sex, _, ok := normalize.SexAge(v, "", true); ok && (sex == "male" || sex == "female") {
		m |= vSex
	}
	if o, ok := normalize.Outcome(v); ok && o != schema.Unknown {
		m |= vOutcome
	}
	digits := strings.Trim(v, "0123456789.,") == ""
	if !digits {
		if g, ok := normalize.AgeGroupOfBand(v); ok && (g == "child" || g == "adult") {
			m |= vAgeBand
		}
		if _, ok := normalize.Country(v); ok {
			m |= vCountry
		}
		if _, err := normalize.Date(v); err == nil {
			m |= vDate
		}
	}
	if c, ok := normalize.CivilianStatus(v); ok && c != schema.Unknown {
		m |= vCivilian
	}
	if c, ok := normalize.Cause(v); ok && c != schema.Unknown {
		m |= vCause
	}
	if n, ok := dsInt(v); ok {
		m |= vInt
		if n <= 120 {
			m |= vAgeYears
		}
		if n >= 1900 && n <= 2100 {
			m |= vYear
		}
		if n >= 10000 && n <= 80000 {
			m |= vSerial
		}
	}
	return m
}

// dsInt reads a whole non-negative number as a dataset writes it: "2006",
// "2,006" (a quoted thousands separator), "2006.0".
func dsInt(v string) (int64, bool) {
	if v == "" {
		return 0, false
	}
	val, err := normalize.NumericCount(v)
	if err != nil {
		val, err = normalize.Count(v, "")
	}
	if err != nil || val.State != schema.StateReported || val.People == nil || val.Qualifier != schema.QualExact {
		return 0, false
	}
	// "none", "nil" read as 0 in a report; in a dataset they are no number.
	if *val.People == 0 && strings.Trim(v, "0.") != "" {
		return 0, false
	}
	return *val.People, true
}

// dsHeaderHint is what a column's header says it is (a hint only: the
// values decide the dimensions).
func dsHeaderHint(h string) dsRole {
	k := normalize.Fold(h)
	toks := strings.Fields(k)
	joined := strings.Join(toks, "")
	has := func(words ...string) bool {
		for _, t := range toks {
			if slices.Contains(words, t) {
				return true
			}
		}
		return false
	}
	switch {
	case k == "":
		return dsNone
	case has("id", "uuid", "_uuid", "objectid", "fid", "incidentid", "recordid", "victimid", "instanceid", "folio") ||
		slices.Contains([]string{"incidentid", "recordid", "victimid", "idvictima", "codigovictima"}, joined):
		return dsID
	case has("amputation", "amputations", "amputee", "amputees", "amputado", "amputados", "ampute", "amputes"):
		return dsAmputation
	case has("victim", "victims", "victima", "victimas", "victime", "victimes", "casualties") && len(toks) <= 2:
		return dsVictims
	case dsOutcomeHeader(h) == "killed":
		return dsKilled
	case dsOutcomeHeader(h) == "injured":
		return dsInjured
	case has("sex", "sexo", "sexe", "gender", "genero", "genre"):
		return dsSex
	case has("age", "ages", "edad", "edades", "rangoedad", "grupoedad", "tranche") ||
		strings.HasPrefix(joined, "rangoedad") || strings.HasPrefix(joined, "grupoedad") || strings.HasPrefix(joined, "rangodeedad"):
		return dsAgeBand
	case has("year", "years", "ano", "anio", "annee", "yr"):
		return dsYear
	case has("date", "fecha", "fechaevento", "fechaincidente"):
		return dsDate
	case has("estado", "outcome", "resultado", "etat"):
		return dsOutcome
	case has("condicion", "civilian", "civil", "statut"):
		return dsCivilian
	case has("country", "pais", "pays", "iso3", "adm0"):
		return dsCountry
	case has("device", "devices", "cause", "causa", "artefacto", "engin", "weapon"):
		return dsCause
	}
	return dsNone
}

// dsOutcomeHeader reads a count column's header as an outcome: "KILLED",
// "muertos", "INJURE", "blessés".
func dsOutcomeHeader(h string) string {
	if o, ok := normalize.Outcome(h); ok && o != schema.Unknown {
		return o
	}
	switch normalize.Fold(h) {
	case "injure", "injures", "injured persons", "persons injured", "number injured", "nb blesses":
		return "injured"
	case "persons killed", "number killed", "nb tues":
		return "killed"
	}
	return ""
}

// dsColumn is one column and what its sample says.
type dsColumn struct {
	idx      int
	header   string
	hint     dsRole
	role     dsRole
	n        int // non-blank values sampled
	holders  int // placeholder values
	hits     map[uint16]int
	examples map[string]int // bounded: distinct values and their counts
	cache    map[string]uint16
}

const dsMaxDistinct = 2048

func (c *dsColumn) add(v string) {
	if v == "" {
		return
	}
	c.n++
	m, ok := c.cache[v]
	if !ok {
		m = dsValueClass(v)
		if len(c.cache) < dsMaxDistinct {
			c.cache[v] = m
		}
	}
	if m&vPlaceholder != 0 {
		c.holders++
		return
	}
	for b := uint16(1); b != 0 && b <= vSerial; b <<= 1 {
		if m&b != 0 {
			c.hits[b]++
		}
	}
	if _, ok := c.examples[v]; ok || len(c.examples) < 64 {
		c.examples[v]++
	}
}

// score is the share of the specific (not placeholder) values of class b.
func (c *dsColumn) score(b uint16) float64 {
	spec := c.n - c.holders
	if spec < 3 {
		return 0
	}
	return float64(c.hits[b]) / float64(spec)
}

// exampleText gives the two most frequent specific values: "Hombre/Mujer".
func (c *dsColumn) exampleText() string {
	type kv struct {
		v string
		n int
	}
	var all []kv
	for v, n := range c.examples {
		all = append(all, kv{v, n})
	}
	slices.SortFunc(all, func(a, b kv) int {
		if d := cmp.Compare(b.n, a.n); d != 0 {
			return d
		}
		return strings.Compare(a.v, b.v)
	})
	var out []string
	for _, e := range all[:min(2, len(all))] {
		out = append(out, e.v)
	}
	return strings.Join(out, "/")
}

// dsLayout is what a table's columns are.
type dsLayout struct {
	cols    []*dsColumn
	byRole  map[dsRole]*dsColumn
	sampled int // data rows sampled
	more    bool
	mapped  string // "" when classified, else the LayoutUse source of the mapping applied
}

func (l *dsLayout) col(r dsRole) int {
	if c, ok := l.byRole[r]; ok {
		return c.idx
	}
	return -1
}

func (l *dsLayout) has(r dsRole) bool { _, ok := l.byRole[r]; return ok }

// personLevel: one row per casualty, with an outcome and sex or age.
func (l *dsLayout) personLevel() bool {
	return l.has(dsOutcome) && (l.has(dsSex) || l.has(dsAgeBand) || l.has(dsAgeYears))
}

// incidentLevel: one row per incident with counts of killed and injured.
func (l *dsLayout) incidentLevel() bool {
	return !l.has(dsOutcome) && l.has(dsKilled) && (l.has(dsInjured) || l.has(dsAmputation))
}

// classifyDataset samples a table and gives each column a role by its
// values first and its header second.
func classifyDataset(ctx context.Context, src dsSource) (*dsLayout, error) {
	l := &dsLayout{byRole: map[dsRole]*dsColumn{}}
	for i, h := range src.header() {
		l.cols = append(l.cols, &dsColumn{idx: i, header: h, hint: dsHeaderHint(h),
			hits: map[uint16]int{}, examples: map[string]int{}, cache: map[string]uint16{}})
	}
	err := src.rows(ctx, func(_ int, vals []string) error {
		if l.sampled >= dsSampleRows {
			l.more = true
			return errDSStop
		}
		l.sampled++
		for i, v := range vals {
			if i < len(l.cols) {
				l.cols[i].add(v)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDSStop) {
		return nil, err
	}
	l.assign(src.xlsx())
	return l, nil
}

// assign decides the roles from the sampled columns.
func (l *dsLayout) assign(isXLSX bool) {
	type cand struct {
		c     *dsColumn
		role  dsRole
		score float64
	}
	var cands []cand
	for _, c := range l.cols {
		if c.n-c.holders < 3 {
			continue
		}
		add := func(r dsRole, s float64) { cands = append(cands, cand{c, r, s}) }
		// Header-led roles: a record id, incident counts.
		switch c.hint {
		case dsID:
			add(dsID, 2)
			continue
		case dsKilled, dsInjured, dsAmputation, dsVictims:
			if s := c.score(vInt); s >= 0.95 {
				add(c.hint, 2+s)
			}
			continue
		}
		bonus := func(r dsRole) float64 {
			if c.hint == r {
				return 0.01
			}
			return 0
		}
		// Content-led roles.
		for _, p := range []struct {
			r dsRole
			b uint16
		}{{dsSex, vSex}, {dsOutcome, vOutcome}, {dsAgeBand, vAgeBand}, {dsCivilian, vCivilian}, {dsCause, vCause}} {
			if s := c.score(p.b); s >= 0.9 {
				add(p.r, s+bonus(p.r))
			}
		}
		if s := c.score(vCountry); s >= 0.9 && (c.hint == dsCountry || s >= 0.98) {
			add(dsCountry, s+bonus(dsCountry))
		}
		if s := c.score(vAgeYears); s >= 0.8 && c.score(vInt) >= 0.9 && c.hint == dsAgeBand {
			add(dsAgeYears, s) // outliers ("200") are reported as unrecognised
		}
		if s := c.score(vYear); s >= 0.95 && (c.hint == dsYear || (c.hint == dsNone && s >= 0.99)) {
			add(dsYear, s+bonus(dsYear))
		}
		if s := c.score(vDate); s >= 0.9 {
			add(dsDate, s+bonus(dsDate)-0.05) // a year column, when there is one, wins
		} else if s := c.score(vSerial); isXLSX && s >= 0.9 && c.hint == dsDate {
			add(dsDate, s-0.05)
		}
	}
	// Best candidates first; each column and each role taken once.
	slices.SortStableFunc(cands, func(a, b cand) int {
		if d := cmp.Compare(b.score, a.score); d != 0 {
			return d
		}
		return cmp.Compare(b.c.n-b.c.holders, a.c.n-a.c.holders)
	})
	for _, cd := range cands {
		if cd.c.role != dsNone {
			continue
		}
		r := cd.role
		if r == dsAgeYears && l.has(dsAgeBand) || r == dsAgeBand && l.has(dsAgeYears) {
			continue
		}
		if r == dsDate && l.has(dsYear) || r == dsYear && l.has(dsDate) {
			continue
		}
		if _, taken := l.byRole[r]; taken {
			continue
		}
		cd.c.role = r
		l.byRole[r] = cd.c
	}
}

// swapped lists the columns whose header names another dimension than
// their values hold (Colombia's estado and genero).
func (l *dsLayout) swapped() []*dsColumn {
	var out []*dsColumn
	dims := []dsRole{dsSex, dsOutcome, dsAgeBand, dsCivilian}
	for _, c := range l.cols {
		if c.role == dsNone || c.hint == dsNone || c.role == c.hint {
			continue
		}
		if c.role == dsAgeYears && c.hint == dsAgeBand {
			continue
		}
		if slices.Contains(dims, c.hint) && slices.Contains(dims, c.role) {
			out = append(out, c)
		}
	}
	return out
}
