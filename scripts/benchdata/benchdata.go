// Package benchdata makes the inputs of vahub's benchmarks: filled Form H
// templates for `vahub ingest`, and fact rows generated straight into the
// database for `vahub export gap`. The Go benchmarks (go test -bench) and
// the end-to-end script (scripts/bench.sh, through scripts/benchgen and
// scripts/benchseed) share it, so both measure the same data.
//
// It is a development tool, not part of vahub.
package benchdata

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/exports/sample"
	"github.com/vahub/vahub/normalize/countries"
)

// FirstYear is the first reporting year of generated reports.
const FirstYear = 2000

// Spec is one generated report: a country and a year.
type Spec struct {
	Country sample.Country
	Year    int
}

// Specs returns n distinct country-years: every State for FirstYear, then
// every State for the next year, and so on, in the three template languages
// and with figures of varied scale. The same n gives the same specs.
func Specs(n int) []Spec {
	var states []countries.Area
	for _, a := range countries.All() {
		if a.Kind == "state" {
			states = append(states, a)
		}
	}
	langs := []string{"en", "fr", "es"}
	specs := make([]Spec, 0, n)
	for i := 0; len(specs) < n; i++ {
		a := states[i%len(states)]
		specs = append(specs, Spec{
			Country: sample.Country{Code: a.Code, Lang: langs[i%len(langs)], Scale: 20 + (i*37)%180},
			Year:    FirstYear + i/len(states),
		})
	}
	return specs
}

// WriteTemplates writes n filled templates to dir, using workers goroutines,
// and returns their paths in order.
func WriteTemplates(ctx context.Context, dir string, n, workers int) ([]string, error) {
	if workers < 1 {
		workers = 1
	}
	specs := Specs(n)
	paths := make([]string, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				s := specs[i]
				paths[i] = filepath.Join(dir, fmt.Sprintf("form-h-%s-%d-%s.xlsx", s.Country.Code, s.Year, s.Country.Lang))
				errs[i] = writeFile(paths[i], func(w io.Writer) error {
					return exports.WriteTemplate(w, exports.TemplateOptions{
						Lang: s.Country.Lang, Country: s.Country.Code, Year: s.Year,
						Prefill: sample.Report(s.Country, s.Year),
					})
				})
			}
		})
	}
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return paths, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// Execer is what Seed needs of a database: *sql.DB, *sqlx.DB and *pg.DB all
// have it.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Facts per generated report. Services: 5 pillars × sex (total, female,
// male, unknown) × age group (4) × disability (4) × in need and reached:
// every breakdown, complete, so the gap views pick, sum and compare at every
// depth. Casualties: outcome (4) × sex × age group × disability with cause
// and civilian status total, plus killed and injured by five causes.
// Commitments: the seven statuses.
const (
	serviceFactsPerReport    = 5 * 4 * 4 * 4 * 2
	casualtyFactsPerReport   = 4*4*4*4 + 2*5
	commitmentFactsPerReport = 7
	// FactsPerReport is how many fact rows Seed writes for each report.
	FactsPerReport = serviceFactsPerReport + casualtyFactsPerReport + commitmentFactsPerReport
)

// Seeded says what Seed wrote.
type Seeded struct {
	Reports, Facts int64
}

