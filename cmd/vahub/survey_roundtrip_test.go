package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/ingest/survey/surveytest"
	"github.com/vahub/vahub/schema/pg/pgtest"
	svy "github.com/vahub/vahub/schema/survey"
)

// The survey's whole round trip through the command line (issue 6): the
// XLSForm `vahub survey form` writes → interviews answered from that
// workbook alone (its survey sheet's names, groups and relevance, its
// choices sheet's lists) → exports as KoboToolbox (French labels, answers
// as labels) and ODK Central (CSV zip, with a re-export and an edit) write
// them → `vahub ingest` → service_facts and the gap workbook, each checked
// against figures this test counts itself from the answers it made up.
func TestSurveyRoundTripToGapWorkbook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := pgtest.NewURL(t)

	formPath := filepath.Join(dir, "form.xlsx")
	mustRun(t, exitOK, "", "survey", "form", "-o", formPath)
	form := readRTForm(t, formPath)

	// 400 interviews across two countries and two years.
	rng := rand.New(rand.NewPCG(6, 2026))
	const n = 400
	ivs := make([]surveytest.Interview, n)
	for i := range ivs {
		country := []string{"LAO", "COL"}[rng.IntN(2)]
		year := 2023 + rng.IntN(2)
		answers := form.interview(t, rng, country, year)
		day := time.Date(year, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365))
		if d, ok := answers["interview_date"]; ok {
			day, _ = time.Parse(time.DateOnly, d)
		}
		ivs[i] = surveytest.Interview{
			UUID:      fmt.Sprintf("6a0c%04x-5e1f-4c2b-9d7e-%012x", i, rng.Uint64()&0xffffffffffff),
			Submitted: day.Add(30 * time.Hour),
			Answers:   answers,
		}
	}
	kobo, odk := ivs[:n/2], ivs[n/2:]

	// One ODK submission is edited after a first export: the second export
	// has the edit (a new instance id, KEY the first version's) in its place.
	edited := slices.IndexFunc(odk[:50], func(iv surveytest.Interview) bool { return iv.Answers["consent"] == "yes" })
	orig := odk[edited]
	edit := surveytest.Interview{UUID: "6a0ce417-5e1f-4c2b-9d7e-000000000001", Deprecated: orig.UUID,
		Submitted: orig.Submitted.Add(48 * time.Hour), Answers: form.edit(t, orig.Answers)}
	odk2 := slices.Clone(odk)
	odk2[edited] = edit
	// Three interviews are in both tools' exports (the same instances).
	crossDup := []surveytest.Interview{kobo[3], kobo[77], kobo[150]}
	odk2 = slices.Insert(odk2, 100, crossDup...)

	koboPath := filepath.Join(dir, "kobo.xlsx")
	koboStyle := surveytest.Style{Tool: svy.SourceKobo, Labels: true, Values: true, Lang: "fr", GroupSep: "/"}
	if err := surveytest.WriteXLSX(koboPath, koboStyle, len(kobo), func(i int) surveytest.Interview { return kobo[i] }); err != nil {
		t.Fatal(err)
	}
	form.checkKoboHeader(t, koboPath)
	odkStyle := surveytest.Style{Tool: svy.SourceODK, GroupSep: "-"}
	odk1Path, odk2Path := filepath.Join(dir, "odk-march.zip"), filepath.Join(dir, "odk-june.zip")
	if err := surveytest.WriteODKZip(odk1Path, odkStyle, odk[:50]); err != nil {
		t.Fatal(err)
	}
	if err := surveytest.WriteODKZip(odk2Path, odkStyle, odk2); err != nil {
		t.Fatal(err)
	}

	consenting := func(ivs []surveytest.Interview) (yes, no int) {
		for _, iv := range ivs {
			if iv.Answers["consent"] == "yes" {
				yes++
			} else {
				no++
			}
		}
		return yes, no
	}
	kYes, kNo := consenting(kobo)
	o1Yes, o1No := consenting(odk[:50])
	o2Yes, o2No := consenting(odk[50:])
	for _, step := range []struct {
		path, format string
		want         map[string]int
	}{
		{koboPath, "survey-kobo", map[string]int{"accepted": kYes, "no_consent": kNo}},
		{odk1Path, "survey-odk", map[string]int{"accepted": o1Yes, "no_consent": o1No}},
		// The re-export: its first 49 rows and the three Kobo interviews
		// are stored already; the edit replaces its first version.
		{odk2Path, "survey-odk", map[string]int{"accepted": o2Yes + 1, "no_consent": o2No, "duplicates": 49 + 3, "replaced": 1}},
	} {
		r := mustRun(t, exitOK, url, "ingest", "--json", step.path)
		var doc struct {
			Files []struct {
				Status, Format, Country string
				Period                  struct{ Start, End string }
				Survey                  map[string]int
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Files) != 1 {
			t.Fatalf("%s: %v\n%s", step.path, err, r)
		}
		f := doc.Files[0]
		if f.Status != "ingested" || f.Format != step.format || f.Country != "" ||
			f.Period.Start != "2023-01-01" || f.Period.End != "2024-12-31" {
			t.Errorf("%s: %+v", filepath.Base(step.path), f)
		}
		for _, k := range []string{"accepted", "duplicates", "replaced", "no_consent", "rejected"} {
			if f.Survey[k] != step.want[k] {
				t.Errorf("%s: survey.%s = %d, want %d", filepath.Base(step.path), k, f.Survey[k], step.want[k])
			}
		}
	}

	// What the store must hold: every instance once, the edit instead of
	// its first version, refusals left out.
	final := map[string]map[string]string{}
	for _, iv := range append(append(slices.Clone(kobo), odk...), crossDup...) {
		final[iv.UUID] = iv.Answers
	}
	delete(final, orig.UUID)
	final[edit.UUID] = edit.Answers
	want := form.expected(t, final)
	mix := map[string]int{}
	for _, a := range final {
		mix["consent "+a["consent"]]++
		if a["consent"] == "yes" {
			mix["sex "+a["sex"]]++
			if age, _ := strconv.Atoi(a["age"]); age < 18 {
				mix["children"]++
			}
		}
	}
	t.Logf("interviews stored: %v", mix)

	db := openStore(t, url)
	var got []struct {
		Country    string `db:"country"`
		Year       int    `db:"year"`
		Pillar     string `db:"pillar"`
		Sex        string `db:"sex"`
		AgeGroup   string `db:"age_group"`
		Disability string `db:"disability"`
		InNeed     *int64 `db:"in_need"`
		Reached    *int64 `db:"reached"`
	}
	if err := db.SelectContext(t.Context(), &got, `
		SELECT f.country, f.year, f.pillar, f.sex, f.age_group, f.disability, f.in_need, f.reached
		FROM service_facts f JOIN report r ON r.id = f.source_id AND r.source_type = 'survey'`); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := db.GetContext(t.Context(), &total, `SELECT count(*) FROM service_facts`); err != nil {
		t.Fatal(err)
	}
	if total != len(got) || len(got) != len(want) {
		t.Errorf("service_facts has %d rows (%d from surveys), want %d", total, len(got), len(want))
	}
	for _, g := range got {
		k := rtKey{g.Country, g.Year, g.Pillar, g.Sex, g.AgeGroup, g.Disability}
		w, ok := want[k]
		if !ok {
			t.Errorf("service_facts row %v: no such group in the interviews", k)
			continue
		}
		if !sameCount(g.InNeed, w.inNeed) || !sameCount(g.Reached, w.reached) {
			t.Errorf("service_facts %v: in_need %s reached %s, want %s and %s", k, fmtCount(g.InNeed), fmtCount(g.Reached),
				fmtCount(w.inNeed), fmtCount(w.reached))
		}
	}

	// The gap workbook, k = 5, then k = 2.
	visible5 := checkRTGap(t, url, dir, 5, form.pillars, want)
	visible2 := checkRTGap(t, url, dir, 2, form.pillars, want)
	if visible2 <= visible5 {
		t.Errorf("k = 2 shows %d counts, k = 5 shows %d: a lower threshold must show more", visible2, visible5)
	}
	t.Logf("%d interviews, %d service_facts rows; visible counts on the pillar sheets: %d at k = 5, %d at k = 2",
		n, len(want), visible5, visible2)
}

