package web

import "testing"

func TestRedactPath(t *testing.T) {
	tok := "vahub_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	for in, want := range map[string]string{
		"/key/" + tok + "/submission":                "/key/REDACTED/submission",
		"/key/" + tok + "/forms/x.xml":               "/key/REDACTED/forms/x.xml",
		"//key/" + tok + "/submission":               "//key/REDACTED/submission",
		"/KEY/garbage-not-a-token/formList":          "/KEY/REDACTED/formList",
		"/key/" + tok:                                "/key/REDACTED",
		"/keys/" + tok + "/submission":               "/keys/REDACTED/submission",
		"/api/v1/facts/services":                     "/api/v1/facts/services",
		"/api/v1/surveys/vahub_va_needs/submissions": "/api/v1/surveys/vahub_va_needs/submissions",
		"/submission":                                "/submission",
		"/key":                                       "/key",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
