package normalize

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vahub/vahub/schema"
)

func TestCount(t *testing.T) {
	rep := func(n int64, q schema.Qualifier) schema.Value { return reported(n, q) }
	st := func(s schema.ValueState) schema.Value { return schema.Value{State: s} }
	cf := func(y int) schema.Value { return schema.Value{State: schema.StateCarriedForward, CarriedFrom: y} }
	exact, atLeast, est := schema.QualExact, schema.QualAtLeast, schema.QualEstimate
	tests := []struct {
		raw, lang string
		want      schema.Value
		err       error
	}{
		{"", "en", schema.Value{}, nil},
		{"   ", "fr", schema.Value{}, nil},
		{"\u00a0", "", schema.Value{}, nil},
		{"0", "en", rep(0, exact), nil},
		{"12", "en", rep(12, exact), nil},
		{"12 ", "en", rep(12, exact), nil},
		{" 007", "en", rep(7, exact), nil},
		{"1,234", "en", rep(1234, exact), nil},
		{"1,234", "fr", rep(1234, exact), nil},
		{"12,345,678", "en", rep(12345678, exact), nil},
		{"1 234", "fr", rep(1234, exact), nil},
		{"1\u00a0234", "fr", rep(1234, exact), nil},
		{"1\u202f234", "fr", rep(1234, exact), nil},
		{"1 234 567", "", rep(1234567, exact), nil},
		{"1.234", "fr", rep(1234, exact), nil},
		{"1.234", "es", rep(1234, exact), nil},
		{"1.234", "", rep(1234, exact), nil},
		{"1.234", "en", schema.Value{}, ErrFraction},
		{"1.000", "en", rep(1, exact), nil},
		{"1.234.567", "en", rep(1234567, exact), nil},
		{"1'234", "fr", rep(1234, exact), nil},
		{"1’234", "es", rep(1234, exact), nil},
		{"1234.0", "en", rep(1234, exact), nil},
		{"1234.0", "fr", rep(1234, exact), nil},
		{"1234,0", "fr", rep(1234, exact), nil},
		{"1,234.0", "en", rep(1234, exact), nil},
		{"1.234,0", "es", rep(1234, exact), nil},
		{"12.", "en", rep(12, exact), nil},
		{"12.5", "en", schema.Value{}, ErrFraction},
		{"12,5", "fr", schema.Value{}, ErrFraction},
		{"12,5", "en", schema.Value{}, ErrNotNumber},
		{".5", "en", schema.Value{}, ErrFraction},
		{"1,23,456", "en", schema.Value{}, ErrNotNumber},
		{"1 2", "en", schema.Value{}, ErrNotNumber},
		{"1,234 567", "en", schema.Value{}, ErrNotNumber},
		{"12,", "en", schema.Value{}, ErrNotNumber},
		{"-5", "en", schema.Value{}, ErrNegative},
		{"−5", "en", schema.Value{}, ErrNegative},
		{"- 1,234", "en", schema.Value{}, ErrNegative},
		{"-1.5", "en", schema.Value{}, ErrNegative},
		{"+5", "en", schema.Value{}, ErrNotNumber},
		{"abc", "en", schema.Value{}, ErrNotNumber},
		{"50*", "en", schema.Value{}, ErrNotNumber},
		{"50¹", "en", schema.Value{}, ErrNotNumber},
		{"99999999999999999999", "en", schema.Value{}, ErrNotNumber},
		{"５０", "en", rep(50, exact), nil},
		{"none", "en", rep(0, exact), nil},
		{"Néant", "fr", rep(0, exact), nil},
		{"ninguno", "es", rep(0, exact), nil},

		{"at least 50", "en", rep(50, atLeast), nil},
		{"At least 50,570", "en", rep(50570, atLeast), nil},
		{"≥50", "en", rep(50, atLeast), nil},
		{">50", "en", rep(50, atLeast), nil},
		{"> 50", "en", rep(50, atLeast), nil},
		{"50+", "en", rep(50, atLeast), nil},
		{"over 50", "en", rep(50, atLeast), nil},
		{"more than 50", "en", rep(50, atLeast), nil},
		{"au moins 50", "fr", rep(50, atLeast), nil},
		{"plus de 50", "fr", rep(50, atLeast), nil},
		{"al menos 50", "es", rep(50, atLeast), nil},
		{"más de 50", "es", rep(50, atLeast), nil},
		{"Más de 1.200", "es", rep(1200, atLeast), nil},
		{"~50", "en", rep(50, est), nil},
		{"approx. 50", "en", rep(50, est), nil},
		{"about 50", "en", rep(50, est), nil},
		{"around 50", "en", rep(50, est), nil},
		{"environ 50", "fr", rep(50, est), nil},
		{"aprox. 50", "es", rep(50, est), nil},
		{"aproximadamente 50", "es", rep(50, est), nil},
		{"some 50", "en", rep(50, est), nil},
		{"estimated 50", "en", rep(50, est), nil},
		{"est. 50", "en", rep(50, est), nil},
		{"50 (est.)", "en", rep(50, est), nil},
		{"at least -5", "en", schema.Value{}, ErrNegative},
		{"at least", "en", schema.Value{}, ErrNotNumber},

		{"unknown", "en", st(schema.StateUnknown), nil},
		{"Unknown", "en", st(schema.StateUnknown), nil},
		{"unk", "en", st(schema.StateUnknown), nil},
		{"not known", "en", st(schema.StateUnknown), nil},
		{"inconnu", "fr", st(schema.StateUnknown), nil},
		{"non connu", "fr", st(schema.StateUnknown), nil},
		{"non précisé", "fr", st(schema.StateUnknown), nil},
		{"NON PRECISE", "fr", st(schema.StateUnknown), nil},
		{"desconocido", "es", st(schema.StateUnknown), nil},
		{"sin información", "es", st(schema.StateUnknown), nil},
		{"sin informacion", "es", st(schema.StateUnknown), nil},
		{"Sin Información", "es", st(schema.StateUnknown), nil},
		{"no disponible", "es", st(schema.StateUnknown), nil},
		{"nd", "fr", st(schema.StateUnknown), nil},
		{"n.d.", "fr", st(schema.StateUnknown), nil},
		{"?", "en", st(schema.StateUnknown), nil},
		{"..", "en", st(schema.StateUnknown), nil},
		{"…", "en", st(schema.StateUnknown), nil},
		{"-", "en", st(schema.StateUnknown), nil},
		{"–", "en", st(schema.StateUnknown), nil},
		{"—", "en", st(schema.StateUnknown), nil},
		{" - ", "en", st(schema.StateUnknown), nil},

		{"n/a", "en", st(schema.StateNotApplicable), nil},
		{"N/A", "en", st(schema.StateNotApplicable), nil},
		{"na", "en", st(schema.StateNotApplicable), nil},
		{"n.a.", "en", st(schema.StateNotApplicable), nil},
		{"not applicable", "en", st(schema.StateNotApplicable), nil},
		{"s.o.", "fr", st(schema.StateNotApplicable), nil},
		{"sans objet", "fr", st(schema.StateNotApplicable), nil},
		{"non applicable", "fr", st(schema.StateNotApplicable), nil},
		{"no aplica", "es", st(schema.StateNotApplicable), nil},
		{"no corresponde", "es", st(schema.StateNotApplicable), nil},

		{"<5", "en", st(schema.StateWithheld), nil},
		{"< 5", "en", st(schema.StateWithheld), nil},
		{"≤ 10", "en", st(schema.StateWithheld), nil},
		{"moins de 5", "fr", st(schema.StateWithheld), nil},
		{"withheld", "en", st(schema.StateWithheld), nil},
		{"suppressed", "en", st(schema.StateWithheld), nil},
		{"confidential", "en", st(schema.StateWithheld), nil},
		{"confidentiel", "fr", st(schema.StateWithheld), nil},
		{"masqué", "fr", st(schema.StateWithheld), nil},
		{"confidencial", "es", st(schema.StateWithheld), nil},
		{"reservado", "es", st(schema.StateWithheld), nil},
		{"<", "en", schema.Value{}, ErrNotNumber},

		{"unchanged", "en", cf(0), nil},
		{"Unchanged since 2019", "en", cf(2019), nil},
		{"unchanged (last reporting: 2019)", "en", cf(2019), nil},
		{"inchangé", "fr", cf(0), nil},
		{"inchangé depuis 2018", "fr", cf(2018), nil},
		{"sans changement", "fr", cf(0), nil},
		{"sin cambios", "es", cf(0), nil},
		{"sin cambio desde 2019", "es", cf(2019), nil},
		{"unchanged (45)", "en", schema.Value{}, ErrNotNumber},
		{"unchangedness", "en", schema.Value{}, ErrNotNumber},
	}
	for _, tt := range tests {
		got, err := Count(tt.raw, tt.lang)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Count(%q, %q) error = %v, want %v", tt.raw, tt.lang, err, tt.err)
			continue
		}
		if !sameValue(got, tt.want) {
			t.Errorf("Count(%q, %q) = %s, want %s", tt.raw, tt.lang, show(got), show(tt.want))
		}
	}
}

