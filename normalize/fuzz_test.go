package normalize

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/normalize/countries"
	"github.com/vahub/vahub/schema"
)

// checkValue holds for every Value any count parser returns.
func checkValue(t *testing.T, raw string, v schema.Value, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrNotNumber) && !errors.Is(err, ErrNegative) && !errors.Is(err, ErrFraction) {
			t.Fatalf("%q: error %v wraps no sentinel", raw, err)
		}
		if v != (schema.Value{}) {
			t.Fatalf("%q: error with a value %s", raw, show(v))
		}
		return
	}
	switch v.State {
	case "":
		if !isBlank(raw) {
			t.Fatalf("%q: blank state for non-blank text", raw)
		}
	case schema.StateReported:
		if v.People == nil || *v.People < 0 || v.Qualifier == "" {
			t.Fatalf("%q: bad reported value %s", raw, show(v))
		}
	case schema.StateCarriedForward, schema.StateUnknown, schema.StateWithheld, schema.StateNotApplicable:
		if v.People != nil || v.Qualifier != "" {
			t.Fatalf("%q: %s carries a number %s", raw, v.State, show(v))
		}
	default:
		t.Fatalf("%q: unknown state %q", raw, v.State)
	}
	if v.State != schema.StateCarriedForward && v.CarriedFrom != 0 {
		t.Fatalf("%q: CarriedFrom without carry", raw)
	}
	if v.People != nil && !v.State.HasNumber() {
		t.Fatalf("%q: People on %s", raw, v.State)
	}
}

func FuzzCount(f *testing.F) {
	for _, s := range []string{"", " ", "12", "1,234", "1.234", "1 234", "1\u202f234", "1'234", "1234.0",
		"at least 50", "≥50", "50+", "~50", "environ 50", "aprox. 50", "unknown", "?", "-", "—", "n/a",
		"<5", "unchanged (last reporting: 2019)", "sin cambio desde 2019", "-5", "12.5", "12,5", "50¹",
		"99999999999999999999", "1.234,5", ".5", "- 1", "más de 1.200", "...", "+"} {
		for _, lang := range []string{"en", "fr", "es", ""} {
			f.Add(s, lang)
		}
	}
	f.Fuzz(func(t *testing.T, raw, lang string) {
		v, err := Count(raw, lang)
		checkValue(t, raw, v, err)
	})
}

func FuzzNumericCount(f *testing.F) {
	for _, s := range []string{"", "1234", "1234.0", "1.2E3", "-1", "0.5", "1e400", "NaN", "9007199254740993", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := NumericCount(raw)
		checkValue(t, raw, v, err)
		if err == nil && v.State != "" && (v.State != schema.StateReported || v.Qualifier != schema.QualExact) {
			t.Fatalf("%q: numeric cell gave %s", raw, show(v))
		}
	})
}

func FuzzCountry(f *testing.F) {
	for _, s := range []string{"LAO", "la", "418", "Lao PDR", "Côte d’Ivoire", "Bosnia & Herzegovina", "VA",
		"Congo (the Democratic Republic of the)", "The Gambia", "XK", "", "4", "Korea", "東帝汶"} {
		f.Add(s)
	}
	codes := map[string]bool{}
	for _, a := range countries.All() {
		codes[a.Code] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := Country(s)
		if !ok {
			if c != "" {
				t.Fatalf("%q: refused with %q", s, c)
			}
			return
		}
		if !codes[c] {
			t.Fatalf("%q: unknown code %q", s, c)
		}
		if c2, ok := Country(c); !ok || c2 != c {
			t.Fatalf("%q: code %q does not map to itself", s, c)
		}
	})
}

func isMidnightUTC(t time.Time) bool {
	return t.Location() == time.UTC && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"01/02/2023", "1/2/2023", "01.02.2023", "2023-02-01", "2023-02-01T10:00:00Z",
		"1 January 2023", "January 1, 2023", "1er janvier 2023", "1 de enero de 2023", "31/04/2023", "", "0/0/0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil {
			if !errors.Is(err, ErrNotDate) || !d.IsZero() {
				t.Fatalf("%q: bad failure %v, %v", s, d, err)
			}
			return
		}
		if !isMidnightUTC(d) {
			t.Fatalf("%q: %v is not UTC midnight", s, d)
		}
		if d.Year() >= 1000 && d.Year() <= 9999 {
			if back, err := Date(d.Format("02/01/2006")); err != nil || !back.Equal(d) {
				t.Fatalf("%q: %v does not round-trip: %v, %v", s, d, back, err)
			}
		}
	})
}

