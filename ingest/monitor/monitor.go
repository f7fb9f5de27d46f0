// Package monitor reads the casualty figures of Landmine and Cluster
// Munition Monitor country profiles (the-monitor.org) into casualty facts.
// It is pure: no network, no database. The crawler hands it a fetched page;
// the ingest layer stores what it returns.
//
// What is read:
//   - key figures: label/value blocks, whatever the markup (table rows,
//     definition lists, "<p><strong>Label:</strong> value</p>"): "Casualties
//     in 2017: 2,300", "Survival outcome: 797 killed; 1,503 injured",
//     "Device type", "Civilian status", "Age and gender", "All known
//     casualties …" (scope cumulative). A figure for another year in
//     parentheses ("1,943 (2015: 1,587)") or "Increase from 1,985 in 2016"
//     is a fact of that year, never of the data year.
//   - prose in the casualties section, for the data year only: sex/age and
//     civilian-status figures in the shapes listed in prose.go, with numbers
//     as digits or words and qualifiers ("at least" → at_least, "over",
//     "more than" → at_least, "approximately", "an estimated" → estimate).
//
// Each breakdown is its own set of rows with every other dimension total
// (VOCABULARY.md): "797 killed; 1,503 injured" and "160 women; 870 men …"
// never combine. A stated total is stored as the all-total row; parts
// above their total are a warning. Nothing is invented: a partial
// breakdown stays partial. A page whose casualty table is only an image
// yields NoData and an issue, never zeros.
package monitor

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// Page is one fetched Monitor page.
type Page struct {
	URL     string
	HTML    []byte
	Fetched time.Time
}

// Result is what a page yields. Reports hold one report per year with
// figures, newest first (the data year, then years quoted for comparison).
// NoData is true when the page holds no casualty figure vahub can read;
// Issues then says why.
type Result struct {
	Reports []*schema.Report
	Issues  schema.Issues
	NoData  bool
	Edition int    // the Monitor edition (report year), 0 if unknown
	Country string // alpha-3 (or XKX, ESH, XNK), "" if unknown
	// DataYear is the year the profile's casualty figures are for.
	DataYear int
	// Updated is the page's "Last updated" date, nil if it has none; the
	// reports carry it as SubmittedOn (the date of publication).
	Updated *time.Time
}

// Issue texts that callers and the run report key on.
const (
	MsgImageTable = "no data: the table is an image"
	MsgNoFigures  = "no data: no casualty figures found on the page"
)

// MaxHTML is the largest page read; the fetcher caps downloads below it.
const MaxHTML = 16 << 20

var (
	urlEditionRE   = regexp.MustCompile(`/reports/((?:19|20)\d\d)/([^/?#]+)`)
	urlArchiveRE   = regexp.MustCompile(`/(?:lm|cmm)/((?:19|20)\d\d)/(?:countries/)?([a-z_\-]+)?`)
	titleEditionRE = regexp.MustCompile(`(?i)\b(?:landmine|cluster munition)\s+monitor(?:\s+report)?\s+((?:19|20)\d\d)\b`)
	lastUpdatedRE  = regexp.MustCompile(`(?i)^last updated:?\s*\d{1,2}\s+\p{L}+\s+((?:19|20)\d\d)$`)
	imageTableRE   = regexp.MustCompile(`(?i)(^|[^a-z])(table|tbl|chart)\s*[-_ ]?\d*`)
	titleSplitRE   = regexp.MustCompile(`\s*[|–—:,]\s*|\s+-\s+`)
	updatedRE      = regexp.MustCompile(`(?i)^last updated:?\s*(\d{1,2}\s+\p{L}+\s+(?:19|20)\d\d)$`)
)

