package pg

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// SurveyRecordFilter selects current survey records. Countries empty means
// every country (the caller has checked the principal may see them all).
type SurveyRecordFilter struct {
	Countries []string
	Year      int   // 0: every year
	AfterID   int64 // keyset paging: records with a larger id
	Limit     int   // default and cap: MaxSurveyRecords
}

// MaxSurveyRecords caps one page of survey records.
const MaxSurveyRecords = 1000

// SurveyRecordRow is one current survey record as an admin or the
// enumerators of its country see it. Refusals have no answers.
type SurveyRecordRow struct {
	ID            int64           `db:"id" json:"id"`
	InstanceID    string          `db:"instance_id" json:"instance_id"`
	DeprecatedID  string          `db:"deprecated_id" json:"deprecated_id,omitempty"`
	FormID        string          `db:"form_id" json:"form_id"`
	FormVersion   string          `db:"form_version" json:"form_version,omitempty"`
	Source        string          `db:"source" json:"source"`
	Consent       string          `db:"consent" json:"consent"`
	Country       string          `db:"country" json:"country"`
	Year          int             `db:"year" json:"year"`
	InterviewDate *string         `db:"interview_date" json:"interview_date"`
	Sex           *string         `db:"sex" json:"sex"`
	Age           *int            `db:"age" json:"age"`
	AgeGroup      *string         `db:"age_group" json:"age_group"`
	Disability    *string         `db:"disability" json:"disability"`
	Answers       json.RawMessage `db:"answers" json:"answers"`
	SubmittedAt   *time.Time      `db:"submitted_at" json:"submitted_at"`
	SubmittedBy   string          `db:"submitted_by" json:"submitted_by,omitempty"`
	ReceivedAt    time.Time       `db:"received_at" json:"received_at"`
}

// SurveyRecords returns current survey records by id.
func (db *DB) SurveyRecords(ctx context.Context, f SurveyRecordFilter) ([]SurveyRecordRow, error) {
	if f.Limit <= 0 || f.Limit > MaxSurveyRecords {
		f.Limit = MaxSurveyRecords
	}
	var countries any
	if len(f.Countries) > 0 {
		countries = pq.Array(f.Countries)
	}
	rows := []SurveyRecordRow{}
	err := db.SelectContext(ctx, &rows, `
		SELECT id, instance_id, deprecated_id, form_id, form_version, source, consent, country, year,
		       to_char(interview_date, 'YYYY-MM-DD') AS interview_date, sex, age, age_group, disability,
		       convert_to(answers::text, 'UTF8') AS answers, submitted_at, submitted_by, received_at
		FROM survey_record
		WHERE current AND ($1::text[] IS NULL OR country = ANY($1)) AND ($2 = 0 OR year = $2) AND id > $3
		ORDER BY id
		LIMIT $4`, countries, f.Year, f.AfterID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("pg: survey records: %w", err)
	}
	return rows, nil
}

// SurveyVersion is the version in force of an instance's history.
type SurveyVersion struct {
	InstanceID string `db:"instance_id"`
	Country    string `db:"country"`
}

// SurveyCurrentVersion follows an instance's edits to the version in force:
// the instance itself while it is current, else the one that replaced it
// (and so on). ErrNotFound when vahub has no such instance.
func (db *DB) SurveyCurrentVersion(ctx context.Context, instanceID string) (SurveyVersion, error) {
	var v SurveyVersion
	err := db.GetContext(ctx, &v, `
		WITH RECURSIVE chain AS (
		    SELECT id, instance_id, country, current, replaced_by FROM survey_record WHERE instance_id = $1
		    UNION
		    SELECT r.id, r.instance_id, r.country, r.current, r.replaced_by
		    FROM survey_record r JOIN chain c ON r.id = c.replaced_by
		)
		SELECT instance_id, country FROM chain WHERE current ORDER BY id DESC LIMIT 1`, instanceID)
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("pg: survey instance: %w", ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("pg: survey instance: %w", err)
	}
	return v, nil
}

// SurveyPurge is what PurgeSurvey did (or, dry, would do).
type SurveyPurge struct {
	Reduced  int `db:"reduced" json:"reduced"`   // current records cut down to what the aggregates need
	Deleted  int `db:"deleted" json:"deleted"`   // earlier versions deleted
	Files    int `db:"files" json:"files"`       // imported export files whose bytes were dropped
	Refusals int `db:"refusals" json:"refusals"` // refusals in range: already nothing but a count, kept
}

