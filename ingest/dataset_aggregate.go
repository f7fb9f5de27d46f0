package ingest

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// dsMaxTrackedRows caps the set of row fingerprints kept to find exact
// duplicate rows: the only memory that grows with the rows, 8 to 16 bytes
// per distinct row in an open-addressing table (dsRowSet), 32 MiB at most.
// Past the cap duplicates are no longer looked for, and the report says so.
const dsMaxTrackedRows = 2_000_000

// dsKey is one group of the aggregation: the only thing held per row.
type dsKey struct {
	country  string
	year     int
	outcome  string
	sex      string
	ageGroup string
	ageBand  string
	civilian string
	cause    string
}

// dsAgg aggregates a dataset's rows into counts per group, streaming.
type dsAgg struct {
	src    dsSource
	l      *dsLayout
	in     Input
	issues schema.Issues

	counts map[dsKey]int64
	// what was read, for the report
	rows, counted     int64
	firstRow, lastRow int
	dupes             int64
	firstDupe         string
	seen              dsRowSet
	untracked         bool
	noYear            int64
	firstNoYear       string
	otherYear         map[int]int64
	otherCountry      map[string]int64
	badCountry        map[string]int64
	firstBadCountry   string
	unrecognised      map[int]map[string]int64 // column → value → rows
	amputations       int64
	victimMismatch    int64
	firstVictimBad    string
	countryCache      map[string]string
	codeCache         map[int]map[string]dsCode
	yearCache         map[string]int
	fixedCountry      string
}

func newDSAgg(src dsSource, l *dsLayout, in Input, country string) *dsAgg {
	return &dsAgg{src: src, l: l, in: in, counts: map[dsKey]int64{},
		otherYear: map[int]int64{}, otherCountry: map[string]int64{}, badCountry: map[string]int64{},
		unrecognised: map[int]map[string]int64{}, countryCache: map[string]string{}, codeCache: map[int]map[string]dsCode{}, yearCache: map[string]int{},
		fixedCountry: country}
}

func (a *dsAgg) run(ctx context.Context) error {
	return a.src.rows(ctx, func(num int, vals []string) error {
		a.row(num, vals)
		return nil
	})
}

func (a *dsAgg) val(vals []string, r dsRole) (string, int) {
	i := a.l.col(r)
	if i < 0 || i >= len(vals) {
		return "", -1
	}
	return vals[i], i
}