// Extract reads one Monitor page. It returns an error only when ctx is
// done or the page cannot be read at all; everything else is an issue.
func Extract(ctx context.Context, page Page) (Result, error) {
	var res Result
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if len(page.HTML) > MaxHTML {
		return res, fmt.Errorf("monitor: page %s is %d bytes, more than the %d this reader accepts", page.URL, len(page.HTML), MaxHTML)
	}
	p, err := parsePage(page.HTML)
	if err != nil {
		return res, fmt.Errorf("monitor: unable to parse %s: %w", page.URL, err)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	c := newCollector()

	res.Edition = edition(page.URL, p)
	res.Country = country(page.URL, p, c)

	// Key figures, in reading order. A label followed by another label is
	// a group ("Casualties in 2017" over "Annual total", "Survival
	// outcome" …) whose year the labels under it take.
	dataYear := findDataYear(p)
	if dataYear == 0 && res.Edition != 0 {
		dataYear = res.Edition - 1
	}
	res.DataYear = dataYear
	kf := &keyFigures{c: c, dataYear: dataYear}
	var pendingLabel *label
	var group, last label
	consumed := make([]bool, len(p.blocks))
	yearOf := func(l label) int {
		switch {
		case l.year != 0:
			return l.year
		case group.year != 0:
			return group.year
		}
		return dataYear
	}
	for i, b := range p.blocks {
		if b.kind == bkImage {
			pendingLabel, group, last = nil, label{}, label{}
			continue
		}
		if l, ok := matchLabel(b.text); ok {
			if pendingLabel != nil {
				group = *pendingLabel // a label over labels
			}
			pendingLabel = &l
			consumed[i] = true
			continue
		}
		if l, v, ok := splitInline(b.text); ok {
			if pendingLabel != nil {
				group, pendingLabel = *pendingLabel, nil
			}
			kf.value(l, group, yearOf(l), v)
			last = l
			consumed[i] = true
			continue
		}
		if pendingLabel != nil && looksLikeValue(b.text) {
			l := *pendingLabel
			kf.value(l, group, yearOf(l), b.text)
			last, pendingLabel = l, nil
			consumed[i] = true
			continue
		}
		if t := cleanText(b.text); (last.kind == lkTotal || last.kind == lkCumulative) && len(t) < 120 && compareRE.MatchString(t) {
			for _, m := range compareRE.FindAllStringSubmatch(t, -1) {
				kf.comparison(m, last.text)
			}
			consumed[i] = true
			continue
		}
		// Anything else (a heading, prose) ends the key-figure block.
		pendingLabel, group, last = nil, label{}, label{}
	}
	keyCount := len(c.facts)

	// Prose of the casualties section.
	if dataYear != 0 {
		pr := &proseReader{c: c, dataYear: dataYear}
		for _, b := range casualtySection(p.blocks) {
			if b.kind == bkText && !consumed[b.index] && len(b.text) > 30 {
				if err := ctx.Err(); err != nil {
					return Result{}, err
				}
				pr.paragraph(b.text)
			}
		}
	}

	imageTable := keyCount == 0 && hasImageTable(p.blocks)
	if imageTable {
		c.issue(schema.SevWarning, schema.CodeNoVAData, MsgImageTable+": the casualty figures of this page are in a picture vahub cannot read; enter them by hand.")
	}
	if len(c.facts) > 0 && res.Country == "" {
		c.issue(schema.SevError, schema.CodeMissingCountry,
			"vahub could not tell which country this page is about (neither the address nor the title names one); its figures are not stored.")
	}
	if len(c.facts) > 0 && dataYear == 0 {
		c.issue(schema.SevError, schema.CodeMissingPeriod,
			"vahub could not tell which year this page's figures are for; they are not stored.")
	}
	c.check()
	res.Updated = lastUpdated(p)
	if res.Country != "" && dataYear != 0 {
		res.Reports = c.reports(res.Country, res.Edition)
		for _, r := range res.Reports {
			r.SubmittedOn = res.Updated
		}
	}
	if len(res.Reports) == 0 {
		res.NoData = true
		if !imageTable && len(c.facts) == 0 {
			c.issue(schema.SevWarning, schema.CodeNoVAData, MsgNoFigures+".")
		}
	}
	res.Issues = c.issues
	return res, nil
}

// indexed is a block with its position in the page.
type indexed struct {
	block
	index int
}

// Headings that open the casualties section, and words of headings that
// close it (victim assistance, risk education, clearance …).
var (
	sectionStartRE = regexp.MustCompile(`^(?:(?:cluster munition|mine erw|landmine|new) )?casualties(?: overview| and victim assistance| in \d{4})?$|^details and trends$|^casualties and trends$`)
	sectionEndRE   = regexp.MustCompile(`\b(?:victim assistance|assistance|risk education|clearance|contamination|land release|funding|support|rehabilitation|services|coordination|laws|policy|policies|commitments|action points|stockpile|use|transfer|production)\b`)
)

// casualtySection returns the blocks from the first casualties heading up
// to the next heading of another topic. A page with no such heading is
// read whole.
func casualtySection(blocks []block) []indexed {
	var out []indexed
	in, found := false, false
	for i, b := range blocks {
		k := labelKey(b.text)
		t := cleanText(b.text)
		isHead := b.kind == bkHeading || b.kind == bkText && len(t) < 70 && !strings.ContainsAny(t, ".;")
		switch {
		case isHead && sectionStartRE.MatchString(k):
			in, found = true, true
		case isHead && in && sectionEndRE.MatchString(k) && !strings.Contains(k, "casualties"):
			in = false
		}
		if in {
			out = append(out, indexed{b, i})
		}
	}
	if !found {
		for i, b := range blocks {
			out = append(out, indexed{b, i})
		}
	}
	return out
}

// findDataYear is the year of the first annual key-figure label
// ("Casualties in 2017", "2016 casualties by outcome").
func findDataYear(p *page) int {
	for _, kinds := range [][]labelKind{{lkTotal}, {lkOutcome, lkDevice, lkCivilian, lkSexAge}} {
		for _, b := range p.blocks {
			text := b.text
			if l, _, ok := splitInline(text); ok {
				text = l.text
			}
			l, ok := matchLabel(text)
			if !ok || l.year == 0 {
				continue
			}
			for _, k := range kinds {
				if l.kind == k {
					return l.year
				}
			}
		}
	}
	return 0
}

func hasImageTable(blocks []block) bool {
	for _, b := range blocks {
		if b.kind == bkImage && imageTableRE.MatchString(b.text) {
			return true
		}
	}
	return false
}

// edition is the report year: from the address (/reports/2018/…), else a
// "Landmine Monitor 2011" title, else the "Last updated" year.
func edition(rawURL string, p *page) int {
	if m := urlEditionRE.FindStringSubmatch(rawURL); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	if m := urlArchiveRE.FindStringSubmatch(rawURL); m != nil {
		y, _ := strconv.Atoi(m[1])
		return y
	}
	cands := append([]string{p.title}, p.h1...)
	for i, b := range p.blocks {
		if i > 40 {
			break
		}
		cands = append(cands, b.text)
	}
	for _, s := range cands {
		if m := titleEditionRE.FindStringSubmatch(s); m != nil {
			y, _ := strconv.Atoi(m[1])
			return y
		}
	}
	for _, b := range p.blocks {
		if m := lastUpdatedRE.FindStringSubmatch(collapse(b.text)); m != nil {
			y, _ := strconv.Atoi(m[1])
			return y
		}
	}
	return 0
}

// country reads the country from the address's slug, else from the page's
// headings and title; a disagreement between the two is reported.
func country(rawURL string, p *page, c *collector) string {
	fromURL := ""
	if u, err := url.Parse(rawURL); err == nil {
		path := strings.ToLower(u.Path)
		if m := urlEditionRE.FindStringSubmatch(path); m != nil {
			fromURL = countryName(m[2])
		} else if m := urlArchiveRE.FindStringSubmatch(path); m != nil && m[2] != "" {
			fromURL = countryName(strings.TrimSuffix(m[2], ".html"))
		}
	}
	fromPage := ""
	var cands []string
	cands = append(cands, p.h1...)
	for _, seg := range titleSplitRE.Split(p.title, -1) {
		cands = append(cands, seg)
	}
	for i, b := range p.blocks {
		if i > 12 {
			break
		}
		if len(b.text) <= 80 && b.kind != bkImage {
			cands = append(cands, strings.Split(b.text, ",")[0])
		}
	}
	for _, s := range cands {
		if code := countryName(s); code != "" {
			fromPage = code
			break
		}
	}
	switch {
	case fromURL != "" && fromPage != "" && fromURL != fromPage:
		c.issue(schema.SevWarning, schema.CodeCountryMismatch,
			fmt.Sprintf("The address says %s but the page's title says %s; vahub uses %s.", fromURL, fromPage, fromURL))
		return fromURL
	case fromURL != "":
		return fromURL
	}
	return fromPage
}

func countryName(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "-", " "), "_", " "))
	s = strings.TrimSuffix(strings.TrimSuffix(s, ".aspx"), ".html")
	// Two- and three-letter words are codes ("VA" is the Holy See) or
	// noise ("use", "can"), not the names a page shows; "Lao" is a name.
	if s == "" || len(s) > 80 || len(s) < 4 && !strings.EqualFold(s, "lao") {
		return ""
	}
	code, ok := normalize.Country(s)
	if !ok {
		return ""
	}
	return code
}

// lastUpdated reads "Last updated: 11 October 2018".
func lastUpdated(p *page) *time.Time {
	for _, b := range p.blocks {
		if m := updatedRE.FindStringSubmatch(collapse(b.text)); m != nil {
			if t, err := time.Parse("2 January 2006", m[1]); err == nil {
				return &t
			}
		}
	}
	return nil
}

func dateOf(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
