package web

// The focal point's pages and their JSON API twins: the reporting
// template, the upload, the result of an upload and the history.
//
// Authorization of a submission (one rule for pages and API, in
// submissionFor): a role that may see no submission at all (researcher,
// enumerator) gets 403 whatever the id. Otherwise a submission that does
// not exist and one outside the principal's countries get the same 404,
// so a focal point cannot even learn which ids exist elsewhere.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/annotate"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// yearDue is the year a report is due for at t: the last calendar year.
func yearDue(t time.Time) int { return t.UTC().Year() - 1 }

// Bounds of a template's year (as `vahub template`).
const minTemplateYear = 2000

// focalHomePage is the focal point's home page data.
type focalHomePage struct {
	Countries []string
	YearDue   int
	Recent    []pg.Submission
}

// focalHome: the three steps (template, upload, history) and the latest
// submissions.
func (s *server) focalHome(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	scope, err := submissionScope(p, nil)
	if err != nil {
		return err
	}
	recent, err := s.db.Submissions(r.Context(), scope, 5)
	if err != nil {
		return err
	}
	return s.render(w, r, "home_focal_point", focalHomePage{Countries: p.Countries, YearDue: yearDue(s.db.Now()), Recent: recent})
}

// templateRequest is a checked request for a template.
type templateRequest struct {
	Country string // "" for a template without a country
	Year    int
	Lang    string
}

// parseTemplateRequest reads country=, year= and lang= (defaultLang when
// absent) and checks p may have that template: the country must be one p
// may see facts of; a principal with one country gets it by default, one
// with several must choose.
func (s *server) parseTemplateRequest(q url.Values, p auth.Principal, defaultLang string) (templateRequest, error) {
	tr := templateRequest{Year: yearDue(s.db.Now()), Lang: defaultLang}
	if !canAtAll(p, auth.ActViewFacts) {
		return tr, errorT(eForbidden, "template.not_yours", p.Role)
	}
	cs, err := countriesParam(q)
	if err != nil {
		return tr, errorT(eInvalid, "template.bad_country", clipRunes(q.Get("country"), 40))
	}
	switch {
	case len(cs) > 1:
		return tr, errorT(eInvalid, "template.one_country")
	case len(cs) == 1:
		tr.Country = cs[0]
		if !auth.Can(p, auth.ActViewFacts, tr.Country) {
			return tr, errorT(eForbidden, "template.outside", tr.Country, strings.Join(p.Countries, ","))
		}
	case !auth.Can(p, auth.ActViewFacts, ""):
		// A scoped principal: their one country, or a choice.
		if len(p.Countries) != 1 {
			return tr, errorT(eInvalid, "template.choose")
		}
		tr.Country = p.Countries[0]
	}
	if v := strings.TrimSpace(q.Get("year")); v != "" {
		y, err := strconv.Atoi(v)
		maxYear := s.db.Now().UTC().Year() + 1
		if err != nil || y < minTemplateYear || y > maxYear {
			return tr, errorT(eInvalid, "template.bad_year", minTemplateYear, maxYear)
		}
		tr.Year = y
	}
	if v := q.Get("lang"); v != "" {
		if !validLang(v) {
			return tr, errorT(eInvalid, "template.bad_lang")
		}
		tr.Lang = v
	}
	return tr, nil
}

// writeTemplate answers the template workbook. It is small: built in
// memory, so a failure is still a clean error.
func (s *server) writeTemplate(w http.ResponseWriter, tr templateRequest) error {
	var buf bytes.Buffer
	if err := exports.WriteTemplate(&buf, exports.TemplateOptions{Lang: tr.Lang, Country: tr.Country, Year: tr.Year}); err != nil {
		return err
	}
	name := fmt.Sprintf("vahub-template-%d-%s.xlsx", tr.Year, tr.Lang)
	if tr.Country != "" {
		name = fmt.Sprintf("vahub-template-%s-%d-%s.xlsx", tr.Country, tr.Year, tr.Lang)
	}
	return writeXLSX(w, name, &buf)
}

// writeXLSX answers a workbook built in memory as the download name.
func writeXLSX(w http.ResponseWriter, name string, buf *bytes.Buffer) error {
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err := buf.WriteTo(w)
	return err
}

// GET /api/v1/template.xlsx?country=&year=&lang=: the reporting template.
func (s *server) apiTemplate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	tr, err := s.parseTemplateRequest(r.URL.Query(), p, "en")
	if err != nil {
		return err
	}
	return s.writeTemplate(w, tr)
}

// GET /template.xlsx?country=&year=&lang=: the same for the page, in the
// page's language by default; a refusal is shown on the template page.
func (s *server) pageTemplateDownload(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	tr, err := s.parseTemplateRequest(r.URL.Query(), p, langOf(r))
	if err != nil {
		if errorCode(err) == eInvalid {
			return s.renderTemplateForm(w, r, p, codes[eInvalid], pageMessage(langOf(r), err))
		}
		return err
	}
	return s.writeTemplate(w, tr)
}

// templateForm is the template page's data.
type templateForm struct {
	Countries  []string // the choice; empty: any country may be typed
	AnyAllowed bool     // a template without a country may be had
	Years      []int
	YearDue    int
	Langs      []langLink
	Error      string
}