// rtQuestion is one question of the XLSForm's survey sheet.
type rtQuestion struct {
	typ, list, name, label string
	required               bool
	// relevant are the conditions of the question and of its groups, as
	// question name and required value.
	relevant [][2]string
	group    string // the group's French label, "" outside groups
}

// rtForm is what the test knows of the survey: the workbook's sheets only.
type rtForm struct {
	questions []rtQuestion
	choices   map[string][]string // list name -> choice names, in order
	labels    map[string]string   // list + " " + name -> French label
	wg        []string            // the Washington Group questions
	pillars   []string            // from need_<pillar>
}

var rtRelevant = regexp.MustCompile(`^\$\{(\w+)\}\s*=\s*'([^']*)'$`)

// readRTForm reads the XLSForm's survey and choices sheets, with their
// French labels.
func readRTForm(t *testing.T, path string) *rtForm {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := func(name string) (rows [][]string, col func(string) int) {
		rows, err := f.GetRows(name)
		if err != nil || len(rows) < 2 {
			t.Fatalf("XLSForm sheet %s: %v", name, err)
		}
		col = func(h string) int {
			i := slices.IndexFunc(rows[0], func(c string) bool {
				return c == h || strings.HasPrefix(h, "label") && strings.HasPrefix(c, "label::") && strings.HasSuffix(c, "(fr)")
			})
			if i < 0 {
				t.Fatalf("XLSForm sheet %s has no column %s: %q", name, h, rows[0])
			}
			return i
		}
		return rows, col
	}
	cell := func(row []string, i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	form := &rtForm{choices: map[string][]string{}, labels: map[string]string{}}
	rows, col := sheet("choices")
	listCol, nameCol, labelCol := col("list_name"), col("name"), col("label")
	for _, r := range rows[1:] {
		l, name := cell(r, listCol), cell(r, nameCol)
		form.choices[l] = append(form.choices[l], name)
		form.labels[l+" "+name] = cell(r, labelCol)
	}

	rows, col = sheet("survey")
	typeCol, nameCol, labelCol, reqCol, relCol := col("type"), col("name"), col("label"), col("required"), col("relevant")
	type group struct {
		label    string
		relevant [][2]string
	}
	var groups []group
	condition := func(expr string) [][2]string {
		if expr == "" {
			return nil
		}
		m := rtRelevant.FindStringSubmatch(expr)
		if m == nil {
			t.Fatalf("relevant %q: this test reads only ${name} = 'value'", expr)
		}
		return [][2]string{{m[1], m[2]}}
	}
	for _, r := range rows[1:] {
		typ, list, _ := strings.Cut(cell(r, typeCol), " ")
		var inherited [][2]string
		for _, g := range groups {
			inherited = append(inherited, g.relevant...)
		}
		switch typ {
		case "begin_group":
			groups = append(groups, group{cell(r, labelCol), condition(cell(r, relCol))})
			continue
		case "end_group":
			groups = groups[:len(groups)-1]
			continue
		case "note", "":
			continue
		}
		q := rtQuestion{typ: typ, list: list, name: cell(r, nameCol), label: cell(r, labelCol),
			required: cell(r, reqCol) == "yes", relevant: append(inherited, condition(cell(r, relCol))...)}
		if len(groups) > 0 {
			q.group = groups[len(groups)-1].label
		}
		if typ == "select_one" && len(form.choices[list]) == 0 {
			t.Fatalf("%s: list %q has no choices", q.name, list)
		}
		form.questions = append(form.questions, q)
		if list == "wg_difficulty" {
			form.wg = append(form.wg, q.name)
		}
		if p, ok := strings.CutPrefix(q.name, "need_"); ok {
			form.pillars = append(form.pillars, p)
		}
	}
	if len(form.wg) != 6 || len(form.pillars) != 4 {
		t.Fatalf("XLSForm: WG questions %v, pillars %v", form.wg, form.pillars)
	}
	return form
}

// pick draws a choice of list by weight (a choice without a weight: 1). A
// weight for a code the list lacks fails the test: the workbook and the
// vocabulary disagree.
func (f *rtForm) pick(t *testing.T, rng *rand.Rand, list string, weights map[string]int) string {
	t.Helper()
	codes := f.choices[list]
	for c := range weights {
		if !slices.Contains(codes, c) {
			t.Fatalf("list %s has no choice %s: %v", list, c, codes)
		}
	}
	sum := 0
	w := func(c string) int {
		if v, ok := weights[c]; ok {
			return v
		}
		return 1
	}
	for _, c := range codes {
		sum += w(c)
	}
	x := rng.IntN(sum)
	for _, c := range codes {
		if x -= w(c); x < 0 {
			return c
		}
	}
	return codes[len(codes)-1]
}

// interview answers the form's questions in order, as an enumerator's
// device would: a question whose relevance fails is not asked.
func (f *rtForm) interview(t *testing.T, rng *rand.Rand, country string, year int) map[string]string {
	t.Helper()
	a := map[string]string{}
	for _, q := range f.questions {
		asked := true
		for _, c := range q.relevant {
			asked = asked && a[c[0]] == c[1]
		}
		if !asked {
			continue
		}
		var v string
		switch {
		case q.name == "consent":
			v = f.pick(t, rng, q.list, map[string]int{"yes": 92, "no": 8})
		case q.name == "country":
			if !slices.Contains(f.choices[q.list], country) {
				t.Fatalf("country list lacks %s", country)
			}
			v = country
		case q.name == "sex":
			v = f.pick(t, rng, q.list, map[string]int{"female": 9, "male": 9, "prefer_not_to_say": 2})
		case q.name == "age":
			if rng.IntN(4) == 0 {
				v = strconv.Itoa(rng.IntN(18))
			} else {
				v = strconv.Itoa(18 + rng.IntN(63))
			}
		case q.name == "interview_date":
			v = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(365)).Format(time.DateOnly)
		case q.name == "incident_year":
			if rng.IntN(5) > 0 {
				v = strconv.Itoa(year - rng.IntN(16))
			}
		case q.typ == "text":
			v = "Province " + string(rune('A'+rng.IntN(5)))
		case q.list == "wg_difficulty":
			v = f.pick(t, rng, q.list, map[string]int{"no_difficulty": 70, "some_difficulty": 15, "a_lot_of_difficulty": 6,
				"cannot_do_at_all": 3, "refused": 3, "dont_know": 3})
		case strings.HasPrefix(q.name, "need_"):
			v = f.pick(t, rng, q.list, map[string]int{"yes": 4, "no": 6})
		case strings.HasPrefix(q.name, "received_"):
			v = f.pick(t, rng, q.list, map[string]int{"yes": 11, "no": 9})
		case q.typ == "select_one":
			v = f.pick(t, rng, q.list, nil)
		default:
			t.Fatalf("question %s (%s): this test does not know how to answer it", q.name, q.typ)
		}
		if v == "" && q.required {
			t.Fatalf("required question %s left blank", q.name)
		}
		if v != "" {
			a[q.name] = v
		}
	}
	return a
}

