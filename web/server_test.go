package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/web"
	"github.com/vahub/vahub/web/auth"
)

// Principals of the tests, by the label the matrix uses.
const (
	asAdmin      = "admin"
	asFocalLAO   = "focal_point LAO"
	asResearcher = "researcher"
	asEnumerator = "enumerator LAO"
	asNoToken    = "no token"
	asBadToken   = "bad token"
)

var principals = []string{asAdmin, asFocalLAO, asResearcher, asEnumerator, asNoToken, asBadToken}

type fixture struct {
	db     *pg.DB
	url    string
	tokens map[string]string
	// approved[country] is the report id of the approved 2024 report the
	// fixture ingested for LAO and LBN.
	approved map[string]int64
}

// setup starts the server on a fresh database with one user (and token)
// per role and approved 2024 reports for LAO and LBN.
func setup(t *testing.T, opts web.Options) *fixture {
	t.Helper()
	return setupWith(t, opts, nil)
}

// setupWith is setup with hook run on the database before the server
// starts (a test clock).
func setupWith(t *testing.T, opts web.Options, hook func(*pg.DB)) *fixture {
	t.Helper()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	f := &fixture{db: db, tokens: map[string]string{}, approved: map[string]int64{}}
	users := []struct {
		label, name, role string
		countries         []string
	}{
		{asAdmin, "ada", auth.RoleAdmin, nil},
		{asFocalLAO, "fp-lao", auth.RoleFocalPoint, []string{"LAO"}},
		{asResearcher, "rita", auth.RoleResearcher, nil},
		{asEnumerator, "enum-lao", auth.RoleEnumerator, []string{"LAO"}},
	}
	for _, u := range users {
		if _, err := db.CreateUser(ctx, u.name, u.role, u.countries, nil); err != nil {
			t.Fatalf("CreateUser %s: %v", u.name, err)
		}
		tok, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateToken(ctx, u.name, hash, "test"); err != nil {
			t.Fatalf("CreateToken %s: %v", u.name, err)
		}
		f.tokens[u.label] = tok
	}
	// A well-formed token vahub never issued.
	bad, _, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	f.tokens[asBadToken] = bad

	dir := t.TempDir()
	var paths []string
	for _, c := range []string{"LAO", "LBN"} {
		p := filepath.Join(dir, c+".xlsx")
		if err := os.WriteFile(p, template(t, c, 2024), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	res, err := ingest.Files(ctx, db, paths, ingest.Options{RunKind: "cli", StartedBy: "test", ReportStatus: "approved"})
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range res.Files {
		if fr.Status != pg.FileIngested {
			t.Fatalf("seed %s: %s %v", fr.Path, fr.Status, fr.Issues)
		}
		f.approved[fr.Country] = fr.Report().ReportID
	}

	if hook != nil {
		hook(db)
	}
	log := slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := httptest.NewServer(web.NewServer(db, log, opts))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// tlog sends the server's log to the test's.
type tlog struct{ t *testing.T }

func (l tlog) Write(b []byte) (int, error) { l.t.Log(strings.TrimSpace(string(b))); return len(b), nil }

// template is a filled reporting template for country and year.
func template(t *testing.T, country string, year int) []byte {
	t.Helper()
	r := sample.Report(sample.Country{Code: country, Lang: "en", Scale: 40}, year)
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: r.Language, Country: r.Country, Year: r.Year, Prefill: r}); err != nil {
		t.Fatalf("WriteTemplate: %v", err)
	}
	return buf.Bytes()
}

// request builds a request as principal who (a token, a bad one, or none).
func (f *fixture) request(t *testing.T, who, method, path string, body io.Reader, contentType string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok, ok := f.tokens[who]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func (f *fixture) get(t *testing.T, who, path string) (*http.Response, []byte) {
	t.Helper()
	return do(t, f.request(t, who, http.MethodGet, path, nil, ""))
}

// upload posts content as the multipart field "file" named name.
func (f *fixture) upload(t *testing.T, who, name string, content []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("note", "from the test"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return do(t, f.request(t, who, http.MethodPost, "/api/v1/uploads", &body, mw.FormDataContentType()))
}

type uploadAnswer struct {
	Files []struct {
		Path    string `json:"path"`
		SHA256  string `json:"sha256"`
		Status  string `json:"status"`
		Format  string `json:"format"`
		Country string `json:"country"`
		Facts   int    `json:"facts"`
		Issues  []struct {
			Severity, Code, Message string
		} `json:"issues"`
	} `json:"files"`
}

type factRows struct {
	Rows []map[string]any `json:"rows"`
}

// Every API route × every principal × own/other country (and the ways of
// asking for another country's data through the query string), with the
// exact status.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	uploads := map[string][]byte{"LAO": template(t, "LAO", 2022), "LBN": template(t, "LBN", 2022)}

	const (
		ok   = http.StatusOK
		no   = http.StatusForbidden
		anon = http.StatusUnauthorized
	)
	// want gives the status for each principal, in principals' order.
	type row struct {
		name string
		req  func(t *testing.T, who string) (*http.Response, []byte)
		want [6]int // admin, focal LAO, researcher, enumerator, no token, bad token
	}
	get := func(path string) func(*testing.T, string) (*http.Response, []byte) {
		return func(t *testing.T, who string) (*http.Response, []byte) { return f.get(t, who, path) }
	}
	up := func(country string) func(*testing.T, string) (*http.Response, []byte) {
		return func(t *testing.T, who string) (*http.Response, []byte) {
			return f.upload(t, who, country+"-2022.xlsx", uploads[country])
		}
	}
	var rows []row
	rows = append(rows,
		row{"upload own country", up("LAO"), [6]int{ok, ok, no, no, anon, anon}},
		row{"upload other country", up("LBN"), [6]int{ok, no, no, no, anon, anon}},
	)
	for _, route := range []string{"/api/v1/facts/casualties", "/api/v1/facts/services", "/api/v1/exports/gap.xlsx"} {
		rows = append(rows,
			row{route + " own", get(route + "?country=LAO"), [6]int{ok, ok, ok, no, anon, anon}},
			row{route + " own, lower case", get(route + "?country=lao"), [6]int{ok, ok, ok, no, anon, anon}},
			row{route + " other", get(route + "?country=LBN"), [6]int{ok, no, ok, no, anon, anon}},
			row{route + " other by name", get(route + "?country=Lebanon"), [6]int{ok, no, ok, no, anon, anon}},
			row{route + " own and other", get(route + "?country=LAO,LBN"), [6]int{ok, no, ok, no, anon, anon}},
			row{route + " own then other", get(route + "?country=LAO&country=LBN"), [6]int{ok, no, ok, no, anon, anon}},
			row{route + " every country", get(route), [6]int{ok, no, ok, no, anon, anon}},
		)
	}
	rows = append(rows,
		row{"facts with a year", get("/api/v1/facts/casualties?country=LAO&year=2024"), [6]int{ok, ok, ok, no, anon, anon}},
		row{"gap with years", get("/api/v1/exports/gap.xlsx?country=LAO&from=2020&to=2024"), [6]int{ok, ok, ok, no, anon, anon}},
	)

	// Survey submissions and records: enumerators for their own countries,
	// admins for all, nobody else. Each request is a new instance.
	const created, nothing, unfit = http.StatusCreated, http.StatusNoContent, http.StatusUnprocessableEntity
	submitJSON := func(answers func() map[string]any) func(*testing.T, string) (*http.Response, []byte) {
		return func(t *testing.T, who string) (*http.Response, []byte) {
			return f.submit(t, who, submissionBody(t, newInstance(), "", answers()))
		}
	}
	refusal := func() map[string]any { return map[string]any{"consent": "no"} }
	// OpenRosa as Collect authenticates: the token in the URL, or the
	// bearer header (Basic is tested in TestOpenRosaSubmission).
	openRosa := func(method, country string, inURL bool) func(*testing.T, string) (*http.Response, []byte) {
		return func(t *testing.T, who string) (*http.Response, []byte) {
			url := f.url + "/submission"
			if tok, ok := f.tokens[who]; ok && inURL {
				url = f.url + "/key/" + tok + "/submission"
			}
			var req *http.Request
			if method == http.MethodHead {
				req, _ = http.NewRequestWithContext(t.Context(), method, url, nil)
			} else {
				req = openRosaPost(t, url, instanceXML(newInstance(), "", country, 30), nil)
			}
			if tok, ok := f.tokens[who]; ok && !inURL {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			return do(t, req)
		}
	}
	rows = append(rows,
		row{"submit survey own country", submitJSON(func() map[string]any { return interview("LAO") }), [6]int{created, no, no, created, anon, anon}},
		row{"submit survey other country", submitJSON(func() map[string]any { return interview("LBN") }), [6]int{created, no, no, no, anon, anon}},
		// A refusal without a country counts in the enumerator's only one;
		// an admin has none to default to.
		row{"submit refusal without country", submitJSON(refusal), [6]int{unfit, no, no, created, anon, anon}},
		row{"survey records own", get(submissionsPath + "?country=LAO"), [6]int{ok, no, no, ok, anon, anon}},
		row{"survey records other", get(submissionsPath + "?country=LBN"), [6]int{ok, no, no, no, anon, anon}},
		row{"survey records own and other", get(submissionsPath + "?country=LAO,LBN"), [6]int{ok, no, no, no, anon, anon}},
		row{"survey records every country", get(submissionsPath), [6]int{ok, no, no, no, anon, anon}},
		row{"openrosa HEAD", openRosa(http.MethodHead, "", false), [6]int{nothing, no, no, nothing, anon, anon}},
		row{"openrosa HEAD /key/", openRosa(http.MethodHead, "", true), [6]int{nothing, no, no, nothing, anon, anon}},
		row{"openrosa own country", openRosa(http.MethodPost, "LAO", false), [6]int{created, no, no, created, anon, anon}},
		row{"openrosa other country", openRosa(http.MethodPost, "LBN", false), [6]int{created, no, no, no, anon, anon}},
		row{"openrosa /key/ own country", openRosa(http.MethodPost, "LAO", true), [6]int{created, no, no, created, anon, anon}},
		row{"openrosa /key/ other country", openRosa(http.MethodPost, "LBN", true), [6]int{created, no, no, no, anon, anon}},
	)

	// Submissions (direct object references: another country's id answers
	// as an id that does not exist) and the reporting template.
	subs := map[string]int64{}
	for _, c := range []string{"LAO", "LBN"} {
		resp, body := f.upload(t, asAdmin, c+"-2021.xlsx", template(t, c, 2021))
		var got struct{ Submission int64 }
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != ok || got.Submission == 0 {
			t.Fatalf("seed submission %s: %d %s", c, resp.StatusCode, body)
		}
		subs[c] = got.Submission
	}
	const gone = http.StatusNotFound
	for _, c := range []struct {
		name string
		id   int64
		want [6]int
	}{
		{"own", subs["LAO"], [6]int{ok, ok, no, no, anon, anon}},
		{"other", subs["LBN"], [6]int{ok, gone, no, no, anon, anon}},
		{"nonexistent", subs["LBN"] + 1000, [6]int{gone, gone, no, no, anon, anon}},
	} {
		path := fmt.Sprintf("/api/v1/submissions/%d", c.id)
		rows = append(rows,
			row{"submission " + c.name, get(path), c.want},
			row{"annotated workbook " + c.name, get(path + "/annotated.xlsx"), c.want},
		)
	}
	rows = append(rows,
		row{"submissions", get("/api/v1/submissions"), [6]int{ok, ok, no, no, anon, anon}},
		row{"submissions own", get("/api/v1/submissions?country=LAO"), [6]int{ok, ok, no, no, anon, anon}},
		row{"submissions other", get("/api/v1/submissions?country=LBN"), [6]int{ok, no, no, no, anon, anon}},
		row{"submissions own and other", get("/api/v1/submissions?country=LAO,LBN"), [6]int{ok, no, no, no, anon, anon}},
		row{"template own", get("/api/v1/template.xlsx?country=LAO"), [6]int{ok, ok, ok, no, anon, anon}},
		row{"template other", get("/api/v1/template.xlsx?country=LBN&year=2022"), [6]int{ok, no, ok, no, anon, anon}},
		row{"template, no country", get("/api/v1/template.xlsx"), [6]int{ok, ok, ok, no, anon, anon}},
	)

	// Reviews, CSV downloads, the dictionary and the admin routes
	// (review.go, downloads.go, admin.go). Object ids are real ones of
	// another country, unknown ones and malformed ones.
	subLAO, subLBN := f.submitReport(t, "LAO", 2019), f.submitReport(t, "LBN", 2019)
	approveLAO, approveLBN := f.submitReport(t, "LAO", 2018), f.submitReport(t, "LBN", 2018)
	returnLAO := f.submitReport(t, "LAO", 2017)
	id := func(n int64) string { return jsonNum(int(n)) }
	post := func(path, body string) func(*testing.T, string) (*http.Response, []byte) {
		return func(t *testing.T, who string) (*http.Response, []byte) { return f.post(t, who, path, body) }
	}
	if _, err := f.db.CreateUser(t.Context(), "temp", auth.RoleResearcher, nil, nil); err != nil {
		t.Fatal(err)
	}
	_, tempHash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	tempToken, err := f.db.CreateToken(t.Context(), "temp", tempHash, "matrix")
	if err != nil {
		t.Fatal(err)
	}
	const conflict = http.StatusConflict
	var lastRun int64
	if err := f.db.GetContext(t.Context(), &lastRun, `SELECT max(id) FROM ingest_run`); err != nil {
		t.Fatal(err)
	}
	adminOnly := [6]int{ok, no, no, no, anon, anon}
	rows = append(rows,
		row{"review queue", get("/api/v1/reviews"), adminOnly},
		row{"review own country", get("/api/v1/reviews/" + id(subLAO)), adminOnly},
		row{"review other country", get("/api/v1/reviews/" + id(subLBN)), adminOnly},
		row{"review approved report", get("/api/v1/reviews/" + id(f.approved["LAO"])), adminOnly},
		row{"review unknown id", get("/api/v1/reviews/987654"), [6]int{gone, no, no, no, anon, anon}},
		row{"review malformed id", get("/api/v1/reviews/1%20OR%201=1"), [6]int{gone, no, no, no, anon, anon}},
		row{"approve own country", post("/api/v1/reviews/"+id(approveLAO)+"/approve", `{"note":"ok"}`), adminOnly},
		row{"approve other country", post("/api/v1/reviews/"+id(approveLBN)+"/approve", ``), adminOnly},
		row{"approve again", post("/api/v1/reviews/"+id(approveLAO)+"/approve", ``), [6]int{conflict, no, no, no, anon, anon}},
		row{"approve unknown id", post("/api/v1/reviews/987654/approve", ``), [6]int{gone, no, no, no, anon, anon}},
		row{"return own country", post("/api/v1/reviews/"+id(returnLAO)+"/return", `{"note":"row 5"}`), adminOnly},
		row{"return without a note", post("/api/v1/reviews/"+id(subLAO)+"/return", `{}`), [6]int{http.StatusBadRequest, no, no, no, anon, anon}},
		row{"return approved", post("/api/v1/reviews/"+id(approveLBN)+"/return", `{"note":"x"}`), [6]int{conflict, no, no, no, anon, anon}},
		row{"dictionary", get("/api/v1/dictionary"), [6]int{ok, ok, ok, no, anon, anon}},
		row{"dictionary csv", get("/api/v1/dictionary.csv"), [6]int{ok, ok, ok, no, anon, anon}},
		row{"runs", get("/api/v1/runs"), adminOnly},
		row{"run", get("/api/v1/runs/" + id(lastRun)), adminOnly},
		row{"unknown run", get("/api/v1/runs/987654"), [6]int{gone, no, no, no, anon, anon}},
		row{"manual entry", get("/api/v1/manual-entry"), adminOnly},
		row{"users", get("/api/v1/users"), adminOnly},
		row{"audit", get("/api/v1/audit"), adminOnly},
		row{"disable user", post("/api/v1/users/temp/disable", ``), adminOnly},
		row{"enable user", post("/api/v1/users/temp/enable", ``), adminOnly},
		row{"disable unknown user", post("/api/v1/users/nobody/disable", ``), [6]int{gone, no, no, no, anon, anon}},
		row{"disable oneself", post("/api/v1/users/ada/disable", ``), [6]int{http.StatusBadRequest, no, no, no, anon, anon}},
		row{"revoke token", post("/api/v1/tokens/"+id(tempToken)+"/revoke", ``), adminOnly},
		row{"revoke unknown token", post("/api/v1/tokens/987654/revoke", ``), [6]int{gone, no, no, no, anon, anon}},
	)
	for _, view := range []string{"casualty_facts", "service_facts", "gap_analysis", "commitment_facts"} {
		for _, ext := range []string{".csv", ".hxl.csv"} {
			route := "/api/v1/exports/" + view + ext
			rows = append(rows,
				row{route + " own", get(route + "?country=LAO"), [6]int{ok, ok, ok, no, anon, anon}},
				row{route + " other", get(route + "?country=LBN"), [6]int{ok, no, ok, no, anon, anon}},
				row{route + " own and other", get(route + "?country=LAO&country=LBN&pillar=rehabilitation"), [6]int{ok, no, ok, no, anon, anon}},
				row{route + " every country", get(route + "?from=2020"), [6]int{ok, no, ok, no, anon, anon}},
			)
		}
	}

	for _, r := range rows {
		for i, who := range principals {
			resp, body := r.req(t, who)
			if resp.StatusCode != r.want[i] {
				t.Errorf("%s as %s: status %d, want %d: %s", r.name, who, resp.StatusCode, r.want[i], body)
				continue
			}
			switch resp.StatusCode {
			case anon:
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s as %s: 401 without WWW-Authenticate: Bearer", r.name, who)
				}
				fallthrough
			case no, gone:
				if resp.Request.Method == http.MethodHead {
					break
				}
				if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
					// OpenRosa routes answer in the protocol's envelope.
					if !bytes.Contains(body, []byte(`<message nature="error">`)) {
						t.Errorf("%s as %s: error body %q, want an OpenRosa error", r.name, who, body)
					}
					break
				}
				var e struct{ Error string }
				if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
					t.Errorf("%s as %s: error body %q, want {\"error\": …}", r.name, who, body)
				}
			}
		}
	}
}

