package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
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
	"github.com/vahub/vahub/schema/survey/xform"
	"github.com/vahub/vahub/web/auth"
)

// OpenRosa limits. The standard form has no media questions, so
// attachments are read and dropped (never stored: a photo may show a
// face); the cap still bounds what a client may make vahub read.
const (
	// maxOpenRosaBody is the X-OpenRosa-Accept-Content-Length: Collect
	// splits bigger submissions into several POSTs.
	maxOpenRosaBody = 10 << 20
	maxInstanceXML  = 1 << 20
	openRosaNS      = "http://openrosa.org/http/response"
)

// openRosaHandler serves an OpenRosa route for an authenticated principal.
type openRosaHandler func(w http.ResponseWriter, r *http.Request, p auth.Principal) error

// openRosa wraps an OpenRosa route: the protocol's headers on every answer,
// ODK Collect's ways of authenticating, and errors as OpenRosa responses
// (Collect shows their message to the enumerator).
func (s *server) openRosa(h openRosaHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-OpenRosa-Version", "1.0")
		w.Header().Set("X-OpenRosa-Accept-Content-Length", strconv.Itoa(maxOpenRosaBody))
		p, err := s.openRosaPrincipal(r)
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			s.openRosaError(w, r, err)
		}
	})
}

// openRosaPrincipal authenticates an OpenRosa request by, in this order: the
// token in the URL (/key/{token}/submission, as ODK Central's app users
// do, since Collect cannot send a bearer header), a bearer token, or HTTP
// Basic with the user's name and an API token as the password.
func (s *server) openRosaPrincipal(r *http.Request) (auth.Principal, error) {
	if tok := r.PathValue("token"); tok != "" {
		return s.tokenPrincipal(r.Context(), tok, "")
	}
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case h == "":
		return auth.Principal{}, errorf(eUnauthorized, "sign in with your vahub user name and an API token as the password, or use the server URL with /key/TOKEN")
	case strings.EqualFold(scheme, "Bearer"):
		return s.tokenPrincipal(r.Context(), cred, "")
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return auth.Principal{}, errorf(eUnauthorized, "malformed Basic credentials")
		}
		user, tok, _ := strings.Cut(string(raw), ":")
		return s.tokenPrincipal(r.Context(), tok, user)
	}
	return auth.Principal{}, errorf(eUnauthorized, "unsupported authorization scheme: use Basic (user name and API token) or Bearer")
}

// tokenPrincipal finds the user of an API token; when user is given (HTTP
// Basic), it must be the token's user. Tokens are looked up by hash and
// never logged.
func (s *server) tokenPrincipal(ctx context.Context, token, user string) (auth.Principal, error) {
	refused := errorf(eUnauthorized, "the user name or token is unknown or revoked, or the user is disabled")
	if !auth.LooksLikeToken(token) {
		return auth.Principal{}, refused
	}
	u, err := s.db.UserByTokenHash(ctx, auth.HashToken(token))
	if errors.Is(err, pg.ErrNotFound) {
		return auth.Principal{}, refused
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("web: look up token: %w", err)
	}
	if user != "" && !strings.EqualFold(strings.TrimSpace(user), u.Name) {
		return auth.Principal{}, refused
	}
	return auth.Principal{Name: u.Name, Role: u.Role, Countries: u.Countries}, nil
}

