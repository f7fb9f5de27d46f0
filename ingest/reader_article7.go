package ingest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/vahub/vahub/ingest/book"
	"github.com/vahub/vahub/ingest/tables"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/formh"
	"github.com/vahub/vahub/schema/pg"
)

// Formats of the Article 7 reader: an Article 7 report as a State filled
// it, or a casualty or service table found in any other workbook.
const (
	FormatArticle7 = "article7"
	FormatTable    = "table"
)

// Report.FormatVersion of the reports this reader makes.
const (
	a7VersionArticle7 = "art7"
	a7VersionTable    = "table"
)

// a7TitleRows is how far down each sheet the reader looks for the words
// that make a workbook an Article 7 report.
const a7TitleRows = 80

// a7MaxBytes: Article 7 forms and country tables are small workbooks.
// Bigger files are datasets; reading their sheets whole into grids (merged
// ranges need the whole sheet) would break the streaming promise.
const a7MaxBytes = 16 << 20

// readArticle7 reads an Article 7 report (cover page, Form H and its
// tables, in English, French or Spanish) or, in any other workbook, the
// casualty and service tables it can find. A workbook that is neither, or
// a vahub template, is not its own: nil, nil.
func readArticle7(ctx context.Context, in Input) (p *Parsed, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("article 7 reader: %v", r)
		}
	}()
	if in.Size > a7MaxBytes || len(in.Content) > a7MaxBytes {
		return nil, nil
	}
	b, err := book.Open(in.Path)
	if err != nil {
		return nil, nil // the template reader has said why it cannot be read
	}
	defer b.Close()
	if slices.Contains(b.Sheets(), formh.MarkerSheet) {
		return nil, nil
	}
	wb := &a7Workbook{date1904: b.Date1904()}
	for _, name := range b.Sheets() {
		g, err := book.Grid(ctx, b, name, tables.MaxRows)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, nil // a sheet that cannot be read: not a form we can read
		}
		wb.sheets = append(wb.sheets, tables.Sheet{Name: name, Grid: g})
	}
	if err := wb.chooseLabels(ctx, in); err != nil {
		return nil, err
	}
	p = wb.read(in)
	if p != nil {
		wb.finishLabels(in, p)
	}
	return p, nil
}

// chooseLabels looks for header labels vahub does not know. When there
// are some, the first such table's layout fingerprint picks a label
// mapping: the one given with --mapping, else one stored for the layout.
// Found, its labels are given to discovery; not found, a draft mapping
// file lists the unknown labels for a data officer to complete.
func (wb *a7Workbook) chooseLabels(ctx context.Context, in Input) error {
	var names []string
	for _, s := range wb.sheets {
		names = append(names, s.Name)
	}
	var first *tables.Table
	var unknown []string
	seen := map[string]bool{}
	for _, s := range wb.sheets {
		if a7HasHXLRow(s.Grid) {
			continue
		}
		for _, t := range tables.Discover(s) {
			if len(t.Unknown) == 0 {
				continue
			}
			if first == nil {
				first = &t
				wb.labelFP = a7TableFingerprint(names, t, s.Grid)
			}
			for _, l := range t.Unknown {
				if k := normalize.Fold(l.Text); k != "" && !seen[k] {
					seen[k] = true
					unknown = append(unknown, l.Text)
				}
			}
		}
	}
	if first == nil {
		return nil
	}
	use := &LayoutUse{Fingerprint: wb.labelFP, Format: FormatTable}
	switch {
	case in.Mapping != nil && len(in.Mapping.Labels) > 0 && in.Mapping.matches(wb.labelFP, "xlsx", first.Sheet):
		use.Source, use.Mapping = LayoutFromFile, in.Mapping
	case in.Layouts != nil:
		st, err := in.Layouts.Get(ctx, wb.labelFP)
		if err != nil {
			return err
		}
		if st != nil && len(st.Mapping.Labels) > 0 {
			use.Source, use.Mapping = LayoutStoredAuto, st.Mapping
			if st.Source == pg.LayoutOfficer {
				use.Source = LayoutOfficer
			}
		}
	}
	if use.Mapping == nil {
		wb.draft = &Mapping{Fingerprint: wb.labelFP, Sheet: first.Sheet, HeaderRow: first.Top + 1, Labels: map[string]string{}}
		for _, u := range unknown {
			wb.draft.Labels[u] = ""
		}
		return nil
	}
	m := *use.Mapping
	m.Fingerprint = wb.labelFP
	use.Mapping = &m
	wb.labelUse = use
	labels := a7Labels(use.Mapping)
	for i := range wb.sheets {
		wb.sheets[i].Labels = labels
	}
	return nil
}

