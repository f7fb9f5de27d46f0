package submission

import (
	"errors"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema/survey"
)

// Whatever the body, decoding and checking never panic, and a record that
// passes is one survey_record can hold.
func checkFuzzed(t *testing.T, e Envelope, err error) {
	var de *DecodeError
	if err != nil {
		if !errors.As(err, &de) && !errors.Is(err, ErrUnknownForm) {
			t.Fatalf("decode error of another kind: %v", err)
		}
		return
	}
	rec, err := e.Record(survey.Standard(), Options{Now: now, Source: survey.SourceAPI, DefaultCountry: "LAO"})
	if err != nil {
		var fe Errors
		if !errors.As(err, &fe) && !errors.Is(err, ErrUnknownForm) {
			t.Fatalf("Record error of another kind: %v", err)
		}
		if fe != nil && len(fe) == 0 {
			t.Fatal("empty field errors")
		}
		return
	}
	if rec.InstanceID == "" || checkID(rec.InstanceID) != "" {
		t.Fatalf("accepted instance id %q", rec.InstanceID)
	}
	if rec.Consent != "yes" && rec.Consent != "no" {
		t.Fatalf("accepted consent %q", rec.Consent)
	}
	if len(rec.Country) != 3 || rec.Year < minYear || rec.Year > maxYear {
		t.Fatalf("accepted country %q year %d", rec.Country, rec.Year)
	}
	if rec.Age != nil && (*rec.Age < minAge || *rec.Age > maxAge) {
		t.Fatalf("accepted age %d", *rec.Age)
	}
	if rec.Refusal() && (rec.Sex != "" || rec.Age != nil || rec.WG != nil || rec.Need != nil) {
		t.Fatalf("refusal keeps answers: %+v", rec)
	}
	for p, r := range rec.Received {
		if rec.Need[p] != "yes" || (r != "yes" && r != "no") {
			t.Fatalf("received_%s = %s with need %q", p, r, rec.Need[p])
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(fullJSON)
	f.Add(`{"instance_id": "uuid:r1", "answers": {"consent": "no"}}`)
	f.Add(`{"instance_id": "uuid:x", "answers": {"consent": "yes", "wg_ss": {"wg_seeing": 1}, "age": 1e400}}`)
	f.Add(`{"instance_id": "uuid:x", "answers": {"consent": "yes", "age": -0.0, "interview_date": "2026-03-02T23:59:59Z"}}`)
	f.Add(`{"answers": null}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, body string) {
		e, err := DecodeJSON(strings.NewReader(body))
		checkFuzzed(t, e, err)
	})
}

func FuzzDecodeXML(f *testing.F) {
	f.Add(sampleXML)
	f.Add(`<v id="vahub_va_needs"><consent>no</consent><meta><instanceID>uuid:r</instanceID></meta></v>`)
	f.Add(`<v id="vahub_va_needs"><wg_ss>text<wg_seeing>x</wg_seeing></wg_ss><age>34</age><age>35</age></v>`)
	f.Add(`<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE v><v id="vahub_va_needs"><![CDATA[yes]]></v>`)
	f.Add(`<v id="other"/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		e, err := DecodeXML(strings.NewReader(doc), survey.FormID)
		checkFuzzed(t, e, err)
	})
}
