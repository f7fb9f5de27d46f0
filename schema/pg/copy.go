package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/vahub/vahub/schema"
)

// copyFacts bulk-loads a report's facts with COPY, the fastest path
// PostgreSQL offers; the report is new, so there is nothing to upsert.
func copyFacts(ctx context.Context, tx *sqlx.Tx, reportID, fileID int64, r *schema.Report) (int, error) {
	n := 0
	if len(r.Casualties) > 0 {
		err := copyRows(ctx, tx, `COPY casualty_count (report_id, scope, outcome, sex, age_group, age_band, disability, cause,
			civilian_status, value_state, people, qualifier, carried_from_year, file_id, sheet, cell) FROM STDIN`,
			len(r.Casualties), func(i int) []any {
				c := r.Casualties[i]
				scope := c.Scope
				if scope == "" {
					scope = "new"
				}
				return append([]any{reportID, scope, c.Outcome, c.Sex, c.AgeGroup, c.AgeBand, c.Disability, c.Cause, c.CivilianStatus},
					valueCols(c.Value, fileID, c.Cell)...)
			})
		if err != nil {
			return 0, fmt.Errorf("pg: copy casualties: %w", err)
		}
		n += len(r.Casualties)
	}
	if len(r.Services) > 0 {
		err := copyRows(ctx, tx, `COPY service_count (report_id, pillar, sub_service, measure, sex, age_group, age_band, disability,
			value_state, people, qualifier, carried_from_year, file_id, sheet, cell) FROM STDIN`,
			len(r.Services), func(i int) []any {
				s := r.Services[i]
				return append([]any{reportID, s.Pillar, s.SubService, s.Measure, s.Sex, s.AgeGroup, s.AgeBand, s.Disability},
					valueCols(s.Value, fileID, s.Cell)...)
			})
		if err != nil {
			return 0, fmt.Errorf("pg: copy services: %w", err)
		}
		n += len(r.Services)
	}
	if len(r.Commitments) > 0 {
		err := copyRows(ctx, tx, `COPY commitment_status (report_id, commitment, status, detail, file_id, sheet, cell) FROM STDIN`,
			len(r.Commitments), func(i int) []any {
				m := r.Commitments[i]
				return []any{reportID, m.Code, m.Status, m.Detail, fileID, m.Sheet, m.Ref}
			})
		if err != nil {
			return 0, fmt.Errorf("pg: copy commitments: %w", err)
		}
		n += len(r.Commitments)
	}
	return n, nil
}

func valueCols(v schema.Value, fileID int64, c schema.Cell) []any {
	var people, carried sql.NullInt64
	if v.People != nil {
		people = sql.NullInt64{Int64: *v.People, Valid: true}
	}
	if v.State == schema.StateCarriedForward {
		carried = sql.NullInt64{Int64: int64(v.CarriedFrom), Valid: true}
	}
	q := v.Qualifier
	if q == "" {
		q = schema.QualExact
	}
	return []any{string(v.State), people, string(q), carried, fileID, c.Sheet, c.Ref}
}

// copyRows runs one COPY … FROM STDIN statement inside tx.
func copyRows(ctx context.Context, tx *sqlx.Tx, query string, n int, row func(int) []any) error {
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := 0; i < n; i++ {
		if _, err := stmt.ExecContext(ctx, row(i)...); err != nil {
			return err
		}
	}
	_, err = stmt.ExecContext(ctx)
	return err
}

// carryForward copies the figures of the country's approved report for year
// `from` into a new report whose form says "unchanged since from". Numbers
// become carried_forward with their year; unknown, withheld and not
// applicable stay what they were. Lineage still points at the cell the
// figure was first read from.
func carryForward(ctx context.Context, tx *sqlx.Tx, reportID int64, r *schema.Report) (int, error) {
	var srcID int64
	err := tx.GetContext(ctx, &srcID, `
		SELECT id FROM report
		WHERE country = $1 AND year = $2 AND source_type = $3 AND status = 'approved'
		ORDER BY version DESC, id DESC LIMIT 1`, r.Country, r.CarryForwardFrom, string(r.SourceType))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pg: find report to carry forward: %w", err)
	}
	n := 0
	for _, q := range []string{`
		INSERT INTO casualty_count (report_id, scope, outcome, sex, age_group, age_band, disability, cause,
			civilian_status, value_state, people, qualifier, carried_from_year, file_id, sheet, cell)
		SELECT $1, scope, outcome, sex, age_group, age_band, disability, cause, civilian_status,
			CASE WHEN people IS NOT NULL THEN 'carried_forward' ELSE value_state END, people, qualifier,
			CASE WHEN people IS NOT NULL THEN coalesce(carried_from_year, $3) END, file_id, sheet, cell
		FROM casualty_count WHERE report_id = $2`, `
		INSERT INTO service_count (report_id, pillar, sub_service, measure, sex, age_group, age_band, disability,
			value_state, people, qualifier, carried_from_year, file_id, sheet, cell)
		SELECT $1, pillar, sub_service, measure, sex, age_group, age_band, disability,
			CASE WHEN people IS NOT NULL THEN 'carried_forward' ELSE value_state END, people, qualifier,
			CASE WHEN people IS NOT NULL THEN coalesce(carried_from_year, $3) END, file_id, sheet, cell
		FROM service_count WHERE report_id = $2`} {
		res, err := tx.ExecContext(ctx, q, reportID, srcID, r.CarryForwardFrom)
		if err != nil {
			return n, fmt.Errorf("pg: carry forward: %w", err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	return n, nil
}
