// Package xform writes a survey.Form as an ODK XForm: the XML form ODK
// Collect downloads from an OpenRosa server's form list. It is what pyxform
// makes of the XLSForm, written directly from the form's definition so
// that vahub can serve its own survey to Collect without a converter.
//
// Labels, hints and constraint messages are itext translations in each of
// the form's languages ("English (en)" is the default); select_one
// questions list their choices inline; XLSForm's ${name} references become
// absolute paths; meta/instanceID is computed as "uuid:" + uuid(), which
// is the id vahub's submissions are idempotent on.
package xform

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"

	"github.com/vahub/vahub/schema/survey"
)

// Write returns the XForm of f.
func Write(f *survey.Form) ([]byte, error) {
	w := &writer{f: f, root: "/" + f.ID, paths: map[string]string{}}
	if err := w.index(); err != nil {
		return nil, err
	}
	w.doc()
	return w.b.Bytes(), nil
}

// Hash is the form list's hash of an XForm: "md5:" and the hex MD5 of its
// bytes, by which Collect knows whether its copy is current.
func Hash(doc []byte) string {
	h := md5.Sum(doc)
	return "md5:" + hex.EncodeToString(h[:])
}

type writer struct {
	f     *survey.Form
	root  string            // "/vahub_va_needs"
	paths map[string]string // item name -> absolute path
	b     bytes.Buffer
}

// ref matches XLSForm's ${name} references.
var ref = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}`)

// index gives every named item its path and checks the references.
func (w *writer) index() error {
	group := ""
	for _, it := range w.f.Items {
		switch it.Type {
		case survey.TypeBeginGroup:
			if group != "" {
				return fmt.Errorf("xform: group %s inside %s: one level only", it.Name, group)
			}
			group = it.Name
			w.paths[it.Name] = w.root + "/" + it.Name
			continue
		case survey.TypeEndGroup:
			group = ""
			continue
		}
		p := w.root + "/" + it.Name
		if group != "" {
			p = w.root + "/" + group + "/" + it.Name
		}
		w.paths[it.Name] = p
	}
	for _, it := range w.f.Items {
		for _, expr := range []string{it.Relevant, it.Constraint} {
			for _, m := range ref.FindAllStringSubmatch(expr, -1) {
				if _, ok := w.paths[m[1]]; !ok {
					return fmt.Errorf("xform: %s refers to ${%s}, which the form does not have", it.Name, m[1])
				}
			}
		}
	}
	return nil
}

// xpath turns XLSForm references into absolute paths.
func (w *writer) xpath(expr string) string {
	return ref.ReplaceAllStringFunc(expr, func(m string) string {
		return " " + w.paths[ref.FindStringSubmatch(m)[1]] + " "
	})
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (w *writer) printf(format string, args ...any) { fmt.Fprintf(&w.b, format, args...) }

func (w *writer) doc() {
	w.b.WriteString(xml.Header)
	w.printf(`<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:orx="http://openrosa.org/xforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` + "\n")
	w.printf("<h:head>\n<h:title>%s</h:title>\n", esc(w.f.Title.EN))
	w.printf(`<model odk:xforms-version="1.0.0">` + "\n")
	w.itext()
	w.instance()
	w.binds()
	w.printf("</model>\n</h:head>\n<h:body>\n")
	w.body()
	w.printf("</h:body>\n</h:html>\n")
}

// itext: one translation per language, English the default.
func (w *writer) itext() {
	w.printf("<itext>\n")
	for i, lang := range survey.Languages() {
		def := ""
		if i == 0 {
			def = ` default="true()"`
		}
		w.printf(`<translation lang="%s"%s>`+"\n", esc(lang.Column()), def)
		text := func(id string, t survey.Text) {
			if v := t.In(lang.Code); v != "" {
				w.printf(`<text id="%s"><value>%s</value></text>`+"\n", esc(id), esc(v))
			} else if v := t.EN; v != "" {
				w.printf(`<text id="%s"><value>%s</value></text>`+"\n", esc(id), esc(v))
			}
		}
		for _, it := range w.f.Items {
			if it.Type == survey.TypeEndGroup {
				continue
			}
			p := w.paths[it.Name]
			text(p+":label", it.Label)
			text(p+":hint", it.Hint)
			text(p+":jr:constraintMsg", it.ConstraintMessage)
		}
		for _, l := range w.f.Lists {
			for _, c := range l.Choices {
				text(choiceID(l.Name, c.Name), c.Label)
			}
		}
		w.printf("</translation>\n")
	}
	w.printf("</itext>\n")
}

