package pg

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// The JSON API's queries: rows of the reporting views (the public SQL
// contract), streamed one at a time so an answer never has to be held whole.

// FactFilter restricts a reporting view.
type FactFilter struct {
	Countries []string // alpha-3 codes; empty = every country
	Year      int      // 0 = every year
}

func (f FactFilter) args() []any {
	countries := f.Countries
	if countries == nil {
		countries = []string{} // a nil slice would be sent as NULL
	}
	return []any{pq.Array(countries), f.Year}
}

const factWhere = `(cardinality($1::text[]) = 0 OR country = ANY($1::text[])) AND ($2::int = 0 OR year = $2::int)`

// CasualtyFact is one row of the casualty_facts view. People is nil when the
// value is unknown, withheld or not applicable (never 0).
type CasualtyFact struct {
	Country        string `db:"country" json:"country"`
	Year           int    `db:"year" json:"year"`
	Outcome        string `db:"outcome" json:"outcome"`
	Sex            string `db:"sex" json:"sex"`
	AgeGroup       string `db:"age_group" json:"age_group"`
	Disability     string `db:"disability" json:"disability"`
	Cause          string `db:"cause" json:"cause"`
	CivilianStatus string `db:"civilian_status" json:"civilian_status"`
	People         *int64 `db:"people" json:"people"`
	Qualifier      string `db:"qualifier" json:"qualifier"`
	SourceID       int64  `db:"source_id" json:"source_id"`
}

// ServiceFact is one row of the service_facts view. InNeed and Reached are
// nil when unknown, withheld, not applicable or not reported.
type ServiceFact struct {
	Country    string `db:"country" json:"country"`
	Year       int    `db:"year" json:"year"`
	Pillar     string `db:"pillar" json:"pillar"`
	Sex        string `db:"sex" json:"sex"`
	AgeGroup   string `db:"age_group" json:"age_group"`
	Disability string `db:"disability" json:"disability"`
	InNeed     *int64 `db:"in_need" json:"in_need"`
	Reached    *int64 `db:"reached" json:"reached"`
	SourceID   int64  `db:"source_id" json:"source_id"`
	// InNeedState and ReachedState are "withheld" when an answer built
	// from individual survey records withholds the count (it is then
	// null); empty otherwise. The view itself never withholds.
	InNeedState  string `db:"-" json:"in_need_state,omitempty"`
	ReachedState string `db:"-" json:"reached_state,omitempty"`
}

// CasualtyFacts streams the casualty_facts rows the filter selects to fn, in
// a stable order, and stops at fn's first error.
func (db *DB) CasualtyFacts(ctx context.Context, f FactFilter, fn func(CasualtyFact) error) error {
	const q = `SELECT country, year, outcome, sex, age_group, disability, cause, civilian_status,
       people, qualifier, source_id
FROM casualty_facts
WHERE ` + factWhere + `
ORDER BY country, year, outcome, sex, age_group, disability, cause, civilian_status`
	return streamFacts(ctx, db, "casualty facts", q, f, fn)
}

// ServiceFacts streams the service_facts rows the filter selects to fn, in a
// stable order, and stops at fn's first error.
func (db *DB) ServiceFacts(ctx context.Context, f FactFilter, fn func(ServiceFact) error) error {
	const q = `SELECT country, year, pillar, sex, age_group, disability, in_need, reached, source_id
FROM service_facts
WHERE ` + factWhere + `
ORDER BY country, year, pillar, sex, age_group, disability`
	return streamFacts(ctx, db, "service facts", q, f, fn)
}

func streamFacts[T any](ctx context.Context, db *DB, name, query string, f FactFilter, fn func(T) error) error {
	rows, err := db.QueryxContext(ctx, query, f.args()...)
	if err != nil {
		return fmt.Errorf("pg: %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var row T
		if err := rows.StructScan(&row); err != nil {
			return fmt.Errorf("pg: %s: %w", name, err)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pg: %s: %w", name, err)
	}
	return nil
}
