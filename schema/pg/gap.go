package pg

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/vahub/vahub/schema"
)

// GapSnapshot answers the gap-analysis export's queries inside one
// read-only, repeatable-read transaction. The exporter counts each table's
// rows before streaming them (the sheet's dimension and filter range come
// first in the file), so counts and rows must see the same data even while
// ingestion runs. Close it when the export is done.
type GapSnapshot struct {
	tx *sqlx.Tx
}

// BeginGap opens a snapshot for one gap export.
func (db *DB) BeginGap(ctx context.Context) (*GapSnapshot, error) {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("pg: begin gap snapshot: %w", err)
	}
	return &GapSnapshot{tx: tx}, nil
}

// Close ends the snapshot. It only read, so it rolls back.
func (s *GapSnapshot) Close() error {
	if err := s.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("pg: close gap snapshot: %w", err)
	}
	return nil
}

// gapArgs are $1 countries, $2 first year, $3 last year for gapWhere.
func gapArgs(f schema.GapFilter) []any {
	countries := f.Countries
	if countries == nil {
		countries = []string{} // a nil slice would be sent as NULL
	}
	return []any{pq.Array(countries), f.From, f.To}
}

// gapWhere restricts a view aliased a to the filter in $1–$3.
func gapWhere(a string) string {
	return fmt.Sprintf(`(cardinality($1::text[]) = 0 OR %[1]s.country = ANY($1::text[]))
  AND ($2::int = 0 OR %[1]s.year >= $2::int) AND ($3::int = 0 OR %[1]s.year <= $3::int)`, a)
}

// Sort keys that put the headline (total) row first and unknown last,
// instead of text order, which would put "total" between "male" and "unknown".
const (
	gapOrderSex = `array_position(ARRAY['total','female','male','unknown'], %s.sex)`
	gapOrderAge = `array_position(ARRAY['total','child','adult','unknown'], %s.age_group)`
	gapOrderDis = `array_position(ARRAY['total','yes','no','unknown'], %s.disability)`
)

func gapOrderGroup(a string) string {
	return fmt.Sprintf(gapOrderSex+", "+gapOrderAge+", "+gapOrderDis, a, a, a)
}

// gapBreakdown names the breakdown a row belongs to: its dimensions that are
// not total ("" for the headline row, "sex+age_group" …). Sums, parity and
// coverage are only ever taken within one breakdown, so nothing counts twice.
const gapBreakdown = `concat_ws('+',
    CASE WHEN %[1]s.sex <> 'total' THEN 'sex' END,
    CASE WHEN %[1]s.age_group <> 'total' THEN 'age_group' END,
    CASE WHEN %[1]s.disability <> 'total' THEN 'disability' END)`

// gapKnown is true for identified groups: no dimension is unknown. Only they
// can be the best- or worst-served group; "sex unknown" is nobody to target.
const gapKnown = `(%[1]s.sex <> 'unknown' AND %[1]s.age_group <> 'unknown' AND %[1]s.disability <> 'unknown')`

// gapServices is gap_analysis with each row's source, breakdown and depth
// (number of broken-down dimensions) for the filter.
//
// It computes unmet and coverage from service_facts exactly as the
// gap_analysis view does, rather than joining gap_analysis back to
// service_facts for the source: that self-join of two aggregates on six
// columns is estimated at one row, and the nested loops the planner then
// picks made the export grow faster than the data (12 s instead of 0.4 s for
// the summary at 100,000 facts; see BENCHMARKS.md).
func gapServices(pillarArg string) string {
	pillar := ""
	if pillarArg != "" {
		pillar = " AND g.pillar = " + pillarArg
	}
	return `SELECT g.country, g.year, g.pillar, g.sex, g.age_group, g.disability,
       g.in_need, g.reached, g.in_need - g.reached AS unmet,
       CASE WHEN g.in_need > 0 THEN g.reached::numeric / g.in_need END AS coverage,
       g.source_id,
       ` + fmt.Sprintf(gapBreakdown, "g") + ` AS breakdown,
       (g.sex <> 'total')::int + (g.age_group <> 'total')::int + (g.disability <> 'total')::int AS depth,
       ` + fmt.Sprintf(gapKnown, "g") + ` AS known
FROM service_facts g
WHERE ` + gapWhere("g") + pillar
}

