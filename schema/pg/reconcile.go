package pg

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/vahub/vahub/schema"
)

// sourceServicesSQL selects, per country and year in the filter ($1–$3)
// that has an approved survey report with service figures, the figures of
// that survey report and of the country's approved official report, each
// the first of its source type by the views' precedence. The survey's rows
// are what the disclosure control protects (they feed service_facts when no
// official report outranks them); both are what reconciliation compares.
// Age bands are summed as service_facts sums them (migration 00003).
var sourceServicesSQL = `WITH ranked AS (
    SELECT p.id, p.country, p.year, r.source_type,
           row_number() OVER (PARTITION BY p.country, p.year, r.source_type ORDER BY p.rank) AS n
    FROM report_precedence p
    JOIN report r ON r.id = p.id
    WHERE p.has_services AND r.source_type IN ('survey', 'official') AND ` + gapWhere("p") + `
), chosen AS (
    SELECT c.id, c.country, c.year, c.source_type
    FROM ranked c
    WHERE c.n = 1 AND EXISTS (SELECT 1 FROM ranked s
                              WHERE s.n = 1 AND s.source_type = 'survey' AND s.country = c.country AND s.year = c.year)
), rows AS (
    SELECT s.report_id, s.pillar, s.measure, s.sex, s.age_group, s.disability, s.people, s.age_band,
           bool_or(s.age_band = '') OVER (PARTITION BY s.report_id, s.pillar, s.measure, s.sex, s.age_group, s.disability) AS has_whole
    FROM service_count s
    JOIN chosen ON chosen.id = s.report_id
    WHERE s.sub_service = ''
), measured AS (
    SELECT report_id, pillar, sex, age_group, disability, measure,
           CASE WHEN bool_and(people IS NOT NULL) THEN sum(people)::bigint END AS people
    FROM rows
    WHERE age_band = '' OR NOT has_whole
    GROUP BY report_id, pillar, sex, age_group, disability, measure
)
SELECT c.country, c.year, c.id, c.source_type, m.pillar, m.sex, m.age_group, m.disability,
       max(m.people) FILTER (WHERE m.measure = 'in_need') AS in_need,
       max(m.people) FILTER (WHERE m.measure = 'reached') AS reached
FROM measured m
JOIN chosen c ON c.id = m.report_id
GROUP BY c.country, c.year, c.id, c.source_type, m.pillar, m.sex, m.age_group, m.disability
ORDER BY c.country, c.year, c.source_type DESC, m.pillar, m.sex, m.age_group, m.disability`

func sourceServices(ctx context.Context, q sqlx.QueryerContext, f schema.GapFilter, fn func(schema.SourceServiceRow) error) error {
	rows, err := q.QueryxContext(ctx, sourceServicesSQL, gapArgs(f)...)
	if err != nil {
		return fmt.Errorf("pg: query source services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r schema.SourceServiceRow
		if err := rows.Scan(&r.Country, &r.Year, &r.SourceID, &r.SourceType, &r.Pillar,
			&r.Sex, &r.AgeGroup, &r.Disability, &r.InNeed, &r.Reached); err != nil {
			return fmt.Errorf("pg: scan source services: %w", err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pg: read source services: %w", err)
	}
	return nil
}

// SourceServices streams, for every country and year with a survey, the
// service figures of its survey report and of its official report (survey
// rows first), ordered by country, year, source, pillar and group.
func (s *GapSnapshot) SourceServices(ctx context.Context, f schema.GapFilter, fn func(schema.SourceServiceRow) error) error {
	return sourceServices(ctx, s.tx, f, fn)
}

// SourceServices is GapSnapshot.SourceServices outside a snapshot, for the
// reconciliation report and the facts API.
func (db *DB) SourceServices(ctx context.Context, f schema.GapFilter, fn func(schema.SourceServiceRow) error) error {
	return sourceServices(ctx, db, f, fn)
}