// A focal point's data stays in their countries: the facts they get are
// their country's, and so is the workbook.
func TestFocalPointSeesOnlyTheirCountry(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	resp, body := f.get(t, asFocalLAO, "/api/v1/facts/services?country=LAO")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got factRows
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(got.Rows) == 0 {
		t.Fatal("no service rows for LAO")
	}
	for _, r := range got.Rows {
		if r["country"] != "LAO" {
			t.Fatalf("row of %v in LAO's facts", r["country"])
		}
	}

	resp, body = f.get(t, asFocalLAO, "/api/v1/exports/gap.xlsx?country=LAO")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("gap: status %d: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("gap Content-Type = %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
		t.Errorf("gap Content-Disposition = %q", cd)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	summary, err := x.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	if len(summary) != 3 || summary[2][0] != "LAO" {
		t.Errorf("Summary rows = %v, want LAO 2024 only", summary)
	}
}

// A focal point's upload is stored as submitted, answered with the ingest
// report, and does not feed the views: facts stay the approved report's.
func TestUploadSubmittedDoesNotFeedFacts(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	content := template(t, "LAO", 2023)
	resp, body := f.upload(t, asFocalLAO, `C:\Users\fp\..\Desktop\Form H <2023>.xlsx`, content)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got uploadAnswer
	if err := json.Unmarshal(body, &got); err != nil || len(got.Files) != 1 {
		t.Fatalf("answer %s: %v", body, err)
	}
	fr := got.Files[0]
	if fr.Status != pg.FileIngested || fr.Country != "LAO" || fr.Format != "vahub-template" || fr.Facts == 0 {
		t.Errorf("report = %+v, want an ingested LAO template with facts", fr)
	}
	if fr.Path != "Form_H__2023_.xlsx" {
		t.Errorf("path = %q, want the sanitised base name", fr.Path)
	}
	var status string
	if err := f.db.GetContext(t.Context(), &status, `SELECT r.status FROM report r JOIN input_file i ON i.id = r.file_id WHERE i.sha256 = $1`, fr.SHA256); err != nil {
		t.Fatal(err)
	}
	if status != "submitted" {
		t.Errorf("report status = %q, want submitted", status)
	}

	// The submitted 2023 report feeds nothing; 2024's approved one does.
	for _, route := range []string{"casualties", "services"} {
		resp, body = f.get(t, asFocalLAO, "/api/v1/facts/"+route+"?country=LAO&year=2023")
		var rows factRows
		if err := json.Unmarshal(body, &rows); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s 2023: %d %s", route, resp.StatusCode, body)
		}
		if len(rows.Rows) != 0 {
			t.Errorf("%s 2023: %d rows from a submitted upload, want none", route, len(rows.Rows))
		}
		resp, body = f.get(t, asResearcher, "/api/v1/facts/"+route+"?country=LAO")
		if err := json.Unmarshal(body, &rows); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", route, resp.StatusCode, body)
		}
		if len(rows.Rows) == 0 {
			t.Errorf("%s: no rows for LAO", route)
		}
		for _, r := range rows.Rows {
			if r["year"] != float64(2024) || r["source_id"] != float64(f.approved["LAO"]) {
				t.Fatalf("%s: row %v, want only the approved 2024 report %d", route, r, f.approved["LAO"])
			}
		}
	}

	// Every upload attempt is in the audit log with its file's hash.
	var audited int
	if err := f.db.GetContext(t.Context(), &audited, `SELECT count(*) FROM audit_log WHERE action = 'upload' AND file_sha256 = $1`, fr.SHA256); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("audit rows for the upload = %d, want 1", audited)
	}
}