// gapYears is every year the export covers: the years with any fact.
var gapYears = `SELECT year FROM casualty_facts c WHERE ` + gapWhere("c") + `
UNION SELECT year FROM service_facts s WHERE ` + gapWhere("s") + `
UNION SELECT year FROM commitment_facts m WHERE ` + gapWhere("m")

// gapAffected is, per year, the States with Article 5 obligations.
var gapAffected = `SELECT DISTINCT y.year, o.area_code AS country
FROM (` + gapYears + `) y
JOIN art5_obligation o ON o.valid_from <= y.year AND (o.valid_to IS NULL OR y.year <= o.valid_to)
WHERE cardinality($1::text[]) = 0 OR o.area_code = ANY($1::text[])`

var gapSummarySQL = `WITH cas AS (
    -- Headline casualties use breakdowns by sex, age group and disability
    -- only: a split by cause or civilian status cannot be checked for
    -- completeness (a source lists the causes it has).
    SELECT c.country, c.year, c.outcome, c.sex, c.age_group, c.disability, c.people,
           CASE c.qualifier WHEN 'exact' THEN 0 WHEN 'at_least' THEN 1 ELSE 2 END AS qual,
           ` + fmt.Sprintf(gapBreakdown, "c") + ` AS breakdown,
           (c.sex <> 'total')::int + (c.age_group <> 'total')::int + (c.disability <> 'total')::int AS depth,
           ` + fmt.Sprintf(gapKnown, "c") + ` AS known
    FROM casualty_facts c
    WHERE ` + gapWhere("c") + ` AND c.cause = 'total' AND c.civilian_status = 'total'
), cas_pick AS (
    -- Per outcome, the stated figure, else the coarsest complete breakdown
    -- summed: every combination of the known codes of its dimensions is
    -- present (5 girls and 7 boys are not all casualties). Unknown cells are
    -- added in; a NULL among them makes the sum partial, and says so.
    SELECT DISTINCT ON (country, year, outcome) country, year, outcome,
           sum(people) AS people, max(qual) AS qual, bool_or(people IS NULL) AS partial
    FROM cas
    GROUP BY country, year, outcome, breakdown, depth
    HAVING count(DISTINCT (sex, age_group, disability)) FILTER (WHERE known) = (1 << depth)
    ORDER BY country, year, outcome, depth, breakdown
), cas_sum AS (
    SELECT country, year,
           max(people) FILTER (WHERE outcome = 'killed') AS killed,
           max(people) FILTER (WHERE outcome = 'injured') AS injured,
           max(people) FILTER (WHERE outcome = 'unknown') AS outcome_unknown,
           max(people) FILTER (WHERE outcome = 'total') AS total,
           bool_or(outcome = 'total') AS has_total,
           max(qual) AS qual,
           bool_or(partial) AS partial
    FROM cas_pick
    GROUP BY country, year
), svc AS (` + gapServices("") + `
), cov AS (
    -- The stated headline row if it gives a coverage, else the coarsest
    -- breakdown that is complete: every combination of the known codes of
    -- its dimensions (2^depth rows) present, and no row missing in_need or
    -- reached. Anything less would understate the denominator or numerator.
    SELECT DISTINCT ON (country, year, pillar) country, year, pillar, breakdown,
           CASE WHEN sum(in_need) > 0 THEN sum(reached)::numeric / sum(in_need) END AS coverage
    FROM svc
    GROUP BY country, year, pillar, breakdown, depth
    HAVING bool_and(in_need IS NOT NULL AND reached IS NOT NULL)
       AND count(DISTINCT (sex, age_group, disability)) FILTER (WHERE known) = (1 << depth)
       AND sum(in_need) > 0
    ORDER BY country, year, pillar, depth, breakdown
), pil AS (
    SELECT p.country, p.year,
           jsonb_object_agg(p.pillar, jsonb_build_object(
               'coverage', cov.coverage,
               'basis', CASE WHEN cov.pillar IS NULL THEN 'incomplete'
                             WHEN cov.breakdown = '' THEN 'total'
                             ELSE cov.breakdown END)) AS coverage
    FROM (SELECT DISTINCT country, year, pillar FROM svc) p
    LEFT JOIN cov USING (country, year, pillar)
    GROUP BY p.country, p.year
), worst AS (
    SELECT DISTINCT ON (s.country, s.year) s.country, s.year, s.pillar, s.sex, s.age_group, s.disability, s.coverage
    FROM svc s
    JOIN pillar p ON p.code = s.pillar
    WHERE s.depth > 0 AND s.known AND s.coverage IS NOT NULL
    ORDER BY s.country, s.year, s.coverage, p.sort, ` + gapOrderGroup("s") + `
), keys AS (
    SELECT country, year FROM cas UNION SELECT country, year FROM svc
)
SELECT k.country, coalesce(a.name_en, '') AS name, k.year,
       cs.killed, cs.injured, cs.outcome_unknown,
       CASE WHEN cs.has_total THEN cs.total
            WHEN cs.killed IS NOT NULL AND cs.injured IS NOT NULL
            THEN cs.killed + cs.injured + coalesce(cs.outcome_unknown, 0) END AS total,
       coalesce(NOT cs.has_total AND cs.killed IS NOT NULL AND cs.injured IS NOT NULL, false) AS summed,
       CASE cs.qual WHEN 0 THEN 'exact' WHEN 1 THEN 'at_least' WHEN 2 THEN 'estimate' ELSE '' END AS qual,
       coalesce(cs.partial, false) AS partial,
       coalesce(pil.coverage, '{}'::jsonb) AS coverage,
       coalesce(w.pillar, ''), coalesce(w.sex, ''), coalesce(w.age_group, ''), coalesce(w.disability, ''), w.coverage
FROM keys k
LEFT JOIN area a ON a.code = k.country
LEFT JOIN cas_sum cs ON cs.country = k.country AND cs.year = k.year
LEFT JOIN pil ON pil.country = k.country AND pil.year = k.year
LEFT JOIN worst w ON w.country = k.country AND w.year = k.year
ORDER BY k.country, k.year`

