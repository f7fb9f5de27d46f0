package submission

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// jsonBody is the submission API's body:
//
//	{"instance_id": "uuid:…", "deprecated_id": "uuid:…", "form_version": "2026.1",
//	 "answers": {"consent": "yes", "country": "LAO", "age": 34, "wg_ss/wg_seeing": "no_difficulty", …}}
//
// Answers may also nest a group's answers in an object:
// "wg_ss": {"wg_seeing": "no_difficulty"}.
type jsonBody struct {
	InstanceID   string          `json:"instance_id"`
	DeprecatedID string          `json:"deprecated_id"`
	FormID       string          `json:"form_id"`
	FormVersion  string          `json:"form_version"`
	Answers      json.RawMessage `json:"answers"`
}

// maxNesting: a group holds questions; nothing in the form nests deeper.
const maxNesting = 3

// DecodeJSON reads the submission API's body. A body that is not that
// object (malformed JSON, unknown fields, answers that are not an object)
// is a *DecodeError; the answers themselves are checked by Record.
func DecodeJSON(r io.Reader) (Envelope, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var b jsonBody
	if err := dec.Decode(&b); err != nil {
		return Envelope{}, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Envelope{}, decodeErrorf("the body must hold one JSON object and nothing after it")
	}
	e := Envelope{InstanceID: b.InstanceID, DeprecatedID: b.DeprecatedID, FormID: b.FormID, FormVersion: b.FormVersion}
	if len(bytes.TrimSpace(b.Answers)) == 0 || bytes.Equal(bytes.TrimSpace(b.Answers), []byte("null")) {
		return e, decodeErrorf(`the body needs "answers": an object of answers by question name`)
	}
	ad := json.NewDecoder(bytes.NewReader(b.Answers))
	ad.UseNumber()
	var answers map[string]any
	if err := ad.Decode(&answers); err != nil {
		return e, decodeErrorf(`"answers" must be an object of answers by question name`)
	}
	var err error
	e.Answers, err = flatten(answers, "", 1)
	return e, err
}

// flatten turns nested group objects into paths, in a stable order.
func flatten(m map[string]any, prefix string, depth int) ([]Answer, error) {
	if depth > maxNesting {
		return nil, decodeErrorf("answers nest deeper than a group: %s", clip(prefix))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Answer
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "/" + k
		}
		switch v := m[k].(type) {
		case nil:
			out = append(out, Answer{Path: path})
		case string:
			out = append(out, Answer{Path: path, Value: v})
		case json.Number:
			out = append(out, Answer{Path: path, Value: v.String()})
		case map[string]any:
			sub, err := flatten(v, path, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		case bool:
			out = append(out, Answer{Path: path, Problem: `true/false is not an answer here: send the code, e.g. "yes"`})
		default:
			out = append(out, Answer{Path: path, Problem: "a list is not an answer here: every question takes one value"})
		}
		if len(out) > maxAnswers {
			return out, nil // Record says how many
		}
	}
	return out, nil
}

// jsonError turns encoding/json's errors into what the client should fix.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return decodeErrorf("the body is empty: send a JSON object")
	case errors.As(err, &syn):
		return decodeErrorf("the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return decodeErrorf("%q must be a %s", typ.Field, jsonKind(typ.Field))
		}
		return decodeErrorf("the body must be a JSON object")
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return decodeErrorf("%s: the body takes instance_id, deprecated_id, form_id, form_version and answers",
			strings.TrimPrefix(err.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return decodeErrorf("the body ends in the middle of the JSON object")
	}
	// A read error (the body over its cap, a client that hung up) stays
	// what it is for the caller to answer.
	return fmt.Errorf("submission: read body: %w", err)
}

func jsonKind(field string) string {
	if field == "answers" {
		return "object"
	}
	return "string"
}