// finishLabels hands the draft mapping or the label mapping used to the
// run: a rejected table gets a mapping file to complete; a table read with
// a mapping has it stored for the next file of the same layout.
func (wb *a7Workbook) finishLabels(in Input, p *Parsed) {
	if wb.labelUse != nil {
		if slices.ContainsFunc(p.Issues, func(is schema.Issue) bool {
			return is.Code == schema.CodeUnknownLabels && is.Severity == schema.SevError
		}) {
			// Labels still unknown: a draft with the mapping's labels and the rest.
			d := *wb.labelUse.Mapping
			d.Labels = maps.Clone(d.Labels)
			for _, t := range wb.found {
				for _, l := range t.Unknown {
					if _, ok := d.Labels[l.Text]; !ok {
						d.Labels[l.Text] = ""
					}
				}
			}
			wb.draft = &d
		} else {
			p.Layout = wb.labelUse
		}
	}
	if in.Mapping != nil && (wb.labelUse == nil || wb.labelUse.Source != LayoutFromFile) && len(in.Mapping.Labels) > 0 {
		p.Issues = append(p.Issues, dsMappingNotUsed(in.Mapping))
	}
	if wb.draft == nil {
		return
	}
	for _, is := range p.Issues {
		if is.Code == schema.CodeUnknownLabels && is.Severity == schema.SevError {
			p.Draft = wb.draft
			p.Issues = append(p.Issues, schema.Issue{Severity: schema.SevError, Sheet: is.Sheet, Cell: is.Cell, Code: CodeMappingNeeded,
				Message: "Header labels vahub does not know can be mapped: give each label in the mapping file's \"labels\" " +
					"what it means (\"sex=male, age_group=adult\", \"outcome=killed\", \"total\", \"ignore\" …)."})
			return
		}
	}
}

// a7Workbook is a file's sheets as grids.
type a7Workbook struct {
	sheets   []tables.Sheet
	labelFP  string     // layout fingerprint of the first table with unknown labels
	labelUse *LayoutUse // the label mapping discovery was given
	draft    *Mapping   // the mapping file to write for unknown labels
	date1904 bool
	lang     string
	found    []tables.Table
	issues   schema.Issues
}

func (wb *a7Workbook) issue(sev schema.Severity, sheet, cell, code, msg string) {
	wb.issues = append(wb.issues, schema.Issue{Severity: sev, Sheet: sheet, Cell: cell, Code: code, Message: msg})
}

// localized words issue key of the template's catalogue in the workbook's language.
func (wb *a7Workbook) localized(sev schema.Severity, sheet, cell, key string, args ...any) {
	wb.issue(sev, sheet, cell, formh.IssueCode(key), formh.Message(wb.lang, key, args...))
}

func (wb *a7Workbook) read(in Input) *Parsed {
	art7 := wb.isArticle7()
	wb.lang = wb.language()
	for _, s := range wb.sheets {
		if a7HasHXLRow(s.Grid) {
			continue // the HXL reader's
		}
		wb.found = append(wb.found, tables.Discover(s)...)
	}
	if !art7 && !slices.ContainsFunc(wb.found, tables.Table.HasAxes) {
		return nil
	}
	format, version, source := FormatTable, a7VersionTable, schema.SourceSurvey
	if art7 {
		format, version, source = FormatArticle7, a7VersionArticle7, schema.SourceOfficial
	}
	rep := &schema.Report{Kind: "annual", SourceType: source, Language: wb.lang, FormatVersion: version}
	cv := wb.cover(in, rep)
	wb.facts(rep)
	if art7 {
		rep.Commitments = wb.commitments()
	}
	wb.unknownScripts(art7)
	wb.finish(in, rep, cv)
	return &Parsed{Format: format, Reports: []*schema.Report{rep}, Issues: wb.issues}
}

// texts calls fn for every non-blank cell in the first rows of every sheet.
func (wb *a7Workbook) texts(rows int, fn func(sheet string, r, c int, v string)) {
	for _, s := range wb.sheets {
		for r, row := range s.Grid {
			if r >= rows {
				break
			}
			for c, v := range row {
				if v = strings.TrimSpace(v); v != "" {
					fn(s.Name, r, c, v)
				}
			}
		}
	}
}

// Title words, folded.
var (
	a7Art7Words = a7Folded("article 7", "articulo 7", "art 7")
	a7ConvWords = a7Folded("convention on cluster munitions", "convention sur les armes a sous munitions",
		"convencion sobre municiones en racimo", "конвенция по кассетным боеприпасам",
		"اتفاقية الذخائر العنقودية", "集束弹药公约")
	a7FormHWords = a7Folded("form h", "formulaire h", "formulario h")
	a7VaWords    = a7Folded("victim assistance", "assistance to victims", "assistance aux victimes",
		"asistencia a las victimas", "asistencia a victimas")
)

func a7Folded(words ...string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = normalize.Fold(w)
	}
	return out
}

// a7ContainsWords reports whether folded text k holds one of the folded
// phrases words, as whole words.
func a7ContainsWords(k string, words []string) bool {
	for _, w := range words {
		if k == w || strings.HasPrefix(k, w+" ") || strings.HasSuffix(k, " "+w) || strings.Contains(k, " "+w+" ") {
			return true
		}
		if !a7IsLatin(w) && strings.Contains(k, w) {
			return true
		}
	}
	return false
}