var gapPillarSQL = `WITH g AS (` + gapServices("$4") + `
), ref AS (
    -- The best-served identified group of each breakdown: the parity
    -- reference. Ties go to the first in sort order, so the file is stable.
    SELECT DISTINCT ON (country, year, breakdown) country, year, breakdown,
           sex, age_group, disability, coverage
    FROM g
    WHERE depth > 0 AND known AND coverage IS NOT NULL
    ORDER BY country, year, breakdown, coverage DESC, ` + gapOrderGroup("g") + `
)
SELECT g.country, g.year, g.pillar, g.sex, g.age_group, g.disability,
       g.in_need, g.reached, g.unmet, g.coverage,
       CASE WHEN r.coverage > 0 THEN g.coverage / r.coverage END AS parity,
       coalesce(r.sex, ''), coalesce(r.age_group, ''), coalesce(r.disability, ''),
       g.source_id
FROM g
LEFT JOIN ref r ON r.country = g.country AND r.year = g.year AND r.breakdown = g.breakdown
ORDER BY g.country, g.year, ` + gapOrderGroup("g")

var gapCasualtiesSQL = `SELECT c.country, c.year, c.outcome, c.sex, c.age_group, c.disability, c.cause,
       c.civilian_status, c.people, c.qualifier, c.source_id
FROM casualty_facts c
WHERE ` + gapWhere("c") + `
ORDER BY c.country, c.year,
         array_position(ARRAY['total','killed','injured','unknown'], c.outcome), ` + gapOrderGroup("c") + `,
         c.cause, c.civilian_status, c.people, c.source_id`

