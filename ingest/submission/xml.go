package submission

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of an XML instance. The standard form's instance is a few hundred
// bytes, with about forty elements two levels deep.
const (
	maxXMLDepth    = 6
	maxXMLElements = 2000
	maxXMLValue    = 4 << 10
)

// DecodeXML reads an XForms instance as ODK Collect and Enketo submit it:
//
//	<vahub_va_needs id="vahub_va_needs" version="2026.1">
//	  <consent>yes</consent> … <wg_ss><wg_seeing>no_difficulty</wg_seeing> …</wg_ss>
//	  <meta><instanceID>uuid:…</instanceID><deprecatedID>uuid:…</deprecatedID></meta>
//	</vahub_va_needs>
//
// The root's id attribute names the form (ErrUnknownForm when it is not
// formID); groups are nested elements, giving paths such as
// "wg_ss/wg_seeing"; empty elements (notes, questions not relevant) are
// unanswered. A document that is not such an instance is a *DecodeError.
func DecodeXML(r io.Reader, formID string) (Envelope, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	// The instance is UTF-8 (XForms says so); any other declared charset
	// is refused rather than guessed.
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") {
			return in, nil
		}
		return nil, fmt.Errorf("encoding %q: submissions are UTF-8", label)
	}
	var e Envelope
	type frame struct {
		path     string
		text     strings.Builder
		children int
	}
	var stack []*frame
	elements, rootSeen := 0, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return e, xmlError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			elements++
			if elements > maxXMLElements {
				return e, decodeErrorf("the instance has more than %d elements", maxXMLElements)
			}
			if len(stack) == 0 {
				if rootSeen {
					return e, decodeErrorf("the document has more than one root element")
				}
				rootSeen = true
				for _, a := range t.Attr {
					switch {
					case a.Name.Space == "" && a.Name.Local == "id":
						e.FormID = a.Value
					case a.Name.Space == "" && a.Name.Local == "version":
						e.FormVersion = a.Value
					}
				}
				if e.FormID == "" {
					return e, decodeErrorf("the root element <%s> has no id attribute: is this an XForms instance?", clip(t.Name.Local))
				}
				if e.FormID != formID {
					return e, ErrUnknownForm
				}
				stack = append(stack, &frame{})
				continue
			}
			if len(stack) >= maxXMLDepth {
				return e, decodeErrorf("the instance nests deeper than %d levels", maxXMLDepth)
			}
			parent := stack[len(stack)-1]
			parent.children++
			path := t.Name.Local
			if parent.path != "" {
				path = parent.path + "/" + path
			}
			stack = append(stack, &frame{path: path})
		case xml.CharData:
			if len(stack) > 0 {
				f := stack[len(stack)-1]
				if f.text.Len()+len(t) > maxXMLValue {
					return e, decodeErrorf("the value of %s is longer than %d bytes", clip(f.path), maxXMLValue)
				}
				f.text.Write(t)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 || f.children > 0 {
				continue // the root, or a group: its text is only layout
			}
			value := strings.TrimSpace(f.text.String())
			switch f.path {
			case "meta/instanceID":
				e.InstanceID = value
			case "meta/deprecatedID":
				e.DeprecatedID = value
			default:
				e.Answers = append(e.Answers, Answer{Path: f.path, Value: value})
			}
		}
	}
	if !rootSeen {
		return e, decodeErrorf("the body holds no XML element: send the XForms instance")
	}
	return e, nil
}

func xmlError(err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return decodeErrorf("the instance is not well-formed XML (line %d)", syn.Line)
	}
	if strings.Contains(err.Error(), "submissions are UTF-8") {
		return decodeErrorf("the instance must be UTF-8")
	}
	// A read error (over the cap, a client that hung up) stays what it is.
	return fmt.Errorf("submission: read instance: %w", err)
}