// edit is a correction of an interview that moves it to another group: the
// other sex, the other age group, a disability, and a need of the first
// pillar not met.
func (f *rtForm) edit(t *testing.T, a map[string]string) map[string]string {
	t.Helper()
	e := make(map[string]string, len(a))
	for k, v := range a {
		e[k] = v
	}
	if a["sex"] == "female" {
		e["sex"] = "male"
	} else {
		e["sex"] = "female"
	}
	if age, _ := strconv.Atoi(a["age"]); age < 18 {
		e["age"] = "41"
	} else {
		e["age"] = "12"
	}
	e[f.wg[2]] = "cannot_do_at_all"
	p := f.pillars[0]
	e["need_"+p], e["received_"+p] = "yes", "no"
	return e
}

// checkKoboHeader checks that the KoboToolbox export speaks the workbook's
// French: each question's column is its group's label and its own label
// from the XLSForm.
func (f *rtForm) checkKoboHeader(t *testing.T, path string) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil || len(rows) < 2 {
		t.Fatalf("Kobo export: %v", err)
	}
	for _, q := range f.questions {
		h := q.label
		if q.group != "" {
			h = q.group + "/" + h
		}
		if !slices.Contains(rows[0], h) {
			t.Errorf("Kobo export has no column %q (question %s)", h, q.name)
		}
	}
}