var gapSharesSQL = `WITH years AS (` + gapYears + `
), affected AS (` + gapAffected + `
), facts AS (
    SELECT m.country, m.year, m.commitment, m.status
    FROM commitment_facts m
    WHERE ` + gapWhere("m") + `
)
SELECT y.year, c.code, c.name_en, c.pillar,
       count(a.country) AS affected,
       count(*) FILTER (WHERE f.status = 'yes') AS yes,
       count(*) FILTER (WHERE f.status = 'no') AS no,
       count(*) FILTER (WHERE f.status = 'partial') AS partial,
       count(*) FILTER (WHERE f.status = 'unknown') AS unknown,
       count(a.country) - count(f.status) AS not_reported,
       count(*) FILTER (WHERE f.status = 'yes')::float8 / nullif(count(a.country), 0) AS share,
       1 - count(*) FILTER (WHERE f.status = 'yes')::float8 / nullif(count(a.country), 0) AS gap,
       count(*) FILTER (WHERE f.status = 'yes')::float8
         / nullif(count(*) FILTER (WHERE f.status IN ('yes', 'no', 'partial')), 0) AS share_known
FROM years y
CROSS JOIN commitment c
LEFT JOIN affected a ON a.year = y.year
LEFT JOIN facts f ON f.country = a.country AND f.year = y.year AND f.commitment = c.code
GROUP BY y.year, c.code, c.name_en, c.pillar, c.sort
ORDER BY y.year, c.sort`

var gapStatusesSQL = `WITH years AS (` + gapYears + `
), affected AS (` + gapAffected + `
), facts AS (
    SELECT m.country, m.year, jsonb_object_agg(m.commitment, m.status) AS status, min(m.source_id) AS source_id
    FROM commitment_facts m
    WHERE ` + gapWhere("m") + `
    GROUP BY m.country, m.year
), keys AS (
    SELECT country, year FROM affected UNION SELECT country, year FROM facts
)
SELECT k.country, coalesce(ar.name_en, ''), k.year,
       EXISTS (SELECT 1 FROM affected a WHERE a.country = k.country AND a.year = k.year) AS art5,
       coalesce(f.status, '{}'::jsonb), f.source_id
FROM keys k
LEFT JOIN area ar ON ar.code = k.country
LEFT JOIN facts f ON f.country = k.country AND f.year = k.year
ORDER BY k.country, k.year`

var gapSourcesSQL = `WITH used AS (
    SELECT c.source_id, 'casualties' AS feed FROM casualty_facts c WHERE ` + gapWhere("c") + ` GROUP BY c.source_id
    UNION ALL
    SELECT s.source_id, 'services' FROM service_facts s WHERE ` + gapWhere("s") + ` GROUP BY s.source_id
    UNION ALL
    SELECT m.source_id, 'commitments' FROM commitment_facts m WHERE ` + gapWhere("m") + ` GROUP BY m.source_id
), u AS (
    SELECT source_id, string_agg(feed, ', ' ORDER BY feed) AS feeds FROM used GROUP BY source_id
)
SELECT r.id, r.country, r.year, r.source_type, r.kind, u.feeds,
       coalesce(f.name, ''), coalesce(f.sha256, ''), coalesce(f.source_url, ''),
       coalesce((SELECT string_agg(DISTINCT x.sheet, ', ' ORDER BY x.sheet)
                 FROM (SELECT sheet FROM casualty_count WHERE report_id = r.id
                       UNION SELECT sheet FROM service_count WHERE report_id = r.id
                       UNION SELECT sheet FROM commitment_status WHERE report_id = r.id) x
                 WHERE x.sheet <> ''), '') AS sheets,
       r.submitted_on, r.created_at, r.version, r.status
FROM u
JOIN report r ON r.id = u.source_id
LEFT JOIN input_file f ON f.id = r.file_id
ORDER BY r.country, r.year, r.id`

