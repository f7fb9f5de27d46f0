package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema/formh"
	"github.com/vahub/vahub/web"
	"github.com/vahub/vahub/web/auth"
)

// badTemplate is a LAO template for year, in lang, whose first casualty
// cell holds text instead of a number (an error located to that cell) and
// whose next cell holds a negative count.
func badTemplate(t *testing.T, country string, year int, lang, text string) ([]byte, string, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: lang, Country: country, Year: year}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	c1, _ := formh.TableByID("C1")
	sheet := formh.SheetName(formh.RoleCasualties, lang)
	cell := c1.Ref(0, 1)
	if err := x.SetCellStr(sheet, cell, text); err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellInt(sheet, c1.Ref(0, 0), -3); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := x.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), sheet, cell
}

// uploadPage posts content to the upload page as the browser's user.
func (b *browser) uploadPage(name string, content []byte) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.base+"/upload", &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

var submissionPath = regexp.MustCompile(`^/submissions/([0-9]+)$`)

// uploadID uploads through the page, checks the answer redirects to a
// result page and returns the submission id.
func (b *browser) uploadID(name string, content []byte) int64 {
	t := b.t
	t.Helper()
	resp, body := b.uploadPage(name, content)
	m := submissionPath.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload: %d %q, want a redirect to the result page: %.500s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// addUser adds a user with the test password and a token.
func (f *fixture) addUser(t *testing.T, label, name, role string, countries ...string) {
	t.Helper()
	if _, err := f.db.CreateUser(t.Context(), name, role, countries, passwordHash(t)); err != nil {
		t.Fatal(err)
	}
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.CreateToken(t.Context(), name, hash, "test"); err != nil {
		t.Fatal(err)
	}
	f.tokens[label] = tok
}

// The focal point's round: home, template, a workbook with errors and
// its result, the annotated copy, the corrected workbook, the history,
// and the same through the API.
func TestFocalPointPages(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	due := time.Now().UTC().Year() - 1
	b := f.browser(t)
	b.mustLogin("fp-lao")

	resp, body := b.get("/")
	wantLink := fmt.Sprintf(`href="/template.xlsx?country=LAO&amp;year=%d&amp;lang=en"`, due)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You report for Lao") || !strings.Contains(body, wantLink) {
		t.Fatalf("home: %d, want the LAO %d template link: %s", resp.StatusCode, due, body)
	}

	// The template: the focal point's country and the year due by default.
	resp, body = b.get("/template.xlsx")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != fmt.Sprintf(`attachment; filename=vahub-template-LAO-%d-en.xlsx`, due) {
		t.Errorf("template disposition %q", cd)
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("template is no workbook: %v", err)
	}
	x.Close()
	resp, _ = b.get("/template.xlsx?year=2019&lang=fr")
	if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != http.StatusOK || cd != `attachment; filename=vahub-template-LAO-2019-fr.xlsx` {
		t.Errorf("French 2019 template: %d %q", resp.StatusCode, cd)
	}
	resp, body = b.get("/template.xlsx?year=1492")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "The year must be between 2000 and") {
		t.Errorf("bad year: %d %s", resp.StatusCode, body)
	}

	// A workbook with errors: the result page lists them by cell, in the
	// workbook's language, with the annotated copy to download.
	bad, sheet, cell := badTemplate(t, "LAO", due, "en", "twelve")
	badID := b.uploadID("form-h.xlsx", bad)
	resp, body = b.get(fmt.Sprintf("/submissions/%d", badID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("result: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"rejected: errors to correct", "The file was not accepted: 3 errors",
		"<td data-label=\"Sheet\">" + sheet + "</td>", "<td data-label=\"Cell\">" + cell + "</td>",
		"&#34;twelve&#34; is not a number of people",
		fmt.Sprintf(`href="/submissions/%d/annotated.xlsx"`, badID), `role="status"`,
		"No figures were accepted",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("result page lacks %q", want)
		}
	}
	resp, body = b.get(fmt.Sprintf("/submissions/%d/annotated.xlsx", badID))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename=form-h-annotated.xlsx` {
		t.Fatalf("annotated: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	a, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sheets := a.GetSheetList(); sheets[0] != "Issues" {
		t.Errorf("annotated sheets %v, want Issues first", sheets)
	}
	if comments, _ := a.GetComments(sheet); len(comments) != 2 {
		t.Errorf("annotated comments on %s: %d, want 2", sheet, len(comments))
	}
	a.Close()

	// The corrected workbook is accepted: figures per table.
	goodID := b.uploadID("form-h-fixed.xlsx", template(t, "LAO", due))
	resp, body = b.get(fmt.Sprintf("/submissions/%d", goodID))
	for _, want := range []string{"submitted, waiting for review", "The file was accepted:", "<th scope=\"row\">Casualties</th>", "<th scope=\"row\">Services</th>", "No problems were found."} {
		if !strings.Contains(body, want) {
			t.Errorf("accepted result lacks %q: %d", want, resp.StatusCode)
		}
	}

	// The history, newest first, with both statuses.
	resp, body = b.get("/submissions")
	iGood, iBad := strings.Index(body, fmt.Sprintf(">Submission %d<", goodID)), strings.Index(body, fmt.Sprintf(">Submission %d<", badID))
	if resp.StatusCode != http.StatusOK || iGood < 0 || iBad < 0 || iGood > iBad {
		t.Errorf("history: %d, good at %d, bad at %d", resp.StatusCode, iGood, iBad)
	}
	if !strings.Contains(body, "status-rejected") || !strings.Contains(body, "status-submitted") {
		t.Error("history lacks the statuses")
	}

	// The API twins say the same.
	resp, raw := f.get(t, asFocalLAO, "/api/v1/submissions")
	var list struct {
		Submissions []struct {
			ID      int64  `json:"id"`
			Status  string `json:"status"`
			Country string `json:"country"`
		} `json:"submissions"`
	}
	if err := json.Unmarshal(raw, &list); err != nil || resp.StatusCode != http.StatusOK || len(list.Submissions) != 2 {
		t.Fatalf("API list: %d %s", resp.StatusCode, raw)
	}
	if s := list.Submissions[0]; s.ID != goodID || s.Status != "submitted" || s.Country != "LAO" {
		t.Errorf("API newest = %+v", s)
	}
	resp, raw = f.get(t, asFocalLAO, fmt.Sprintf("/api/v1/submissions/%d", badID))
	var detail struct {
		Submission struct{ Status string } `json:"submission"`
		Issues     []struct{ Sheet, Cell, Severity, Message string }
		Annotated  string `json:"annotated_url"`
	}
	if err := json.Unmarshal(raw, &detail); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("API detail: %d %s", resp.StatusCode, raw)
	}
	if detail.Submission.Status != "rejected" || len(detail.Issues) != 3 || detail.Issues[0].Sheet != sheet || detail.Annotated != fmt.Sprintf("/api/v1/submissions/%d/annotated.xlsx", badID) {
		t.Errorf("API detail = %+v", detail)
	}
	if resp, raw := f.get(t, asFocalLAO, detail.Annotated); resp.StatusCode != http.StatusOK || !bytes.HasPrefix(raw, []byte("PK")) {
		t.Errorf("API annotated: %d", resp.StatusCode)
	}
	resp, raw = f.get(t, asFocalLAO, "/api/v1/template.xlsx?year=2020&lang=es")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename=vahub-template-LAO-2020-es.xlsx` || !bytes.HasPrefix(raw, []byte("PK")) {
		t.Errorf("API template: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}

	// The page in French: the statuses and the template's language follow.
	b.header.Set("Accept-Language", "fr-FR")
	if _, body := b.get(fmt.Sprintf("/submissions/%d", badID)); !strings.Contains(body, "refusé : erreurs à corriger") || !strings.Contains(body, "Les messages sont dans la langue du classeur.") {
		t.Errorf("French result page: %.400s", body)
	}
	if resp, body := b.get("/"); !strings.Contains(body, `lang=fr"`) {
		t.Errorf("French home: %d, template link not in French", resp.StatusCode)
	}
}

// A focal point never sees another country's submission, whatever id
// they type: the same 404 as for an id that does not exist.
func TestSubmissionOtherCountry(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	f.addUser(t, "focal_point LBN", "fp-lbn", auth.RoleFocalPoint, "LBN")
	lao := f.browser(t)
	lao.mustLogin("fp-lao")
	bad, _, _ := badTemplate(t, "LAO", 2023, "en", "x")
	id := lao.uploadID("lao.xlsx", bad)

	lbn := f.browser(t)
	lbn.mustLogin("fp-lbn")
	for _, path := range []string{
		fmt.Sprintf("/submissions/%d", id), fmt.Sprintf("/submissions/%d/annotated.xlsx", id),
		"/submissions/999999", "/submissions/999999/annotated.xlsx", "/submissions/abc", "/submissions/-1",
	} {
		resp, body := lbn.get(path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "lao.xlsx") {
			t.Errorf("LBN focal point GET %s: %d, want 404", path, resp.StatusCode)
		}
		if strings.HasPrefix(path, "/submissions/"+strconv.FormatInt(id, 10)) {
			resp, body := f.get(t, "focal_point LBN", "/api/v1"+path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("LBN focal point API GET %s: %d %s, want 404", path, resp.StatusCode, body)
			}
		}
	}
	if resp, body := lbn.get("/submissions"); resp.StatusCode != http.StatusOK || strings.Contains(body, "lao.xlsx") || !strings.Contains(body, "Nothing has been sent yet.") {
		t.Errorf("LBN history: %d, shows LAO's upload", resp.StatusCode)
	}
	if resp, _ := lbn.get("/submissions?country=LAO"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("LBN history of LAO: %d, want 403", resp.StatusCode)
	}
	if resp, raw := f.get(t, "focal_point LBN", "/api/v1/submissions"); resp.StatusCode != http.StatusOK || strings.Contains(string(raw), "lao.xlsx") {
		t.Errorf("LBN API list: %d %s", resp.StatusCode, raw)
	}
}

// The upload page refuses what the API refuses, with the same statuses,
// in the user's language, and keeps nothing.
func TestUploadPageRefusals(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true, MaxUpload: 64 << 10})
	b := f.browser(t)
	b.mustLogin("fp-lao")
	for _, tc := range []struct {
		name, file, lang string
		content          []byte
		want             int
		text             string
	}{
		{"over the cap", "big.csv", "en", bytes.Repeat([]byte("a,b,c\n"), 20000), http.StatusRequestEntityTooLarge, "The file is over the limit of 64 KiB"},
		{"far over the cap, French", "huge.csv", "fr", bytes.Repeat([]byte("a,b,c\n"), 400000), http.StatusRequestEntityTooLarge, "Le fichier dépasse la limite de 64 KiB"},
		{"pdf named xlsx", "report.xlsx", "en", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj <<>> endobj\n"), http.StatusUnsupportedMediaType, "this file&#39;s content is application/pdf"},
		{"png, Spanish", "photo.xlsx", "es", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), http.StatusUnsupportedMediaType, "el contenido de este archivo es image/png"},
		{"old xls", "old.xls", "en", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00\x00\x00\x00\x00"), http.StatusUnsupportedMediaType, "old .xls workbook"},
		{"empty", "empty.xlsx", "en", nil, http.StatusBadRequest, "The file is empty."},
		{"another country's", "lbn.xlsx", "en", template(t, "LBN", 2023), http.StatusForbidden, "This file reports on LBN, which is outside your countries (LAO)."},
	} {
		b.header.Set("Accept-Language", tc.lang)
		resp, body := b.uploadPage(tc.file, tc.content)
		if resp.StatusCode != tc.want || !strings.Contains(body, tc.text) || !strings.Contains(body, `enctype="multipart/form-data"`) {
			t.Errorf("%s: %d, want %d with %q on the upload form: %.3000s", tc.name, resp.StatusCode, tc.want, tc.text, body)
		}
	}
	var n int
	if err := f.db.GetContext(t.Context(), &n, `SELECT count(*) FROM submission`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d submissions recorded for refused uploads", n)
	}
	var audited int
	if err := f.db.GetContext(t.Context(), &audited, `SELECT count(*) FROM audit_log WHERE action = 'upload' AND actor = 'fp-lao'`); err != nil {
		t.Fatal(err)
	}
	if audited != 7 {
		t.Errorf("audited refused uploads = %d, want 7", audited)
	}
}

// Nothing a user typed is rendered unescaped: a typed login name, a file
// name, and a cell value quoted in an issue message.
func TestPagesEscapeUserText(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	b := f.browser(t)
	const attack = `"><script>alert('x')</script><img src=x onerror=alert(1)>`
	resp, body := b.login(attack, "whatever-password")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	assertNoMarkup(t, "login page", body)
	if !strings.Contains(body, `value="&#34;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;`) {
		t.Errorf("typed name not echoed escaped: %s", body)
	}

	b.mustLogin("fp-lao")
	bad, _, _ := badTemplate(t, "LAO", 2023, "en", attack)
	id := b.uploadID(attack+".xlsx", bad)
	for _, path := range []string{fmt.Sprintf("/submissions/%d", id), "/submissions", "/"} {
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		assertNoMarkup(t, path, body)
	}
	if _, body := b.get(fmt.Sprintf("/submissions/%d", id)); !strings.Contains(body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") {
		t.Errorf("the issue message does not show the typed value escaped")
	}
}

// assertNoMarkup: the page has no script element and no injected image.
func assertNoMarkup(t *testing.T, what, body string) {
	t.Helper()
	for _, bad := range []string{"<script", "<img"} {
		if i := strings.Index(body, bad); i >= 0 {
			t.Errorf("%s: unescaped %q at %d: %s", what, bad, i, body[max(0, i-80):min(len(body), i+80)])
		}
	}
}

// A focal point for several countries chooses the template's country and
// sees the submissions of all of theirs.
func TestFocalPointSeveralCountries(t *testing.T) {
	t.Parallel()
	f := setupPages(t, web.Options{InsecureCookies: true})
	f.addUser(t, "focal_point LAO+LBN", "fp-two", auth.RoleFocalPoint, "LAO", "LBN")
	b := f.browser(t)
	b.mustLogin("fp-two")
	resp, body := b.get("/template.xlsx")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose the country of the template") || !strings.Contains(body, `<option value="LBN">`) {
		t.Errorf("no country: %d, want the form asking to choose: %.2000s", resp.StatusCode, body)
	}
	if resp, _ := b.get("/template.xlsx?country=Lebanon&year=2022"); resp.Header.Get("Content-Disposition") != `attachment; filename=vahub-template-LBN-2022-en.xlsx` {
		t.Errorf("Lebanon: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	if resp, _ := b.get("/template.xlsx?country=COL"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("Colombia: %d, want 403", resp.StatusCode)
	}
	if resp, _ := b.get("/template.xlsx?country=LAO,LBN"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two countries: %d, want 400", resp.StatusCode)
	}
	lao := b.uploadID("lao.xlsx", template(t, "LAO", 2023))
	lbn := b.uploadID("lbn.xlsx", template(t, "LBN", 2023))
	// An unreadable file of unknown country: its uploader still sees it.
	csv := b.uploadID("notes.csv", []byte("hello,world\n1,2\n"))
	resp, body = b.get("/submissions")
	for _, id := range []int64{lao, lbn, csv} {
		if !strings.Contains(body, fmt.Sprintf(">Submission %d<", id)) {
			t.Errorf("history lacks submission %d: %d", id, resp.StatusCode)
		}
	}
	if resp, _ := b.get(fmt.Sprintf("/submissions/%d", csv)); resp.StatusCode != http.StatusOK {
		t.Errorf("own submission of unknown country: %d", resp.StatusCode)
	}
	// Another focal point of LAO sees LAO's, not the unknown one of fp-two.
	other := f.browser(t)
	other.mustLogin("fp-lao")
	for id, want := range map[int64]int{lao: http.StatusOK, lbn: http.StatusNotFound, csv: http.StatusNotFound} {
		if resp, _ := other.get(fmt.Sprintf("/submissions/%d", id)); resp.StatusCode != want {
			t.Errorf("fp-lao on submission %d: %d, want %d", id, resp.StatusCode, want)
		}
	}
}