// GET /template: choose country, year and language.
func (s *server) pageTemplate(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	return s.renderTemplateForm(w, r, p, http.StatusOK, "")
}

func (s *server) renderTemplateForm(w http.ResponseWriter, r *http.Request, p auth.Principal, status int, msg string) error {
	if !canAtAll(p, auth.ActViewFacts) {
		return errorT(eForbidden, "template.not_yours", p.Role)
	}
	due := yearDue(s.db.Now())
	f := templateForm{YearDue: due, Error: msg, AnyAllowed: auth.Can(p, auth.ActViewFacts, "")}
	if !f.AnyAllowed {
		f.Countries = p.Countries
	}
	for y := due + 1; y >= due-10; y-- {
		f.Years = append(f.Years, y)
	}
	lang := langOf(r)
	for _, l := range pageLangs {
		f.Langs = append(f.Langs, langLink{Code: l, Name: langNames[l], Current: l == lang})
	}
	return s.renderStatus(w, r, status, "template", f)
}

// uploadForm is the upload page's data.
type uploadForm struct {
	MaxUpload string
	Error     string
}

// GET /upload: the form.
func (s *server) pageUploadForm(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActUpload) {
		return errorT(eForbidden, "upload.role", p.Role)
	}
	return s.render(w, r, "upload", uploadForm{MaxUpload: sizeText(s.opts.MaxUpload)})
}

// POST /upload: the same checks and ingestion as POST /api/v1/uploads
// (acceptUpload); then the result page. A refused file (too large, not a
// spreadsheet, another country's) is shown on the form with its status.
func (s *server) pageUpload(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	up, err := s.acceptUpload(w, r, p, "web", langOf(r))
	if err != nil {
		code := errorCode(err)
		if code == eInternal || isCanceled(r, err) {
			return err
		}
		if code == eTooLarge {
			// The rest of the body is not read: the browser must not
			// reuse this connection.
			w.Header().Set("Connection", "close")
		}
		return s.renderStatus(w, r, codes[code], "upload", uploadForm{MaxUpload: sizeText(s.opts.MaxUpload), Error: pageMessage(langOf(r), err)})
	}
	http.Redirect(w, r, fmt.Sprintf("/submissions/%d", up.submission), http.StatusSeeOther)
	return nil
}

// submissionScope is what p may list; countries, when given, narrow it
// (and must all be p's).
func submissionScope(p auth.Principal, countries []string) (pg.SubmissionScope, error) {
	if err := maySeeSubmissions(p); err != nil {
		return pg.SubmissionScope{}, err
	}
	if len(countries) > 0 {
		if err := allowed(p, auth.ActViewSubmissions, countries); err != nil {
			return pg.SubmissionScope{}, err
		}
		return pg.SubmissionScope{Countries: countries}, nil
	}
	if auth.Can(p, auth.ActViewSubmissions, "") {
		return pg.SubmissionScope{All: true}, nil
	}
	var own []string
	for _, c := range p.Countries {
		if auth.Can(p, auth.ActViewSubmissions, c) {
			own = append(own, c)
		}
	}
	return pg.SubmissionScope{Countries: own, User: p.Name}, nil
}

// maySeeSubmissions refuses a role that may see no submission at all.
func maySeeSubmissions(p auth.Principal) error {
	if !canAtAll(p, auth.ActViewSubmissions) {
		return errorf(eForbidden, "the %s role may not see submissions", p.Role)
	}
	return nil
}

// canSeeSubmission: the submission's country is one p may see submissions
// of; one of unknown country only its uploader (and unscoped roles).
func canSeeSubmission(p auth.Principal, sub pg.Submission) bool {
	if sub.Country != nil {
		return auth.Can(p, auth.ActViewSubmissions, *sub.Country)
	}
	return auth.Can(p, auth.ActViewSubmissions, "") || (sub.UploadedBy == p.Name && canAtAll(p, auth.ActViewSubmissions))
}

// submissionFor loads submission idText for p: 403 for a role that may see
// none, 404 for one that does not exist or is not p's to see.
func (s *server) submissionFor(ctx context.Context, p auth.Principal, idText string) (pg.Submission, error) {
	if err := maySeeSubmissions(p); err != nil {
		return pg.Submission{}, err
	}
	notFound := errorf(eNotFound, "no such submission")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return pg.Submission{}, notFound
	}
	sub, err := s.db.SubmissionByID(ctx, id)
	if err != nil {
		if errors.Is(err, pg.ErrNotFound) {
			return sub, notFound
		}
		return sub, err
	}
	if !canSeeSubmission(p, sub) {
		return pg.Submission{}, notFound
	}
	return sub, nil
}

// submissionDetail is a submission with what it yielded.
type submissionDetail struct {
	Submission pg.Submission   `json:"submission"`
	Tables     []pg.TableFacts `json:"tables"`
	Issues     []schema.Issue  `json:"issues"`
	Annotated  string          `json:"annotated_url,omitempty"`
}