// A focal point cannot upload another country's report: refused before
// anything is stored.
func TestUploadOtherCountryRefused(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	resp, body := f.upload(t, asFocalLAO, "lbn.xlsx", template(t, "LBN", 2023))
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "LBN") {
		t.Fatalf("status %d: %s, want 403 naming LBN", resp.StatusCode, body)
	}
	var n int
	if err := f.db.GetContext(t.Context(), &n, `SELECT count(*) FROM report WHERE country = 'LBN' AND year = 2023`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d LBN 2023 reports stored after a refused upload", n)
	}
}

// Uploads that are not spreadsheets, too big, or rejected by validation.
func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{MaxUpload: 64 << 10})

	docx := func() []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
			w, _ := z.Create(name)
			w.Write([]byte("<x/>"))
		}
		z.Close()
		return b.Bytes()
	}()
	tests := []struct {
		name    string
		file    string
		content []byte
		want    int
		status  string // the per-file status in a 200/422 answer
	}{
		{"pdf named xlsx", "report.xlsx", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj <<>> endobj\n"), http.StatusUnsupportedMediaType, ""},
		{"png", "photo.csv", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), http.StatusUnsupportedMediaType, ""},
		{"html", "page.csv", []byte("<!DOCTYPE html><html><body>hi</body></html>"), http.StatusUnsupportedMediaType, ""},
		{"old xls", "old.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00\x00\x00\x00\x00"), http.StatusUnsupportedMediaType, ""},
		{"docx", "report.xlsx", docx, http.StatusUnsupportedMediaType, ""},
		{"over the cap", "big.csv", bytes.Repeat([]byte("a,b,c\n"), 20000), http.StatusRequestEntityTooLarge, ""},
		{"far over the cap (request body cut)", "huge.csv", bytes.Repeat([]byte("a,b,c\n"), 400000), http.StatusRequestEntityTooLarge, ""},
		{"empty", "empty.csv", nil, http.StatusBadRequest, ""},
		{"text vahub does not recognise", "notes.csv", []byte("hello,world\n1,2\n"), http.StatusUnprocessableEntity, pg.FileRejected},
		{"valid template", "lao.xlsx", template(t, "LAO", 2021), http.StatusOK, pg.FileIngested},
	}
	for _, tc := range tests {
		resp, body := f.upload(t, asAdmin, tc.file, tc.content)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d: %s", tc.name, resp.StatusCode, tc.want, body)
			continue
		}
		if tc.status == "" {
			var e struct{ Error string }
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Errorf("%s: body %q, want a JSON error", tc.name, body)
			}
			continue
		}
		var got uploadAnswer
		if err := json.Unmarshal(body, &got); err != nil || len(got.Files) != 1 || got.Files[0].Status != tc.status {
			t.Errorf("%s: answer %s, want one file with status %s", tc.name, body, tc.status)
		}
	}

	// No file field, and a body that is not multipart.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("other", "x")
	mw.Close()
	if resp, b := do(t, f.request(t, asAdmin, http.MethodPost, "/api/v1/uploads", &body, mw.FormDataContentType())); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no file field: %d %s", resp.StatusCode, b)
	}
	if resp, b := do(t, f.request(t, asAdmin, http.MethodPost, "/api/v1/uploads", strings.NewReader("x"), "text/csv")); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("not multipart: %d %s", resp.StatusCode, b)
	}

	// Every attempt with a token was audited, refusals included.
	var audited int
	if err := f.db.GetContext(t.Context(), &audited, `SELECT count(*) FROM audit_log WHERE action = 'upload'`); err != nil {
		t.Fatal(err)
	}
	if want := len(tests) + 2; audited != want {
		t.Errorf("audited uploads = %d, want %d", audited, want)
	}
}

