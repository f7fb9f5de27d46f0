package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vahub/vahub/schema/pg"
)

// Error codes of the API. Every error a handler returns maps to exactly one
// status through the codes table (wtf's http.Error); anything else is an
// internal error, logged once here and answered without detail.
const (
	eInvalid      = "invalid"      // a malformed query or form
	eUnauthorized = "unauthorized" // no token, or one vahub does not know
	eForbidden    = "forbidden"    // a token without the right, or a country outside its scope
	eNotFound     = "not_found"    // no such route
	eMethod       = "method"       // the route exists, not with this method
	eTooLarge     = "too_large"    // the upload is over the cap
	eUnsupported  = "unsupported"  // the upload is not an xlsx or CSV
	eUnavailable  = "unavailable"  // not ready (database down, migrations pending)
	eInternal     = "internal"     // vahub's fault
	eConflict     = "conflict"     // the object's state forbids it: a survey instance id stored with other answers, a report decided already or out of date
	eInvalidData  = "invalid_data" // a well-formed body whose answers the form does not take
)

var codes = map[string]int{
	eInvalid:      http.StatusBadRequest,
	eUnauthorized: http.StatusUnauthorized,
	eForbidden:    http.StatusForbidden,
	eNotFound:     http.StatusNotFound,
	eMethod:       http.StatusMethodNotAllowed,
	eTooLarge:     http.StatusRequestEntityTooLarge,
	eUnsupported:  http.StatusUnsupportedMediaType,
	eUnavailable:  http.StatusServiceUnavailable,
	eInternal:     http.StatusInternalServerError,
	eConflict:     http.StatusConflict,
	eInvalidData:  http.StatusUnprocessableEntity,
}

// apiError is an error the client may read.
type apiError struct {
	code    string
	message string
	// key and args, when key is set, word the error in a page's language
	// (i18n.go); message is then its English text, for the API.
	key  string
	args []any
}

func (e *apiError) Error() string { return e.message }

func errorf(code, format string, args ...any) error {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// errorT is an error worded by the message catalogue: English in the API,
// the user's language on a page.
func errorT(code, key string, args ...any) error {
	return &apiError{code: code, message: T("en", key, args...), key: key, args: args}
}

func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}

// isCanceled: the client gave up; there is no one to answer.
func isCanceled(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && r.Context().Err() != nil
}

// errorCode and errorMessage give an error's code and the message the client
// sees. A request body over http.MaxBytesReader's cap is too_large wherever
// it is noticed.
func errorCode(err error) string {
	var ae *apiError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae.code
	case errors.As(err, &mb):
		return eTooLarge
	}
	return eInternal
}

func errorMessage(err error) string {
	var ae *apiError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae.message
	case errors.As(err, &mb):
		return fmt.Sprintf("the upload is over the limit of %s", sizeText(mb.Limit-multipartSlack))
	}
	return "internal error"
}

// writeError answers err as {"error": "..."} with its status. Internal errors
// are logged (method and path, never headers or the token); a request the
// client gave up on is not answered.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if isCanceled(r, err) {
		s.log.Debug("request canceled", "method", r.Method, "path", redactPath(r.URL.Path))
		return
	}
	code := errorCode(err)
	if code == eInternal {
		s.log.Error("internal error", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
	if code == eUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vahub"`)
	}
	writeJSON(w, codes[code], map[string]string{"error": errorMessage(err)})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// fromStore gives the store's domain errors their API codes: unknown
// objects 404, conflicts 409, broken rules 400. Anything else stays
// internal.
func fromStore(err error) error {
	var ae *apiError
	switch {
	case err == nil || errors.As(err, &ae):
		return err
	case errors.Is(err, pg.ErrNotFound), errors.Is(err, sql.ErrNoRows):
		return &apiError{code: eNotFound, message: "no such object"}
	case errors.Is(err, pg.ErrNotSubmitted):
		return &apiError{code: eConflict, message: "this report is no longer waiting for review: it was approved or returned already, or a newer version of it was approved"}
	case errors.Is(err, pg.ErrConflict):
		return &apiError{code: eConflict, message: storeMessage(err)}
	case errors.Is(err, pg.ErrInvalid):
		return &apiError{code: eInvalid, message: storeMessage(err)}
	}
	return err
}

// storeMessage is a store error's text without its package prefixes.
func storeMessage(err error) string {
	m := err.Error()
	for strings.HasPrefix(m, "pg: ") {
		if i := strings.Index(m, ": "); i >= 0 {
			m = m[i+2:]
		}
	}
	return m
}
