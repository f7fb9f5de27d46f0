package formh

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema"
)

func TestLabelsComplete(t *testing.T) {
	t.Parallel()
	var keys []string
	for _, r := range Roles() {
		keys = append(keys, "sheet."+r, "title."+r)
	}
	for _, tb := range Tables() {
		keys = append(keys, "table."+tb.ID)
		for _, c := range tb.Cols {
			keys = append(keys, "col."+tb.ColDim+"."+c)
		}
		for _, r := range tb.Rows {
			if tb.RowDim == DimService {
				p, m := SplitServiceRow(r)
				keys = append(keys, "row.pillar."+p, "row.measure."+m)
				continue
			}
			keys = append(keys, "row."+tb.RowDim+"."+r)
		}
	}
	for _, f := range CoverFields() {
		keys = append(keys, "field."+f)
	}
	for _, k := range schema.ReportKinds {
		keys = append(keys, "kind."+k)
	}
	for _, s := range FormHStatuses() {
		keys = append(keys, "formh."+s)
	}
	for _, s := range schema.CommitmentState {
		keys = append(keys, "status."+s)
	}
	for _, c := range schema.Commitments {
		keys = append(keys, "commitment."+c)
	}
	for _, k := range keys {
		if _, ok := labels[k]; !ok {
			t.Errorf("label %q missing", k)
		}
	}
	for k, tr := range labels {
		for i, s := range tr {
			if strings.TrimSpace(s) == "" {
				t.Errorf("label %q empty in %s", k, Languages()[i])
			}
			opt := strings.HasPrefix(k, "kind.") || strings.HasPrefix(k, "formh.") || strings.HasPrefix(k, "status.")
			if opt && strings.Contains(s, ",") {
				t.Errorf("dropdown option %q contains a comma: %q", k, s)
			}
			if strings.HasPrefix(k, "sheet.") && (len([]rune(s)) > 31 || strings.ContainsAny(s, `[]:*?/\`)) {
				t.Errorf("bad sheet name %q", s)
			}
		}
	}
	if len(Instructions("fr")) < 8 {
		t.Errorf("instructions: %d lines", len(Instructions("fr")))
	}
}

var verb = regexp.MustCompile(`%\[\d+\]`)

func TestMessagesComplete(t *testing.T) {
	t.Parallel()
	for _, code := range []string{schema.CodeNotTemplate, schema.CodeWrongType, schema.CodeNegative, schema.CodeNotInteger,
		schema.CodeReachedOverNeed, schema.CodeUnknownCountry, schema.CodeMissingCountry, schema.CodeBadPeriod,
		schema.CodePeriodOutside, schema.CodeExceedsTotal, schema.CodeUnknownCode, schema.CodeTemplateVersion,
		schema.CodeNoFacts, schema.CodeCarriedNoSource} {
		if _, ok := messages[code]; !ok {
			t.Errorf("message %q missing", code)
		}
	}
	for k, tr := range messages {
		want := slices.Compact(slices.Sorted(slices.Values(verb.FindAllString(tr[0], -1))))
		for i, s := range tr {
			got := slices.Compact(slices.Sorted(slices.Values(verb.FindAllString(s, -1))))
			if !slices.Equal(got, want) {
				t.Errorf("message %q in %s: placeholders %v, English has %v", k, Languages()[i], got, want)
			}
		}
	}
	if got := Message("es", schema.CodeNegative, "-3"); !strings.Contains(got, "«-3»") {
		t.Errorf("Message: %q", got)
	}
}

func TestBindings(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, b := range Bindings() {
		k := b.Role + "!" + b.Ref
		if seen[k] {
			t.Errorf("cell %s bound twice", k)
		}
		seen[k] = true
		if !b.Valid() {
			t.Errorf("binding %+v not valid", b)
		}
	}
	if bad := (Binding{Role: RoleCasualties, Table: "C1", Row: "killed", Col: "aliens"}); bad.Valid() {
		t.Error("bad binding accepted")
	}
}

func TestCellInverse(t *testing.T) {
	t.Parallel()
	for _, tb := range Tables() {
		for _, r := range tb.Rows {
			for _, c := range tb.Cols {
				var id, row, col string
				var ok bool
				if tb.Role == RoleCasualties {
					id, row, col, ok = CasualtyCell(CasualtyAt(tb, r, c))
				} else {
					id, row, col, ok = ServiceCell(ServiceAt(tb, r, c))
					if tb.ID == "S2" && c == ColTotal { // the same people as S1's total
						id = "S2"
					}
				}
				if !ok || id != tb.ID || row != r || col != c {
					t.Errorf("%s %s/%s -> %s %s/%s %v", tb.ID, r, c, id, row, col, ok)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix string
		codes  []string
		in     string
		want   string
	}{
		{"status.", schema.CommitmentState, " Oui ", "yes"},
		{"status.", schema.CommitmentState, "parcial", "partial"},
		{"kind.", schema.ReportKinds, "Rapport   annuel", "annual"},
		{"formh.", FormHStatuses(), "sin cambios", "unchanged"},
		{"formh.", FormHStatuses(), "not_applicable", "not_applicable"},
		{"formh.", FormHStatuses(), "maybe", ""},
	}
	for _, tt := range tests {
		if got, _ := Match(tt.prefix, tt.codes, tt.in); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if ColName(28) != "AB" || Ref(3, 7) != "C7" {
		t.Error("ColName")
	}
}
