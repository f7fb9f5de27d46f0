package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

// The review API: the admins' queue of focal points' submissions, each
// with its issues and its differences from the previous approved report,
// and the decision (approve, or return with a note).

// registerReviewAPI adds the review, download and administration routes.
func (s *server) registerReviewAPI(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/reviews", s.api(s.reviewQueue))
	mux.Handle("GET /api/v1/reviews/{id}", s.api(s.reviewDetail))
	mux.Handle("POST /api/v1/reviews/{id}/approve", s.api(s.reviewDecide(pg.DecisionApproved)))
	mux.Handle("POST /api/v1/reviews/{id}/return", s.api(s.reviewDecide(pg.DecisionReturned)))
	mux.Handle("GET /api/v1/exports/{file}", s.api(s.viewExport))
	mux.Handle("GET /api/v1/dictionary", s.api(s.dictionaryJSON))
	mux.Handle("GET /api/v1/dictionary.csv", s.api(s.dictionaryCSV))
	mux.Handle("GET /api/v1/runs", s.api(s.runs))
	mux.Handle("GET /api/v1/runs/{id}", s.api(s.runDetail))
	mux.Handle("GET /api/v1/manual-entry", s.api(s.manualEntry))
	mux.Handle("GET /api/v1/users", s.api(s.users))
	mux.Handle("POST /api/v1/users/{name}/disable", s.api(s.setUserDisabled(true)))
	mux.Handle("POST /api/v1/users/{name}/enable", s.api(s.setUserDisabled(false)))
	mux.Handle("POST /api/v1/tokens/{id}/revoke", s.api(s.revokeToken))
	mux.Handle("GET /api/v1/audit", s.api(s.auditLog))
}

// GET /api/v1/reviews: the submitted reports, oldest first.
func (s *server) reviewQueue(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q, err := s.reviewQueueFor(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"reports": q})
	return nil
}

// reviewQueueFor is the queue for the API and the page: empty, never nil.
func (s *server) reviewQueueFor(r *http.Request, p auth.Principal) ([]pg.ReviewReport, error) {
	if err := allowed(p, auth.ActApprove, nil); err != nil {
		return nil, err
	}
	q, err := s.db.ReviewQueue(r.Context())
	if q == nil {
		q = []pg.ReviewReport{}
	}
	return q, err
}

// idParam reads a numeric path id; anything else is no such object.
func idParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(eNotFound, "no such object")
	}
	return id, nil
}

// reviewable checks p may review at all (before the id is looked up, so a
// refused role learns nothing of which ids exist), then for the report's
// country.
func (s *server) reviewable(r *http.Request, p auth.Principal) (pg.ReviewReport, error) {
	if !canAtAll(p, auth.ActApprove) {
		return pg.ReviewReport{}, errorf(eForbidden, "the %s role may not review submissions", p.Role)
	}
	id, err := idParam(r)
	if err != nil {
		return pg.ReviewReport{}, err
	}
	sub, err := s.db.ReviewReport(r.Context(), id)
	if err != nil {
		return sub, fromStore(err)
	}
	return sub, allowed(p, auth.ActApprove, []string{sub.Country})
}

// GET /api/v1/reviews/{id}: the report, its issues and its differences
// from the previous approved report for the same country and year.
func (s *server) reviewDetail(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	d, err := s.reviewDiff(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// reviewDiff loads the report p may review with its differences, for the
// API and the review page.
func (s *server) reviewDiff(r *http.Request, p auth.Principal) (pg.ReviewDiff, error) {
	sub, err := s.reviewable(r, p)
	if err != nil {
		return pg.ReviewDiff{}, err
	}
	d, err := s.db.DiffReview(r.Context(), sub.ID)
	if err != nil {
		return d, fromStore(err)
	}
	return d, nil
}

// maxDecisionBody bounds a decision's body: a note, not a file.
const maxDecisionBody = 64 << 10

// POST /api/v1/reviews/{id}/approve and …/return: {"note": "…"} as JSON
// (or a form field note). A return needs a note. 409 when the report is no
// longer waiting for review. Every decision, refused ones included, is
// audited.
func (s *server) reviewDecide(decision string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
		sub, err := s.reviewable(r, p)
		if err != nil {
			return err
		}
		note, err := decisionNote(w, r)
		if err != nil {
			return err
		}
		res, err := s.decide(r, p, sub, decision, note)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	}
}

// decide records a decision; a refused one is audited here (a taken one is
// audited by the store, in its transaction).
func (s *server) decide(r *http.Request, p auth.Principal, sub pg.ReviewReport, decision, note string) (pg.ReviewResult, error) {
	d := pg.Decision{Reviewer: p.Name, Note: note, Remote: remoteHost(r)}
	var res pg.ReviewResult
	var err error
	if decision == pg.DecisionApproved {
		res, err = s.db.ApproveReport(r.Context(), sub.ID, d)
	} else {
		res, err = s.db.ReturnReport(r.Context(), sub.ID, d)
	}
	if err == nil {
		return res, nil
	}
	err = fromStore(err)
	if code := errorCode(err); code != eInternal {
		action := "approve_report"
		if decision == pg.DecisionReturned {
			action = "return_report"
		}
		if aerr := s.db.Audit(r.Context(), pg.AuditEntry{
			Actor: p.Name, Action: action, Object: "report:" + strconv.FormatInt(sub.ID, 10),
			FileSHA256: sub.FileSHA256, Remote: remoteHost(r),
			Detail: map[string]any{"refused": code, "http_status": codes[code], "status": sub.Status},
		}); aerr != nil {
			s.log.Error("audit", "err", aerr)
		}
	}
	return res, err
}

// decisionNote reads the note of a decision from a JSON body or a form.
func decisionNote(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxDecisionBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := r.ParseMultipartForm(maxDecisionBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return "", noteError(err, "the form is malformed")
		}
		return r.PostFormValue("note"), nil
	}
	var body struct {
		Note string `json:"note"`
	}
	err := json.NewDecoder(r.Body).Decode(&body)
	if errors.Is(err, io.EOF) {
		return "", nil // no body: no note
	}
	if err != nil {
		return "", noteError(err, `send the note as JSON: {"note": "…"}`)
	}
	return body.Note, nil
}

func noteError(err error, msg string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errorf(eTooLarge, "the request is over %s: a note must be shorter", sizeText(mb.Limit))
	}
	return errorf(eInvalid, "%s", msg)
}
