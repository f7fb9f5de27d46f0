package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vahub/vahub/ingest/tables"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema/pg"
)

// Layout memory (README "Layout memory and mapping files"): the dataset
// reader remembers, per layout fingerprint, which column meant which
// dimension, so next year's file with the same layout is read the same
// way, and a data officer's mapping file is needed once.

// Where the mapping a table was read with came from.
const (
	LayoutClassified = "classified"   // the reader classified the columns itself
	LayoutStoredAuto = "stored-auto"  // a stored mapping the reader once classified
	LayoutOfficer    = "officer"      // a stored mapping from a data officer
	LayoutFromFile   = "mapping-file" // --mapping FILE.json, this run
)

// StoredLayout is a mapping kept for a layout fingerprint.
type StoredLayout struct {
	Fingerprint string
	Format      string // xlsx, csv, geojson
	Source      string // pg.LayoutAuto or pg.LayoutOfficer
	Mapping     *Mapping
}

// LayoutStore keeps mappings by layout fingerprint. Get returns nil, nil
// when none is stored; Put records one more use (an officer's mapping is
// never replaced by an automatic one).
type LayoutStore interface {
	Get(ctx context.Context, fingerprint string) (*StoredLayout, error)
	Put(ctx context.Context, l StoredLayout) error
}

// PGLayouts is the LayoutStore of a vahub database.
func PGLayouts(db *pg.DB) LayoutStore { return pgLayouts{db} }

type pgLayouts struct{ db *pg.DB }

func (s pgLayouts) Get(ctx context.Context, fp string) (*StoredLayout, error) {
	row, err := s.db.LayoutMapping(ctx, fp)
	if err != nil || row == nil {
		return nil, err
	}
	m, err := ParseMapping(row.Mapping)
	if err != nil {
		// A row vahub wrote itself and cannot read back: classify afresh.
		return nil, nil //nolint:nilerr
	}
	return &StoredLayout{Fingerprint: row.Fingerprint, Format: row.Format, Source: row.Source, Mapping: m}, nil
}

func (s pgLayouts) Put(ctx context.Context, l StoredLayout) error {
	b, err := l.Mapping.encode(false)
	if err != nil {
		return err
	}
	return s.db.SaveLayoutMapping(ctx, pg.LayoutMapping{Fingerprint: l.Fingerprint, Format: l.Format, Mapping: b, Source: l.Source})
}

// LayoutUse is how a reader read a table's columns, for the run to log and
// (after a successful ingest) store.
type LayoutUse struct {
	Fingerprint string
	Format      string
	Source      string // LayoutClassified, LayoutStoredAuto, LayoutOfficer, LayoutFromFile
	Mapping     *Mapping
}

// storeSource is the layout_mapping.source the use is stored under.
func (u *LayoutUse) storeSource() string {
	if u.Source == LayoutOfficer || u.Source == LayoutFromFile {
		return pg.LayoutOfficer
	}
	return pg.LayoutAuto
}