// Seed writes about facts fact rows (a whole number of reports, at least
// one) straight into the database with INSERT … SELECT generate_series:
// approved official annual reports, one per country-year (all areas for
// 2000, then 2001, …, so every report feeds the views), each with the
// facts described at FactsPerReport. Figures are pseudo-random but the same
// on every run, and reached never exceeds in need. The database must be
// migrated and hold no report for those country-years. It ends with ANALYZE,
// as autovacuum would after a bulk load.
func Seed(ctx context.Context, db Execer, facts int) (Seeded, error) {
	reports := max(1, (facts+FactsPerReport/2)/FactsPerReport)
	var runID int64
	err := db.QueryRowContext(ctx, `
		INSERT INTO ingest_run (kind, started_by, finished_at, status)
		VALUES ('cli', 'benchseed', now(), 'succeeded') RETURNING id`).Scan(&runID)
	if err != nil {
		return Seeded{}, fmt.Errorf("benchdata: run: %w", err)
	}
	steps := []struct{ name, query string }{
		{"reports", `
			INSERT INTO report (country, year, kind, source_type, period_start, period_end, language,
			                    run_id, version, status)
			SELECT cy.code, cy.year, 'annual', 'official', make_date(cy.year, 1, 1), make_date(cy.year, 12, 31),
			       'en', $1, 1, 'approved'
			FROM (SELECT a.code, y.year
			      FROM area a CROSS JOIN generate_series(` + fmt.Sprint(FirstYear) + `, 2199) AS y(year)
			      ORDER BY y.year, a.code
			      LIMIT $2) cy
			ORDER BY cy.year, cy.code`},
		// One in-need figure per cell, then reached as a share of it: lower
		// for women and girls and for persons with disabilities, as in the
		// sample reports.
		{"services", `
			INSERT INTO service_count (report_id, pillar, measure, sex, age_group, disability,
			                           value_state, people, qualifier, sheet, cell)
			SELECT r.id, p.code, m.measure, s.sex, g.age_group, d.disability, 'reported',
			       CASE m.measure WHEN 'in_need' THEN v.need
			            ELSE floor(v.need * v.cov * CASE WHEN s.sex = 'female' THEN 0.8 ELSE 1 END
			                                       * CASE WHEN d.disability = 'yes' THEN 0.7 ELSE 1 END)::bigint END,
			       'exact', 'bench', ''
			FROM report r
			CROSS JOIN pillar p
			CROSS JOIN (VALUES ('total'), ('female'), ('male'), ('unknown')) s(sex)
			CROSS JOIN (VALUES ('total'), ('child'), ('adult'), ('unknown')) g(age_group)
			CROSS JOIN (VALUES ('total'), ('yes'), ('no'), ('unknown')) d(disability)
			CROSS JOIN LATERAL (SELECT 1 + abs(hashtext(r.id || p.code || s.sex || g.age_group || d.disability)) % 900 AS need,
			                           0.3 + (abs(hashtext(p.code || r.id)) % 70) / 100.0 AS cov) v
			CROSS JOIN (VALUES ('in_need'), ('reached')) m(measure)
			WHERE r.run_id = $1 AND p.carries_services`},
		{"casualties", `
			INSERT INTO casualty_count (report_id, outcome, sex, age_group, disability, cause, civilian_status,
			                            value_state, people, qualifier, sheet, cell)
			SELECT r.id, o.outcome, s.sex, g.age_group, d.disability, 'total', 'total', 'reported',
			       abs(hashtext(r.id || o.outcome || s.sex || g.age_group || d.disability)) % 120, 'exact', 'bench', ''
			FROM report r
			CROSS JOIN (VALUES ('total'), ('killed'), ('injured'), ('unknown')) o(outcome)
			CROSS JOIN (VALUES ('total'), ('female'), ('male'), ('unknown')) s(sex)
			CROSS JOIN (VALUES ('total'), ('child'), ('adult'), ('unknown')) g(age_group)
			CROSS JOIN (VALUES ('total'), ('yes'), ('no'), ('unknown')) d(disability)
			WHERE r.run_id = $1
			UNION ALL
			SELECT r.id, o.outcome, 'total', 'total', 'total', c.cause, 'total', 'reported',
			       abs(hashtext(r.id || o.outcome || c.cause)) % 80, 'exact', 'bench', ''
			FROM report r
			CROSS JOIN (VALUES ('killed'), ('injured')) o(outcome)
			CROSS JOIN (VALUES ('cm_attack'), ('cm_remnant'), ('mine'), ('erw_other'), ('unknown')) c(cause)
			WHERE r.run_id = $1`},
		{"commitments", `
			INSERT INTO commitment_status (report_id, commitment, status, sheet, cell)
			SELECT r.id, c.code, (ARRAY['yes', 'no', 'partial', 'unknown'])[1 + abs(hashtext(r.id || c.code)) % 4], 'bench', ''
			FROM report r CROSS JOIN commitment c
			WHERE r.run_id = $1`},
	}
	var out Seeded
	for _, s := range steps {
		args := []any{runID}
		if s.name == "reports" {
			args = append(args, reports)
		}
		res, err := db.ExecContext(ctx, s.query, args...)
		if err != nil {
			return out, fmt.Errorf("benchdata: seed %s: %w", s.name, err)
		}
		n, _ := res.RowsAffected()
		if s.name == "reports" {
			out.Reports = n
		} else {
			out.Facts += n
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE ingest_run SET facts = $2 WHERE id = $1`, runID, out.Facts); err != nil {
		return out, fmt.Errorf("benchdata: run: %w", err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return out, fmt.Errorf("benchdata: analyze: %w", err)
	}
	return out, nil
}

// Empty reports whether the database holds no report yet.
func Empty(ctx context.Context, db Execer) (bool, error) {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM report`).Scan(&n); err != nil {
		return false, fmt.Errorf("benchdata: %w", err)
	}
	return n == 0, nil
}

// Reset empties every table that ingestion and Seed write (files, runs,
// reports, facts, issues), keeping the reference data. Only for a
// benchmark's own database.
func Reset(ctx context.Context, db Execer) error {
	_, err := db.ExecContext(ctx, `TRUNCATE submission, survey_record, report_review, casualty_count, service_count, commitment_status, validation_issue,
		file_ingest, report, ingest_run, document, fetch_state, input_file_chunk, input_file RESTART IDENTITY`)
	if err != nil {
		return fmt.Errorf("benchdata: reset: %w", err)
	}
	return nil
}
