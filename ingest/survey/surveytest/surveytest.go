// Package surveytest writes exports of vahub's standard survey as
// KoboToolbox and ODK Central write them, for tests, the benchmark and the
// demo's simulated export (exports/sample):
//
//   - KoboToolbox XLSX/CSV: one column per question, with value headers
//     ("wg_ss/wg_seeing") or label headers in the chosen language, values as
//     choice names or labels, then _id, _uuid, _submission_time,
//     _validation_status, _notes, _status, _submitted_by, __version__,
//     _tags, _index (KoboToolbox's export settings; CSV with ";");
//   - ODK Central CSV (and its zip, FORMID.csv plus repeat files):
//     SubmissionDate, the fields with groups joined by "-", then
//     meta-instanceID, KEY, SubmitterID, SubmitterName, AttachmentsPresent,
//     AttachmentsExpected, Status, ReviewState, DeviceID, Edits,
//     FormVersion. An edited submission has a new meta-instanceID and keeps
//     its first version's KEY.
package surveytest

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	svy "github.com/vahub/vahub/schema/survey"
)

// Interview is one submission to write: answers by question name, as
// codes ("" or missing: unanswered).
type Interview struct {
	UUID string // bare UUID; the instance id is "uuid:"+UUID
	// Deprecated is the bare UUID of the version this one edits (ODK: it
	// becomes KEY, or meta-deprecatedID with Style.DeprecatedColumn).
	Deprecated string
	Submitted  time.Time
	Answers    map[string]string
}

// Style says how a tool wrote the export.
type Style struct {
	Tool     string // svy.SourceKobo or svy.SourceODK
	Labels   bool   // label headers (Kobo "Labels" export) instead of XML names
	Values   bool   // answers as labels instead of choice names (Kobo)
	Lang     string // en, fr, es: the labels' language
	GroupSep string // "/" (Kobo), "-" (ODK), "" for no group prefix
	// MetaInstanceID adds Kobo's meta/instanceID column beside _uuid.
	MetaInstanceID bool
	// DeprecatedColumn adds ODK's meta-deprecatedID column.
	DeprecatedColumn bool
	// SplitMultiple adds a select_multiple of another group exported both
	// as a space-separated column and split into 0/1 choice columns.
	SplitMultiple bool
}

var multiChoices = []string{"food", "water", "shelter"}

// Header is the export's header row.
func Header(st Style) []string {
	form := svy.Standard()
	var h []string
	if st.Tool == svy.SourceODK {
		h = append(h, "SubmissionDate")
	}
	for _, q := range form.Questions() {
		h = append(h, questionHeader(st, q))
	}
	if st.SplitMultiple {
		base := "other_needs"
		if st.GroupSep != "" {
			base = "needs" + st.GroupSep + base
		}
		h = append(h, base)
		for _, c := range multiChoices {
			h = append(h, base+"/"+c)
		}
	}
	if st.Tool == svy.SourceODK {
		h = append(h, "meta-instanceID")
		if st.DeprecatedColumn {
			h = append(h, "meta-deprecatedID")
		}
		return append(h, "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
			"Status", "ReviewState", "DeviceID", "Edits", "FormVersion")
	}
	if st.MetaInstanceID {
		h = append(h, "meta/instanceID")
	}
	return append(h, "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
		"_submitted_by", "__version__", "_tags", "_index")
}

func questionHeader(st Style, q svy.Question) string {
	form := svy.Standard()
	name, group := q.Name, q.Group
	if st.Labels {
		name = q.Label.In(st.Lang)
		if group != "" {
			for _, it := range form.Items {
				if it.Type == svy.TypeBeginGroup && it.Name == q.Group {
					group = it.Label.In(st.Lang)
				}
			}
		}
	}
	if group == "" || st.GroupSep == "" {
		return name
	}
	return group + st.GroupSep + name
}