type rtKey struct {
	country    string
	year       int
	pillar     string
	sex, age   string
	disability string
}

// rtCounts are one group's figures: nil when nobody in the group answered
// the question (not reported, never zero). Reached is known for a
// respondent who answered received_<pillar> or said no to the need.
type rtCounts struct{ inNeed, reached *int64 }

// expected counts, from the answers alone, what service_facts must hold:
// persons per country, year, pillar and group who said yes to need_<pillar>
// (in_need) and to received_<pillar> (reached).
func (f *rtForm) expected(t *testing.T, interviews map[string]map[string]string) map[rtKey]rtCounts {
	t.Helper()
	out := map[rtKey]rtCounts{}
	add := func(p **int64, answered bool, yes bool) {
		if !answered {
			return
		}
		if *p == nil {
			*p = new(int64)
		}
		if yes {
			**p++
		}
	}
	for _, a := range interviews {
		if a["consent"] != "yes" {
			continue
		}
		year, err := strconv.Atoi(a["interview_date"][:4])
		if err != nil {
			t.Fatal(err)
		}
		sex := a["sex"]
		if sex != "female" && sex != "male" {
			sex = "unknown"
		}
		age := "unknown"
		if v, err := strconv.Atoi(a["age"]); err == nil {
			age = "adult"
			if v < 18 {
				age = "child"
			}
		}
		dis := "no"
		for _, q := range f.wg {
			switch a[q] {
			case "no_difficulty", "some_difficulty":
			case "a_lot_of_difficulty", "cannot_do_at_all":
				dis = "yes"
			default:
				if dis == "no" {
					dis = "unknown"
				}
			}
		}
		for _, p := range f.pillars {
			k := rtKey{a["country"], year, p, sex, age, dis}
			c := out[k]
			need, okNeed := a["need_"+p]
			got, okGot := a["received_"+p]
			add(&c.inNeed, okNeed, need == "yes")
			// received_<pillar> is asked after a yes to the need only: a
			// no to the need is not reached, and says so.
			add(&c.reached, okGot || need == "no", got == "yes")
			if c.inNeed != nil || c.reached != nil {
				out[k] = c
			}
		}
	}
	return out
}

