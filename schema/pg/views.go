package pg

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/lib/pq"

	"github.com/vahub/vahub/schema"
)

// The researchers' downloads: rows of the four reporting views, streamed
// from the server's cursor one at a time, in a stable order. Every column is
// read as text (NULL stays NULL) so the CSV writer needs no type switch.

// viewWhere restricts a view aliased v: $1 countries, $2 first year, $3 last
// year, $4 pillars.
const viewWhere = `(cardinality($1::text[]) = 0 OR v.country = ANY($1::text[]))
  AND ($2::int = 0 OR v.year >= $2::int) AND ($3::int = 0 OR v.year <= $3::int)`

const pillarWhere = ` AND (cardinality($4::text[]) = 0 OR v.pillar = ANY($4::text[]))`

// viewQueries are the downloads' queries. Casualties have no pillar: their
// query only names $4 so that every query takes the same arguments. A
// qualifier says how exact a number is: none without a number. coverage is rounded to 4 decimal
// places with trailing zeros dropped (0.5, not 0.50000000000000000000).
var viewQueries = map[string]string{
	"casualty_facts": `SELECT v.country, v.year, v.outcome, v.sex, v.age_group, v.disability, v.cause,
       v.civilian_status, v.people, CASE WHEN v.people IS NOT NULL THEN v.qualifier END AS qualifier, v.source_id
FROM casualty_facts v
WHERE ` + viewWhere + ` AND $4::text[] IS NOT NULL
ORDER BY v.country, v.year, v.outcome, v.sex, v.age_group, v.disability, v.cause, v.civilian_status`,
	"service_facts": `SELECT v.country, v.year, v.pillar, v.sex, v.age_group, v.disability, v.in_need, v.reached, v.source_id
FROM service_facts v
WHERE ` + viewWhere + pillarWhere + `
ORDER BY v.country, v.year, v.pillar, v.sex, v.age_group, v.disability`,
	// gap_analysis's own expressions over service_facts, with the source:
	// survey rows must be protected (small counts) by the caller, who needs
	// to know which rows are a survey's.
	"gap_analysis": `SELECT v.country, v.year, v.pillar, v.sex, v.age_group, v.disability, v.in_need, v.reached,
       v.in_need - v.reached AS unmet,
       trim_scale(round(CASE WHEN v.in_need > 0 THEN v.reached::numeric / v.in_need END, 4)) AS coverage,
       v.source_id
FROM service_facts v
WHERE ` + viewWhere + pillarWhere + `
ORDER BY v.country, v.year, v.pillar, v.sex, v.age_group, v.disability`,
	"commitment_facts": `SELECT v.country, v.year, v.commitment, v.status, v.source_id
FROM commitment_facts v
JOIN commitment c ON c.code = v.commitment
WHERE ` + viewWhere + ` AND (cardinality($4::text[]) = 0 OR c.pillar = ANY($4::text[]))
ORDER BY v.country, v.year, c.sort, v.commitment`,
}

// StreamView streams the rows of a reporting view the filter selects to fn,
// and stops at fn's first error. columns are the columns the caller expects
// (the data dictionary's): a query whose columns differ is an error, so the
// dictionary and the downloads cannot drift apart. An unknown view is
// ErrNotFound.
func (db *DB) StreamView(ctx context.Context, view string, columns []string, f schema.ViewFilter, fn func([]sql.NullString) error) error {
	q, ok := viewQueries[view]
	if !ok {
		return fmt.Errorf("pg: view %q: %w", view, ErrNotFound)
	}
	rows, err := db.QueryContext(ctx, q, nonNil(f.Countries), f.From, f.To, nonNil(f.Pillars))
	if err != nil {
		return fmt.Errorf("pg: stream %s: %w", view, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("pg: stream %s: %w", view, err)
	}
	if !slices.Equal(cols, columns) {
		return fmt.Errorf("pg: stream %s: the query gives columns %v, the dictionary %v", view, cols, columns)
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("pg: stream %s: %w", view, err)
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pg: stream %s: %w", view, err)
	}
	return nil
}

// nonNil sends an empty array for a nil slice, which lib/pq would send as NULL.
func nonNil(s []string) any {
	if s == nil {
		s = []string{}
	}
	return pq.Array(s)
}