// row adds one data row to the counts.
func (a *dsAgg) row(num int, vals []string) {
	blank := true
	for _, v := range vals {
		if v != "" {
			blank = false
			break
		}
	}
	if blank {
		return
	}
	a.rows++
	if a.firstRow == 0 {
		a.firstRow = num
	}
	a.lastRow = num

	// Exact copies of an earlier row.
	if !a.untracked {
		h := fnv.New64a()
		for _, v := range vals {
			h.Write([]byte(v))
			h.Write([]byte{0})
		}
		sum := h.Sum64()
		if a.seen.has(sum) {
			a.dupes++
			if a.firstDupe == "" {
				a.firstDupe = a.src.ref(num, 0)
			}
			if a.l.has(dsID) {
				return // the same record twice: counted once
			}
		} else if a.seen.n >= dsMaxTrackedRows {
			a.untracked = true
		} else {
			a.seen.add(sum)
		}
	}

	// Year.
	year := a.year(vals)
	if year == 0 {
		if a.in.Year != 0 && a.l.col(dsYear) < 0 && a.l.col(dsDate) < 0 {
			year = a.in.Year
		} else {
			a.noYear++
			if a.firstNoYear == "" {
				a.firstNoYear = a.src.ref(num, max(a.l.col(dsYear), a.l.col(dsDate), 0))
			}
			return
		}
	}
	if a.in.Year != 0 && year != a.in.Year {
		a.otherYear[year]++
		return
	}

	// Country.
	country := a.fixedCountry
	if v, i := a.val(vals, dsCountry); i >= 0 {
		code, ok := a.countryCache[v]
		if !ok {
			code, _ = normalize.Country(v)
			if len(a.countryCache) < dsMaxDistinct {
				a.countryCache[v] = code
			}
		}
		switch {
		case code == "" && a.in.Country == "":
			a.badCountry[v]++
			if a.firstBadCountry == "" {
				a.firstBadCountry = a.src.ref(num, i)
			}
			return
		case a.in.Country != "" && code != a.in.Country:
			a.otherCountry[cmp.Or(code, v)]++
			return
		case code != "":
			country = code
		}
	}

	k := dsKey{country: country, year: year, outcome: schema.Total, sex: schema.Total, ageGroup: schema.Total,
		civilian: schema.Total, cause: schema.Total}
	if a.l.has(dsSex) {
		k.sex = a.code(vals, num, dsSex, func(v string) (string, bool) {
			s, _, ok := normalize.SexAge(v, "", true)
			return s, ok && s != schema.Total
		})
	}
	switch {
	case a.l.has(dsAgeBand):
		v, _ := a.val(vals, dsAgeBand)
		k.ageGroup = a.code(vals, num, dsAgeBand, func(v string) (string, bool) {
			g, ok := normalize.AgeGroupOfBand(v)
			return g, ok && g != schema.Total
		})
		if slices.Contains(schema.AgeBands, strings.TrimSpace(v)) {
			k.ageBand = strings.TrimSpace(v)
		}
	case a.l.has(dsAgeYears):
		v, i := a.val(vals, dsAgeYears)
		n, ok := dsInt(v)
		switch {
		case v == "" || dsIsPlaceholder(v):
			k.ageGroup = schema.Unknown
		case !ok || n > 120:
			k.ageGroup = schema.Unknown
			a.unrec(i, v)
		default:
			k.ageGroup = normalize.AgeGroupOf(int(n))
			k.ageBand = normalize.AgeBand(int(n))
		}
	}
	if a.l.has(dsCivilian) {
		k.civilian = a.code(vals, num, dsCivilian, normalize.CivilianStatus)
	}
	if a.l.has(dsCause) {
		k.cause = a.code(vals, num, dsCause, normalize.Cause)
	}

	if a.l.has(dsOutcome) { // one person
		k.outcome = a.code(vals, num, dsOutcome, normalize.Outcome)
		a.counts[k]++
		a.counted++
		return
	}
	// One incident: its counts of killed and injured (amputees are injured).
	count := func(r dsRole) int64 {
		v, i := a.val(vals, r)
		if i < 0 || v == "" {
			return 0
		}
		n, ok := dsInt(v)
		if !ok {
			a.unrec(i, v)
			return 0
		}
		return n
	}
	k.sex, k.ageGroup, k.ageBand = schema.Total, schema.Total, ""
	killed, injured, amp := count(dsKilled), count(dsInjured), count(dsAmputation)
	a.amputations += amp
	if v, i := a.val(vals, dsVictims); i >= 0 && v != "" {
		if n, ok := dsInt(v); ok && n != killed+injured+amp {
			a.victimMismatch++
			if a.firstVictimBad == "" {
				a.firstVictimBad = a.src.ref(num, i)
			}
		}
	}
	if killed > 0 {
		kk := k
		kk.outcome = "killed"
		a.counts[kk] += killed
	}
	if injured+amp > 0 {
		ki := k
		ki.outcome = "injured"
		a.counts[ki] += injured + amp
	}
	a.counted += killed + injured + amp
}

// year reads a row's year from its year or date column.
func (a *dsAgg) year(vals []string) int {
	if v, i := a.val(vals, dsYear); i >= 0 {
		if n, ok := dsInt(v); ok && n >= 1900 && n <= 2100 {
			return int(n)
		}
		return 0
	}
	v, i := a.val(vals, dsDate)
	if i < 0 || v == "" {
		return 0
	}
	if y, ok := a.yearCache[v]; ok {
		return y
	}
	y := 0
	if t, err := normalize.Date(v); err == nil {
		y = t.Year()
	} else if a.src.xlsx() {
		if n, ok := dsSerial(v); ok {
			y = normalize.ExcelDate(n, a.src.date1904()).Year()
		}
	}
	if y < 1900 || y > 2100 {
		y = 0
	}
	if len(a.yearCache) < dsMaxDistinct {
		a.yearCache[v] = y
	}
	return y
}

func dsSerial(v string) (float64, bool) {
	var f float64
	if _, err := fmt.Sscanf(v, "%g", &f); err != nil || f < 1 {
		return 0, false
	}
	return f, true
}

// code maps a categorical value; blank and placeholders are unknown, and
// so are values that map to nothing (listed in a warning).
func (a *dsAgg) code(vals []string, num int, r dsRole, m func(string) (string, bool)) string {
	v, i := a.val(vals, r)
	if v == "" {
		return schema.Unknown
	}
	cache := a.codeCache[i]
	if cache == nil {
		cache = map[string]dsCode{}
		a.codeCache[i] = cache
	}
	cc, hit := cache[v]
	if !hit {
		if dsIsPlaceholder(v) {
			cc = dsCode{schema.Unknown, true}
		} else {
			cc.code, cc.ok = m(v)
		}
		if len(cache) < dsMaxDistinct {
			cache[v] = cc
		}
	}
	c, ok := cc.code, cc.ok
	if !ok {
		a.unrec(i, v)
		return schema.Unknown
	}
	return c
}

// dsCode is a cached mapping of one value.
type dsCode struct {
	code string
	ok   bool
}

func (a *dsAgg) unrec(col int, v string) {
	m := a.unrecognised[col]
	if m == nil {
		m = map[string]int64{}
		a.unrecognised[col] = m
	}
	if _, ok := m[v]; ok || len(m) < 64 {
		m[v]++
	} else {
		m["…"]++
	}
}

