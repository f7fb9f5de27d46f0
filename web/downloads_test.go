package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vahub/vahub/web"
)

// The CSV downloads withhold the same small survey counts as
// /api/v1/facts/services and the gap workbook: a download is no way
// around the protection.
func TestViewExportsSuppressSurveyCounts(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	seedKHMSurvey(t, f.db)
	rows := func(who, path string) (int, map[string]string) {
		t.Helper()
		resp, body := f.get(t, who, path)
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, nil
		}
		m := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n")[1:] {
			c := strings.Split(line, ",")
			if c[0] == "KHM" && c[2] == "medical_care" && c[5] == "no" {
				m[c[3]+" "+c[4]] = strings.Join(c[6:len(c)-1], ",") // without source_id
			}
		}
		return resp.StatusCode, m
	}
	for _, tc := range []struct {
		who, path string
		want      map[string]string
	}{
		{asResearcher, "/api/v1/exports/service_facts.csv?country=KHM", map[string]string{
			"female child": ",", "female adult": ",", "male adult": "10,10"}},
		{asResearcher, "/api/v1/exports/gap_analysis.csv?country=KHM&pillar=medical_care", map[string]string{
			"female child": ",,,", "female adult": ",,,", "male adult": "10,10,0,1"}},
		{asAdmin, "/api/v1/exports/gap_analysis.csv?country=KHM&k=2", map[string]string{
			"female child": "2,,,", "female adult": "10,,,", "male adult": "10,10,0,1"}},
	} {
		code, got := rows(tc.who, tc.path)
		if code != http.StatusOK {
			t.Errorf("%s as %s: %d", tc.path, tc.who, code)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s as %s: %v, want %v", tc.path, tc.who, got, tc.want)
		}
		for k, w := range tc.want {
			if got[k] != w {
				t.Errorf("%s as %s: %s = %q, want %q", tc.path, tc.who, k, got[k], w)
			}
		}
	}
	for _, tc := range []struct {
		who, query string
		want       int
	}{
		{asResearcher, "&k=2", http.StatusForbidden},
		{asResearcher, "&k=11", http.StatusOK},
		{asAdmin, "&k=1", http.StatusBadRequest},
	} {
		if resp, body := f.get(t, tc.who, "/api/v1/exports/service_facts.hxl.csv?country=KHM"+tc.query); resp.StatusCode != tc.want {
			t.Errorf("k %s as %s: %d %s, want %d", tc.query, tc.who, resp.StatusCode, body, tc.want)
		}
	}
}
