package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vahub/vahub/web"
)

// Every admin and researcher page × every role: the exact status (a
// visitor is sent to the login page).
func TestAdminPagesByRole(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{})
	sub := f.submitReport(t, "LAO", 2019)
	var run int64
	if err := f.db.GetContext(t.Context(), &run, `SELECT max(id) FROM ingest_run`); err != nil {
		t.Fatal(err)
	}
	const (
		ok     = http.StatusOK
		no     = http.StatusForbidden
		login  = http.StatusSeeOther
		absent = http.StatusNotFound
	)
	roles := []string{"ada", "fp-lao", "rita", "enum-lao", ""}
	browsers := map[string]*browser{}
	for _, name := range roles {
		b := f.browser(t)
		if name != "" {
			b.mustLogin(name)
		}
		browsers[name] = b
	}
	id := func(n int64) string { return jsonNum(int(n)) }
	for _, tc := range []struct {
		path string
		want [5]int // admin, focal point LAO, researcher, enumerator, visitor
	}{
		{"/", [5]int{ok, ok, ok, ok, login}},
		{"/admin/reviews", [5]int{ok, no, no, no, login}},
		{"/admin/reviews/" + id(sub), [5]int{ok, no, no, no, login}},
		{"/admin/reviews/" + id(f.approved["LBN"]), [5]int{ok, no, no, no, login}},
		{"/admin/reviews/987654", [5]int{absent, no, no, no, login}},
		{"/admin/reviews/x", [5]int{absent, no, no, no, login}},
		{"/admin/runs", [5]int{ok, no, no, no, login}},
		{"/admin/runs/" + id(run), [5]int{ok, no, no, no, login}},
		{"/admin/runs/987654", [5]int{absent, no, no, no, login}},
		{"/admin/manual-entry", [5]int{ok, no, no, no, login}},
		{"/admin/users", [5]int{ok, no, no, no, login}},
		{"/admin/audit", [5]int{ok, no, no, no, login}},
		{"/exports", [5]int{ok, ok, ok, no, login}},
		{"/exports?country=LAO&from=2020&to=2024&pillar=rehabilitation", [5]int{ok, ok, ok, no, login}},
		{"/exports?country=LBN", [5]int{ok, no, ok, no, login}},
		{"/exports?from=2024&to=2020", [5]int{http.StatusBadRequest, http.StatusBadRequest, http.StatusBadRequest, no, login}},
		{"/exports/dictionary", [5]int{ok, ok, ok, no, login}},
		{"/exports/dictionary.csv", [5]int{ok, ok, ok, no, login}},
		{"/exports/gap.xlsx?country=LAO", [5]int{ok, ok, ok, no, login}},
		{"/exports/gap.xlsx?country=LBN", [5]int{ok, no, ok, no, login}},
		{"/exports/gap.xlsx", [5]int{ok, no, ok, no, login}},
		{"/exports/service_facts.csv?country=LAO", [5]int{ok, ok, ok, no, login}},
		{"/exports/service_facts.hxl.csv?country=LBN", [5]int{ok, no, ok, no, login}},
		{"/exports/casualty_facts.csv", [5]int{ok, no, ok, no, login}},
		{"/exports/nothing.csv", [5]int{absent, absent, absent, absent, login}},
	} {
		for i, name := range roles {
			resp, body := browsers[name].get(tc.path)
			if resp.StatusCode != tc.want[i] {
				t.Errorf("GET %s as %q: %d, want %d: %.300s", tc.path, name, resp.StatusCode, tc.want[i], body)
				continue
			}
			if resp.StatusCode == login && !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("GET %s as a visitor: to %q, want the login page", tc.path, resp.Header.Get("Location"))
			}
			ct := resp.Header.Get("Content-Type")
			switch {
			case resp.StatusCode == login:
			case strings.Contains(tc.path, ".csv") && resp.StatusCode == ok:
				if ct != "text/csv; charset=utf-8" {
					t.Errorf("GET %s: Content-Type %q", tc.path, ct)
				}
			case strings.Contains(tc.path, ".xlsx") && resp.StatusCode == ok:
				if !strings.HasPrefix(body, "PK") {
					t.Errorf("GET %s: not a workbook", tc.path)
				}
			default:
				if !strings.HasPrefix(ct, "text/html") {
					t.Errorf("GET %s as %q: Content-Type %q, want a page", tc.path, name, ct)
				}
			}
		}
	}
	// Posts: only admins decide and manage users; others are refused
	// before anything changes.
	for _, name := range []string{"fp-lao", "rita", "enum-lao"} {
		for _, path := range []string{"/admin/reviews/" + id(sub) + "/approve", "/admin/reviews/" + id(sub) + "/return", "/admin/users/rita/disable", "/admin/tokens/1/revoke"} {
			if resp, body := browsers[name].post(path, url.Values{"note": {"x"}}); resp.StatusCode != no {
				t.Errorf("POST %s as %s: %d, want 403: %.200s", path, name, resp.StatusCode, body)
			}
		}
	}
	if s := reportStatus(t, f, sub); s != "submitted" {
		t.Errorf("after refused posts the report is %s", s)
	}

	// What came from outside is shown escaped: a file's path in a run, an
	// issue's message, a crawled document's URL (a javascript: URL is
	// never a link).
	ctx := t.Context()
	if _, err := f.db.ExecContext(ctx, `UPDATE file_ingest SET path = '<script>alert(1)</script>.xlsx' WHERE run_id = $1`, run); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ExecContext(ctx, `INSERT INTO validation_issue (file_ingest_id, sheet, cell, severity, code, message)
		SELECT id, 'S<b>', 'A1', 'warning', 'x', 'say <i>hi</i>' FROM file_ingest WHERE run_id = $1`, run); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.ExecContext(ctx, `INSERT INTO document (url, profile, media_type) VALUES ('javascript:alert(1)', '<b>p</b>', 'application/pdf')`); err != nil {
		t.Fatal(err)
	}
	admin := browsers["ada"]
	_, body := admin.get("/admin/runs/" + id(run))
	if strings.Contains(body, "<script>") || strings.Contains(body, "<i>") || strings.Contains(body, "S<b>") ||
		!strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;.xlsx") || !strings.Contains(body, "say &lt;i&gt;hi&lt;/i&gt;") {
		t.Errorf("run page: outside text not escaped: %s", body)
	}
	_, body = admin.get("/admin/manual-entry")
	if strings.Contains(body, `href="javascript:`) || strings.Contains(body, "<b>p</b>") || !strings.Contains(body, "#ZgotmplZ") {
		t.Errorf("manual entry page: unsafe URL or text: %s", body)
	}
}

