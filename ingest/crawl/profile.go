// Package crawl discovers and downloads web sources for the nightly run.
//
// Discovery uses colly (one collector per profile run) only to fetch HTML
// pages and collect links; files are downloaded by Fetcher, a plain net/http
// client that streams to disk under a hard size cap, sends conditional
// requests and hashes what it reads. Both obey robots.txt, send one
// identifiable User-Agent, refuse off-domain redirects and retry 5xx and
// timeouts a bounded number of times with exponential backoff.
//
// What a site looks like is described by a Profile, loaded from a versioned
// JSON file; the shipped profiles (art7, monitor) are embedded.
package crawl

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/schema"
)

// FormatVersion is the profile file format this package reads.
const FormatVersion = 1

// Extractors a profile may name.
const (
	ExtractorMonitor    = "monitor"
	ExtractorArt7Index  = "art7-index"
	maxTemplateExpanded = 1000 // bound on start URLs one profile may expand to
)

//go:embed profiles/*.json
var shippedProfiles embed.FS

// Profile describes one source site: where to start, what to follow, which
// links are files, and how politely to do it. Patterns are matched against
// a URL's path plus "?query" (not its host: allowed_domains scopes hosts), so
// the same profile serves the real site and a test fixture.
type Profile struct {
	Name        string
	Version     int
	Enabled     bool
	Description string
	// SourceType and Precedence rank this profile's figures: SourceType feeds
	// the views' official > survey > web rule, Precedence (1 = strongest)
	// orders profiles of the same type.
	SourceType schema.SourceType
	Precedence int
	Extractor  string // ExtractorMonitor or ExtractorArt7Index

	// StartURLs are templates: {year} expands over Years, any other {name}
	// comes from Vars.
	StartURLs []string
	Vars      map[string]string
	Years     YearRange

	// AllowedDomains: "example.org" allows that host and its subdomains on
	// any port; "127.0.0.1:8080" allows exactly that host and port.
	AllowedDomains []string
	PagePatterns   []string // pages to visit (and follow links from)
	FilePatterns   []string // links recorded as files (checked before pages)

	Politeness Politeness

	Source string // where the profile was loaded from

	pages, files []*regexp.Regexp
}

// YearRange is the inclusive range {year} expands over; To == 0 means the
// current year.
type YearRange struct {
	From, To int
}

// Politeness bounds what a profile run may ask of a site.
type Politeness struct {
	Delay       time.Duration // between requests to the profile's hosts
	RandomDelay time.Duration // extra random delay up to this
	Parallelism int           // concurrent requests
	MaxDepth    int           // link hops from a start page (0 = start pages only)
	MaxPages    int           // pages requested per run, start pages included
	Timeout     time.Duration // per attempt, covering headers and body
	MaxPageSize int64         // an HTML page bigger than this is an error
	MaxFileSize int64         // a file bigger than this is an error
	Retries     int           // extra attempts after a 5xx or a timeout
	Backoff     time.Duration // first retry delay, doubled each time
	BackoffMax  time.Duration // cap on one retry delay
}

// FieldError is a validation error naming the offending field.
type FieldError struct {
	Source  string // file
	Profile string // profile name, when known
	Field   string // JSON path, e.g. profiles[0].politeness.delay
	Msg     string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("crawl: ")
	if e.Source != "" {
		b.WriteString(e.Source + ": ")
	}
	if e.Profile != "" {
		b.WriteString("profile " + strconv.Quote(e.Profile) + ": ")
	}
	b.WriteString(e.Field + ": " + e.Msg)
	return b.String()
}

// file and profile as written in JSON.
type fileJSON struct {
	Format   *int          `json:"format"`
	Profiles []profileJSON `json:"profiles"`
}

type profileJSON struct {
	Name           string            `json:"name"`
	Version        int               `json:"version"`
	Enabled        *bool             `json:"enabled"`
	Description    string            `json:"description"`
	SourceType     string            `json:"source_type"`
	Precedence     int               `json:"precedence"`
	Extractor      string            `json:"extractor"`
	StartURLs      []string          `json:"start_urls"`
	Vars           map[string]string `json:"vars"`
	Years          *yearsJSON        `json:"years"`
	AllowedDomains []string          `json:"allowed_domains"`
	PagePatterns   []string          `json:"page_patterns"`
	FilePatterns   []string          `json:"file_patterns"`
	Politeness     politenessJSON    `json:"politeness"`
}

type yearsJSON struct {
	From int `json:"from"`
	To   int `json:"to"`
}

