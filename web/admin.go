package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// The data officers' API: ingestion runs and their reports, the
// needs-manual-entry list, users and tokens, and the audit log.

// limitParam reads limit= (def when absent), at most max.
func limitParam(r *http.Request, def, max int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("limit"))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, errorf(eInvalid, "limit must be a positive number, not %q", v)
	}
	return min(n, max), nil
}

// GET /api/v1/runs?limit=: the latest ingestion runs, newest first.
func (s *server) runs(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := allowed(p, auth.ActViewRuns, nil); err != nil {
		return err
	}
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		return err
	}
	runs, err := s.db.RecentRuns(r.Context(), limit)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []pg.Run{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
	return nil
}

// runFile is one file attempt of a run, as the API shows it.
type runFile struct {
	ID     int64          `json:"id"`
	Path   string         `json:"path"`
	Status string         `json:"status"`
	Format string         `json:"format"`
	Facts  int            `json:"facts"`
	Issues []schema.Issue `json:"issues"`
}

// runAnswer is a run with its files, the reports it stored and the report
// the run wrote (crawl and nightly runs), as stored.
type runAnswer struct {
	Run     pg.Run            `json:"run"`
	Files   []runFile         `json:"files"`
	Reports []pg.ReviewReport `json:"reports"`
	Report  json.RawMessage   `json:"report"`
}

// runDetail loads one run for the API and the pages.
func (s *server) runDetail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	a, err := s.loadRun(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *server) loadRun(r *http.Request, p auth.Principal) (runAnswer, error) {
	var a runAnswer
	if err := allowed(p, auth.ActViewRuns, nil); err != nil {
		return a, err
	}
	id, err := idParam(r)
	if err != nil {
		return a, err
	}
	run, files, err := s.db.RunDetail(r.Context(), id)
	if err != nil {
		return a, fromStore(err)
	}
	a.Run, a.Files = run, []runFile{}
	for _, f := range files {
		is := f.Issues
		if is == nil {
			is = []schema.Issue{}
		}
		a.Files = append(a.Files, runFile{ID: f.ID, Path: f.Path, Status: f.Status, Format: f.Format, Facts: f.Facts, Issues: is})
	}
	if a.Reports, err = s.db.RunReports(r.Context(), id); err != nil {
		return a, err
	}
	if a.Reports == nil {
		a.Reports = []pg.ReviewReport{}
	}
	rep, err := s.db.RunReport(r.Context(), id)
	if err != nil {
		return a, err
	}
	a.Report = json.RawMessage("null")
	if rep != "" {
		a.Report = json.RawMessage(rep)
	}
	return a, nil
}

// GET /api/v1/manual-entry: documents found on the web that no reader
// turns into facts (PDF, Word).
func (s *server) manualEntry(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	docs, err := s.manualEntryDocs(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": docs})
	return nil
}

// The loaders below check p and read what the API and the pages show, so
// the two cannot drift apart. A list comes back empty, never nil (JSON []).

func (s *server) manualEntryDocs(r *http.Request, p auth.Principal) ([]pg.Document, error) {
	if err := allowed(p, auth.ActViewRuns, nil); err != nil {
		return nil, err
	}
	docs, err := s.db.NeedsManualEntry(r.Context())
	if docs == nil {
		docs = []pg.Document{}
	}
	return docs, err
}

// GET /api/v1/users: every user and every token (never a token itself).
func (s *server) users(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	us, ts, err := s.usersAndTokens(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": us, "tokens": ts})
	return nil
}

func (s *server) usersAndTokens(r *http.Request, p auth.Principal) ([]pg.User, []pg.Token, error) {
	if err := allowed(p, auth.ActManageUsers, nil); err != nil {
		return nil, nil, err
	}
	us, err := s.db.ListUsers(r.Context())
	if err != nil {
		return nil, nil, err
	}
	ts, err := s.db.ListTokens(r.Context(), "")
	if err != nil {
		return nil, nil, err
	}
	if us == nil {
		us = []pg.User{}
	}
	if ts == nil {
		ts = []pg.Token{}
	}
	return us, ts, nil
}

// POST /api/v1/users/{name}/disable and …/enable. Audited. An admin cannot
// disable themselves: the last admin would lock everyone out.
func (s *server) setUserDisabled(disabled bool) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		name := pg.NormalizeUserName(r.PathValue("name"))
		if err := s.changeUser(r, p, name, disabled); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"user": name, "disabled": disabled})
		return nil
	}
}

func (s *server) changeUser(r *http.Request, p auth.Principal, name string, disabled bool) error {
	if err := allowed(p, auth.ActManageUsers, nil); err != nil {
		return err
	}
	if disabled && name == pg.NormalizeUserName(p.Name) {
		return errorf(eInvalid, "you cannot disable yourself")
	}
	action, change := "enable_user", s.db.EnableUser
	if disabled {
		action, change = "disable_user", s.db.DisableUser
	}
	if err := change(r.Context(), name); err != nil {
		return fromStore(err)
	}
	return s.db.Audit(r.Context(), pg.AuditEntry{Actor: p.Name, Action: action, Object: "user:" + name, Remote: remoteHost(r)})
}

// POST /api/v1/tokens/{id}/revoke. Audited.
func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	t, err := s.revoke(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": t.ID, "user": t.UserName, "revoked": true})
	return nil
}

func (s *server) revoke(r *http.Request, p auth.Principal) (pg.Token, error) {
	if err := allowed(p, auth.ActManageUsers, nil); err != nil {
		return pg.Token{}, err
	}
	id, err := idParam(r)
	if err != nil {
		return pg.Token{}, err
	}
	t, err := s.db.TokenByID(r.Context(), id)
	if err != nil {
		return t, fromStore(err)
	}
	if err := s.db.RevokeToken(r.Context(), id); err != nil {
		return t, fromStore(err)
	}
	return t, s.db.Audit(r.Context(), pg.AuditEntry{Actor: p.Name, Action: "revoke_token",
		Object: "token:" + strconv.FormatInt(id, 10), Remote: remoteHost(r), Detail: map[string]any{"user": t.UserName}})
}

// GET /api/v1/audit?limit=: the newest entries of the audit log.
func (s *server) auditLog(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	rows, err := s.auditRows(r, p, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": rows})
	return nil
}

// auditRows reads limit= (def when absent, at most 10,000) entries.
func (s *server) auditRows(r *http.Request, p auth.Principal, def int) ([]pg.AuditRow, error) {
	if err := allowed(p, auth.ActManageUsers, nil); err != nil {
		return nil, err
	}
	limit, err := limitParam(r, def, 10000)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.AuditLog(r.Context(), limit)
	if rows == nil {
		rows = []pg.AuditRow{}
	}
	return rows, err
}
