// Package hxl parses Humanitarian Exchange Language hashtags
// (https://hxlstandard.org): "#affected+f+children". It is pure: no I/O,
// no knowledge of which tags vahub reads.
package hxl

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tag is one parsed hashtag. Name and attributes are lower-case ASCII
// (HXL is case-insensitive); attributes keep their order, without repeats.
type Tag struct {
	Name  string
	Attrs []string
}

// ErrBadTag is wrapped by ParseTag with what is wrong.
var ErrBadTag = errors.New("not a valid HXL tag")

// ParseTag parses "#name+attr+attr". Spaces around the tag and before or
// after a '+' are tolerated, as the HXL standard's own parser does
// ("#country +name"); anything else is an error, never guessed: a word
// after a space that has no '+' ("#affected aidworker +killed"), a tag or
// attribute that does not start with a letter or holds characters other
// than letters, digits and '_', an empty attribute ("#inneed++f").
func ParseTag(s string) (Tag, error) {
	p := strings.TrimFunc(s, unicode.IsSpace)
	if !strings.HasPrefix(p, "#") {
		return Tag{}, fmt.Errorf("%w: it does not start with '#'", ErrBadTag)
	}
	p = p[1:]
	name, rest := token(p)
	if name == "" {
		return Tag{}, fmt.Errorf("%w: %s", ErrBadTag, badStart("tag name", p, "'#'"))
	}
	t := Tag{Name: name}
	for {
		spaced := len(rest)
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		spaced -= len(rest)
		if rest == "" {
			return t, nil
		}
		if rest[0] != '+' {
			if spaced > 0 {
				if w, _ := token(rest); w != "" {
					return Tag{}, fmt.Errorf("%w: %q after a space is not an attribute; attributes start with '+'", ErrBadTag, w)
				}
			}
			r, _ := utf8.DecodeRuneInString(rest)
			return Tag{}, fmt.Errorf("%w: unexpected character %q", ErrBadTag, r)
		}
		rest = strings.TrimLeftFunc(rest[1:], unicode.IsSpace)
		var a string
		a, rest = token(rest)
		if a == "" {
			return Tag{}, fmt.Errorf("%w: %s", ErrBadTag, badStart("attribute", rest, "'+'"))
		}
		if !slices.Contains(t.Attrs, a) {
			t.Attrs = append(t.Attrs, a)
		}
	}
}

// token reads [A-Za-z][A-Za-z0-9_]* from the start of s, lower-cased.
func token(s string) (tok, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			break
		}
		i++
	}
	return strings.ToLower(s[:i]), s[i:]
}

func badStart(what, s, after string) string {
	if s == "" {
		return fmt.Sprintf("no %s after %s", what, after)
	}
	r, _ := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(r) {
		return fmt.Sprintf("a space after %s", after)
	}
	return fmt.Sprintf("the %s must start with a letter, not %q", what, r)
}

// String writes the tag in canonical form: "#affected+f+children".
func (t Tag) String() string {
	if len(t.Attrs) == 0 {
		return "#" + t.Name
	}
	return "#" + t.Name + "+" + strings.Join(t.Attrs, "+")
}

// Has reports whether the tag carries attribute a (lower-case).
func (t Tag) Has(a string) bool { return slices.Contains(t.Attrs, a) }

// LooksLikeTag reports whether a cell is meant as a hashtag: '#' followed
// by a letter, after leading spaces. "#" alone and "# of people" are not.
func LooksLikeTag(s string) bool {
	p := strings.TrimLeftFunc(s, unicode.IsSpace)
	if len(p) < 2 || p[0] != '#' {
		return false
	}
	c := p[1]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// IsHashtagRow reports whether the non-blank cells of a row make an HXL
// hashtag row: more than half of them look like tags and at least one is
// a valid tag. Untagged columns are allowed (the standard says so).
func IsHashtagRow(cells []string) bool {
	n, like, valid := 0, 0, 0
	for _, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		n++
		if LooksLikeTag(c) {
			like++
			if _, err := ParseTag(c); err == nil {
				valid++
			}
		}
	}
	return valid > 0 && 2*like > n
}
