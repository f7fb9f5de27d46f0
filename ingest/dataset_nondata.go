package ingest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vahub/vahub/ingest/book"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/survey"
)

// Files that hold no victim-assistance figures are recognised here by
// their shape, so the focal point learns what the file is rather than
// "not recognised". Each rule is narrow: a file that matches none is left
// to the earlier readers' explanation.

func dsNoData(sheet, msg string, args ...any) *Parsed {
	return &Parsed{Format: FormatNonData, Issues: schema.Issues{{Severity: schema.SevError, Sheet: sheet,
		Code: schema.CodeNoVAData, Message: fmt.Sprintf(msg, args...)}}}
}

// dsXLSForm: sheets named survey and choices are an XLSForm, a survey
// definition rather than data. Which form it is (vahub's own standard form,
// or another organisation's) decides what the user is told to do.
func dsXLSForm(ctx context.Context, b book.Book, sheets []string) *Parsed {
	var surveySheet, choicesSheet, settingsSheet string
	for _, s := range sheets {
		switch normalize.Fold(s) {
		case "survey":
			surveySheet = s
		case "choices":
			choicesSheet = s
		case "settings":
			settingsSheet = s
		}
	}
	if surveySheet == "" || choicesSheet == "" {
		return nil
	}
	var x survey.XLSForm
	for _, s := range []struct {
		name string
		rows *[][]string
		max  int
	}{{surveySheet, &x.Survey, dsXLSFormMaxRows}, {choicesSheet, &x.Choices, 10}, {settingsSheet, &x.Settings, 10}} {
		if s.name == "" {
			continue
		}
		grid, err := book.Grid(ctx, b, s.name, s.max)
		if err != nil {
			break // what the sheet names say still stands
		}
		*s.rows = grid
	}
	d, ok := survey.DescribeXLSForm(x)
	if !ok {
		return dsNoData(surveySheet,
			"This is an XLSForm survey definition (sheets 'survey' and 'choices'): it holds questions, not data. "+
				"Ingest the survey's data export instead; vahub reads exports of its standard needs-assessment survey (VOCABULARY.md).")
	}
	if d.Ours {
		return dsNoData(surveySheet,
			"This is vahub's standard needs-assessment survey form itself (XLSForm survey definition %s, version %s): it holds "+
				"the questions, not answers. Upload it to KoboToolbox or ODK Central, collect, then ingest the exports of its data.",
			d.FormID, cmp.Or(d.Version, "not stated"))
	}
	var what []string
	if d.Title != "" {
		what = append(what, "'"+d.Title+"'")
	}
	what = append(what, "form_id "+cmp.Or(d.FormID, "not stated (no settings sheet)"))
	if d.Version != "" {
		what = append(what, "version "+d.Version)
	}
	what = append(what, fmt.Sprintf("%d named questions and calculations", len(d.Questions)))
	if len(d.Languages) > 0 {
		what = append(what, "labels in "+strings.Join(d.Languages, ", "))
	}
	msg := fmt.Sprintf("This is a survey definition (XLSForm) that is not vahub's standard form (%s): it holds questions, not data, "+
		"and its data exports are not vahub's survey either.", strings.Join(what, "; "))
	if d.Differences != "" {
		msg += " Unlike vahub's form (" + survey.FormID + "), " + d.Differences + "."
	}
	if len(d.WG) > 0 {
		msg += fmt.Sprintf(" It asks Washington Group questions under its own names (%s), not vahub's wg_* names.",
			strings.Join(d.WG[:min(len(d.WG), 6)], ", "))
	}
	msg += " To collect victim-assistance needs that vahub imports without mapping, use its standard form (vahub survey form)."
	return dsNoData(surveySheet, "%s", msg)
}

// dsXLSFormMaxRows bounds the survey sheet read into memory: forms run to
// hundreds of rows (REACH's MSNA has 548); a longer sheet is not a form.
const dsXLSFormMaxRows = 20000

// dsKoboMeta are the metadata columns KoboToolbox and ODK add to exports.
var dsKoboMeta = []string{"_uuid", "uuid", "_id", "_index", "_parent_index", "_submission_time", "__version__",
	"instanceid", "meta/instanceid", "deviceid", "start", "end", "today", "submissiondate", "key", "instance_name",
	"_submitted_by", "_status", "_validation_status"}

