package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// The data officers' pages: the submission queue and the review page,
// ingestion runs, the needs-manual-entry list, users and tokens, and the
// audit log. They call the same code as the JSON API (review.go, admin.go),
// so the same rules hold. Every text that came from outside (file names,
// notes, URLs, messages) goes through html/template's escaping.

// registerAdminPages adds the admin and researcher pages.
func (s *server) registerAdminPages(mux *http.ServeMux) {
	mux.Handle("GET /admin/reviews", s.page(s.reviewsPage))
	mux.Handle("GET /admin/reviews/{id}", s.page(s.reviewPage))
	mux.Handle("POST /admin/reviews/{id}/approve", s.page(s.reviewPost(pg.DecisionApproved)))
	mux.Handle("POST /admin/reviews/{id}/return", s.page(s.reviewPost(pg.DecisionReturned)))
	mux.Handle("GET /admin/runs", s.page(s.runsPage))
	mux.Handle("GET /admin/runs/{id}", s.page(s.runPage))
	mux.Handle("GET /admin/manual-entry", s.page(s.manualEntryPage))
	mux.Handle("GET /admin/users", s.page(s.usersPage))
	mux.Handle("POST /admin/users/{name}/disable", s.page(s.userPost(true)))
	mux.Handle("POST /admin/users/{name}/enable", s.page(s.userPost(false)))
	mux.Handle("POST /admin/tokens/{id}/revoke", s.page(s.tokenPost))
	mux.Handle("GET /admin/audit", s.page(s.auditPage))
	mux.Handle("GET /exports", s.page(s.exportsPage))
	mux.Handle("GET /exports/gap.xlsx", s.page(s.gapExport))
	mux.Handle("GET /exports/dictionary", s.page(s.dictionaryPage))
	mux.Handle("GET /exports/dictionary.csv", s.page(s.dictionaryCSV))
	mux.Handle("GET /exports/{file}", s.page(s.viewExport))
}

// GET /admin/reviews: the submitted reports, oldest first.
func (s *server) reviewsPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q, err := s.reviewQueueFor(r, p)
	if err != nil {
		return err
	}
	return s.render(w, r, "admin_reviews", q)
}

// diffLine is one row of the review page's differences table.
type diffLine struct {
	Table, Key, Change, Before, After string
}

// reviewView is the review page's data.
type reviewView struct {
	pg.ReviewDiff
	Lines  []diffLine
	Done   string // approved or returned, after a decision
	Error  string // why a decision was refused
	Note   string // the note typed, shown back after a refusal
	CanAct bool   // the report waits for review and can be decided
}

// GET /admin/reviews/{id}: the report, its issues and differences, and the
// approve and return forms.
func (s *server) reviewPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	v, err := s.reviewData(r, p)
	if err != nil {
		return err
	}
	switch done := r.URL.Query().Get("done"); done {
	case pg.DecisionApproved, pg.DecisionReturned:
		v.Done = done
	}
	return s.render(w, r, "admin_review", v)
}

func (s *server) reviewData(r *http.Request, p auth.Principal) (reviewView, error) {
	var v reviewView
	d, err := s.reviewDiff(r, p)
	if err != nil {
		return v, err
	}
	v.ReviewDiff = d
	v.CanAct = d.Report.Status == "submitted" && !d.Report.NewerApproved
	lang := langOf(r)
	for _, c := range d.Changes {
		v.Lines = append(v.Lines, diffLine{
			Table:  T(lang, "review.table."+c.Table),
			Key:    c.Key,
			Change: T(lang, "review.change."+c.Change),
			Before: factText(lang, c.BeforeValue, c.BeforeState, c.BeforeQualifier),
			After:  factText(lang, c.AfterValue, c.AfterState, c.AfterQualifier),
		})
	}
	return v, nil
}

// factText words one side of a difference: the number and its qualifier,
// else its state ("unknown", "withheld"), else a dash for no fact.
func factText(lang string, value *int64, state, qualifier *string) string {
	switch {
	case value != nil:
		n := strconv.FormatInt(*value, 10)
		if qualifier != nil && *qualifier != string(schema.QualExact) {
			n = T(lang, "review.qualifier."+*qualifier, n)
		}
		if state != nil && *state == string(schema.StateCarriedForward) {
			n += " (" + T(lang, "review.state.carried_forward") + ")"
		}
		return n
	case state != nil:
		return T(lang, "review.state."+*state)
	}
	return "—"
}

// POST /admin/reviews/{id}/approve and …/return (form field note). A taken
// decision goes back to the review page with a notice; a refused one shows
// the page again with the reason and the note typed.
func (s *server) reviewPost(decision string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		sub, err := s.reviewable(r, p)
		if err != nil {
			return err
		}
		note, err := decisionNote(w, r)
		if err != nil {
			return err
		}
		_, derr := s.decide(r, p, sub, decision, note)
		if derr == nil {
			http.Redirect(w, r, "/admin/reviews/"+strconv.FormatInt(sub.ID, 10)+"?done="+decision, http.StatusSeeOther)
			return nil
		}
		code := errorCode(derr)
		if code != eConflict && code != eInvalid {
			return derr
		}
		v, err := s.reviewData(r, p)
		if err != nil {
			return err
		}
		v.Note = note
		v.Error = T(langOf(r), "review.refused_conflict")
		if code == eInvalid {
			v.Error = T(langOf(r), "review.refused_note")
		}
		return s.renderStatus(w, r, codes[code], "admin_review", v)
	}
}

// GET /admin/runs: the latest runs.
func (s *server) runsPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := allowed(p, auth.ActViewRuns, nil); err != nil {
		return err
	}
	runs, err := s.db.RecentRuns(r.Context(), 200)
	if err != nil {
		return err
	}
	return s.render(w, r, "admin_runs", runs)
}