func sameCount(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func fmtCount(v *int64) string {
	if v == nil {
		return "NULL"
	}
	return strconv.FormatInt(*v, 10)
}

// checkRTGap exports the gap workbook with threshold k and reads every
// pillar sheet back: each visible count is the true one, each true count
// from 1 to k−1 shows as withheld, and the Disclosure sheet counts exactly
// the withheld cells found. It returns how many counts are visible.
func checkRTGap(t *testing.T, url, dir string, k int, pillars []string, want map[rtKey]rtCounts) (visible int) {
	t.Helper()
	path := filepath.Join(dir, fmt.Sprintf("gap-k%d.xlsx", k))
	mustRun(t, exitOK, url, "export", "gap", "-o", path, "--suppress-k", strconv.Itoa(k))
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rowsOf := func(sheet string) ([][]string, func(string) int) {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil || len(rows) < 2 {
			t.Fatalf("k=%d: sheet %s: %v", k, sheet, err)
		}
		return rows, func(h string) int {
			i := slices.Index(rows[0], h)
			if i < 0 {
				t.Fatalf("k=%d: sheet %s has no column %s: %q", k, sheet, h, rows[0])
			}
			return i
		}
	}
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	const withheld = "withheld"

	type sheetCount struct{ primary, counts, derived int }
	found := map[string]sheetCount{}
	for _, p := range pillars {
		rows, col := rowsOf(p)
		cCountry, cYear, cSex, cAge, cDis := col("country"), col("year"), col("sex"), col("age_group"), col("disability")
		cIn, cRe := col("in_need"), col("reached")
		cUnmet, cCov := col("unmet"), col("coverage")
		derivedCols := []int{cUnmet, cCov, col("parity_index")}
		var sc sheetCount
		seen := 0
		for _, r := range rows[2:] {
			year, _ := strconv.Atoi(cell(r, cYear))
			key := rtKey{cell(r, cCountry), year, p, cell(r, cSex), cell(r, cAge), cell(r, cDis)}
			w, ok := want[key]
			if !ok {
				t.Errorf("k=%d: %s row %v is no group of the interviews", k, p, key)
				continue
			}
			seen++
			for _, m := range []struct {
				name string
				col  int
				want *int64
			}{{"in_need", cIn, w.inNeed}, {"reached", cRe, w.reached}} {
				got := cell(r, m.col)
				switch {
				case m.want == nil:
					if got != "" {
						t.Errorf("k=%d: %s %v %s = %q, want blank (not reported)", k, p, key, m.name, got)
					}
				case got == withheld:
					sc.counts++
				case got != strconv.FormatInt(*m.want, 10):
					t.Errorf("k=%d: %s %v %s = %q, want %d", k, p, key, m.name, got, *m.want)
				default:
					visible++
				}
				if m.want != nil && *m.want >= 1 && *m.want < int64(k) {
					sc.primary++
					if got != withheld {
						t.Errorf("k=%d: %s %v %s = %q: a count of %d must be withheld", k, p, key, m.name, got, *m.want)
					}
				}
			}
			for _, c := range derivedCols {
				if cell(r, c) == withheld {
					sc.derived++
				}
			}
			// Unmet and coverage are withheld with either count, else
			// computed from the true counts.
			hidden := cell(r, cIn) == withheld || cell(r, cRe) == withheld
			unmet, cov := cell(r, cUnmet), cell(r, cCov)
			switch {
			case hidden:
				if unmet != withheld || cov != withheld {
					t.Errorf("k=%d: %s %v: a count is withheld but unmet %q and coverage %q are not", k, p, key, unmet, cov)
				}
			case w.inNeed == nil || w.reached == nil:
				if unmet != "" || cov != "" {
					t.Errorf("k=%d: %s %v: unmet %q coverage %q, want blank (a count not reported)", k, p, key, unmet, cov)
				}
			default:
				if unmet != strconv.FormatInt(*w.inNeed-*w.reached, 10) {
					t.Errorf("k=%d: %s %v: unmet %q, want %d", k, p, key, unmet, *w.inNeed-*w.reached)
				}
				c, err := strconv.ParseFloat(cov, 64)
				switch {
				case *w.inNeed == 0:
					if cov != "" {
						t.Errorf("k=%d: %s %v: coverage %q with nobody in need, want blank", k, p, key, cov)
					}
				case err != nil || math.Abs(c-float64(*w.reached)/float64(*w.inNeed)) > 1e-9:
					t.Errorf("k=%d: %s %v: coverage %q, want %d/%d", k, p, key, cov, *w.reached, *w.inNeed)
				}
			}
		}
		n := 0
		for key := range want {
			if key.pillar == p {
				n++
			}
		}
		if seen != n {
			t.Errorf("k=%d: %s has %d rows of groups, want %d", k, p, seen, n)
		}
		found[p] = sc
	}

	// Each pillar's totals: every respondent answered every need, so each
	// country-year's total in need and reached are known, and the Summary's
	// coverage and the Reconciliation sheet's survey totals show them (or
	// say withheld), never blank.
	type cyp struct {
		country string
		year    int
		pillar  string
	}
	totals := map[cyp][2]int64{}
	for key, w := range want {
		if w.inNeed == nil || w.reached == nil {
			t.Fatalf("%v: a group without a total (%s, %s)", key, fmtCount(w.inNeed), fmtCount(w.reached))
		}
		k := cyp{key.country, key.year, key.pillar}
		tt := totals[k]
		totals[k] = [2]int64{tt[0] + *w.inNeed, tt[1] + *w.reached}
	}
	rows, col := rowsOf("Summary")
	cCountry, cYear := col("country"), col("year")
	if len(rows)-2 != len(totals)/len(pillars) {
		t.Errorf("k=%d: Summary has %d rows, want one per country-year (%d)", k, len(rows)-2, len(totals)/len(pillars))
	}
	for _, r := range rows[2:] {
		year, _ := strconv.Atoi(cell(r, cYear))
		for _, p := range pillars {
			tt, ok := totals[cyp{cell(r, cCountry), year, p}]
			got := cell(r, col("coverage_"+p))
			c, err := strconv.ParseFloat(got, 64)
			switch {
			case !ok:
				t.Errorf("k=%d: Summary row %q is no country-year of the interviews", k, r)
			case got == withheld:
			case err != nil || math.Abs(c-float64(tt[1])/float64(tt[0])) > 1e-9:
				t.Errorf("k=%d: Summary %s %d coverage_%s = %q, want %d/%d", k, cell(r, cCountry), year, p, got, tt[1], tt[0])
			}
		}
	}
	rows, col = rowsOf("Reconciliation")
	cCountry, cYear = col("country"), col("year")
	cPillar, cMeasure, cLevel, cSurvey := col("pillar"), col("measure"), col("level"), col("survey")
	reconciled := 0
	for _, r := range rows[2:] {
		if cell(r, cLevel) != "total" {
			continue
		}
		year, _ := strconv.Atoi(cell(r, cYear))
		tt, ok := totals[cyp{cell(r, cCountry), year, cell(r, cPillar)}]
		m := slices.Index([]string{"in_need", "reached"}, cell(r, cMeasure))
		if !ok || m < 0 {
			t.Errorf("k=%d: Reconciliation row %q", k, r)
			continue
		}
		reconciled++
		if got := cell(r, cSurvey); got != withheld && got != strconv.FormatInt(tt[m], 10) {
			t.Errorf("k=%d: Reconciliation %q: survey %q, want %d", k, r[:cLevel+1], got, tt[m])
		}
	}
	if reconciled != 2*len(totals) {
		t.Errorf("k=%d: Reconciliation has %d survey totals, want in need and reached of %d pillars and country-years", k, reconciled, len(totals))
	}

	// Every withheld cell of the sheets that can hold survey figures.
	all := 0
	for _, s := range append(append([]string{"Summary"}, pillars...), "Reconciliation") {
		rows, _ := rowsOf(s)
		for _, r := range rows[2:] {
			for _, c := range r {
				if c == withheld {
					all++
				}
			}
		}
	}

	rows, col = rowsOf("Disclosure")
	cSheet, cPrim, cComp, cDer := col("sheet"), col("withheld_primary"), col("withheld_complementary"), col("withheld_derived")
	num := func(r []string, i int) int {
		v, err := strconv.Atoi(cell(r, i))
		if err != nil {
			t.Fatalf("k=%d: Disclosure %q: %v", k, r, err)
		}
		return v
	}
	checked := 0
	for _, r := range rows[2:] {
		s := cell(r, cSheet)
		prim, comp, der := num(r, cPrim), num(r, cComp), num(r, cDer)
		if s == "(all)" {
			checked++
			if prim+comp+der != all {
				t.Errorf("k=%d: Disclosure (all) says %d+%d+%d withheld, the workbook shows %d", k, prim, comp, der, all)
			}
			continue
		}
		sc, ok := found[s]
		if !ok {
			continue
		}
		checked++
		if prim != sc.primary || prim+comp != sc.counts || der != sc.derived {
			t.Errorf("k=%d: Disclosure %s: primary %d complementary %d derived %d; the sheet has %d counts below k, %d counts and %d derived figures withheld",
				k, s, prim, comp, der, sc.primary, sc.counts, sc.derived)
		}
	}
	if checked != 1+len(pillars) {
		t.Errorf("k=%d: Disclosure has %d of the %d rows looked for", k, checked, 1+len(pillars))
	}
	return visible
}