// dsBreakdown is a set of dimensions summed together.
type dsBreakdown struct {
	name string
	proj func(k dsKey) dsKey
}

// reports turns the counts into one report per country and year. Each
// breakdown is complete on its own: A = outcome × sex × age, B = outcome ×
// civilian status, C = outcome × cause; the other dimensions of each are
// total, so sums within one breakdown never double count.
func (a *dsAgg) reports(lang string) []*schema.Report {
	T := schema.Total
	breakdowns := []dsBreakdown{{"outcome×sex×age", func(k dsKey) dsKey {
		k.civilian, k.cause = T, T
		return k
	}}}
	if a.l.has(dsCivilian) {
		breakdowns = append(breakdowns, dsBreakdown{"outcome×civilian", func(k dsKey) dsKey {
			k.sex, k.ageGroup, k.ageBand, k.cause = T, T, "", T
			return k
		}})
	}
	if a.l.has(dsCause) {
		breakdowns = append(breakdowns, dsBreakdown{"outcome×cause", func(k dsKey) dsKey {
			k.sex, k.ageGroup, k.ageBand, k.civilian = T, T, "", T
			return k
		}})
	}
	type cy struct {
		country string
		year    int
	}
	byReport := map[cy]map[dsKey]int64{}
	for _, b := range breakdowns {
		for k, n := range a.counts {
			p := b.proj(k)
			r := cy{k.country, k.year}
			if byReport[r] == nil {
				byReport[r] = map[dsKey]int64{}
			}
			// A key of breakdown B can equal one of A only when the
			// dataset has no sex or age column: then A already holds it.
			if b.name != breakdowns[0].name && p == breakdowns[0].proj(p) {
				continue
			}
			byReport[r][p] += n
		}
	}
	rng := a.src.ref(a.firstRow, 0) + ":" + a.src.ref(a.lastRow, max(len(a.src.header())-1, 0))
	var out []*schema.Report
	for _, r := range slices.SortedFunc(maps.Keys(byReport), func(x, y cy) int {
		return cmp.Or(strings.Compare(x.country, y.country), cmp.Compare(x.year, y.year))
	}) {
		rep := &schema.Report{Country: r.country, Year: r.year, Kind: "annual", SourceType: schema.SourceOfficial,
			PeriodStart:   time.Date(r.year, 1, 1, 0, 0, 0, 0, time.UTC),
			PeriodEnd:     time.Date(r.year, 12, 31, 0, 0, 0, 0, time.UTC),
			Language:      lang,
			FormatVersion: FormatDataset}
		groups := byReport[r]
		for _, k := range slices.SortedFunc(maps.Keys(groups), dsKeyCompare) {
			n := groups[k]
			rep.Casualties = append(rep.Casualties, schema.Casualty{Scope: "new", Outcome: k.outcome, Sex: k.sex,
				AgeGroup: k.ageGroup, AgeBand: k.ageBand, Disability: T, Cause: k.cause, CivilianStatus: k.civilian,
				Value: schema.Value{State: schema.StateReported, People: &n, Qualifier: schema.QualExact},
				Cell:  schema.Cell{Sheet: a.src.sheet(), Ref: rng}})
		}
		out = append(out, rep)
	}
	return out
}

func dsKeyCompare(x, y dsKey) int {
	return cmp.Or(strings.Compare(x.outcome, y.outcome), strings.Compare(x.sex, y.sex),
		strings.Compare(x.ageGroup, y.ageGroup), strings.Compare(x.ageBand, y.ageBand),
		strings.Compare(x.civilian, y.civilian), strings.Compare(x.cause, y.cause))
}

// dsRowSet is a set of 64-bit row fingerprints: open addressing with
// linear probing in a power-of-two table kept at most half full, 8 bytes a
// slot (a Go map costs several times that per entry). 0 marks an empty
// slot, so a fingerprint of 0 is stored as 1 (one more false duplicate in
// 2^64).
type dsRowSet struct {
	slots []uint64
	n     int
}

func (s *dsRowSet) has(h uint64) bool {
	if h == 0 {
		h = 1
	}
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for i := dsMix(h) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

func (s *dsRowSet) add(h uint64) {
	if h == 0 {
		h = 1
	}
	if 2*(s.n+1) > len(s.slots) {
		old := s.slots
		s.slots = make([]uint64, max(1024, 2*len(old)))
		s.n = 0
		for _, v := range old {
			if v != 0 {
				s.insert(v)
			}
		}
	}
	s.insert(h)
}

func (s *dsRowSet) insert(h uint64) {
	mask := uint64(len(s.slots) - 1)
	for i := dsMix(h) & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return
		case 0:
			s.slots[i] = h
			s.n++
			return
		}
	}
}

// dsMix spreads a fingerprint's bits over the table index (splitmix64's
// finaliser): FNV's low bits alone cluster.
func dsMix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}