// dsVahubSurvey are question names of vahub's standard survey: an export
// holding them is for a survey reader, not for this one.
var dsVahubSurvey = []string{"victim_type", "incident_year", "need_medical_care", "received_medical_care",
	"need_rehabilitation", "received_rehabilitation"}

// dsNonData classifies tables that are not datasets.
func dsNonData(srcs []*dsBookSource, layouts []*dsLayout) *Parsed {
	if len(srcs) == 0 {
		return nil
	}
	var sheetNames []string
	meta, vahub := 0, false
	for _, s := range srcs {
		sheetNames = append(sheetNames, s.name)
		for _, h := range s.cols {
			lh := strings.ToLower(strings.TrimSpace(h))
			if i := strings.LastIndex(lh, "/"); i >= 0 && !strings.HasPrefix(lh, "meta/") {
				lh = lh[i+1:]
			}
			if slices.Contains(dsKoboMeta, lh) {
				meta++
			}
			if slices.Contains(dsVahubSurvey, lh) {
				vahub = true
			}
		}
	}
	first := srcs[0]
	switch {
	case vahub:
		return nil
	case meta >= 3:
		return dsNoData(first.name,
			"This is a KoboToolbox/ODK data export (metadata columns such as uuid, _index, start, end; sheets %s) of a survey "+
				"that is not vahub's standard survey: it has no victim_type, cause or need_*/received_* questions, so it holds no "+
				"victim-assistance figures vahub can read.", quoteList(sheetNames))
	}
	for i, s := range srcs {
		joined := make([]string, 0, len(s.cols))
		for _, h := range s.cols {
			joined = append(joined, strings.ReplaceAll(normalize.Fold(h), " ", ""))
		}
		hasSub := func(subs ...string) bool {
			for _, j := range joined {
				for _, sub := range subs {
					if strings.Contains(j, sub) {
						return true
					}
				}
			}
			return false
		}
		l := layouts[i]
		switch {
		case hasSub("desminad", "despeje", "despejad", "artefactosdestruidos", "clearance", "areacleared", "landreleased",
			"deminage", "depollution", "devicesdestroyed", "enginsdetruits"):
			return dsNoData(s.name,
				"This is a table of humanitarian demining (clearance) results: no casualty, service or needs figures (columns %s).",
				quoteList(s.cols[:min(len(s.cols), 5)]))
		case hasSub("bailleur", "donor", "donateur", "financement") && hasSub("cluster", "secteur", "sector", "activite", "activity", "projet", "project"):
			return dsNoData(s.name,
				"This is a 3W operational presence list (who does what where: organisations, projects, clusters, donors): "+
					"no casualty, service or needs figures by victim group.")
		case len(s.cols) <= 3 && hasSub("psu", "cluster", "grappe", "conglomerado") && hasSub("pop", "population", "poblacion"):
			return dsNoData(s.name,
				"This is a cluster population table (population per primary sampling unit, the sampling frame of a survey): "+
					"no casualty, service or needs figures.")
		case dsCodedSurvey(s, l):
			return dsNoData(s.name,
				"This is a survey data export with short question codes (%s …) and numeric answer codes but no labels: it is not "+
					"vahub's standard survey and cannot be read without its questionnaire. No victim-assistance figures were read.",
				quoteList(s.cols[:min(len(s.cols), 4)]))
		}
	}
	return nil
}

// dsCodedSurvey: many columns with short codes for names, nearly all
// values numbers (or NA): an SPSS/R-style survey export.
func dsCodedSurvey(s *dsBookSource, l *dsLayout) bool {
	if len(s.cols) < 20 || l == nil || l.sampled < dsMinRows {
		return false
	}
	short := 0
	for _, h := range s.cols {
		if len(h) > 0 && len(h) <= 4 {
			short++
		}
	}
	var n, nums int
	for _, c := range l.cols {
		n += c.n - c.holders
		nums += c.hits[vInt]
	}
	return short*10 >= len(s.cols)*8 && n > 0 && nums*100 >= n*95
}