// PurgeSurvey applies the retention rule to the survey records of
// interviews before a date (the interview date, else the day vahub received
// the record), in countries (all when empty): every answer the aggregates do
// not need is dropped from the current version (admin1, the exact age and
// date, incident year, victim type, cause and the six Washington Group
// answers; kept: country, year, sex, age group, disability and the
// need/received answers), earlier versions are deleted, and the bytes of
// imported export files none of whose records is still in force are
// dropped (name, size and SHA-256 stay, so a re-import is still known as a
// duplicate). The survey reports, and so the reporting views, do not
// change. With dry, nothing changes and the counts say what would.
func (db *DB) PurgeSurvey(ctx context.Context, before time.Time, countries []string, dry bool, actor string) (SurveyPurge, error) {
	var p SurveyPurge
	var cs any
	if len(countries) > 0 {
		cs = pq.Array(countries)
	}
	day := before.Format(time.DateOnly)
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			CREATE TEMP TABLE purge_rows ON COMMIT DROP AS
			SELECT id, current, consent, file_id FROM survey_record
			WHERE coalesce(interview_date, received_at::date) < $1::date AND ($2::text[] IS NULL OR country = ANY($2))`, day, cs); err != nil {
			return fmt.Errorf("pg: survey purge: select: %w", err)
		}
		if err := tx.GetContext(ctx, &p, `
			SELECT count(*) FILTER (WHERE current AND consent = 'yes') AS reduced,
			       count(*) FILTER (WHERE NOT current) AS deleted,
			       count(*) FILTER (WHERE current AND consent = 'no') AS refusals,
			       0 AS files
			FROM purge_rows`); err != nil {
			return fmt.Errorf("pg: survey purge: count: %w", err)
		}
		// Files: every record that came from them is in range.
		if _, err := tx.ExecContext(ctx, `
			CREATE TEMP TABLE purge_files ON COMMIT DROP AS
			SELECT DISTINCT p.file_id AS id FROM purge_rows p
			WHERE p.file_id IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM survey_record r WHERE r.file_id = p.file_id AND r.id NOT IN (SELECT id FROM purge_rows))
			  AND EXISTS (SELECT 1 FROM input_file f WHERE f.id = p.file_id AND (f.chunked OR length(f.content) > 0))`); err != nil {
			return fmt.Errorf("pg: survey purge: files: %w", err)
		}
		if err := tx.GetContext(ctx, &p.Files, `SELECT count(*) FROM purge_files`); err != nil {
			return fmt.Errorf("pg: survey purge: files: %w", err)
		}
		if dry {
			return nil
		}
		steps := []struct{ what, q string }{
			{"reduce", `
				UPDATE survey_record r SET
				    answers = coalesce((SELECT jsonb_object_agg(k, v) FROM jsonb_each(r.answers) AS a (k, v)
				                        WHERE k LIKE 'need\_%' OR k LIKE 'received\_%'), '{}'::jsonb)
				                || jsonb_build_object('consent', 'yes', 'country', r.country),
				    age = NULL, age_band = '', interview_date = NULL
				FROM purge_rows p WHERE p.id = r.id AND p.current AND p.consent = 'yes'`},
			{"unlink history", `
				UPDATE survey_record r SET replaced_by = NULL
				FROM purge_rows p WHERE r.replaced_by = p.id AND NOT p.current`},
			{"delete history", `
				DELETE FROM survey_record r USING purge_rows p WHERE p.id = r.id AND NOT p.current`},
			{"drop file chunks", `DELETE FROM input_file_chunk WHERE file_id IN (SELECT id FROM purge_files)`},
			{"drop file bytes", `UPDATE input_file SET content = ''::bytea, chunked = false WHERE id IN (SELECT id FROM purge_files)`},
		}
		for _, s := range steps {
			if _, err := tx.ExecContext(ctx, s.q); err != nil {
				return fmt.Errorf("pg: survey purge: %s: %w", s.what, err)
			}
		}
		return audit(ctx, tx, db.Now(), AuditEntry{Actor: actor, Action: "survey_purge",
			Detail: map[string]any{"before": day, "countries": countries, "reduced": p.Reduced, "deleted": p.Deleted, "files": p.Files}})
	})
	return p, err
}