// openRosaError answers err as an OpenRosa response with the status of the
// codes table.
func (s *server) openRosaError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	msg := ""
	var fe submission.Errors
	code := errorCode(err)
	switch {
	case errors.As(err, &fe):
		code = eInvalidData
		var b strings.Builder
		fmt.Fprintf(&b, "The answers do not fit the form %s:", survey.FormID)
		for _, f := range fe {
			fmt.Fprintf(&b, " %s: %s", f.Field, f.Message)
			if len(f.Expected) > 0 {
				fmt.Fprintf(&b, " (expected %s)", strings.Join(f.Expected, ", "))
			}
			b.WriteString(";")
		}
		msg = strings.TrimSuffix(b.String(), ";")
	case code == eTooLarge:
		msg = fmt.Sprintf("the submission is over the limit of %s", sizeText(maxOpenRosaBody))
	default:
		msg = errorMessage(err)
	}
	if code == eInternal {
		s.log.Error("internal error", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
	if code == eUnauthorized {
		// Collect answers the Basic challenge with the user name and
		// password of its server settings; API clients use Bearer.
		w.Header().Set("WWW-Authenticate", `Bearer realm="vahub"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="vahub", charset="UTF-8"`)
	}
	writeOpenRosa(w, r, codes[code], "error", msg)
}

// writeOpenRosa answers an OpenRosa response envelope with one message.
func writeOpenRosa(w http.ResponseWriter, r *http.Request, status int, nature, msg string) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<OpenRosaResponse xmlns="%s" items="0"><message nature="%s">`, openRosaNS, nature)
	_ = xml.EscapeText(&b, []byte(msg))
	b.WriteString("</message></OpenRosaResponse>\n")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b.Bytes())
	}
}

// HEAD /submission: Collect's preflight. 204 tells it the credentials work
// and how big a POST may be.
func (s *server) openRosaHead(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActSubmitSurvey) {
		return errorf(eForbidden, "the %s role may not submit surveys", p.Role)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// POST /submission (multipart/form-data, part xml_submission_file): one
// instance of vahub's form from ODK Collect or Enketo. 201 when stored,
// and 201 again for a resend of the same answers (Collect resends when it
// missed the answer, and with each batch of attachments: only an answer in
// 201/202 marks the form sent); 409 for the same instance id with other
// answers; 422 when the answers do not fit the form.
func (s *server) openRosaSubmit(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActSubmitSurvey) {
		return errorf(eForbidden, "the %s role may not submit surveys", p.Role)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return errorf(eUnsupported, "send the submission as multipart/form-data with the part xml_submission_file")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOpenRosaBody)
	mr, err := r.MultipartReader()
	if err != nil {
		return errorf(eInvalid, "send the submission as multipart/form-data with the part xml_submission_file")
	}
	var instance []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return submissionBodyError(err, maxOpenRosaBody)
		}
		if part.FormName() != "xml_submission_file" {
			// Attachments (and Collect's *isIncomplete* flag): read, never kept.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return submissionBodyError(err, maxOpenRosaBody)
			}
			continue
		}
		if instance != nil {
			return errorf(eInvalid, "send one xml_submission_file per request")
		}
		instance, err = io.ReadAll(io.LimitReader(part, maxInstanceXML+1))
		if err != nil {
			return submissionBodyError(err, maxOpenRosaBody)
		}
		if len(instance) > maxInstanceXML {
			return errorf(eTooLarge, "the xml_submission_file is over the limit of %s", sizeText(maxInstanceXML))
		}
	}
	if len(instance) == 0 {
		return errorf(eInvalid, "no xml_submission_file in the submission")
	}
	env, err := submission.DecodeXML(bytes.NewReader(instance), survey.FormID)
	switch {
	case errors.Is(err, submission.ErrUnknownForm):
		return errorf(eNotFound, "this server takes only the form %s, not %q", survey.FormID, env.FormID)
	case err != nil:
		return submissionBodyError(err, maxInstanceXML)
	}
	rec, err := env.Record(survey.Standard(), submission.Options{
		Now: s.db.Now(), Source: survey.SourceOpenRosa, DefaultCountry: onlyCountry(p)})
	if err != nil {
		return err
	}
	_, created, err := s.storeSurvey(r, p, rec)
	if err != nil {
		return err
	}
	msg := "Submission received. Thank you."
	if !created {
		msg = "This submission was already received."
	}
	writeOpenRosa(w, r, http.StatusCreated, "submit_success", msg)
	return nil
}

// redactPath is a request path as logs may show it: the segment after
// "key" (the /key/{token}/… URLs) and anything shaped like a token are
// replaced, wherever they sit (a client may send //key/… or a mistyped
// prefix), since access logs are read by more people than tokens should be.
func redactPath(p string) string {
	if !strings.Contains(p, "/") {
		return p
	}
	segs := strings.Split(p, "/")
	changed := false
	for i, seg := range segs {
		if seg != "" && ((i > 0 && strings.EqualFold(segs[i-1], "key")) || auth.LooksLikeToken(seg)) {
			segs[i], changed = "REDACTED", true
		}
	}
	if !changed {
		return p
	}
	return strings.Join(segs, "/")
}

// GET /formList: the OpenRosa form list, the one form enumerators may
// download into ODK Collect.
func (s *server) openRosaFormList(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActSubmitSurvey) {
		return errorf(eForbidden, "the %s role may not submit surveys", p.Role)
	}
	f := survey.Standard()
	doc, err := xform.Write(f)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<xforms xmlns="http://openrosa.org/xforms/xformsList">` + "\n<xform>")
	for _, el := range [][2]string{{"formID", f.ID}, {"name", f.Title.EN}, {"version", f.Version}, {"hash", xform.Hash(doc)},
		{"downloadUrl", baseURL(r) + "/forms/" + f.ID + ".xml"}} {
		b.WriteString("<" + el[0] + ">")
		_ = xml.EscapeText(&b, []byte(el[1]))
		b.WriteString("</" + el[0] + ">")
	}
	b.WriteString("</xform>\n</xforms>\n")
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
	return nil
}

// GET /forms/vahub_va_needs.xml: the XForm of the standard survey.
func (s *server) openRosaForm(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	if !canAtAll(p, auth.ActSubmitSurvey) {
		return errorf(eForbidden, "the %s role may not submit surveys", p.Role)
	}
	f := survey.Standard()
	if r.PathValue("file") != f.ID+".xml" {
		return errorf(eNotFound, "no such form: vahub serves %s.xml", f.ID)
	}
	doc, err := xform.Write(f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+f.ID+`.xml"`)
	_, _ = w.Write(doc)
	return nil
}

// baseURL is where the client reached the OpenRosa routes, the /key/{token}
// prefix included, so that the form list's download links work the same
// way. The scheme is https behind a proxy that says so.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	u := scheme + "://" + r.Host
	if tok := r.PathValue("token"); tok != "" {
		u += "/key/" + tok
	}
	return u
}