// Counts returns how many rows each table will have, from the same queries.
func (s *GapSnapshot) Counts(ctx context.Context, f schema.GapFilter) (schema.GapCounts, error) {
	c := schema.GapCounts{Pillars: make(map[string]int, len(schema.ServicePillars))}
	count := func(name, query string, args []any, n *int) error {
		if err := s.tx.GetContext(ctx, n, `SELECT count(*) FROM (`+query+`) q`, args...); err != nil {
			return fmt.Errorf("pg: count gap %s: %w", name, err)
		}
		return nil
	}
	args := gapArgs(f)
	for _, q := range []struct {
		name, query string
		n           *int
	}{
		{"summary", gapSummarySQL, &c.Summary},
		{"casualties", gapCasualtiesSQL, &c.Casualties},
		{"commitment shares", gapSharesSQL, &c.CommitmentShares},
		{"commitment statuses", gapStatusesSQL, &c.CommitmentStatuses},
		{"sources", gapSourcesSQL, &c.Sources},
	} {
		if err := count(q.name, q.query, args, q.n); err != nil {
			return c, err
		}
	}
	for _, p := range schema.ServicePillars {
		var n int
		if err := count(p, gapPillarSQL, append(gapArgs(f), p), &n); err != nil {
			return c, err
		}
		c.Pillars[p] = n
	}
	return c, nil
}

// gapStream runs query and hands each row to fn as soon as it is scanned,
// so memory does not grow with the number of rows.
func gapStream(ctx context.Context, tx *sqlx.Tx, name, query string, args []any, row func(*sqlx.Rows) error) error {
	rows, err := tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("pg: query gap %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pg: read gap %s: %w", name, err)
	}
	return nil
}

// Summary streams one row per country and year with any casualty or service figure.
func (s *GapSnapshot) Summary(ctx context.Context, f schema.GapFilter, fn func(schema.GapSummaryRow) error) error {
	return gapStream(ctx, s.tx, "summary", gapSummarySQL, gapArgs(f), func(rows *sqlx.Rows) error {
		var (
			r   schema.GapSummaryRow
			cov []byte
		)
		if err := rows.Scan(&r.Country, &r.CountryName, &r.Year,
			&r.Killed, &r.Injured, &r.OutcomeUnknown, &r.Casualties,
			&r.CasualtiesSummed, &r.CasualtyQualifier, &r.CasualtiesPartial, &cov,
			&r.WorstPillar, &r.Worst.Sex, &r.Worst.AgeGroup, &r.Worst.Disability, &r.WorstCoverage); err != nil {
			return fmt.Errorf("pg: scan gap summary: %w", err)
		}
		var m map[string]struct {
			Coverage *float64 `json:"coverage"`
			Basis    string   `json:"basis"`
		}
		if err := json.Unmarshal(cov, &m); err != nil {
			return fmt.Errorf("pg: decode gap summary coverage: %w", err)
		}
		r.Coverage = make(map[string]schema.PillarCoverage, len(m))
		for p, c := range m {
			r.Coverage[p] = schema.PillarCoverage{Coverage: c.Coverage, Basis: c.Basis}
		}
		return fn(r)
	})
}

