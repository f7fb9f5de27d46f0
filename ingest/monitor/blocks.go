package monitor

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

type blockKind uint8

const (
	bkText    blockKind = iota // a paragraph, list item or loose text
	bkHeading                  // h1–h6, or a paragraph that is all bold
	bkCell                     // a table cell, dt or dd
	bkImage                    // an image (alt, title and file name in text)
)

// block is one unit of visible text in reading order. Line breaks inside a
// block (<br>, nested paragraphs of a cell) are kept as "\n".
type block struct {
	kind blockKind
	text string
	tag  string // the element that made the block
}

// page is what the extractor reads from the HTML.
type page struct {
	title  string
	h1     []string
	blocks []block
}

// maxDepth bounds the recursion on hostile, deeply nested markup.
const maxDepth = 400

// parsePage decodes the HTML (charset from BOM or <meta>, UTF-8 otherwise)
// and returns its visible text blocks, navigation and scripts removed.
func parsePage(raw []byte) (*page, error) {
	var r io.Reader = bytes.NewReader(raw)
	if enc, name, _ := charset.DetermineEncoding(raw, "text/html"); name != "utf-8" && enc != nil {
		r = enc.NewDecoder().Reader(r)
	}
	doc, err := html.Parse(r)
	if err != nil {
		return nil, err
	}
	p := &page{}
	w := walker{p: p}
	w.walk(doc, 0)
	w.flush()
	return p, nil
}

type walker struct {
	p      *page
	inline strings.Builder // loose text between block elements
}

// Elements whose content is never page text.
var skipAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true, atom.Nav: true,
	atom.Footer: true, atom.Aside: true, atom.Form: true, atom.Button: true, atom.Select: true,
	atom.Iframe: true, atom.Svg: true, atom.Object: true, atom.Embed: true, atom.Input: true,
	atom.Textarea: true, atom.Canvas: true, atom.Video: true, atom.Audio: true, atom.Map: true,
}

// Class or id words of site chrome: menus, breadcrumbs, sharing buttons.
var chromeWords = map[string]bool{
	"nav": true, "navbar": true, "navigation": true, "menu": true, "megamenu": true, "topnav": true,
	"subnav": true, "mainnav": true, "breadcrumb": true, "breadcrumbs": true, "footer": true,
	"sidebar": true, "share": true, "sharing": true, "social": true, "cookie": true, "cookies": true,
	"skip": true, "skiplink": true, "search": true, "searchbox": true, "masthead": true, "banner": true,
	"newsletter": true, "subscribe": true, "pagination": true, "pager": true,
}

var chromeRoles = map[string]bool{"navigation": true, "banner": true, "contentinfo": true, "search": true, "menu": true, "menubar": true}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func isChrome(n *html.Node) bool {
	if skipAtoms[n.DataAtom] {
		return true
	}
	if n.DataAtom == atom.Header && !insideContent(n) {
		return true
	}
	if chromeRoles[strings.ToLower(attr(n, "role"))] {
		return true
	}
	if strings.EqualFold(attr(n, "aria-hidden"), "true") || attr(n, "hidden") != "" && n.DataAtom != atom.Input {
		return true
	}
	for _, v := range []string{attr(n, "class"), attr(n, "id")} {
		for _, w := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) {
			if chromeWords[w] {
				return true
			}
		}
	}
	return false
}

func insideContent(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Main || p.DataAtom == atom.Article {
			return true
		}
	}
	return false
}

// Elements that end a line of text.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true, atom.Header: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true, atom.Td: true,
	atom.Th: true, atom.Caption: true, atom.Blockquote: true, atom.Pre: true, atom.Figure: true,
	atom.Figcaption: true, atom.Hr: true, atom.Body: true, atom.Html: true, atom.Center: true,
	atom.Address: true, atom.Details: true, atom.Summary: true, atom.Fieldset: true, atom.Colgroup: true,
}

// Elements read as one block with their whole text, unless they hold
// structure of their own (a layout table inside a cell).
var leafAtoms = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Dt: true, atom.Dd: true, atom.Td: true, atom.Th: true, atom.Caption: true,
	atom.Figcaption: true, atom.Pre: true, atom.Blockquote: true,
}