func FuzzPeriod(f *testing.F) {
	for _, s := range []string{"du 01/01/2024 au 31/12/2024", "from 1 January 2023 to 31 December 2023",
		"01/01/2020 - 31/12/2020", "01/01/2020-31/12/2020", "del 1 de enero de 2023 al 31 de diciembre de 2023",
		"1 January – 31 December 2023", "2023", "January – June 2023", "2020-2021", "31/12/2024 - 01/01/2024", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := Period(s)
		if err != nil {
			if !errors.Is(err, ErrNotDate) {
				t.Fatalf("%q: error %v does not wrap ErrNotDate", s, err)
			}
			return
		}
		if b.Before(a) || !isMidnightUTC(a) || !isMidnightUTC(b) {
			t.Fatalf("%q: bad period %v – %v", s, a, b)
		}
	})
}

func FuzzExcelDate(f *testing.F) {
	for _, v := range []float64{0, 1, 59, 60, 61, 45000.5, -1, 3e6, 2958465.99999} {
		f.Add(v, false)
		f.Add(v, true)
	}
	f.Fuzz(func(t *testing.T, serial float64, d1904 bool) {
		d := ExcelDate(serial, d1904)
		if !d.IsZero() && (d.Location() != time.UTC || d.Year() < 1899 || d.Year() > 10000) {
			t.Fatalf("ExcelDate(%v, %v) = %v", serial, d1904, d)
		}
	})
}

func FuzzSexAge(f *testing.F) {
	for _, s := range []string{"men", "Femmes", "niños", "niñas", "M", "F", "sex/age unknown", "total", "", "(Boys)"} {
		f.Add(s, "es", true)
		f.Add(s, "", false)
	}
	f.Fuzz(func(t *testing.T, label, lang string, hasGirls bool) {
		sex, age, ok := SexAge(label, lang, hasGirls)
		if !ok {
			if sex != "" || age != "" {
				t.Fatalf("%q: refused with %q, %q", label, sex, age)
			}
			return
		}
		if !schema.Valid(schema.Sexes, sex) || !schema.Valid(schema.AgeGroups, age) {
			t.Fatalf("%q: invalid codes %q, %q", label, sex, age)
		}
	})
}

// FuzzLabels covers the closed-list label parsers: whatever they accept
// must be a code of their dimension.
func FuzzLabels(f *testing.F) {
	for _, s := range []string{"killed", "blessés", "por determinar", "cm_remnant", "MAP/MUSE", "civil",
		"Fuerza Pública", "soins médicaux", "oui", "partiel(le)", "0-17", "Menor de 18 años", "65+", "", "<=17"} {
		f.Add(s)
	}
	commitment := []string{"yes", "no", "partial", "unknown"}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(name string, set []string, code string, ok bool) {
			if ok && !schema.Valid(set, code) || !ok && code != "" {
				t.Fatalf("%s(%q) = %q, %v", name, s, code, ok)
			}
		}
		c, ok := Outcome(s)
		check("Outcome", schema.Outcomes, c, ok)
		c, ok = Cause(s)
		check("Cause", schema.Causes, c, ok)
		c, ok = CivilianStatus(s)
		check("CivilianStatus", schema.CivilianStatuses, c, ok)
		c, ok = Pillar(s)
		check("Pillar", schema.Pillars, c, ok)
		c, ok = Status(s)
		check("Status", commitment, c, ok)
		c, ok = YesNo(s)
		check("YesNo", []string{"yes", "no"}, c, ok)
		c, ok = AgeGroupOfBand(s)
		check("AgeGroupOfBand", schema.AgeGroups, c, ok)
	})
}

func FuzzWG(f *testing.F) {
	for _, s := range []string{"1", "4", "a_lot_of_difficulty", "Cannot do at all", "pnta", "DNK", "beaucoup de difficultés", ""} {
		f.Add(s, "2", "3")
	}
	codes := []string{WGNoDifficulty, WGSomeDifficulty, WGALot, WGCannot, WGRefused, WGDontKnow}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		code, ok := WGAnswer(a)
		if ok != slices.Contains(codes, code) {
			t.Fatalf("WGAnswer(%q) = %q, %v", a, code, ok)
		}
		d := Disability(a, b, c, a, b, c)
		if !slices.Contains(schema.Disabilities, d) {
			t.Fatalf("Disability = %q", d)
		}
		if (code == WGALot || code == WGCannot) && d != "yes" {
			t.Fatalf("Disability with %q = %q", a, d)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Côte d’Ivoire", "Bosnia & Herzegovina", "Gambia (the)", "The The", "ẞ", "İstanbul", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if Fold(k) != k {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, k, Fold(k))
		}
		if strings.HasPrefix(k, " ") || strings.HasSuffix(k, " ") || strings.Contains(k, "  ") {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, k)
		}
	})
}
