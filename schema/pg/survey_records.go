package pg

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// SurveyInstanceCountry is the country of the current version of an
// instance: who may edit it. ErrNotFound when no version is current.
func (db *DB) SurveyInstanceCountry(ctx context.Context, instanceID string) (string, error) {
	var c string
	err := db.GetContext(ctx, &c, `SELECT country FROM survey_record WHERE instance_id = $1 AND current`, instanceID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("pg: survey instance: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("pg: survey instance: %w", err)
	}
	return c, nil
}
