package web

import (
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Every message has its three languages, every {{t "key"}} of a template
// exists, and the templates parse in every language.
func TestMessages(t *testing.T) {
	for k, m := range messages {
		for i, s := range m {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: no %s text", k, pageLangs[i])
			}
			if strings.Count(s, "%[") != strings.Count(m[0], "%[") {
				t.Errorf("%s: %s has other placeholders than English", k, pageLangs[i])
			}
		}
	}
	used := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s: message %q is not in the catalogue", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range navItems {
		if _, ok := messages[n.Key]; !ok {
			t.Errorf("nav %s: message %q is not in the catalogue", n.Href, n.Key)
		}
	}
	if _, err := parseTemplates(); err != nil {
		t.Fatal(err)
	}
}

func TestNegotiateLang(t *testing.T) {
	for accept, want := range map[string]string{
		"": "en", "fr": "fr", "fr-FR": "fr", "es-MX,en;q=0.5": "es", "de": "en", "pt-BR,es;q=0.5": "es",
		"en;q=0.1,fr;q=0.9": "fr", "*": "en", "x;q=bad": "en",
	} {
		if got := negotiateLang(accept); got != want {
			t.Errorf("negotiateLang(%q) = %s, want %s", accept, got, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/submissions/3": "/submissions/3", "/a?b=c": "/a?b=c", "": "/", "http://x/": "/", "//x/": "/",
		`/\x`: "/", "x": "/", "/a\r\nSet-Cookie: x": "/", "/\t/evil.example": "/", "/\n\\evil": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// Accept-Language is outside input: any header gives one of the pages'
// languages, never a panic.
func FuzzNegotiateLang(f *testing.F) {
	for _, s := range []string{"", "fr", "es-419,es;q=0.9", "en;q=0.1,fr;q=0.9", "*", "x;q=bad", "zh-Hant-TW", ",,,;;;q=", strings.Repeat("fr-", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if got := negotiateLang(accept); !validLang(got) {
			t.Fatalf("negotiateLang(%q) = %q", accept, got)
		}
	})
}

// next= is outside input: whatever it is, the redirect stays on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/submissions/3?x=1", "//evil", `/\evil`, "https://evil/", "javascript:x", "/%2F%2Fevil", "/a\r\nb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, `/\`) || strings.ContainsAny(got, "\r\n\t\x00") {
			t.Fatalf("localPath(%q) = %q", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q leaves the site", next, got)
		}
	})
}