func a7IsLatin(s string) bool {
	for _, r := range s {
		if r > unicode.MaxLatin1 && unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// isArticle7 looks for the title words of the CCM reporting format.
func (wb *a7Workbook) isArticle7() bool {
	var art7, conv, formH, va bool
	check := func(v string) {
		k := normalize.Fold(v)
		art7 = art7 || a7ContainsWords(k, a7Art7Words)
		conv = conv || a7ContainsWords(k, a7ConvWords)
		formH = formH || a7ContainsWords(k, a7FormHWords)
		va = va || a7ContainsWords(k, a7VaWords)
	}
	for _, s := range wb.sheets {
		check(s.Name)
	}
	wb.texts(a7TitleRows, func(_ string, _, _ int, v string) { check(v) })
	return (art7 && (conv || va)) || (formH && (va || conv))
}

// Words that tell the language of a form, folded.
var a7LangWords = map[string][]string{
	"en": {"the", "of", "and", "form", "state", "country", "period", "report", "reporting", "killed", "injured",
		"men", "women", "boys", "girls", "yes", "victim", "victims", "assistance", "persons", "children", "adults", "unknown", "from", "to"},
	"fr": {"le", "les", "des", "du", "et", "formulaire", "pays", "periode", "rapport", "tues", "blesses", "hommes",
		"femmes", "garcons", "filles", "oui", "victimes", "aux", "etat", "partie", "personnes", "ayant", "enfants", "adultes", "inconnu", "au"},
	"es": {"el", "los", "las", "del", "y", "formulario", "pais", "periodo", "informe", "muertos", "heridos", "hombres",
		"mujeres", "ninos", "ninas", "si", "victimas", "estado", "personas", "adultos", "desconocido", "al", "que"},
}

// language guesses en, fr or es from the words of the form; en when unsure.
func (wb *a7Workbook) language() string {
	score := map[string]int{}
	index := map[string][]string{}
	for lang, words := range a7LangWords {
		for _, w := range words {
			index[w] = append(index[w], lang)
		}
	}
	wb.texts(a7TitleRows, func(_ string, _, _ int, v string) {
		for _, w := range strings.Fields(normalize.Fold(v)) {
			for _, l := range index[w] {
				score[l]++
			}
		}
	})
	best := "en"
	for _, l := range []string{"fr", "es"} {
		if score[l] > score[best] {
			best = l
		}
	}
	return best
}

// a7HasHXLRow reports whether one of the first rows is an HXL hashtag row.
func a7HasHXLRow(g [][]string) bool {
	for r := 0; r < len(g) && r < 25; r++ {
		n := 0
		for _, v := range g[r] {
			if strings.HasPrefix(strings.TrimSpace(v), "#") && len(strings.TrimSpace(v)) > 1 {
				n++
			}
		}
		if n >= 2 {
			return true
		}
	}
	return false
}

// a7ForeignScript reports whether s has letters of a script the reader has
// no labels for (Arabic, Chinese, Russian: the Convention's other languages).
func a7ForeignScript(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Arabic, unicode.Han, unicode.Cyrillic) {
			return true
		}
	}
	return false
}

// a7QuoteLabels lists labels for a message: «text» (ref), ….
func a7QuoteLabels(ls []tables.Label, max int) string {
	var parts []string
	for i, l := range ls {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(ls)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("«%s» (%s)", l.Text, l.Ref))
	}
	return strings.Join(parts, ", ")
}

// unknownScripts reports, per sheet, the texts in Arabic, Chinese or
// Russian that no table used: vahub reads EN/FR/ES labels and says which
// it left aside rather than guess.
func (wb *a7Workbook) unknownScripts(art7 bool) {
	inTable := map[string]map[string]bool{}
	for _, t := range wb.found {
		if inTable[t.Sheet] == nil {
			inTable[t.Sheet] = map[string]bool{}
		}
		for _, l := range t.Unknown {
			inTable[t.Sheet][l.Ref] = true
		}
	}
	for _, s := range wb.sheets {
		var ls []tables.Label
		for r, row := range s.Grid {
			for c, v := range row {
				ref := tables.Ref(c, r)
				if a7ForeignScript(v) && !inTable[s.Name][ref] && !a7ContainsWords(normalize.Fold(v), a7ConvWords) {
					ls = append(ls, tables.Label{Ref: ref, Row: r, Col: c, Text: strings.TrimSpace(v)})
				}
			}
		}
		if len(ls) == 0 || !art7 && !slices.ContainsFunc(wb.found, func(t tables.Table) bool { return t.Sheet == s.Name }) {
			continue
		}
		wb.issue(schema.SevWarning, s.Name, ls[0].Ref, schema.CodeUnknownLabels,
			fmt.Sprintf("vahub reads labels in English, French and Spanish; these texts were not read: %s. "+
				"If they label figures, write the labels in English, French or Spanish.", a7QuoteLabels(ls, 20)))
	}
}
