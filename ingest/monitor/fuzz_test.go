package monitor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vahub/vahub/schema"
)

// FuzzExtract: no page, however broken, makes Extract panic or fail; what
// it returns always speaks the vocabulary and never invents a zero page.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("https://www.the-monitor.org/en-gb/reports/2018/afghanistan/casualties.aspx", raw)
	}
	for _, s := range []string{
		"", "<", "<table><tr><td>Casualties in 2017<td>2,300<tr><td>Age and gender<td>1,030 adults: 160 women",
		"<p><strong>Survival outcome:</strong> 797 killed; 1,503 injured (2016: 1 killed)</p>",
		"Casualties in 2017\n\n99,999,999,999,999 (2016: 0)",
		"<h2>Casualties</h2><p>In 2017, one hundred and five boys; twenty-one girls (3; 2 boys) made up 5 men. At least 7 civilians.</p>",
		"<p>Casualties in 2017</p><p>at least one thousand million</p><img alt='Table 1'>",
		"<div><div><div><table><tr><td><table><tr><td>Annual total</td><td>1</td></tr></table></td></tr></table>",
		"\xff\xfe<\x00p\x00>", "<meta charset='windows-1252'><p>Casualties in 2017: 2\x96300</p>",
	} {
		f.Add("https://www.the-monitor.org/en-gb/reports/2018/lao-pdr/x.aspx", []byte(s))
	}
	f.Fuzz(func(t *testing.T, url string, html []byte) {
		res, err := Extract(context.Background(), Page{URL: url, HTML: html})
		if err != nil {
			if len(html) <= MaxHTML {
				t.Fatalf("error on %q: %v", html, err)
			}
			return
		}
		if res.NoData != (len(res.Reports) == 0) {
			t.Fatalf("NoData %v with %d reports", res.NoData, len(res.Reports))
		}
		for _, r := range res.Reports {
			if r.Country == "" || r.Year == 0 || len(r.Casualties) == 0 {
				t.Fatalf("incomplete report %+v", r)
			}
			checkCodes(t, r)
		}
		for _, is := range res.Issues {
			if is.Message == "" || is.Code == "" || (is.Severity != schema.SevError && is.Severity != schema.SevWarning) {
				t.Fatalf("bad issue %+v", is)
			}
		}
	})
}

// FuzzNumberWords: any text reads as a number or is refused, never
// panics; what reads is not negative, and every number spelled by the
// tests' speller reads back.
func FuzzNumberWords(f *testing.F) {
	for _, s := range []string{"seven", "twenty-one", "one hundred and five", "a thousand", "and", "a hundred hundred",
		"ninety nine thousand nine hundred and ninety-nine", "one million two thousand", "zero zero", "", "-", "a"} {
		f.Add(s, uint32(7))
	}
	f.Fuzz(func(t *testing.T, s string, u uint32) {
		if n, ok := ParseNumberWords(s); ok && n < 0 {
			t.Fatalf("%q read as %d", s, n)
		}
		toks := tokenize(s) // the tokenizer's merging must not panic either
		_ = toks
		n := int64(u % 1_000_000_000)
		if got, ok := ParseNumberWords(spellNumber(n)); !ok || got != n {
			t.Fatalf("%d spelled %q reads back as %d, %v", n, spellNumber(n), got, ok)
		}
	})
}