type politenessJSON struct {
	Delay       string `json:"delay"`
	RandomDelay string `json:"random_delay"`
	Parallelism int    `json:"parallelism"`
	MaxDepth    *int   `json:"max_depth"`
	MaxPages    int    `json:"max_pages"`
	Timeout     string `json:"timeout"`
	MaxPageSize int64  `json:"max_page_size"`
	MaxFileSize int64  `json:"max_file_size"`
	Retries     *int   `json:"retries"`
	Backoff     string `json:"backoff"`
	BackoffMax  string `json:"backoff_max"`
}

// LoadProfiles reads profiles. path == "" loads the shipped profiles
// (profiles/*.json, embedded); a file path loads that file; a directory
// loads every *.json in it. Names must be unique across what is loaded.
// Every validation error is returned (joined), each naming its field.
func LoadProfiles(path string) ([]Profile, error) {
	type src struct {
		name string
		data []byte
	}
	var srcs []src
	switch {
	case path == "":
		names, err := fs.Glob(shippedProfiles, "profiles/*.json")
		if err != nil {
			return nil, fmt.Errorf("crawl: shipped profiles: %w", err)
		}
		for _, n := range names {
			data, err := shippedProfiles.ReadFile(n)
			if err != nil {
				return nil, fmt.Errorf("crawl: %s: %w", n, err)
			}
			srcs = append(srcs, src{"embedded:" + n, data})
		}
	default:
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("crawl: profiles: %w", err)
		}
		files := []string{path}
		if st.IsDir() {
			files, err = filepath.Glob(filepath.Join(path, "*.json"))
			if err != nil {
				return nil, fmt.Errorf("crawl: profiles: %w", err)
			}
			if len(files) == 0 {
				return nil, fmt.Errorf("crawl: profiles: no *.json in %s", path)
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("crawl: profiles: %w", err)
			}
			srcs = append(srcs, src{f, data})
		}
	}
	var all []Profile
	var errs []error
	for _, s := range srcs {
		ps, err := ParseProfiles(s.name, s.data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		all = append(all, ps...)
	}
	seen := map[string]string{}
	for _, p := range all {
		if prev, dup := seen[p.Name]; dup {
			errs = append(errs, &FieldError{Source: p.Source, Profile: p.Name, Field: "name",
				Msg: "duplicate profile name (also in " + prev + ")"})
		}
		seen[p.Name] = p.Source
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return all, nil
}

// ParseProfiles decodes and validates one profile file. source names it in
// errors.
func ParseProfiles(source string, data []byte) ([]Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f fileJSON
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("crawl: %s: %w", source, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("crawl: %s: trailing data after the profile object", source)
	}
	var errs []error
	if f.Format == nil {
		return nil, &FieldError{Source: source, Field: "format", Msg: "missing (this vahub reads format " + strconv.Itoa(FormatVersion) + ")"}
	}
	if *f.Format != FormatVersion {
		return nil, &FieldError{Source: source, Field: "format", Msg: fmt.Sprintf("unsupported format %d (this vahub reads %d)", *f.Format, FormatVersion)}
	}
	if len(f.Profiles) == 0 {
		return nil, &FieldError{Source: source, Field: "profiles", Msg: "no profiles"}
	}
	out := make([]Profile, 0, len(f.Profiles))
	for i, pj := range f.Profiles {
		p, perrs := pj.toProfile(source, fmt.Sprintf("profiles[%d]", i))
		if len(perrs) > 0 {
			errs = append(errs, perrs...)
			continue
		}
		out = append(out, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func (pj profileJSON) toProfile(source, at string) (Profile, []error) {
	var errs []error
	fe := func(field, msg string) {
		errs = append(errs, &FieldError{Source: source, Profile: pj.Name, Field: at + "." + field, Msg: msg})
	}
	dur := func(field, s string, def time.Duration) time.Duration {
		if s == "" {
			return def
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			fe(field, fmt.Sprintf("not a duration (%q; write e.g. \"5s\")", s))
			return 0
		}
		return d
	}
	p := Profile{
		Name:           pj.Name,
		Version:        pj.Version,
		Enabled:        pj.Enabled == nil || *pj.Enabled,
		Description:    pj.Description,
		SourceType:     schema.SourceType(pj.SourceType),
		Precedence:     pj.Precedence,
		Extractor:      pj.Extractor,
		StartURLs:      pj.StartURLs,
		Vars:           pj.Vars,
		AllowedDomains: pj.AllowedDomains,
		PagePatterns:   pj.PagePatterns,
		FilePatterns:   pj.FilePatterns,
		Source:         source,
	}
	if pj.Years != nil {
		p.Years = YearRange{From: pj.Years.From, To: pj.Years.To}
	}
	pp := pj.Politeness
	p.Politeness = Politeness{
		Delay:       dur("politeness.delay", pp.Delay, 0),
		RandomDelay: dur("politeness.random_delay", pp.RandomDelay, 0),
		Parallelism: pp.Parallelism,
		MaxPages:    pp.MaxPages,
		Timeout:     dur("politeness.timeout", pp.Timeout, 0),
		MaxPageSize: pp.MaxPageSize,
		MaxFileSize: pp.MaxFileSize,
		Backoff:     dur("politeness.backoff", pp.Backoff, time.Second),
		BackoffMax:  dur("politeness.backoff_max", pp.BackoffMax, 30*time.Second),
	}
	if pp.MaxDepth == nil {
		fe("politeness.max_depth", "missing")
	} else {
		p.Politeness.MaxDepth = *pp.MaxDepth
	}
	if pp.Retries == nil {
		p.Politeness.Retries = 2
	} else {
		p.Politeness.Retries = *pp.Retries
	}
	if len(errs) > 0 {
		return p, errs
	}
	for _, err := range p.validate() {
		var f *FieldError
		if errors.As(err, &f) {
			f.Source, f.Field = source, at+"."+f.Field
		}
		errs = append(errs, err)
	}
	return p, errs
}

// Validate checks p and compiles its patterns. Errors name the JSON field.
func (p *Profile) Validate() error {
	errs := p.validate()
	for _, err := range errs {
		var f *FieldError
		if errors.As(err, &f) && f.Source == "" {
			f.Source = p.Source
		}
	}
	return errors.Join(errs...)
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

func (p *Profile) validate() []error {
	var errs []error
	fe := func(field, msg string) {
		errs = append(errs, &FieldError{Profile: p.Name, Field: field, Msg: msg})
	}
	if !nameRE.MatchString(p.Name) {
		fe("name", fmt.Sprintf("%q: want lower-case letters, digits, '-' or '_', starting with a letter", p.Name))
	}
	if p.Version < 1 {
		fe("version", "must be ≥ 1 (bump it on every change)")
	}
	switch p.SourceType {
	case schema.SourceOfficial, schema.SourceSurvey, schema.SourceWeb:
	default:
		fe("source_type", fmt.Sprintf("%q: want official, survey or web", p.SourceType))
	}
	if p.Precedence < 1 || p.Precedence > 100 {
		fe("precedence", "must be 1..100 (1 = strongest)")
	}
	switch p.Extractor {
	case ExtractorMonitor, ExtractorArt7Index:
	default:
		fe("extractor", fmt.Sprintf("%q: want %q or %q", p.Extractor, ExtractorMonitor, ExtractorArt7Index))
	}
	if len(p.AllowedDomains) == 0 {
		fe("allowed_domains", "empty: name the hosts this profile may visit")
	}
	for i, d := range p.AllowedDomains {
		if d == "" || d != strings.ToLower(d) || strings.ContainsAny(d, "/*?#@ ") || strings.HasPrefix(d, ".") {
			fe(fmt.Sprintf("allowed_domains[%d]", i), fmt.Sprintf("%q: want a lower-case host name such as example.org (optionally host:port)", d))
		}
	}
	if p.Years != (YearRange{}) {
		if p.Years.From < 1990 || p.Years.From > 2200 {
			fe("years.from", "must be a year between 1990 and 2200")
		}
		if p.Years.To != 0 && p.Years.To < p.Years.From {
			fe("years.to", "must be 0 (current year) or ≥ years.from")
		}
	}
	if len(p.StartURLs) == 0 {
		fe("start_urls", "empty")
	}
	for i, t := range p.StartURLs {
		field := fmt.Sprintf("start_urls[%d]", i)
		urls, err := p.expand(t, max(p.Years.From, 1990))
		if err != nil {
			fe(field, err.Error())
			continue
		}
		for _, u := range urls {
			pu, err := url.Parse(u)
			if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				fe(field, fmt.Sprintf("%q does not expand to an http(s) URL", t))
				break
			}
			if !hostAllowed(pu, p.AllowedDomains) {
				fe(field, fmt.Sprintf("host %q is not in allowed_domains", pu.Host))
				break
			}
		}
	}
	compile := func(field string, pats []string) []*regexp.Regexp {
		out := make([]*regexp.Regexp, 0, len(pats))
		for i, s := range pats {
			re, err := regexp.Compile(s)
			if err != nil {
				fe(fmt.Sprintf("%s[%d]", field, i), "bad regexp: "+err.Error())
				continue
			}
			out = append(out, re)
		}
		return out
	}
	p.pages = compile("page_patterns", p.PagePatterns)
	p.files = compile("file_patterns", p.FilePatterns)
	if len(p.FilePatterns) == 0 {
		fe("file_patterns", "empty")
	}
	q := p.Politeness
	between := func(field string, v, lo, hi int64, unit string) {
		if v < lo || v > hi {
			fe("politeness."+field, fmt.Sprintf("%d%s out of range %d..%d", v, unit, lo, hi))
		}
	}
	durBetween := func(field string, v, lo, hi time.Duration) {
		if v < lo || v > hi {
			fe("politeness."+field, fmt.Sprintf("%s out of range %s..%s", v, lo, hi))
		}
	}
	durBetween("delay", q.Delay, 0, 10*time.Minute)
	durBetween("random_delay", q.RandomDelay, 0, 10*time.Minute)
	between("parallelism", int64(q.Parallelism), 1, 16, "")
	between("max_depth", int64(q.MaxDepth), 0, 10, "")
	between("max_pages", int64(q.MaxPages), 1, 100000, "")
	durBetween("timeout", q.Timeout, time.Millisecond, 10*time.Minute)
	between("max_page_size", q.MaxPageSize, 1, 64<<20, " bytes")
	between("max_file_size", q.MaxFileSize, 1, 4<<30, " bytes")
	between("retries", int64(q.Retries), 0, 10, "")
	durBetween("backoff", q.Backoff, 0, 10*time.Minute)
	durBetween("backoff_max", q.BackoffMax, q.Backoff, 10*time.Minute)
	return errs
}

var placeholderRE = regexp.MustCompile(`\{([a-z_][a-z0-9_]*)\}`)

// expand fills one template for every year (or once, without {year}).
func (p *Profile) expand(t string, currentYear int) ([]string, error) {
	var missing []string
	filled := placeholderRE.ReplaceAllStringFunc(t, func(m string) string {
		name := m[1 : len(m)-1]
		if name == "year" {
			return m
		}
		v, ok := p.Vars[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("{%s} is neither {year} nor in vars", strings.Join(missing, "}, {"))
	}
	if !strings.Contains(filled, "{year}") {
		return []string{filled}, nil
	}
	if p.Years == (YearRange{}) {
		return nil, errors.New("uses {year} but years is not set")
	}
	to := p.Years.To
	if to == 0 {
		to = currentYear
	}
	if to-p.Years.From+1 > maxTemplateExpanded {
		return nil, fmt.Errorf("years expand to more than %d URLs", maxTemplateExpanded)
	}
	var out []string
	for y := p.Years.From; y <= to; y++ {
		out = append(out, strings.ReplaceAll(filled, "{year}", strconv.Itoa(y)))
	}
	return out, nil
}

// ExpandStartURLs expands the start URL templates; now gives the current
// year for an open-ended year range. Duplicates are dropped, order kept.
func (p Profile) ExpandStartURLs(now time.Time) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for i, t := range p.StartURLs {
		urls, err := p.expand(t, now.Year())
		if err != nil {
			return nil, &FieldError{Source: p.Source, Profile: p.Name, Field: fmt.Sprintf("start_urls[%d]", i), Msg: err.Error()}
		}
		for _, u := range urls {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// WithVars returns a copy of p whose vars are overridden by kv (for sites
// that moved, and for tests). Validate the result before use.
func (p Profile) WithVars(kv map[string]string) Profile {
	v := maps.Clone(p.Vars)
	if v == nil {
		v = map[string]string{}
	}
	maps.Copy(v, kv)
	p.Vars = v
	p.pages, p.files = nil, nil
	return p
}

// WithAllowedDomains returns a copy of p limited to domains.
func (p Profile) WithAllowedDomains(domains ...string) Profile {
	p.AllowedDomains = slices.Clone(domains)
	return p
}

// Kind of a link, for the caller's routing.
type Kind string

const (
	KindPage Kind = "page"
	KindFile Kind = "file"
	KindNone Kind = ""
)

// Classify says whether u is a file link, a page to follow, or neither,
// by the profile's patterns (matched on path?query); it does not check hosts.
func (p *Profile) Classify(u *url.URL) Kind {
	s := u.EscapedPath()
	if u.RawQuery != "" {
		s += "?" + u.RawQuery
	}
	for _, re := range p.files {
		if re.MatchString(s) {
			return KindFile
		}
	}
	for _, re := range p.pages {
		if re.MatchString(s) {
			return KindPage
		}
	}
	return KindNone
}

// FileType is the lower-case extension of a file link ("pdf", "xlsx", …),
// or "" when the path has none.
func FileType(u *url.URL) string {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(u.Path)), ".")
	if len(ext) > 5 || strings.ContainsAny(ext, "/$()") {
		return ""
	}
	return ext
}