func choiceID(list, code string) string { return "choice-" + list + "-" + code + ":label" }

// instance: the primary instance, every question an empty element, groups
// nested, and the meta block.
func (w *writer) instance() {
	w.printf(`<instance>`+"\n"+`<%s id="%s" version="%s">`+"\n", w.f.ID, esc(w.f.ID), esc(w.f.Version))
	group := ""
	for _, it := range w.f.Items {
		switch it.Type {
		case survey.TypeBeginGroup:
			group = it.Name
			w.printf("<%s>\n", it.Name)
		case survey.TypeEndGroup:
			w.printf("</%s>\n", group)
			group = ""
		default:
			w.printf("<%s/>\n", it.Name)
		}
	}
	w.printf("<meta>\n<instanceID/>\n</meta>\n</%s>\n</instance>\n", w.f.ID)
}

// xformType is the bind type of an XLSForm type.
func xformType(t string) string {
	switch t {
	case survey.TypeInteger:
		return "int"
	case survey.TypeDate:
		return "date"
	}
	return "string"
}

func (w *writer) binds() {
	for _, it := range w.f.Items {
		if it.Type == survey.TypeEndGroup {
			continue
		}
		attrs := []string{fmt.Sprintf(`nodeset="%s"`, w.paths[it.Name])}
		if it.Type != survey.TypeBeginGroup {
			attrs = append(attrs, fmt.Sprintf(`type="%s"`, xformType(it.Type)))
		}
		if it.Type == survey.TypeNote {
			attrs = append(attrs, `readonly="true()"`)
		}
		if it.Relevant != "" {
			attrs = append(attrs, fmt.Sprintf(`relevant="%s"`, esc(w.xpath(it.Relevant))))
		}
		if it.Constraint != "" {
			attrs = append(attrs, fmt.Sprintf(`constraint="%s"`, esc(w.xpath(it.Constraint))))
			if !it.ConstraintMessage.IsZero() {
				attrs = append(attrs, fmt.Sprintf(`jr:constraintMsg="jr:itext('%s:jr:constraintMsg')"`, w.paths[it.Name]))
			}
		}
		if it.Required {
			attrs = append(attrs, `required="true()"`)
		}
		w.printf("<bind %s/>\n", strings.Join(attrs, " "))
	}
	w.printf(`<bind nodeset="%s/meta/instanceID" type="string" readonly="true()" calculate="concat('uuid:', uuid())"/>`+"\n", w.root)
}

func (w *writer) body() {
	label := func(p string) string { return fmt.Sprintf(`<label ref="jr:itext('%s:label')"/>`, p) }
	hint := func(p string, t survey.Text) string {
		if t.IsZero() {
			return ""
		}
		return fmt.Sprintf(`<hint ref="jr:itext('%s:hint')"/>`, p)
	}
	for _, it := range w.f.Items {
		p := w.paths[it.Name]
		app := ""
		if it.Appearance != "" {
			app = fmt.Sprintf(` appearance="%s"`, esc(it.Appearance))
		}
		switch it.Type {
		case survey.TypeBeginGroup:
			w.printf(`<group ref="%s"%s>%s`+"\n", p, app, label(p))
		case survey.TypeEndGroup:
			w.printf("</group>\n")
		case survey.TypeSelectOne:
			w.printf(`<select1 ref="%s"%s>%s%s`+"\n", p, app, label(p), hint(p, it.Hint))
			l, _ := w.f.List(it.List)
			for _, c := range l.Choices {
				w.printf(`<item><label ref="jr:itext('%s')"/><value>%s</value></item>`+"\n", esc(choiceID(l.Name, c.Name)), esc(c.Name))
			}
			w.printf("</select1>\n")
		default: // text, integer, date, note
			w.printf(`<input ref="%s"%s>%s%s</input>`+"\n", p, app, label(p), hint(p, it.Hint))
		}
	}
}
