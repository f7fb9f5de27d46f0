package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/survey"
	"github.com/vahub/vahub/web"
)

// seedKHMSurvey submits interviews for KHM 2024, which has no official
// report: medical care in need / reached, female adults 10 / 6, male
// adults 10 / 10, female children 2 / 1.
func seedKHMSurvey(t *testing.T, db *pg.DB) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), `INSERT INTO area (code, kind, name_en, name_fr, name_es)
	       VALUES ('KHM', 'state', 'Cambodia', 'Cambodge', 'Camboya') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	add := func(prefix, sex string, age, n, got int) {
		for i := range n {
			a := age
			r := survey.Record{InstanceID: fmt.Sprintf("uuid:%s-%d", prefix, i), Source: survey.SourceAPI, Consent: "yes",
				Country: "KHM", Year: 2024, Sex: sex, Age: &a, WG: map[string]string{},
				Need: map[string]string{"medical_care": "yes"}, Received: map[string]string{"medical_care": "no"}}
			for _, q := range survey.WGDomains {
				r.WG[q] = "no_difficulty"
			}
			if i < got {
				r.Received["medical_care"] = "yes"
			}
			if _, _, err := db.StoreSubmission(t.Context(), r, "enum-test"); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("fa", "female", 30, 10, 6)
	add("ma", "male", 30, 10, 10)
	add("fc", "female", 9, 2, 1)
}

type serviceRow struct {
	Sex          string `json:"sex"`
	AgeGroup     string `json:"age_group"`
	InNeed       *int64 `json:"in_need"`
	Reached      *int64 `json:"reached"`
	InNeedState  string `json:"in_need_state"`
	ReachedState string `json:"reached_state"`
}

func show(v *int64, state string) string {
	switch {
	case state != "":
		if v != nil {
			return "withheld but shown"
		}
		return state
	case v == nil:
		return "null"
	}
	return fmt.Sprint(*v)
}

// TestServiceFactsSuppressed: survey rows of /api/v1/facts/services are
// protected with the server's k; a researcher may raise k but not lower it;
// an admin may lower it down to 2; official rows are never touched.
func TestServiceFactsSuppressed(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	seedKHMSurvey(t, f.db)
	facts := func(who, query string) (int, map[string][2]string) {
		t.Helper()
		resp, body := f.get(t, who, "/api/v1/facts/services?country=KHM"+query)
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, nil
		}
		var out struct{ Rows []serviceRow }
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		m := map[string][2]string{}
		for _, r := range out.Rows {
			m[r.Sex+" "+r.AgeGroup] = [2]string{show(r.InNeed, r.InNeedState), show(r.Reached, r.ReachedState)}
		}
		return resp.StatusCode, m
	}
	_, got := facts(asResearcher, "")
	// The girls' 2 and 1 are below 5; so are the children's margins (all
	// girls). The women's counts are the complements (the female total
	// would give the girls' back); the adults' margins, not the men's
	// counts, are withheld with them, so the men's 10 and 10 stay: women
	// + 10 = adults leaves two unknowns.
	want := map[string][2]string{
		"female child": {"withheld", "withheld"},
		"female adult": {"withheld", "withheld"},
		"male adult":   {"10", "10"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("researcher k=5: %v, want %v", got, want)
	}
	// An admin asking k=2: only the girls' single reached person is
	// primary; the women's 6 reached is its complement.
	_, got = facts(asAdmin, "&k=2")
	want = map[string][2]string{
		"female child": {"2", "withheld"},
		"female adult": {"10", "withheld"},
		"male adult":   {"10", "10"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("admin k=2: %v, want %v", got, want)
	}
	for _, c := range []struct {
		who, query string
		status     int
	}{
		{asResearcher, "&k=2", http.StatusForbidden},
		{asResearcher, "&k=4", http.StatusForbidden},
		{asResearcher, "&k=11", http.StatusOK},
		{asAdmin, "&k=1", http.StatusBadRequest},
		{asAdmin, "&k=x", http.StatusBadRequest},
	} {
		if code, _ := facts(c.who, c.query); code != c.status {
			t.Errorf("%s %s: status %d, want %d", c.who, c.query, code, c.status)
		}
	}
	// Official rows (LAO's approved template) are shown as given, however small.
	resp, body := f.get(t, asResearcher, "/api/v1/facts/services?country=LAO")
	if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte("withheld")) {
		t.Errorf("LAO official facts: %d %s", resp.StatusCode, body)
	}

	// The workbook withholds the same cells and says so.
	resp, body = f.get(t, asResearcher, "/api/v1/exports/gap.xlsx?country=KHM")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("gap.xlsx: %d %s", resp.StatusCode, body)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("medical_care")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[2:] {
		shown := r[6] != "withheld" || r[7] != "withheld"
		if shown != (r[3] == "male") {
			t.Errorf("medical_care row %q: not as the API shows it", r)
		}
	}
	disc, err := wb.GetRows("Disclosure")
	if err != nil {
		t.Fatal(err)
	}
	// (all): 2 primary (2 and 1) + 2 complementary (10 and 6); 6 derived
	// (unmet, coverage, parity of two rows).
	if disc[2][0] != "(all)" || disc[2][1] != "2" || disc[2][2] != "2" || disc[2][3] != "6" {
		t.Errorf("Disclosure (all) = %q", disc[2])
	}
}