// Probes, headers, unknown routes, bad parameters and cross-origin posts.
func TestServerBasics(t *testing.T) {
	t.Parallel()
	f := setup(t, web.Options{})
	resp, body := f.get(t, asNoToken, "/healthz")
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	resp, body = f.get(t, asNoToken, "/readyz")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz on a migrated database: %d %s", resp.StatusCode, body)
	}
	for h, want := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}

	for _, tc := range []struct {
		who, method, path string
		want              int
	}{
		{asAdmin, http.MethodGet, "/api/v1/nothing", http.StatusNotFound},
		{asAdmin, http.MethodGet, "/api/v1/uploads", http.StatusMethodNotAllowed},
		{asAdmin, http.MethodDelete, "/api/v1/facts/casualties", http.StatusMethodNotAllowed},
		{asAdmin, http.MethodGet, "/api/v1/facts/casualties?country=XXQ", http.StatusBadRequest},
		{asAdmin, http.MethodGet, "/api/v1/facts/casualties?year=twenty", http.StatusBadRequest},
		{asAdmin, http.MethodGet, "/api/v1/exports/gap.xlsx?from=2024&to=2020", http.StatusBadRequest},
		{asFocalLAO, http.MethodGet, "/api/v1/facts/services?country=LAO&year=1066", http.StatusBadRequest},
	} {
		resp, body := do(t, f.request(t, tc.who, tc.method, tc.path, nil, ""))
		if resp.StatusCode != tc.want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d (%s) %s, want %d with a JSON error", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.want)
		}
	}

	// A browser's cross-site form post is refused, token or not.
	req := f.request(t, asAdmin, http.MethodPost, "/api/v1/uploads", strings.NewReader("x"), "text/plain")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if resp, body := do(t, req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin post: %d %s", resp.StatusCode, body)
	}

	// "Bearer" is case-insensitive; other schemes are not tokens.
	req = f.request(t, asNoToken, http.MethodGet, "/api/v1/facts/casualties", nil, "")
	req.Header.Set("Authorization", "bearer "+f.tokens[asResearcher])
	if resp, body := do(t, req); resp.StatusCode != http.StatusOK {
		t.Errorf("lower-case bearer: %d %s", resp.StatusCode, body)
	}
	req.Header.Set("Authorization", "Basic "+f.tokens[asResearcher])
	if resp, _ := do(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Basic scheme: %d, want 401", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer garbage")
	if resp, _ := do(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("malformed token: %d, want 401", resp.StatusCode)
	}

	// A revoked token, and any token of a disabled user, stop working at once.
	ctx := t.Context()
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.db.CreateToken(ctx, "rita", hash, "second")
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["rita's second token"] = tok
	if resp, body := f.get(t, "rita's second token", "/api/v1/facts/casualties"); resp.StatusCode != http.StatusOK {
		t.Fatalf("second token: %d %s", resp.StatusCode, body)
	}
	if err := f.db.RevokeToken(ctx, id); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(t, "rita's second token", "/api/v1/facts/casualties"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", resp.StatusCode)
	}
	if err := f.db.DisableUser(ctx, "rita"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(t, asResearcher, "/api/v1/facts/casualties"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d, want 401", resp.StatusCode)
	}
}

// /readyz says no while the database has no schema; /healthz still says
// the process is alive.
func TestReadyzEmptyDatabase(t *testing.T) {
	t.Parallel()
	db, err := pg.Open(t.Context(), pgtest.NewEmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewServer(web.NewServer(db, nil, web.Options{}))
	t.Cleanup(srv.Close)
	for path, want := range map[string]int{"/readyz": http.StatusServiceUnavailable, "/healthz": http.StatusOK} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d %s, want %d", path, resp.StatusCode, b, want)
		}
	}
}
