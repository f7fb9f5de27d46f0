package crawl

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/schema"
)

func TestShippedProfiles(t *testing.T) {
	ps, err := LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Profile{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	art7, mon := byName["art7"], byName["monitor"]
	if len(ps) != 2 || art7.Name == "" || mon.Name == "" {
		t.Fatalf("profiles %v", ps)
	}
	if art7.Extractor != ExtractorArt7Index || art7.SourceType != schema.SourceOfficial || mon.Extractor != ExtractorMonitor || mon.SourceType != schema.SourceWeb {
		t.Errorf("art7 %s/%s, monitor %s/%s", art7.Extractor, art7.SourceType, mon.Extractor, mon.SourceType)
	}
	if !(art7.Precedence < mon.Precedence) || !art7.Enabled || !mon.Enabled || art7.Version < 1 {
		t.Errorf("precedence %d/%d", art7.Precedence, mon.Precedence)
	}
	if art7.Politeness.Delay < time.Second || mon.Politeness.Parallelism != 1 {
		t.Errorf("shipped politeness too aggressive: %+v", art7.Politeness)
	}
	urls, err := mon.ExpandStartURLs(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(urls) != 16 || urls[0] != "https://www.the-monitor.org/en-gb/reports/2011/cluster-munition-monitor-2011/the-impact.aspx" ||
		!strings.Contains(urls[15], "/2026/cluster-munition-monitor-2026/") {
		t.Errorf("monitor start URLs %q", urls)
	}
	urls, err = art7.ExpandStartURLs(time.Now())
	if err != nil || len(urls) != 1 || urls[0] != "https://disarmament.unoda.org/convention-on-cluster-munitions/transparency-measures/" {
		t.Errorf("art7 start URLs %q %v", urls, err)
	}
	moved := mon.WithVars(map[string]string{"base": "https://archives2.the-monitor.org"})
	urls, _ = moved.ExpandStartURLs(time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(urls) != 6 || !strings.HasPrefix(urls[0], "https://archives2.the-monitor.org/") || moved.Validate() != nil {
		t.Errorf("moved: %q %v", urls, moved.Validate())
	}
	if mon.Vars["base"] != "https://www.the-monitor.org" {
		t.Error("WithVars changed the original")
	}

	// Real URL shapes from DOMAIN.md §6 and the saved pages.
	cases := []struct {
		p    *Profile
		u    string
		want Kind
	}{
		{&art7, "https://www.unog.ch/80256EDD006B8954/(httpAssets)/0A1B2C3D4E5F60718293A4B5C6D7E8F9/$file/Croatia_2013.pdf", KindFile},
		{&art7, "https://www.unog.ch/80256EE600585943/(httpPages)/67DC5063EB530E02C12574F8002E9E49?OpenDocument", KindPage},
		{&art7, "https://meetings.unoda.org/meeting/50211/documents", KindPage},
		{&art7, "https://disarmament.unoda.org/convention-on-cluster-munitions/", KindNone},
		{&art7, "https://www.clusterconvention.org/files/Form_H.XLSX", KindFile},
		{&mon, "https://www.the-monitor.org/en-gb/reports/2016/lao-pdr/casualties-and-victim-assistance.aspx", KindPage},
		{&mon, "http://www.the-monitor.org/en-gb/reports/2018/afghanistan/casualties.aspx", KindPage},
		{&mon, "https://www.the-monitor.org/en-gb/reports/2017/cambodia/victim-assistance.aspx", KindPage},
		{&mon, "https://www.the-monitor.org/en-gb/reports/2022/lao-pdr/impact.aspx", KindPage},
		{&mon, "https://www.the-monitor.org/en-gb/reports/2018/afghanistan/mine-action.aspx", KindNone},
		{&mon, "https://www.the-monitor.org/media/3168/cmm2018_final.pdf", KindFile},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.u)
		if got := c.p.Classify(u); got != c.want {
			t.Errorf("%s: %s: %q, want %q", c.p.Name, c.u, got, c.want)
		}
		if !hostAllowed(u, c.p.AllowedDomains) {
			t.Errorf("%s: host of %s not allowed", c.p.Name, c.u)
		}
	}
}

const validFile = `{
  "format": 1,
  "profiles": [{
    "name": "local", "version": 2, "source_type": "web", "precedence": 4, "extractor": "monitor",
    "vars": {"base": "http://127.0.0.1:8080"},
    "years": {"from": 2020, "to": 2021},
    "start_urls": ["{base}/reports/{year}/index.html"],
    "allowed_domains": ["127.0.0.1:8080"],
    "page_patterns": ["^/reports/"],
    "file_patterns": ["\\.pdf$"],
    "politeness": {"delay": "1s", "parallelism": 1, "max_depth": 1, "max_pages": 10, "timeout": "10s",
                   "max_page_size": 1000000, "max_file_size": 1000000}
  }]
}`

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadProfilesFromPath(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "local.json", validFile)
	ps, err := LoadProfiles(path)
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if p.Name != "local" || p.Version != 2 || !p.Enabled || p.Source != path || p.Politeness.Delay != time.Second ||
		p.Politeness.Retries != 2 || p.Politeness.Backoff != time.Second || p.Politeness.BackoffMax != 30*time.Second {
		t.Errorf("%+v", p)
	}
	urls, _ := p.ExpandStartURLs(time.Now())
	if len(urls) != 2 || urls[1] != "http://127.0.0.1:8080/reports/2021/index.html" {
		t.Errorf("urls %q", urls)
	}
	// A directory: every *.json; a duplicate name is an error.
	writeFile(t, dir, "again.json", validFile)
	if _, err := LoadProfiles(dir); err == nil || !strings.Contains(err.Error(), "duplicate profile name") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := LoadProfiles(filepath.Join(dir, "nope.json")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestProfileValidationNamesTheField(t *testing.T) {
	cases := []struct{ old, new, want string }{
		{`"format": 1`, `"format": 2`, "format: unsupported format 2"},
		{`"name": "local"`, `"name": "Local Site"`, "profiles[0].name:"},
		{`"version": 2`, `"version": 0`, "profiles[0].version:"},
		{`"source_type": "web"`, `"source_type": "blog"`, "profiles[0].source_type:"},
		{`"precedence": 4`, `"precedence": 0`, "profiles[0].precedence:"},
		{`"extractor": "monitor"`, `"extractor": "pdf"`, "profiles[0].extractor:"},
		{`"{base}/reports`, `"{host}/reports`, `profiles[0].start_urls[0]: {host} is neither`},
		{`"allowed_domains": ["127.0.0.1:8080"]`, `"allowed_domains": ["example.org"]`, `profiles[0].start_urls[0]: host "127.0.0.1:8080" is not in allowed_domains`},
		{`"allowed_domains": ["127.0.0.1:8080"]`, `"allowed_domains": []`, "profiles[0].allowed_domains: empty"},
		{`"allowed_domains": ["127.0.0.1:8080"]`, `"allowed_domains": ["127.0.0.1:8080", "*.org"]`, "profiles[0].allowed_domains[1]"},
		{`"years": {"from": 2020, "to": 2021}`, `"years": {"from": 2020, "to": 2019}`, "profiles[0].years.to"},
		{`"years": {"from": 2020, "to": 2021},`, ``, "uses {year} but years is not set"},
		{`["^/reports/"]`, `["^/reports/("]`, "profiles[0].page_patterns[0]: bad regexp"},
		{`["\\.pdf$"]`, `[]`, "profiles[0].file_patterns: empty"},
		{`"delay": "1s"`, `"delay": "1 second"`, "profiles[0].politeness.delay: not a duration"},
		{`"delay": "1s"`, `"dealy": "1s"`, `unknown field "dealy"`},
		{`"parallelism": 1`, `"parallelism": 0`, "profiles[0].politeness.parallelism"},
		{`"max_depth": 1, `, ``, "profiles[0].politeness.max_depth: missing"},
		{`"max_pages": 10`, `"max_pages": 0`, "profiles[0].politeness.max_pages"},
		{`"timeout": "10s"`, `"timeout": "0s"`, "profiles[0].politeness.timeout"},
		{`"max_file_size": 1000000`, `"max_file_size": "1MB"`, "max_file_size"},
		{`"max_page_size": 1000000`, `"max_page_size": 0`, "profiles[0].politeness.max_page_size"},
	}
	for _, c := range cases {
		if !strings.Contains(validFile, c.old) {
			t.Fatalf("fixture lacks %q", c.old)
		}
		data := strings.Replace(validFile, c.old, c.new, 1)
		_, err := ParseProfiles("test.json", []byte(data))
		if err == nil {
			t.Errorf("%s → %s: accepted", c.old, c.new)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "test.json") {
			t.Errorf("%s → %s: error %q, want it to contain %q", c.old, c.new, err, c.want)
		}
	}
	// Every error is reported, not only the first.
	data := strings.Replace(strings.Replace(validFile, `"precedence": 4`, `"precedence": 0`, 1), `"max_pages": 10`, `"max_pages": 0`, 1)
	_, err := ParseProfiles("test.json", []byte(data))
	if err == nil || !strings.Contains(err.Error(), "precedence") || !strings.Contains(err.Error(), "max_pages") {
		t.Errorf("joined errors: %v", err)
	}
}

func TestHostAllowed(t *testing.T) {
	cases := []struct {
		u     string
		allow []string
		want  bool
	}{
		{"https://www.unog.ch/x", []string{"unog.ch"}, true},
		{"https://unog.ch:8443/x", []string{"unog.ch"}, true},
		{"https://evilunog.ch/x", []string{"unog.ch"}, false},
		{"https://unog.ch.evil.org/x", []string{"unog.ch"}, false},
		{"http://127.0.0.1:8080/x", []string{"127.0.0.1:8080"}, true},
		{"http://127.0.0.1:8081/x", []string{"127.0.0.1:8080"}, false},
		{"http://example.org/x", []string{"example.org:80"}, true},
		{"https://example.org/x", []string{"example.org:80"}, false},
	}
	for _, c := range cases {
		u, _ := url.Parse(c.u)
		if got := hostAllowed(u, c.allow); got != c.want {
			t.Errorf("%s in %v = %v", c.u, c.allow, got)
		}
	}
}
