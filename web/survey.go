package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/vahub/vahub/ingest/submission"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/survey"
	"github.com/vahub/vahub/web/auth"
)

// maxSurveyJSON caps a JSON submission. The standard form's answers take
// under 2 KiB; anything much bigger is not an interview.
const maxSurveyJSON = 64 << 10

// surveyAnswer is the submission API's answer to a stored submission.
type surveyAnswer struct {
	ID         int64  `json:"id"`
	InstanceID string `json:"instance_id"`
	Status     string `json:"status"` // created, duplicate
}

// invalidAnswer is the 422: what is wrong with each answer.
type invalidAnswer struct {
	Error  string            `json:"error"`
	Fields submission.Errors `json:"fields"`
}

// checkForm: the form in the URL must be vahub's survey.
func checkForm(r *http.Request) error {
	if f := r.PathValue("form"); f != survey.FormID {
		return errorf(eNotFound, "no form %q here: vahub's survey is %s", f, survey.FormID)
	}
	return nil
}

// POST /api/v1/surveys/{form}/submissions (application/json): one interview
// from an enumerator's (or an admin's) client. 201 for a new record, 200
// for a retry with the same answers (the same id), 409 for the same
// instance id with other answers, 422 with every field's error.
func (s *server) submitSurvey(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := checkForm(r); err != nil {
		return err
	}
	if !canAtAll(p, auth.ActSubmitSurvey) {
		return errorf(eForbidden, "the %s role may not submit surveys", p.Role)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errorf(eUnsupported, "send the submission as Content-Type: application/json")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSurveyJSON)
	env, err := submission.DecodeJSON(r.Body)
	if err != nil {
		return submissionBodyError(err, maxSurveyJSON)
	}
	rec, err := env.Record(survey.Standard(), submission.Options{
		Now: s.db.Now(), Source: survey.SourceAPI, DefaultCountry: onlyCountry(p)})
	var fe submission.Errors
	switch {
	case errors.As(err, &fe):
		writeJSON(w, http.StatusUnprocessableEntity, invalidAnswer{
			Error: fmt.Sprintf("%d answers do not fit the form %s", len(fe), survey.FormID), Fields: fe})
		return nil
	case errors.Is(err, submission.ErrUnknownForm):
		return errorf(eInvalid, "form_id %q is not the form of this URL (%s)", env.FormID, survey.FormID)
	case err != nil:
		return err
	}
	id, created, err := s.storeSurvey(r, p, rec)
	if err != nil {
		return err
	}
	a := surveyAnswer{ID: id, InstanceID: rec.InstanceID, Status: "duplicate"}
	status := http.StatusOK
	if created {
		a.Status, status = "created", http.StatusCreated
	}
	writeJSON(w, status, a)
	return nil
}

// onlyCountry is the country a refusal without one is counted in: the
// principal's, when they have exactly one.
func onlyCountry(p auth.Principal) string {
	if len(p.Countries) == 1 {
		return p.Countries[0]
	}
	return ""
}

// submissionBodyError answers a body that could not be read as a
// submission.
func submissionBodyError(err error, limit int64) error {
	var de *submission.DecodeError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &de):
		return errorf(eInvalid, "%s", de.Error())
	case errors.As(err, &mb):
		return errorf(eTooLarge, "the submission is over the limit of %s", sizeText(limit))
	case errors.Is(err, context.Canceled), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(eInvalid, "the body was cut short")
	}
	return err
}

