package xform_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vahub/vahub/ingest/submission"
	"github.com/vahub/vahub/schema/survey"
	"github.com/vahub/vahub/schema/survey/xform"
)

// node is any element of the XForm, kept whole for the checks.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n node) attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n node) walk(fn func(node, string), path string) {
	fn(n, path)
	for _, c := range n.Nodes {
		c.walk(fn, path+"/"+c.XMLName.Local)
	}
}

// The XForm holds together: every control has a bind and an instance node,
// every itext reference a text in each language, every path in an
// expression a node; choices are the form's codes.
func TestXFormStructure(t *testing.T) {
	doc, err := xform.Write(survey.Standard())
	if err != nil {
		t.Fatal(err)
	}
	var root node
	if err := xml.Unmarshal(doc, &root); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	instancePaths := map[string]bool{}
	binds := map[string]node{}
	itext := map[string]map[string]bool{} // lang -> ids
	var controls []node
	var items []node
	root.walk(func(n node, path string) {
		switch n.XMLName.Local {
		case "instance":
			for _, c := range n.Nodes {
				c.walk(func(m node, p string) { instancePaths[p] = true }, "/"+c.XMLName.Local)
				if c.attr("id") != survey.FormID || c.attr("version") != survey.FormVersion {
					t.Errorf("instance root %s id=%q version=%q", c.XMLName.Local, c.attr("id"), c.attr("version"))
				}
			}
		case "bind":
			binds[n.attr("nodeset")] = n
		case "translation":
			ids := map[string]bool{}
			for _, tx := range n.Nodes {
				ids[tx.attr("id")] = true
			}
			itext[n.attr("lang")] = ids
		case "input", "select1", "group":
			controls = append(controls, n)
		case "item":
			items = append(items, n)
		}
	}, "")
	if len(itext) != 3 || itext["English (en)"] == nil || itext["Français (fr)"] == nil || itext["Español (es)"] == nil {
		t.Fatalf("translations %v", len(itext))
	}
	for _, c := range controls {
		ref := c.attr("ref")
		if !instancePaths[ref] {
			t.Errorf("control %s has no instance node", ref)
		}
		if _, ok := binds[ref]; !ok {
			t.Errorf("control %s has no bind", ref)
		}
	}
	for nodeset := range binds {
		if !instancePaths[nodeset] {
			t.Errorf("bind %s has no instance node", nodeset)
		}
	}
	if b := binds["/vahub_va_needs/meta/instanceID"]; !strings.Contains(b.attr("calculate"), "uuid()") {
		t.Errorf("instanceID bind %v", b.Attrs)
	}

	itextRef := regexp.MustCompile(`jr:itext\('([^']+)'\)`)
	for _, m := range itextRef.FindAllSubmatch(doc, -1) {
		for lang, ids := range itext {
			if !ids[string(m[1])] {
				t.Errorf("%s has no text %s", lang, m[1])
			}
		}
	}
	pathRef := regexp.MustCompile(`/vahub_va_needs(/[A-Za-z_]+)+`)
	for nodeset, b := range binds {
		for _, expr := range []string{b.attr("relevant"), b.attr("constraint")} {
			if strings.Contains(expr, "${") {
				t.Errorf("%s: XLSForm reference left in %q", nodeset, expr)
			}
			for _, p := range pathRef.FindAllString(expr, -1) {
				if !instancePaths[p] {
					t.Errorf("%s: %q refers to %s, not in the instance", nodeset, expr, p)
				}
			}
		}
	}
	if r := binds["/vahub_va_needs/needs/received_rehabilitation"].attr("relevant"); r != " /vahub_va_needs/needs/need_rehabilitation  = 'yes'" {
		t.Errorf("received_rehabilitation relevant = %q", r)
	}
	if b := binds["/vahub_va_needs/age"]; b.attr("type") != "int" || b.attr("required") != "true()" || b.attr("constraint") == "" {
		t.Errorf("age bind %v", b.Attrs)
	}
	codes := 0
	for _, it := range items {
		for _, c := range it.Nodes {
			if c.XMLName.Local == "value" && c.Text != "" {
				codes++
			}
		}
	}
	if codes < 250 { // the countries and every other list
		t.Errorf("%d choice values", codes)
	}

	again, _ := xform.Write(survey.Standard())
	if !bytes.Equal(doc, again) || xform.Hash(doc) != xform.Hash(again) || !strings.HasPrefix(xform.Hash(doc), "md5:") {
		t.Error("the XForm is not byte-stable")
	}
}

// An instance shaped as the XForm's primary instance and filled in as
// Collect would fill it is accepted by the submission reader: the paths of
// the two agree.
func TestXFormInstanceIsReadBack(t *testing.T) {
	doc, err := xform.Write(survey.Standard())
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{
		"consent": "yes", "country": "LAO", "interview_date": "2026-03-02", "sex": "female", "age": "30",
		"victim_type": "survivor", "cause": "landmine", "wg_seeing": "no_difficulty", "wg_hearing": "no_difficulty",
		"wg_walking": "cannot_do_at_all", "wg_cognition": "no_difficulty", "wg_selfcare": "no_difficulty",
		"wg_communication": "no_difficulty", "need_medical_care": "yes", "received_medical_care": "no",
		"need_rehabilitation": "no", "need_psychosocial_support": "no", "need_socioeconomic_inclusion": "no",
		"instanceID": "uuid:0d3c", "admin1": "",
	}
	// Copy the primary instance, filling each leaf.
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out bytes.Buffer
	enc := xml.NewEncoder(&out)
	inInstance, depth := false, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Local == "instance" && !inInstance {
				inInstance = true
				continue
			}
			if inInstance {
				depth++
				tk.Name.Space = ""
				enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: tk.Name.Local}, Attr: tk.Attr})
				if v, ok := answers[tk.Name.Local]; ok {
					enc.EncodeToken(xml.CharData(v))
				}
			}
		case xml.EndElement:
			if !inInstance {
				continue
			}
			if depth == 0 {
				inInstance = false
				continue
			}
			depth--
			enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: tk.Name.Local}})
		}
		if !inInstance && out.Len() > 0 {
			break
		}
	}
	enc.Flush()
	env, err := submission.DecodeXML(&out, survey.FormID)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	rec, err := env.Record(survey.Standard(), submission.Options{Now: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC), Source: survey.SourceOpenRosa})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if rec.InstanceID != "uuid:0d3c" || rec.FormVersion != survey.FormVersion || survey.Disability(rec.WG) != "yes" || rec.Need["medical_care"] != "yes" {
		t.Errorf("record %+v", rec)
	}
}
