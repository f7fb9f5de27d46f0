package exports_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
)

// rowsOf serves fixed rows as a store would, checking the columns asked for.
func rowsOf(t *testing.T, rows [][]*string) exports.ViewRows {
	return func(_ context.Context, view string, columns []string, _ schema.ViewFilter, fn func([]sql.NullString) error) error {
		d, _ := exports.DownloadByView(view)
		if strings.Join(columns, ",") != strings.Join(d.ColumnNames(), ",") {
			t.Errorf("columns %v, want %v", columns, d.ColumnNames())
		}
		for _, r := range rows {
			vals := make([]sql.NullString, len(r))
			for i, v := range r {
				if v != nil {
					vals[i] = sql.NullString{String: *v, Valid: true}
				}
			}
			if err := fn(vals); err != nil {
				return err
			}
		}
		return nil
	}
}

func s(v string) *string { return &v }

// Text that a spreadsheet would run as a formula is neutralised; numbers
// (negative ones too) are written as they are, NULL as an empty cell.
func TestWriteViewCSVNeutralisesFormulas(t *testing.T) {
	d, ok := exports.DownloadByView("gap_analysis")
	if !ok {
		t.Fatal("no gap_analysis download")
	}
	rows := [][]*string{
		{s("=HYPERLINK(\"http://x\")"), s("2024"), s("+rehab"), s("-male"), s("@adult"), s("\tyes"), s("5"), s("10"), s("-5"), s("2"), s("7")},
		{s("LAO"), s("2024"), s("rehabilitation"), s("total"), s("total"), s("total"), nil, s("3"), nil, nil, s("8")},
	}
	for _, hxl := range []bool{false, true} {
		var buf bytes.Buffer
		if err := exports.WriteViewCSV(t.Context(), &buf, d, exports.CSVOptions{HXL: hxl}, schema.ViewFilter{}, rowsOf(t, rows)); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			{"country", "year", "pillar", "sex", "age_group", "disability", "in_need", "reached", "unmet", "coverage", "source_id"},
		}
		if hxl {
			want = append(want, []string{"#country+code", "#date+year", "#sector", "#meta+sex", "#meta+age_group", "#meta+disability", "#inneed", "#reached", "#inneed+unmet", "#reached+pct", "#meta+source_id"})
		}
		want = append(want,
			[]string{"'=HYPERLINK(\"http://x\")", "2024", "'+rehab", "'-male", "'@adult", "'\tyes", "5", "10", "-5", "2", "7"},
			[]string{"LAO", "2024", "rehabilitation", "total", "total", "total", "", "3", "", "", "8"},
		)
		if len(recs) != len(want) {
			t.Fatalf("hxl=%v: %d records %q, want %d", hxl, len(recs), recs, len(want))
		}
		for i := range want {
			if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("hxl=%v record %d = %q, want %q", hxl, i, recs[i], want[i])
			}
		}
	}
}

// A store error stops the download with that error.
func TestWriteViewCSVStoreError(t *testing.T) {
	d, _ := exports.DownloadByView("service_facts")
	boom := errors.New("boom")
	err := exports.WriteViewCSV(t.Context(), &bytes.Buffer{}, d, exports.CSVOptions{}, schema.ViewFilter{},
		func(context.Context, string, []string, schema.ViewFilter, func([]sql.NullString) error) error {
			return boom
		})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	short := rowsOf(t, [][]*string{{s("LAO")}})
	if err := exports.WriteViewCSV(t.Context(), &bytes.Buffer{}, d, exports.CSVOptions{}, schema.ViewFilter{}, short); err == nil {
		t.Error("a short row was written")
	}
}

// Every column of every download is fully described, and the dictionary
// CSV has one row per column.
func TestDictionaryComplete(t *testing.T) {
	want := 1
	views := map[string]bool{}
	for _, d := range exports.Downloads() {
		if views[d.View] {
			t.Errorf("download %s listed twice", d.View)
		}
		views[d.View] = true
		if d.Title == "" || d.About == "" {
			t.Errorf("%s: no title or description", d.View)
		}
		names := map[string]bool{}
		for _, c := range d.Columns {
			want++
			if names[c.Name] {
				t.Errorf("%s.%s listed twice", d.View, c.Name)
			}
			names[c.Name] = true
			if !strings.HasPrefix(c.HXL, "#") || strings.ContainsAny(c.HXL, " ,") || c.Meaning == "" || c.Null == "" {
				t.Errorf("%s.%s: incomplete: %+v", d.View, c.Name, c)
			}
			switch c.Type {
			case exports.TypeCode:
				if c.Codes == "" && c.Name != "country" {
					t.Errorf("%s.%s: a code column without its codes", d.View, c.Name)
				}
			case exports.TypeInteger, exports.TypeDecimal:
				if c.Codes != "" {
					t.Errorf("%s.%s: a number with codes", d.View, c.Name)
				}
			default:
				t.Errorf("%s.%s: type %q", d.View, c.Name, c.Type)
			}
		}
	}
	for _, v := range []string{"casualty_facts", "service_facts", "gap_analysis", "commitment_facts"} {
		if !views[v] {
			t.Errorf("no download of %s", v)
		}
	}
	var buf bytes.Buffer
	if err := exports.WriteDictionary(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != want {
		t.Errorf("dictionary has %d records, want %d", len(recs), want)
	}
	if got := strings.Join(recs[1], "|"); !strings.HasPrefix(got, "casualty_facts.csv|country|#country+code|code|") {
		t.Errorf("first row = %s", got)
	}
}