// storeSurvey checks that p may submit rec (its country, and the country of
// the version an edit replaces), stores it and audits the write. The
// answers are never logged or audited: only ids, country and outcome.
func (s *server) storeSurvey(r *http.Request, p auth.Principal, rec survey.Record) (id int64, created bool, err error) {
	ctx := r.Context()
	if !auth.Can(p, auth.ActSubmitSurvey, rec.Country) {
		return 0, false, errorf(eForbidden, "country %s is outside your countries (%s)", rec.Country, strings.Join(p.Countries, ","))
	}
	if rec.DeprecatedID != "" {
		v, err := s.db.SurveyCurrentVersion(ctx, rec.DeprecatedID)
		switch {
		case errors.Is(err, pg.ErrNotFound):
			// An edit of an instance vahub never got: stored as new.
		case err != nil:
			return 0, false, err
		case !auth.Can(p, auth.ActSubmitSurvey, v.Country):
			return 0, false, errorf(eForbidden, "the submission it replaces (%s) is of %s, outside your countries", rec.DeprecatedID, v.Country)
		case v.InstanceID != rec.DeprecatedID && v.InstanceID != rec.InstanceID:
			// Two edits of one version would leave two versions in force
			// (ODK Central refuses the same way).
			return 0, false, errorf(eConflict, "%s was already replaced by %s: edit that version", rec.DeprecatedID, v.InstanceID)
		case v.InstanceID == rec.InstanceID:
			// This edit is already in force: a resend, which is a duplicate
			// with the same answers and a conflict with others, as any
			// resend is.
			rec.DeprecatedID = ""
		}
	}
	id, created, err = s.db.StoreSubmission(ctx, rec, p.Name)
	outcome := "duplicate"
	switch {
	case errors.Is(err, pg.ErrSurveyConflict):
		outcome = "conflict"
		err = errorf(eConflict, "instance %s was already submitted with different answers; an edit needs a new instance id and deprecated_id naming this one", rec.InstanceID)
	case err != nil:
		return 0, false, err
	case created:
		outcome = "created"
	}
	if outcome != "duplicate" {
		detail := map[string]any{"instance_id": rec.InstanceID, "country": rec.Country, "year": rec.Year,
			"source": rec.Source, "outcome": outcome, "consent": rec.Consent}
		if rec.DeprecatedID != "" {
			detail["deprecated_id"] = rec.DeprecatedID
		}
		object := ""
		if id != 0 {
			object = "survey_record:" + strconv.FormatInt(id, 10)
		}
		if aerr := s.db.Audit(ctx, pg.AuditEntry{Actor: p.Name, Action: "survey_submit", Object: object,
			Remote: remoteHost(r), Detail: detail}); aerr != nil {
			if err == nil {
				// The record is stored; its audit line is not: say so loudly
				// but do not make the client resend what it already sent.
				s.log.Error("audit survey submission", "record", id, "err", aerr)
			} else {
				s.log.Error("audit survey conflict", "err", aerr)
			}
		}
	}
	return id, created, err
}

// surveyRecords is the answer of the record listing.
type surveyRecords struct {
	Records []pg.SurveyRecordRow `json:"records"`
	// NextAfter is the after= of the next page; absent on the last one.
	NextAfter int64 `json:"next_after,omitempty"`
}

// GET /api/v1/surveys/{form}/submissions?country=&year=&after=&limit=: the
// current records, individual answers included. Admins see every country;
// enumerators only their own (and must say which); nobody else sees
// individual records. Every read is audited.
func (s *server) listSurveys(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if err := checkForm(r); err != nil {
		return err
	}
	q := r.URL.Query()
	cs, err := countriesParam(q)
	if err != nil {
		return err
	}
	if err := allowed(p, auth.ActViewSurveys, cs); err != nil {
		return err
	}
	year, err := yearParam(q, "year")
	if err != nil {
		return err
	}
	f := pg.SurveyRecordFilter{Countries: cs, Year: year, Limit: pg.MaxSurveyRecords}
	if v := q.Get("after"); v != "" {
		if f.AfterID, err = strconv.ParseInt(v, 10, 64); err != nil || f.AfterID < 0 {
			return errorf(eInvalid, "after must be a record id (the next_after of the previous page), not %q", v)
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > pg.MaxSurveyRecords {
			return errorf(eInvalid, "limit must be 1 to %d, not %q", pg.MaxSurveyRecords, v)
		}
	}
	rows, err := s.db.SurveyRecords(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.db.Audit(r.Context(), pg.AuditEntry{Actor: p.Name, Action: "survey_read", Remote: remoteHost(r),
		Detail: map[string]any{"countries": cs, "year": year, "after": f.AfterID, "records": len(rows)}}); err != nil {
		return err // no unaudited reads of personal data
	}
	out := surveyRecords{Records: rows}
	if len(rows) == f.Limit {
		out.NextAfter = rows[len(rows)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
