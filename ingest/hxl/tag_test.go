package hxl

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseTag(t *testing.T) {
	for _, tc := range []struct {
		in    string
		name  string
		attrs []string
		bad   string // substring of the error; "" = valid
	}{
		{in: "#country+code", name: "country", attrs: []string{"code"}},
		{in: "#Affected+Killed+F+Children", name: "affected", attrs: []string{"killed", "f", "children"}},
		{in: "  #country +name ", name: "country", attrs: []string{"name"}},
		{in: "#affected + killed", name: "affected", attrs: []string{"killed"}},
		{in: "#inneed", name: "inneed"},
		{in: "#adm1+code", name: "adm1", attrs: []string{"code"}},
		{in: "#age_group+code", name: "age_group", attrs: []string{"code"}},
		{in: "#affected+f+f", name: "affected", attrs: []string{"f"}},
		{in: "#explosives_lauuch_type", name: "explosives_lauuch_type"},
		{in: "#affected aidworker +killed", bad: `"aidworker" after a space is not an attribute; attributes start with '+'`},
		{in: "#group +perp +name", name: "group", attrs: []string{"perp", "name"}},
		{in: "country", bad: "does not start with '#'"},
		{in: "#", bad: "no tag name"},
		{in: "#1abc", bad: "must start with a letter"},
		{in: "# country", bad: "a space after '#'"},
		{in: "#inneed++f", bad: "attribute must start with a letter"},
		{in: "#inneed+", bad: "no attribute after '+'"},
		{in: "#in-need", bad: "unexpected character '-'"},
		{in: "#inneed+f-m", bad: "unexpected character '-'"},
		{in: "#pays+é", bad: "must start with a letter"},
	} {
		got, err := ParseTag(tc.in)
		if tc.bad != "" {
			if err == nil || !errors.Is(err, ErrBadTag) || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("ParseTag(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.bad)
			}
			continue
		}
		if err != nil || got.Name != tc.name || !slices.Equal(got.Attrs, tc.attrs) {
			t.Errorf("ParseTag(%q) = %+v, %v; want %s %v", tc.in, got, err, tc.name, tc.attrs)
		}
	}
}

func TestIsHashtagRow(t *testing.T) {
	for _, tc := range []struct {
		cells []string
		want  bool
	}{
		{[]string{"#country+code", "#date+year", "", "#affected+killed"}, true},
		{[]string{"", "#adm1+name", "", "#sector", "#org+acronym"}, true},
		{[]string{"#date", "", "#country +name", "#affected aidworker +killed"}, true},
		{[]string{"#", "Country", "Year"}, false},
		{[]string{"# of victims", "Country"}, false},
		{[]string{"#country", "Country", "Year"}, false},
		{[]string{"#not a tag", "#nor this"}, false},
		{nil, false},
	} {
		if got := IsHashtagRow(tc.cells); got != tc.want {
			t.Errorf("IsHashtagRow(%q) = %v, want %v", tc.cells, got, tc.want)
		}
	}
}

// FuzzParseTag: no panic; a parsed tag is canonical and reparses to itself.
func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"#country+code", "#affected aidworker +killed", " #A + b ", "#", "#x++", "#é", "#a+b+a", "#inneed+f\t+m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := ParseTag(s)
		if err != nil {
			if !errors.Is(err, ErrBadTag) {
				t.Fatalf("error %v does not wrap ErrBadTag", err)
			}
			return
		}
		if tag.Name == "" {
			t.Fatalf("%q: empty name", s)
		}
		str := tag.String()
		if str != strings.ToLower(str) || strings.ContainsAny(str, " \t\n") {
			t.Fatalf("%q: not canonical: %q", s, str)
		}
		again, err := ParseTag(str)
		if err != nil || again.Name != tag.Name || !slices.Equal(again.Attrs, tag.Attrs) {
			t.Fatalf("%q: %q reparses to %+v, %v", s, str, again, err)
		}
		if !LooksLikeTag(s) {
			t.Fatalf("%q parses but does not look like a tag", s)
		}
	})
}
