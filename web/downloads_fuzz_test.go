package web

import (
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/web/auth"
)

var alpha3Code = regexp.MustCompile(`^[A-Z]{3}$`)

// A download's name and query come from anyone: whatever they are, the
// answer is a known download with a filter of valid codes, or an API error
// (never a panic, never an internal error).
func FuzzParseViewRequest(f *testing.F) {
	for _, s := range [][2]string{
		{"casualty_facts.csv", ""},
		{"gap_analysis.hxl.csv", "country=LAO,Lebanon&from=2020&to=2024&pillar=rehabilitation&pillar=Réadaptation"},
		{"service_facts.csv", "pillar=cooking"},
		{"commitment_facts.hxl.csv", "from=2024&to=2020"},
		{"x.hxl.csv.csv", "country=%00"},
		{"../etc/passwd", "country=XXQ"},
		{".csv", "from=99999999999999999999"},
	} {
		f.Add(s[0], s[1])
	}
	researcher := auth.Principal{Name: "r", Role: auth.RoleResearcher}
	focal := auth.Principal{Name: "f", Role: auth.RoleFocalPoint, Countries: []string{"LAO"}}
	f.Fuzz(func(t *testing.T, file, rawQuery string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		for _, p := range []auth.Principal{researcher, focal} {
			vr, err := parseViewRequest(file, q, p)
			if err != nil {
				if code := errorCode(err); code == eInternal {
					t.Fatalf("internal error for %q %q: %v", file, rawQuery, err)
				}
				continue
			}
			if _, ok := exports.DownloadByView(vr.download.View); !ok {
				t.Fatalf("unknown download %q from %q", vr.download.View, file)
			}
			for _, c := range vr.filter.Countries {
				if !alpha3Code.MatchString(c) {
					t.Fatalf("country %q in the filter", c)
				}
				if p.Role == auth.RoleFocalPoint && c != "LAO" {
					t.Fatalf("focal point of LAO got %s", c)
				}
			}
			if p.Role == auth.RoleFocalPoint && len(vr.filter.Countries) == 0 {
				t.Fatal("focal point got every country")
			}
			for _, c := range vr.filter.Pillars {
				if !slices.Contains(schema.Pillars, c) {
					t.Fatalf("pillar %q in the filter", c)
				}
			}
		}
	})
}

// A decision's body comes from anyone: a note is read or the request is
// refused as invalid or too large, never a panic or an internal error.
func FuzzDecisionNote(f *testing.F) {
	for _, s := range [][2]string{
		{"application/json", `{"note":"fine"}`},
		{"application/json", `{"note": 5}`},
		{"application/json", ``},
		{"application/x-www-form-urlencoded", "note=Row+5+%3Cb%3E"},
		{"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--x--\r\n"},
		{"text/plain", "note"},
		{"application/json", strings.Repeat("[", 10000)},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest("POST", "/api/v1/reviews/1/return", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		note, err := decisionNote(w, r)
		if err != nil {
			switch errorCode(err) {
			case eInvalid, eTooLarge:
			default:
				t.Fatalf("%q %q: %v (%s)", contentType, body, err, errorCode(err))
			}
			return
		}
		if len(note) > maxDecisionBody {
			t.Fatalf("note of %d bytes", len(note))
		}
	})
}