func (s *server) submissionDetail(ctx context.Context, sub pg.Submission, annotatedBase string) (submissionDetail, error) {
	d := submissionDetail{Submission: sub}
	var err error
	if d.Tables, err = s.db.SubmissionTables(ctx, sub); err != nil {
		return d, err
	}
	if d.Issues, err = s.submissionIssues(ctx, sub); err != nil {
		return d, err
	}
	if sub.FileID != nil {
		d.Annotated = fmt.Sprintf("%s/%d/annotated.xlsx", annotatedBase, sub.ID)
	}
	return d, nil
}

// submissionIssues are sub's stored issues as the focal point may see them:
// without the upload folder's path.
func (s *server) submissionIssues(ctx context.Context, sub pg.Submission) ([]schema.Issue, error) {
	issues, err := s.db.SubmissionIssues(ctx, sub)
	for i := range issues {
		issues[i].Message = tempPath.ReplaceAllString(issues[i].Message, "")
	}
	return issues, err
}

// tempPath is the upload folder ingest may name in a message (a draft
// mapping file's path); the focal point never saw it.
var tempPath = regexp.MustCompile(`(?:[A-Za-z]:)?[^\s"'«]*vahub-upload-[0-9]+[/\\]`)

// GET /api/v1/submissions?country=: the submissions p may see, newest
// first (no country: all of them).
func (s *server) apiSubmissions(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	_, subs, err := s.listSubmissions(r, p, 0)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"submissions": subs})
	return nil
}

// listSubmissions reads country= and lists, newest first, at most limit (0:
// all) of the submissions p may see there, for the API and the history
// page; empty, never nil.
func (s *server) listSubmissions(r *http.Request, p auth.Principal, limit int) (pg.SubmissionScope, []pg.Submission, error) {
	cs, err := countriesParam(r.URL.Query())
	if err != nil {
		return pg.SubmissionScope{}, nil, err
	}
	scope, err := submissionScope(p, cs)
	if err != nil {
		return scope, nil, err
	}
	subs, err := s.db.Submissions(r.Context(), scope, limit)
	if subs == nil {
		subs = []pg.Submission{}
	}
	return scope, subs, err
}

// GET /api/v1/submissions/{id}: one submission, its accepted figures per
// table and sheet, and its issues.
func (s *server) apiSubmission(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	sub, err := s.submissionFor(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.submissionDetail(r.Context(), sub, "/api/v1/submissions")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// GET /api/v1/submissions/{id}/annotated.xlsx
func (s *server) apiAnnotated(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	sub, err := s.submissionFor(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeAnnotated(w, r, sub, "en")
}

// submissionsPage is the history page's data.
type submissionsPage struct {
	Countries   []string
	All         bool
	Submissions []pg.Submission
}

// GET /submissions: the history.
func (s *server) pageSubmissions(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	scope, subs, err := s.listSubmissions(r, p, 200)
	if err != nil {
		return err
	}
	return s.render(w, r, "submissions", submissionsPage{Countries: scope.Countries, All: scope.All, Submissions: subs})
}

// GET /submissions/{id}: the result of an upload.
func (s *server) pageSubmission(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	sub, err := s.submissionFor(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := s.submissionDetail(r.Context(), sub, "/submissions")
	if err != nil {
		return err
	}
	return s.render(w, r, "submission", d)
}

// GET /submissions/{id}/annotated.xlsx
func (s *server) pageAnnotated(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	sub, err := s.submissionFor(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeAnnotated(w, r, sub, langOf(r))
}

// writeAnnotated answers the submitted workbook with its problems marked,
// made from the stored original bytes and the stored issues. Its labels
// are in the language of the feedback (the workbook's), else fallback.
func (s *server) writeAnnotated(w http.ResponseWriter, r *http.Request, sub pg.Submission, fallback string) error {
	if sub.FileID == nil {
		return errorf(eNotFound, "vahub kept no copy of this file (it was refused before it was read)")
	}
	ctx := r.Context()
	issues, err := s.submissionIssues(ctx, sub)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(s.opts.TempDir, "vahub-annotate-*")
	if err != nil {
		return fmt.Errorf("web: annotate folder: %w", err)
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "original")
	f, err := os.OpenFile(src, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("web: annotate: %w", err)
	}
	err = s.db.WriteInputFile(ctx, *sub.FileID, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("web: annotate: %w", cerr)
	}
	if err != nil {
		return err
	}
	lang := sub.Language
	if lang == "" {
		lang = fallback
	}
	var buf bytes.Buffer
	if err := annotate.Write(ctx, src, issues, lang, &buf); err != nil {
		return err
	}
	base := strings.TrimSuffix(sub.FileName, filepath.Ext(sub.FileName))
	return writeXLSX(w, base+"-annotated.xlsx", &buf)
}

// statusKeys are the statuses the pages word (status.*).
var statusKeys = []string{
	pg.SubmissionSubmitted, pg.SubmissionApproved, pg.SubmissionReturned, pg.SubmissionSuperseded, pg.SubmissionRejected,
	pg.FileIngested, pg.FileDuplicate,
}

// statusKnown reports whether a status has a message.
func statusKnown(st string) bool { return slices.Contains(statusKeys, st) }