// PillarRows streams gap_analysis for one service pillar with parity indexes,
// ordered by country, year, sex, age group and disability (total first).
func (s *GapSnapshot) PillarRows(ctx context.Context, f schema.GapFilter, pillar string, fn func(schema.GapPillarRow) error) error {
	return gapStream(ctx, s.tx, pillar, gapPillarSQL, append(gapArgs(f), pillar), func(rows *sqlx.Rows) error {
		var r schema.GapPillarRow
		if err := rows.Scan(&r.Country, &r.Year, &r.Pillar, &r.Sex, &r.AgeGroup, &r.Disability,
			&r.InNeed, &r.Reached, &r.Unmet, &r.Coverage, &r.Parity,
			&r.Reference.Sex, &r.Reference.AgeGroup, &r.Reference.Disability, &r.SourceID); err != nil {
			return fmt.Errorf("pg: scan gap %s: %w", pillar, err)
		}
		return fn(r)
	})
}

// Casualties streams casualty_facts.
func (s *GapSnapshot) Casualties(ctx context.Context, f schema.GapFilter, fn func(schema.GapCasualtyRow) error) error {
	return gapStream(ctx, s.tx, "casualties", gapCasualtiesSQL, gapArgs(f), func(rows *sqlx.Rows) error {
		var r schema.GapCasualtyRow
		if err := rows.Scan(&r.Country, &r.Year, &r.Outcome, &r.Sex, &r.AgeGroup, &r.Disability,
			&r.Cause, &r.CivilianStatus, &r.People, &r.Qualifier, &r.SourceID); err != nil {
			return fmt.Errorf("pg: scan gap casualties: %w", err)
		}
		return fn(r)
	})
}

// CommitmentShares streams, per year and commitment, the LAP-style share of
// States with Art. 5 obligations that meet it.
func (s *GapSnapshot) CommitmentShares(ctx context.Context, f schema.GapFilter, fn func(schema.GapShareRow) error) error {
	return gapStream(ctx, s.tx, "commitment shares", gapSharesSQL, gapArgs(f), func(rows *sqlx.Rows) error {
		var r schema.GapShareRow
		if err := rows.Scan(&r.Year, &r.Commitment, &r.CommitmentName, &r.Pillar, &r.Affected,
			&r.Yes, &r.No, &r.Partial, &r.Unknown, &r.NotReported, &r.Share, &r.Gap, &r.ShareKnown); err != nil {
			return fmt.Errorf("pg: scan gap commitment shares: %w", err)
		}
		return fn(r)
	})
}

// CommitmentStatuses streams per country and year the status of every
// commitment, for each State with Art. 5 obligations and each that reported.
func (s *GapSnapshot) CommitmentStatuses(ctx context.Context, f schema.GapFilter, fn func(schema.GapStatusRow) error) error {
	return gapStream(ctx, s.tx, "commitment statuses", gapStatusesSQL, gapArgs(f), func(rows *sqlx.Rows) error {
		var (
			r      schema.GapStatusRow
			status []byte
		)
		if err := rows.Scan(&r.Country, &r.CountryName, &r.Year, &r.Art5, &status, &r.SourceID); err != nil {
			return fmt.Errorf("pg: scan gap commitment statuses: %w", err)
		}
		if err := json.Unmarshal(status, &r.Status); err != nil {
			return fmt.Errorf("pg: decode gap commitment statuses: %w", err)
		}
		return fn(r)
	})
}

// Sources streams every report that feeds a figure of the export.
func (s *GapSnapshot) Sources(ctx context.Context, f schema.GapFilter, fn func(schema.GapSourceRow) error) error {
	return gapStream(ctx, s.tx, "sources", gapSourcesSQL, gapArgs(f), func(rows *sqlx.Rows) error {
		var r schema.GapSourceRow
		if err := rows.Scan(&r.SourceID, &r.Country, &r.Year, &r.SourceType, &r.Kind, &r.Feeds,
			&r.FileName, &r.SHA256, &r.SourceURL, &r.Sheets, &r.SubmittedOn, &r.IngestedAt,
			&r.Version, &r.Status); err != nil {
			return fmt.Errorf("pg: scan gap sources: %w", err)
		}
		r.IngestedAt = r.IngestedAt.UTC()
		return fn(r)
	})
}