// LayoutFingerprint identifies a file layout: a SHA-256 over the
// workbook's sheet names, the name of the sheet the table was read from,
// and the table's header texts with their column positions, all folded
// (normalize.Fold: case, accents and punctuation do not count). A CSV's
// one "sheet" is named after the file, which changes every year, so CSV
// and GeoJSON fingerprints leave names out.
func LayoutFingerprint(format string, sheets []string, sheet string, header []string) string {
	var b strings.Builder
	b.WriteString("vahub-layout-v1\n")
	b.WriteString("format\t" + format + "\n")
	if format == "xlsx" || format == FormatTable {
		for _, s := range sheets {
			b.WriteString("sheet\t" + normalize.Fold(s) + "\n")
		}
		b.WriteString("table\t" + normalize.Fold(sheet) + "\n")
	}
	for i, h := range header {
		k := normalize.Fold(h)
		if k == "" {
			continue
		}
		fmt.Fprintf(&b, "col\t%s\t%s\n", mappingColName(i), k)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// a7TableFingerprint is LayoutFingerprint of a table the table reader
// found: format "table" (never equal to a dataset's), the header rows'
// texts of each column joined top to bottom.
func a7TableFingerprint(sheets []string, t tables.Table, g [][]string) string {
	header := make([]string, t.Right+1)
	for c := t.Left; c <= t.Right; c++ {
		var parts []string
		for _, r := range t.HeaderRows {
			if r < len(g) && c < len(g[r]) {
				if v := strings.TrimSpace(g[r][c]); v != "" {
					parts = append(parts, v)
				}
			}
		}
		header[c] = strings.Join(parts, " / ")
	}
	return LayoutFingerprint(FormatTable, sheets, t.Sheet, header)
}

// a7Labels resolves a label mapping into the overrides tables.Discover
// takes. The mapping was validated when read.
func a7Labels(m *Mapping) map[string]tables.Meaning {
	out := map[string]tables.Meaning{}
	for k, v := range m.Labels {
		if mn, err := ParseLabelValue(v); err == nil {
			out[normalize.Fold(k)] = mn
		}
	}
	return out
}

// dsTableFingerprint is LayoutFingerprint of one dataset table.
func dsTableFingerprint(src dsSource, format string, sheets []string) string {
	return LayoutFingerprint(format, sheets, src.sheet(), src.header())
}

func dsHeaderRow(src dsSource) int {
	if s, ok := src.(*dsBookSource); ok {
		return s.headerRow
	}
	return 1
}

// dsMappingOf is the mapping a classified (or mapped) layout stands for:
// every column with a header or a role.
func dsMappingOf(src dsSource, l *dsLayout, fp string) *Mapping {
	m := &Mapping{Fingerprint: fp, Sheet: src.sheet(), HeaderRow: dsHeaderRow(src), Columns: map[string]MappingColumn{}}
	for _, c := range l.cols {
		if c.header == "" && c.role == dsNone {
			continue
		}
		m.Columns[mappingColName(c.idx)] = MappingColumn{Header: c.header, Dimension: roleDimension(c.role)}
	}
	return m
}

// dsDraftMapping is the mapping file written for a table the reader could
// not map: what it classified, the header's hint where the values said
// nothing, else "ignore".
func dsDraftMapping(src dsSource, l *dsLayout, fp string) *Mapping {
	m := dsMappingOf(src, l, fp)
	taken := map[dsRole]bool{}
	for _, c := range l.cols {
		taken[c.role] = true
	}
	for _, c := range l.cols {
		if c.role != dsNone || c.hint == dsNone || taken[c.hint] || c.n == 0 {
			continue
		}
		taken[c.hint] = true
		m.Columns[mappingColName(c.idx)] = MappingColumn{Header: c.header, Dimension: roleDimension(c.hint)}
	}
	return m
}

// matches reports whether a mapping given with --mapping is for this
// table: same fingerprint, or, when the officer removed it, the same sheet
// of a workbook (any table of a CSV).
func (m *Mapping) matches(fp, format, sheet string) bool {
	if m.Fingerprint != "" {
		return m.Fingerprint == fp
	}
	return format != "xlsx" || m.Sheet == "" || normalize.Fold(m.Sheet) == normalize.Fold(sheet)
}

// apply replaces the layout's roles with the mapping's. "age" is read as
// years when the values are whole numbers up to 120, as bands otherwise.
func (m *Mapping) apply(l *dsLayout) {
	l.byRole = map[dsRole]*dsColumn{}
	for _, c := range l.cols {
		c.role = dsNone
	}
	for key, mc := range m.Columns {
		idx, err := mappingColIndex(key)
		if err != nil || idx >= len(l.cols) {
			continue
		}
		r := mappingDims[mc.Dimension]
		if r == dsNone {
			continue
		}
		c := l.cols[idx]
		if r == dsAgeBand && c.score(vAgeYears) >= 0.8 && c.score(vInt) >= 0.9 {
			r = dsAgeYears
		}
		c.role = r
		l.byRole[r] = c
	}
}

// dsCasualtySignal: a table that looks like casualty data the reader
// could not map (an outcome by content or header, or a count column of
// killed, injured, amputees or victims), so a mapping file is worth
// writing.
func dsCasualtySignal(l *dsLayout) bool {
	for _, c := range l.cols {
		if c.n == 0 {
			continue
		}
		switch {
		case c.role == dsOutcome:
			return true
		case c.hint == dsOutcome, c.hint == dsKilled, c.hint == dsInjured, c.hint == dsAmputation, c.hint == dsVictims:
			return true
		}
	}
	return false
}

// mappingJSON is a compact rendering of a mapping for logs.
func mappingJSON(m *Mapping) string {
	cols := map[string]string{}
	for k, c := range m.Columns {
		if c.Dimension != "ignore" {
			cols[k] = c.Dimension
		}
	}
	b, _ := json.Marshal(cols)
	return string(b)
}