// The review page: the queue, the diff, approve, a second approval
// refused with 409, and what the submitter and reviewer typed shown
// escaped.
func TestReviewPages(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{})
	sub := f.submitReport(t, "LAO", 2024)
	ret := f.submitReport(t, "LBN", 2024)
	const evil = `<img src=x onerror=alert(1)>"'&.xlsx`
	if _, err := f.db.ExecContext(t.Context(), `UPDATE input_file SET name = $1 WHERE id = (SELECT file_id FROM report WHERE id = $2)`, evil, sub); err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	b.mustLogin("ada")
	id := jsonNum(int(sub))

	resp, body := b.get("/admin/reviews")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/admin/reviews/`+id+`"`) {
		t.Fatalf("queue: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "<img") || !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;.xlsx") {
		t.Errorf("queue: the file name is not escaped: %s", body)
	}

	resp, body = b.get("/admin/reviews/" + id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("review: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"Differences from the previous approved report", "changed", `action="/admin/reviews/` + id + `/approve"`, `action="/admin/reviews/` + id + `/return"`} {
		if !strings.Contains(body, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	if strings.Contains(body, "<img") {
		t.Errorf("review page: the file name is not escaped")
	}

	resp, _ = b.post("/admin/reviews/"+id+"/approve", url.Values{"note": {"fine"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/reviews/"+id+"?done=approved" {
		t.Fatalf("approve: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := sourceOf(t, f, 2024); got != sub {
		t.Errorf("after approval the views use %d, want %d", got, sub)
	}
	resp, body = b.get("/admin/reviews/" + id + "?done=approved")
	if !strings.Contains(body, "The report is approved.") || strings.Contains(body, `/approve"`) {
		t.Errorf("after approval: %d, notice or forms wrong: %s", resp.StatusCode, body)
	}
	resp, body = b.post("/admin/reviews/"+id+"/approve", url.Values{})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "no longer waiting for review") {
		t.Errorf("approve again: %d %s", resp.StatusCode, body)
	}

	// Return: no note is refused (the page again, 400); a note with markup
	// is stored as typed and shown escaped.
	rid := jsonNum(int(ret))
	resp, body = b.post("/admin/reviews/"+rid+"/return", url.Values{"note": {"  "}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Say in the note why") {
		t.Errorf("return without a note: %d %s", resp.StatusCode, body)
	}
	const note = `Row 5: <script>alert("x")</script> & more`
	if resp, _ := b.post("/admin/reviews/"+rid+"/return", url.Values{"note": {note}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	_, body = b.get("/admin/reviews/" + rid)
	if strings.Contains(body, "<script>") || !strings.Contains(body, "Row 5: &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more") {
		t.Errorf("the note is not shown escaped: %s", body)
	}
	_, body = b.get("/admin/audit")
	if strings.Contains(body, "<script>") || !strings.Contains(body, "return_report") || !strings.Contains(body, "approve_report") {
		t.Errorf("audit page: decisions missing or the note unescaped")
	}

	// In French.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.url+"/admin/reviews/"+rid, nil)
	req.Header.Set("Accept-Language", "fr")
	_, body = b.do(req)
	if !strings.Contains(body, "Relecture du rapport") || !strings.Contains(body, "renvoyé") {
		t.Errorf("French review page: %s", body)
	}
}

// Users page: disable, enable and revoke by form, each audited; a disabled
// user's token stops working.
func TestUsersPage(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{})
	b := f.browser(t)
	b.mustLogin("ada")
	resp, body := b.get("/admin/users")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `action="/admin/users/rita/disable"`) || strings.Contains(body, `action="/admin/users/ada/disable"`) {
		t.Fatalf("users page: %d %s", resp.StatusCode, body)
	}
	if resp, _ := b.post("/admin/users/rita/disable", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, asResearcher, "/api/v1/facts/casualties"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/users/rita/enable", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, asResearcher, "/api/v1/facts/casualties"); resp.StatusCode != http.StatusOK {
		t.Errorf("enabled user's token: %d, want 200", resp.StatusCode)
	}
	tokens, err := f.db.ListTokens(t.Context(), "rita")
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens %v %v", tokens, err)
	}
	if resp, _ := b.post("/admin/tokens/"+jsonNum(int(tokens[0].ID))+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if resp, _ := f.get(t, asResearcher, "/api/v1/facts/casualties"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/users/ada/disable", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("disable oneself: %d, want 400", resp.StatusCode)
	}
	for action, want := range map[string]int{"disable_user": 1, "enable_user": 1, "revoke_token": 1} {
		if n := f.countAudit(t, action); n != want {
			t.Errorf("audit %s = %d, want %d", action, n, want)
		}
	}
}

// The exports page carries the filter into every link; a focal point's
// links are of their countries.
func TestExportsPage(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{})
	b := f.browser(t)
	b.mustLogin("rita")
	resp, body := b.get("/exports?country=lao,Lebanon&from=2020&to=2024&pillar=rehabilitation&pillar=medical_care")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("exports: %d %s", resp.StatusCode, body)
	}
	const q = "?country=LAO%2CLBN&amp;from=2020&amp;pillar=rehabilitation%2Cmedical_care&amp;to=2024"
	for _, want := range []string{
		`href="/exports/gap.xlsx` + q + `"`,
		`href="/exports/service_facts.csv` + q + `"`,
		`href="/exports/gap_analysis.hxl.csv` + q + `"`,
		`href="/exports/dictionary"`,
		`value="LAO,LBN"`,
		`value="rehabilitation" checked`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("exports page lacks %s", want)
		}
	}
	resp, body = b.get("/exports/service_facts.hxl.csv?country=LAO&pillar=rehabilitation")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "country,year,pillar,sex,age_group,disability,in_need,reached,source_id\n#country+code,#date+year,#sector,") {
		t.Errorf("hxl csv by session: %d %.200s", resp.StatusCode, body)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(body), "\n") {
		if !strings.HasPrefix(line, "LAO,") && !strings.HasPrefix(line, "country") && !strings.HasPrefix(line, "#") {
			t.Errorf("a row outside the filter: %s", line)
		}
		if strings.HasPrefix(line, "LAO,") && !strings.HasPrefix(line, "LAO,2024,rehabilitation,") {
			t.Errorf("a row outside the filter: %s", line)
		}
	}
	_, body = b.get("/exports/dictionary")
	if !strings.Contains(body, "<code>#reached&#43;pct</code>") || !strings.Contains(body, "gap_analysis.csv") {
		t.Errorf("dictionary page: %s", body)
	}

	fp := f.browser(t)
	fp.mustLogin("fp-lao")
	_, body = fp.get("/exports")
	if !strings.Contains(body, `href="/exports/casualty_facts.csv?country=LAO"`) {
		t.Errorf("focal point's links are not of LAO: %s", body)
	}
	resp, body = fp.get("/exports?country=LBN")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "only your own countries") || strings.Contains(body, "casualty_facts.csv?") {
		t.Errorf("focal point asking for LBN: %d %s", resp.StatusCode, body)
	}
	resp, body = fp.get("/exports?country=%3Cscript%3E")
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "<script>") {
		t.Errorf("typed country not escaped: %d %s", resp.StatusCode, body)
	}
}