// runView is the run page's data: the run and its stored report, indented.
type runView struct {
	runAnswer
	ReportText string
}

// GET /admin/runs/{id}: one run, its files with their issues, the reports
// it stored and its stored report.
func (s *server) runPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	a, err := s.loadRun(r, p)
	if err != nil {
		return err
	}
	v := runView{runAnswer: a}
	if string(a.Report) != "null" {
		var anyJSON any
		if json.Unmarshal(a.Report, &anyJSON) == nil {
			if b, err := json.MarshalIndent(anyJSON, "", "  "); err == nil {
				v.ReportText = string(b)
			}
		}
	}
	return s.render(w, r, "admin_run", v)
}

// GET /admin/manual-entry: documents no reader turns into facts.
func (s *server) manualEntryPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	docs, err := s.manualEntryDocs(r, p)
	if err != nil {
		return err
	}
	return s.render(w, r, "admin_manual", docs)
}

// usersView is the users page's data.
type usersView struct {
	Users  []pg.User
	Tokens []pg.Token
	Self   string
	Done   string
}

// GET /admin/users: users and tokens, with the disable/enable and revoke
// forms.
func (s *server) usersPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	us, ts, err := s.usersAndTokens(r, p)
	if err != nil {
		return err
	}
	v := usersView{Users: us, Tokens: ts, Self: pg.NormalizeUserName(p.Name)}
	switch done := r.URL.Query().Get("done"); done {
	case "disabled", "enabled", "revoked":
		v.Done = done
	}
	return s.render(w, r, "admin_users", v)
}

// POST /admin/users/{name}/disable and …/enable (audited).
func (s *server) userPost(disabled bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		name := pg.NormalizeUserName(r.PathValue("name"))
		if err := s.changeUser(r, p, name, disabled); err != nil {
			return err
		}
		done := "enabled"
		if disabled {
			done = "disabled"
		}
		http.Redirect(w, r, "/admin/users?done="+done, http.StatusSeeOther)
		return nil
	}
}

// POST /admin/tokens/{id}/revoke (audited).
func (s *server) tokenPost(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if _, err := s.revoke(r, p); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users?done=revoked", http.StatusSeeOther)
	return nil
}

// auditView is one audit entry as the page shows it.
type auditView struct {
	pg.AuditRow
	DetailText string
}

// GET /admin/audit?limit=: the newest entries of the audit log.
func (s *server) auditPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rows, err := s.auditRows(r, p, 200)
	if err != nil {
		return err
	}
	out := make([]auditView, len(rows))
	for i, row := range rows {
		out[i].AuditRow = row
		if row.Detail != nil {
			if b, err := json.Marshal(row.Detail); err == nil {
				out[i].DetailText = string(b)
			}
		}
	}
	return s.render(w, r, "admin_audit", out)
}

// exportsView is the exports page's data: the filter as typed, and the
// query string of the download links.
type exportsView struct {
	Countries string
	From, To  string
	Pillars   []pillarChoice
	Query     string
	Downloads []exportLink
	Error     string
	// Scoped is set for focal points: they may export only their
	// countries, which the form shows.
	Scoped []string
}

type pillarChoice struct {
	Code    string
	Checked bool
}

type exportLink struct {
	View  string
	Title string
}

// GET /exports?country=&from=&to=&pillar=: the researchers' downloads with
// the filter form; the links carry the filter.
func (s *server) exportsPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := mayExport(p); err != nil {
		return err
	}
	q := r.URL.Query()
	lang := langOf(r)
	v := exportsView{From: q.Get("from"), To: q.Get("to")}
	if !auth.Can(p, auth.ActExport, "") {
		v.Scoped = p.Countries
	}
	for _, d := range exportsDownloads() {
		v.Downloads = append(v.Downloads, exportLink{View: d, Title: T(lang, "exports.view."+d)})
	}
	f, err := viewFilter(q)
	if err == nil && len(f.Countries) == 0 && len(v.Scoped) > 0 {
		f.Countries = v.Scoped // a focal point's downloads are of their countries
	}
	if err == nil {
		err = allowed(p, auth.ActExport, f.Countries)
	}
	chosen := map[string]bool{}
	for _, c := range f.Pillars {
		chosen[c] = true
	}
	for _, c := range schema.Pillars {
		v.Pillars = append(v.Pillars, pillarChoice{Code: c, Checked: chosen[c]})
	}
	v.Countries = joinComma(f.Countries)
	if err != nil {
		v.Countries = q.Get("country")
		v.Error = errorMessage(err)
		if ae := asAPIError(err); ae != nil && ae.code == eForbidden {
			v.Error = T(lang, "exports.not_yours")
		}
		return s.renderStatus(w, r, codes[errorCode(err)], "exports", v)
	}
	link := url.Values{}
	if len(f.Countries) > 0 {
		link.Set("country", joinComma(f.Countries))
	}
	if f.From != 0 {
		link.Set("from", strconv.Itoa(f.From))
	}
	if f.To != 0 {
		link.Set("to", strconv.Itoa(f.To))
	}
	if len(f.Pillars) > 0 {
		link.Set("pillar", joinComma(f.Pillars))
	}
	if enc := link.Encode(); enc != "" {
		v.Query = "?" + enc
	}
	return s.render(w, r, "exports", v)
}

// exportsDownloads are the views the exports page links, in order.
func exportsDownloads() []string {
	return []string{"casualty_facts", "service_facts", "gap_analysis", "commitment_facts"}
}

func joinComma(s []string) string { return strings.Join(s, ",") }

// GET /exports/dictionary: the data dictionary as a page.
func (s *server) dictionaryPage(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := mayExport(p); err != nil {
		return err
	}
	return s.render(w, r, "dictionary", exports.Downloads())
}
