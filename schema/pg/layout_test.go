package pg_test

import (
	"strings"
	"testing"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// An officer's mapping replaces an automatic one and is never replaced by
// one; every save counts a use.
func TestLayoutMappingPrecedence(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	fp := strings.Repeat("ab", 32)
	get := func() *pg.LayoutMapping {
		t.Helper()
		m, err := db.LayoutMapping(ctx, fp)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := get(); m != nil {
		t.Fatalf("empty store: %+v", m)
	}
	steps := []struct {
		source, mapping string
		wantSource      string
		wantMapping     string
		wantUses        int
	}{
		{"auto", `{"columns":{"A":{"dimension":"sex"}}}`, "auto", "sex", 1},
		{"auto", `{"columns":{"A":{"dimension":"outcome"}}}`, "auto", "outcome", 2},
		{"officer", `{"columns":{"A":{"dimension":"age"}}}`, "officer", "age", 3},
		{"auto", `{"columns":{"A":{"dimension":"sex"}}}`, "officer", "age", 4},
		{"officer", `{"columns":{"A":{"dimension":"year"}}}`, "officer", "year", 5},
	}
	for i, s := range steps {
		if err := db.SaveLayoutMapping(ctx, pg.LayoutMapping{Fingerprint: fp, Format: "csv", Source: s.source, Mapping: []byte(s.mapping)}); err != nil {
			t.Fatal(err)
		}
		m := get()
		if m == nil || m.Source != s.wantSource || !strings.Contains(string(m.Mapping), s.wantMapping) || m.Uses != s.wantUses ||
			m.LastUsedAt.Before(m.CreatedAt) {
			t.Errorf("step %d: %+v (mapping %s)", i, m, m.Mapping)
		}
	}
	if err := db.SaveLayoutMapping(ctx, pg.LayoutMapping{Fingerprint: fp, Source: "guess", Mapping: []byte(`{}`)}); err == nil {
		t.Error("an unknown source was accepted")
	}
	if err := db.SaveLayoutMapping(ctx, pg.LayoutMapping{Fingerprint: "nothex", Source: "auto", Mapping: []byte(`{}`)}); err == nil {
		t.Error("a malformed fingerprint was accepted")
	}
}
