package exports

// SafeText neutralises text that a spreadsheet, or a CSV made from the
// workbook, would run as a formula ("CSV injection"): text starting with
// = + - @, a tab or a carriage return gets a leading apostrophe. The text in
// our exports comes from uploaded files and crawled pages, so it is
// untrusted; numbers are written as numbers and never pass through here.
func SafeText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
