package ingest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// Files that hold no victim-assistance figures are recognised here by
// their shape, so the focal point learns what the file is rather than
// "not recognised". Each rule is narrow: a file that matches none is left
// to the earlier readers' explanation.

func dsNoData(sheet, msg string, args ...any) *Parsed {
	return &Parsed{Format: FormatNonData, Issues: schema.Issues{{Severity: schema.SevError, Sheet: sheet,
		Code: schema.CodeNoVAData, Message: fmt.Sprintf(msg, args...)}}}
}

// dsXLSForm: sheets named survey and choices are an XLSForm.
func dsXLSForm(sheets []string) *Parsed {
	var survey, choices bool
	for _, s := range sheets {
		switch normalize.Fold(s) {
		case "survey":
			survey = true
		case "choices":
			choices = true
		}
	}
	if !survey || !choices {
		return nil
	}
	return dsNoData("survey",
		"This is an XLSForm survey definition (sheets 'survey' and 'choices'): it holds questions, not data. "+
			"Ingest the survey's data export instead; vahub reads exports of its standard needs-assessment survey (VOCABULARY.md).")
}

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