// Row is one interview's cells, in Header's order. Dates are ISO text;
// WriteXLSX writes them as Excel dates.
func Row(st Style, iv Interview, index int) []any {
	form := svy.Standard()
	var r []any
	if st.Tool == svy.SourceODK {
		r = append(r, iv.Submitted.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	for _, q := range form.Questions() {
		v := iv.Answers[q.Name]
		switch {
		case v == "":
			r = append(r, "")
		case q.Type == svy.TypeDate:
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				r = append(r, v)
			} else {
				r = append(r, d)
			}
		case q.Type == svy.TypeSelectOne && st.Values:
			r = append(r, choiceLabel(q.List, v, st.Lang))
		default:
			r = append(r, v)
		}
	}
	if st.SplitMultiple {
		r = append(r, "food shelter", "1", "0", "1")
	}
	id := "uuid:" + iv.UUID
	if st.Tool == svy.SourceODK {
		r = append(r, id)
		key := id
		if iv.Deprecated != "" {
			key = "uuid:" + iv.Deprecated
		}
		if st.DeprecatedColumn {
			dep := ""
			if iv.Deprecated != "" {
				dep = "uuid:" + iv.Deprecated
			}
			r = append(r, dep)
			key = id
		}
		edits := "0"
		if iv.Deprecated != "" {
			edits = "1"
		}
		return append(r, key, "42", "enumerator-3", "0", "0", "", "approved", "collect:abc", edits, svy.FormVersion)
	}
	if st.MetaInstanceID {
		r = append(r, id)
	}
	return append(r, strconv.Itoa(100000+index), iv.UUID, iv.Submitted.UTC().Format("2006-01-02T15:04:05"),
		"", "", "submitted_via_web", "enumerator3", "vQxf"+svy.FormVersion, "", strconv.Itoa(index+1))
}

func choiceLabel(list, code, lang string) string {
	l, ok := svy.Standard().List(list)
	if !ok {
		return code
	}
	for _, c := range l.Choices {
		if c.Name == code {
			return c.Label.In(lang)
		}
	}
	return code
}

// WriteXLSX writes n interviews from next as a KoboToolbox XLSX export,
// with excelize's StreamWriter: rows go to disk as they come, so a
// million-row export never sits in memory.
func WriteXLSX(path string, st Style, n int, next func(i int) Interview) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteXLSXTo(out, st, n, next); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// WriteXLSXTo is WriteXLSX to a writer (the demo writes its export through
// a temporary file renamed into place). The bytes depend on the
// interviews only, so the same interviews give the same file.
func WriteXLSXTo(w io.Writer, st Style, n int, next func(i int) Interview) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "vahub_va_needs"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	head := Header(st)
	cells := make([]any, len(head))
	for i, h := range head {
		cells[i] = h
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		row := Row(st, next(i), i)
		for j, v := range row {
			if t, ok := v.(time.Time); ok {
				row[j] = excelize.Cell{StyleID: dateStyle, Value: t}
			}
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(ref, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// WriteCSV writes the interviews as a CSV export with the given delimiter
// (KoboToolbox: ';', ODK Central: ','), with a UTF-8 BOM when bom is set.
func WriteCSV(w io.Writer, st Style, comma rune, bom bool, ivs []Interview) error {
	if bom {
		if _, err := io.WriteString(w, "\xEF\xBB\xBF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma = comma
	if err := cw.Write(Header(st)); err != nil {
		return err
	}
	for i, iv := range ivs {
		row := Row(st, iv, i)
		rec := make([]string, len(row))
		for j, v := range row {
			switch v := v.(type) {
			case time.Time:
				rec[j] = v.Format(time.DateOnly)
			default:
				rec[j] = fmt.Sprint(v)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteODKZip writes ODK Central's "CSV zip" export: FORMID.csv and a
// repeat group's FORMID-household.csv (a repeat of another form version,
// which the importer ignores).
func WriteODKZip(path string, st Style, ivs []Interview) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	z := zip.NewWriter(out)
	w, err := z.Create(svy.FormID + ".csv")
	if err != nil {
		return err
	}
	if err := WriteCSV(w, st, ',', false, ivs); err != nil {
		return err
	}
	w, err = z.Create(svy.FormID + "-household.csv")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "member-age,PARENT_KEY,KEY\n34,uuid:x,uuid:x/household[1]\n"); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	return out.Close()
}