func TestCountErrorQuotesRaw(t *testing.T) {
	_, err := Count("12 people", "en")
	if err == nil || err.Error() != `not a number: "12 people"` {
		t.Fatalf("err = %v", err)
	}
}

func TestNumericCount(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		err  error
	}{
		{"1234", 1234, nil},
		{"1234.0", 1234, nil},
		{"1.2E3", 1200, nil},
		{"1.2e+3", 1200, nil},
		{"0", 0, nil},
		{"-0", 0, nil},
		{" 17 ", 17, nil},
		{"9007199254740993", 9007199254740993, nil},
		{"1.234", 0, ErrFraction},
		{"0.5", 0, ErrFraction},
		{"-3", 0, ErrNegative},
		{"-3.5", 0, ErrNegative},
		{"1,234", 0, ErrNotNumber},
		{"NaN", 0, ErrNotNumber},
		{"Inf", 0, ErrNotNumber},
		{"1e400", 0, ErrNotNumber},
		{"1e19", 0, ErrNotNumber},
		{"0x10", 0, ErrNotNumber},
		{"abc", 0, ErrNotNumber},
	}
	for _, tt := range tests {
		got, err := NumericCount(tt.raw)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("NumericCount(%q) error = %v, want %v", tt.raw, err, tt.err)
			continue
		}
		if tt.err == nil && !sameValue(got, reported(tt.want, schema.QualExact)) {
			t.Errorf("NumericCount(%q) = %s, want %d", tt.raw, show(got), tt.want)
		}
	}
	if v, err := NumericCount(""); err != nil || v.State != "" {
		t.Errorf("NumericCount(\"\") = %s, %v; want blank", show(v), err)
	}
}

func sameValue(a, b schema.Value) bool {
	if (a.People == nil) != (b.People == nil) || a.People != nil && *a.People != *b.People {
		return false
	}
	return a.State == b.State && a.Qualifier == b.Qualifier && a.CarriedFrom == b.CarriedFrom
}

func show(v schema.Value) string {
	p := "nil"
	if v.People != nil {
		p = fmt.Sprint(*v.People)
	}
	return fmt.Sprintf("{%s %s %s from %d}", v.State, p, v.Qualifier, v.CarriedFrom)
}