var structureAtoms = map[atom.Atom]bool{
	atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Img: true,
}

func (w *walker) walk(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.inline.WriteString(n.Data)
		return
	case html.ElementNode:
		if n.DataAtom == atom.Title && w.p.title == "" {
			w.p.title = collapse(textOf(n, 0))
			return
		}
		if n.DataAtom == atom.Head {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.DataAtom == atom.Title {
					w.walk(c, depth+1)
				}
			}
			return
		}
		if isChrome(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			w.inline.WriteString("\n")
			return
		case atom.Img:
			w.flush()
			w.image(n)
			return
		}
		if leafAtoms[n.DataAtom] && !hasStructure(n, 0) {
			w.flush()
			w.leaf(n)
			return
		}
		if blockAtoms[n.DataAtom] {
			w.flush()
			defer w.flush()
		}
	case html.DocumentNode:
	default:
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

func hasStructure(n *html.Node, depth int) bool {
	if depth > maxDepth {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if structureAtoms[c.DataAtom] || hasStructure(c, depth+1) {
			return true
		}
	}
	return false
}

func (w *walker) leaf(n *html.Node) {
	text := strings.TrimSpace(collapseLines(textOf(n, 0)))
	if text == "" {
		return
	}
	b := block{kind: bkText, text: text, tag: n.DataAtom.String()}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		b.kind = bkHeading
		if n.DataAtom == atom.H1 {
			w.p.h1 = append(w.p.h1, collapse(text))
		}
	case atom.Td, atom.Th, atom.Dt, atom.Dd, atom.Caption:
		b.kind = bkCell
	case atom.P:
		if allBold(n) {
			b.kind = bkHeading
		}
	}
	w.p.blocks = append(w.p.blocks, b)
}

func (w *walker) image(n *html.Node) {
	src := attr(n, "src")
	if i := strings.LastIndexAny(src, "/"); i >= 0 {
		src = src[i+1:]
	}
	text := strings.TrimSpace(strings.Join([]string{attr(n, "alt"), attr(n, "title"), src}, "\n"))
	w.p.blocks = append(w.p.blocks, block{kind: bkImage, text: text, tag: "img"})
}

func (w *walker) flush() {
	text := strings.TrimSpace(collapseLines(w.inline.String()))
	w.inline.Reset()
	if text != "" {
		w.p.blocks = append(w.p.blocks, block{kind: bkText, text: text, tag: "#text"})
	}
}

// textOf returns the visible text under n; block children and <br> end lines.
func textOf(n *html.Node, depth int) string {
	var b strings.Builder
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if isChrome(n) {
				return
			}
			if n.DataAtom == atom.Br {
				b.WriteString("\n")
				return
			}
		default:
			if n.Type != html.DocumentNode {
				return
			}
		}
		isBlock := n.Type == html.ElementNode && blockAtoms[n.DataAtom]
		if isBlock {
			b.WriteString("\n")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
		if isBlock {
			b.WriteString("\n")
		}
	}
	rec(n, depth)
	return b.String()
}

// allBold reports whether every visible character of a paragraph is inside
// <strong> or <b>: the Monitor's run-in headings.
func allBold(n *html.Node) bool {
	bold, other := 0, 0
	var rec func(*html.Node, bool, int)
	rec = func(n *html.Node, in bool, depth int) {
		if depth > maxDepth {
			return
		}
		if n.Type == html.TextNode {
			k := len(strings.TrimSpace(n.Data))
			if in {
				bold += k
			} else {
				other += k
			}
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Strong || n.DataAtom == atom.B) {
			in = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, in, depth+1)
		}
	}
	rec(n, false, 0)
	return bold > 0 && other == 0
}

// collapse folds all white space, line breaks included, into single spaces.
func collapse(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r == '\u00a0' || r == '\u202f' {
			return ' '
		}
		return r
	}, s)), " ")
}

// collapseLines collapses white space within lines and drops blank lines.
func collapseLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = collapse(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
