package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/survey"
)

// SurveyFunc streams a file's survey records into the store: it calls emit
// once per record, in file order, and returns the issues it found. It runs
// inside the file's transaction, so memory stays flat however many records
// the file holds, and a file whose issues include an error stores nothing
// but itself and its issues.
type SurveyFunc func(ctx context.Context, emit func(*survey.Record) error) (schema.Issues, error)

// SurveyConflict says what a record does when its instance is already
// stored, current, with different answers.
type SurveyConflict int

const (
	// SurveyReplace: the new answers are an edit; the earlier version is
	// kept as history. Imports of Kobo/ODK exports do this.
	SurveyReplace SurveyConflict = iota
	// SurveyRefuse: nothing is stored and ErrSurveyConflict is returned.
	// The submission API does this (409), as ODK Central does.
	SurveyRefuse
)

// ErrSurveyConflict: a submission reuses an instance id with other answers.
var ErrSurveyConflict = errors.New("pg: this instance id was already submitted with different answers")

// SurveyCounts is what storing a batch of survey records did, as the
// `--json` report's "survey" object shows it (Rejected is the reader's).
type SurveyCounts struct {
	Accepted   int `json:"accepted"`   // new records or new versions with consent
	Duplicates int `json:"duplicates"` // the same instance with the same answers, stored before or twice in the batch
	Replaced   int `json:"replaced"`   // earlier versions this batch replaced (kept as history)
	NoConsent  int `json:"no_consent"` // refusals: only counted
	Rejected   int `json:"rejected"`   // records the reader could not use (set by the reader)
}

// surveyBatch is one batch of records and where they came from.
type surveyBatch struct {
	runID       int64
	fileID      int64 // 0: a direct submission
	submittedBy string
	conflict    SurveyConflict
}

// storeSurvey loads the records emit yields into a staging table with COPY,
// then merges them into survey_record set-wise: duplicates are dropped,
// edits replace the current version, and the aggregates of every country and
// year touched are rebuilt.
func storeSurvey(ctx context.Context, tx *sqlx.Tx, b surveyBatch, fn SurveyFunc) (SurveyCounts, schema.Issues, error) {
	var c SurveyCounts
	if _, err := tx.ExecContext(ctx, `
		CREATE TEMP TABLE survey_stage (
		    seq bigint, instance_id text, deprecated_id text, form_id text, form_version text, source text,
		    consent text, country text, year integer, interview_date date, sex text, age integer,
		    age_group text, age_band text, disability text, answers jsonb, answers_sha256 text,
		    sheet text, row_number integer, submitted_at timestamptz
		) ON COMMIT DROP`); err != nil {
		return c, nil, fmt.Errorf("pg: survey staging table: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `COPY survey_stage (seq, instance_id, deprecated_id, form_id, form_version, source,
		consent, country, year, interview_date, sex, age, age_group, age_band, disability, answers, answers_sha256,
		sheet, row_number, submitted_at) FROM STDIN`)
	if err != nil {
		return c, nil, fmt.Errorf("pg: copy survey records: %w", err)
	}
	defer stmt.Close()
	var seq int64
	issues, err := fn(ctx, func(r *survey.Record) error {
		seq++
		_, err := stmt.ExecContext(ctx, surveyRow(seq, r)...)
		return err
	})
	if err != nil {
		return c, issues, fmt.Errorf("pg: copy survey records: %w", err)
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return c, issues, fmt.Errorf("pg: copy survey records: %w", err)
	}
	if issues.HasErrors() {
		return c, issues, nil
	}
	c, err = mergeSurvey(ctx, tx, b)
	return c, issues, err
}

func surveyRow(seq int64, r *survey.Record) []any {
	rec := *r
	if rec.Refusal() {
		rec.StripForRefusal()
	}
	doc, sum := []byte("{}"), ""
	var sex, ageGroup, disability sql.NullString
	var age sql.NullInt64
	band := ""
	if rec.Refusal() {
		_, sum = rec.AnswersJSON()
	} else {
		doc, sum = rec.AnswersJSON()
		sex = sql.NullString{String: survey.FactSex(rec.Sex), Valid: true}
		ageGroup = sql.NullString{String: survey.AgeGroup(rec.Age), Valid: true}
		band = survey.AgeBand(rec.Age)
		if rec.Age != nil {
			age = sql.NullInt64{Int64: int64(*rec.Age), Valid: true}
		}
		disability = sql.NullString{String: survey.Disability(rec.WG), Valid: true}
	}
	var interview, submitted any
	if rec.InterviewDate != nil {
		interview = rec.InterviewDate.Format(time.DateOnly)
	}
	if rec.SubmittedAt != nil {
		submitted = *rec.SubmittedAt
	}
	var row sql.NullInt64
	if rec.Row > 0 {
		row = sql.NullInt64{Int64: int64(rec.Row), Valid: true}
	}
	return []any{seq, rec.InstanceID, rec.DeprecatedID, rec.FormID, rec.FormVersion, rec.Source,
		consentCode(rec.Consent), rec.Country, rec.Year, interview, sex, age, ageGroup, band, disability,
		string(doc), sum, rec.Sheet, row, submitted}
}

func consentCode(c string) string {
	if c == "yes" {
		return "yes"
	}
	return "no"
}

// mergeSurvey moves survey_stage into survey_record. The statements are
// set-wise so a million-row export costs a handful of statements, not a
// million round trips.
func mergeSurvey(ctx context.Context, tx *sqlx.Tx, b surveyBatch) (SurveyCounts, error) {
	var c SurveyCounts
	exec := func(what, q string, args ...any) (int, error) {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("pg: survey %s: %w", what, err)
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}

	// Twice in one batch: the last row wins (exports list versions in
	// order); an identical earlier row is a duplicate, a different one
	// an edit superseded within the file.
	n, err := exec("in-batch duplicates", `
		DELETE FROM survey_stage s USING survey_stage t
		WHERE s.instance_id = t.instance_id AND s.seq < t.seq AND s.answers_sha256 = t.answers_sha256`)
	if err != nil {
		return c, err
	}
	c.Duplicates += n
	n, err = exec("in-batch versions", `
		DELETE FROM survey_stage s USING survey_stage t
		WHERE s.instance_id = t.instance_id AND s.seq < t.seq`)
	if err != nil {
		return c, err
	}
	c.Replaced += n

	// Stored before with the same answers, as the current version or as an
	// older one an edit has since replaced: nothing to do.
	n, err = exec("duplicates", `
		DELETE FROM survey_stage s USING survey_record r
		WHERE r.instance_id = s.instance_id AND r.answers_sha256 = s.answers_sha256`)
	if err != nil {
		return c, err
	}
	c.Duplicates += n

	if b.conflict == SurveyRefuse {
		var clash int
		if err := tx.GetContext(ctx, &clash, `
			SELECT count(*) FROM survey_stage s JOIN survey_record r ON r.instance_id = s.instance_id AND r.current`); err != nil {
			return c, fmt.Errorf("pg: survey conflicts: %w", err)
		}
		if clash > 0 {
			return c, ErrSurveyConflict
		}
	}

	// The country-years whose aggregates change: those of the new rows and
	// of the versions they replace (an edit may move a record's country).
	if _, err := exec("touched", `
		CREATE TEMP TABLE survey_touched ON COMMIT DROP AS
		SELECT DISTINCT country, year FROM survey_stage
		UNION
		SELECT r.country, r.year FROM survey_record r JOIN survey_stage s
		  ON r.current AND (r.instance_id = s.instance_id OR (s.deprecated_id <> '' AND r.instance_id = s.deprecated_id))`); err != nil {
		return c, err
	}
	// ODK Central's exports name an edit's first version (KEY), not the
	// version it edits: a second edit names the same first version as the
	// one in force. Versions sharing a deprecated id are one submission.
	// Checked apart, and only when the batch has edits, because no index
	// serves deprecated_id and most batches have none.
	var edits bool
	if err := tx.GetContext(ctx, &edits, `SELECT EXISTS (SELECT 1 FROM survey_stage WHERE deprecated_id <> '')`); err != nil {
		return c, fmt.Errorf("pg: survey edits: %w", err)
	}
	if edits {
		if _, err := exec("touched by edits", `
			INSERT INTO survey_touched
			SELECT r.country, r.year FROM survey_record r JOIN survey_stage s
			  ON r.current AND s.deprecated_id <> '' AND r.deprecated_id = s.deprecated_id AND r.instance_id <> s.instance_id
			EXCEPT SELECT country, year FROM survey_touched`); err != nil {
			return c, err
		}
		n, err = exec("retire earlier edits", `
			UPDATE survey_record r SET current = false
			FROM survey_stage s
			WHERE r.current AND s.deprecated_id <> '' AND r.deprecated_id = s.deprecated_id AND r.instance_id <> s.instance_id`)
		if err != nil {
			return c, err
		}
		c.Replaced += n
	}
	n, err = exec("retire replaced versions", `
		UPDATE survey_record r SET current = false
		FROM survey_stage s
		WHERE r.current AND (r.instance_id = s.instance_id OR (s.deprecated_id <> '' AND r.instance_id = s.deprecated_id))`)
	if err != nil {
		return c, err
	}
	c.Replaced += n

	var fileID, runID any
	if b.fileID != 0 {
		fileID = b.fileID
	}
	if b.runID != 0 {
		runID = b.runID
	}
	if _, err := exec("insert", `
		INSERT INTO survey_record (instance_id, deprecated_id, form_id, form_version, source, consent, country, year,
		    interview_date, sex, age, age_group, age_band, disability, answers, answers_sha256, file_id, run_id, sheet,
		    row_number, submitted_at, submitted_by)
		SELECT instance_id, deprecated_id, form_id, form_version, source, consent, country, year, interview_date, sex,
		       age, age_group, age_band, disability, answers, answers_sha256, $1, $2, sheet, row_number, submitted_at, $3
		FROM survey_stage ORDER BY seq`, fileID, runID, b.submittedBy); err != nil {
		return c, err
	}
	if err := tx.QueryRowxContext(ctx, `
		SELECT count(*) FILTER (WHERE consent = 'yes'), count(*) FILTER (WHERE consent = 'no') FROM survey_stage`).
		Scan(&c.Accepted, &c.NoConsent); err != nil {
		return c, fmt.Errorf("pg: survey counts: %w", err)
	}
	if _, err := exec("link history", `
		UPDATE survey_record o SET replaced_by = n.id
		FROM survey_record n JOIN survey_stage s ON s.instance_id = n.instance_id
		WHERE n.current AND NOT o.current AND o.replaced_by IS NULL AND o.id <> n.id
		  AND (o.instance_id = n.instance_id OR (n.deprecated_id <> '' AND o.instance_id = n.deprecated_id))`); err != nil {
		return c, err
	}
	if edits {
		if _, err := exec("link earlier edits", `
			UPDATE survey_record o SET replaced_by = n.id
			FROM survey_record n JOIN survey_stage s ON s.instance_id = n.instance_id
			WHERE n.current AND NOT o.current AND o.replaced_by IS NULL AND o.id <> n.id
			  AND n.deprecated_id <> '' AND o.deprecated_id = n.deprecated_id`); err != nil {
			return c, err
		}
	}
	if err := refreshSurveyReports(ctx, tx, b.runID); err != nil {
		return c, err
	}
	return c, nil
}

// refreshSurveyReports rebuilds the survey report of every country and year
// in survey_touched from the current records with consent. The report is a
// derived aggregate: one per country and year, approved, rebuilt in place;
// the records keep the history. Counts are persons: in_need counts "yes" to
// need_<pillar>, reached counts "yes" to received_<pillar>; a group where
// nobody answered a question has no row for it (not reported, never zero).
// The form asks received_<pillar> only after a yes to need_<pillar>, so a
// respondent who said no to the need was not reached: that is an answer,
// and a group where nobody was in need has reached 0, not "not reported"
// (which left every pillar's total, and so its coverage, unknown).
func refreshSurveyReports(ctx context.Context, tx *sqlx.Tx, runID int64) error {
	var keys []struct {
		Country string `db:"country"`
		Year    int    `db:"year"`
	}
	if err := tx.SelectContext(ctx, &keys, `SELECT country, year FROM survey_touched ORDER BY country, year`); err != nil {
		return fmt.Errorf("pg: survey keys: %w", err)
	}
	var run any
	if runID != 0 {
		run = runID
	}
	for _, k := range keys {
		key := fmt.Sprintf("survey:%s:%d", k.Country, k.Year)
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
			return fmt.Errorf("pg: lock survey report: %w", err)
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			SELECT id FROM report
			WHERE country = $1 AND year = $2 AND source_type = 'survey' AND status = 'approved'
			ORDER BY version DESC LIMIT 1`, k.Country, k.Year)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.GetContext(ctx, &id, `
				INSERT INTO report (country, year, kind, source_type, period_start, period_end, format_version, run_id, status)
				VALUES ($1, $2, 'voluntary', 'survey', make_date($2, 1, 1), make_date($2, 12, 31), 'vahub survey', $3, 'approved')
				RETURNING id`, k.Country, k.Year, run)
			if err != nil {
				return fmt.Errorf("pg: insert survey report %s %d: %w", k.Country, k.Year, err)
			}
		case err != nil:
			return fmt.Errorf("pg: find survey report %s %d: %w", k.Country, k.Year, err)
		default:
			if _, err := tx.ExecContext(ctx, `DELETE FROM service_count WHERE report_id = $1`, id); err != nil {
				return fmt.Errorf("pg: clear survey report %d: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE report SET run_id = coalesce($2, run_id) WHERE id = $1`, id, run); err != nil {
				return fmt.Errorf("pg: touch survey report %d: %w", id, err)
			}
		}
		_, err = tx.ExecContext(ctx, surveyAggregateSQL, id, k.Country, k.Year)
		if err != nil {
			return fmt.Errorf("pg: aggregate survey %s %d: %w", k.Country, k.Year, err)
		}
	}
	return nil
}

// surveyAggregateSQL counts, per group of sex, age group and disability, who
// answered each need_/received_ question and who said yes, in one pass over
// the records (a pass per pillar and measure cost eight times as much on a
// million records), then turns each answered pair into a service_count row.
// Built once from survey.ServicePillars:
//
//	INSERT INTO service_count (…)
//	SELECT $1, v.pillar, '', v.measure, g.sex, g.age_group, '', g.disability, 'reported', v.yes, …
//	FROM (SELECT sex, age_group, disability,
//	             count(*) FILTER (WHERE answers ? 'need_medical_care') AS a0,
//	             count(*) FILTER (WHERE answers ->> 'need_medical_care' = 'yes') AS y0,
//	             count(*) FILTER (WHERE answers ? 'received_medical_care' OR answers ->> 'need_medical_care' = 'no') AS a1, …
//	      FROM survey_record WHERE current AND consent = 'yes' AND country = $2 AND year = $3
//	      GROUP BY sex, age_group, disability) g
//	CROSS JOIN LATERAL (VALUES ('medical_care', 'in_need', g.a0, g.y0), …) AS v (pillar, measure, answered, yes)
//	WHERE v.answered > 0
var surveyAggregateSQL = func() string {
	var counts, values []string
	i := 0
	for _, p := range survey.ServicePillars {
		for _, m := range [][2]string{{"in_need", "need_"}, {"reached", "received_"}} {
			q := m[1] + p
			answered := fmt.Sprintf("answers ? '%s'", q)
			if m[0] == "reached" {
				answered += fmt.Sprintf(" OR answers ->> 'need_%s' = 'no'", p)
			}
			counts = append(counts, fmt.Sprintf("count(*) FILTER (WHERE %s) AS a%d", answered, i),
				fmt.Sprintf("count(*) FILTER (WHERE answers ->> '%s' = 'yes') AS y%d", q, i))
			values = append(values, fmt.Sprintf("('%s', '%s', g.a%d, g.y%d)", p, m[0], i, i))
			i++
		}
	}
	return `
		INSERT INTO service_count (report_id, pillar, sub_service, measure, sex, age_group, age_band, disability,
		                           value_state, people, qualifier, sheet, cell)
		SELECT $1, v.pillar, '', v.measure, g.sex, g.age_group, '', g.disability, 'reported', v.yes, 'exact', 'survey_record', ''
		FROM (SELECT sex, age_group, disability,
		             ` + strings.Join(counts, ",\n\t\t             ") + `
		      FROM survey_record
		      WHERE current AND consent = 'yes' AND country = $2 AND year = $3
		      GROUP BY sex, age_group, disability) g
		CROSS JOIN LATERAL (VALUES ` + strings.Join(values, ", ") + `) AS v (pillar, measure, answered, yes)
		WHERE v.answered > 0`
}()

// StoreSubmission stores one record submitted directly (the JSON API,
// OpenRosa) in its own transaction. A retry of the same instance with the
// same answers is a duplicate (created false); the same instance with other
// answers is ErrSurveyConflict unless it names the earlier one as
// DeprecatedID (an edit). It returns the stored row's id.
func (db *DB) StoreSubmission(ctx context.Context, r survey.Record, submittedBy string) (id int64, created bool, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		// Serialise per instance, and per instance an edit replaces, so a
		// client's concurrent retries agree and two concurrent edits of one
		// version cannot both come into force. Locks in a fixed order: no
		// deadlock between an edit and a retry of the version it replaces.
		ids := []string{r.InstanceID}
		if r.DeprecatedID != "" && r.DeprecatedID != r.InstanceID {
			ids = append(ids, r.DeprecatedID)
			slices.Sort(ids)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 1))`, id); err != nil {
				return fmt.Errorf("pg: lock instance: %w", err)
			}
		}
		conflict := SurveyRefuse
		if r.DeprecatedID != "" {
			conflict = SurveyReplace
			// The version it edits was replaced already (by another edit):
			// refused, unless this edit is that one, sent again.
			var stale bool
			if err := tx.GetContext(ctx, &stale, `
				SELECT EXISTS (SELECT 1 FROM survey_record WHERE instance_id = $1)
				   AND NOT EXISTS (SELECT 1 FROM survey_record WHERE instance_id = $1 AND current)
				   AND NOT EXISTS (SELECT 1 FROM survey_record WHERE instance_id = $2)`, r.DeprecatedID, r.InstanceID); err != nil {
				return fmt.Errorf("pg: check edited version: %w", err)
			}
			if stale {
				return fmt.Errorf("%w: %s was already replaced by another edit", ErrSurveyConflict, r.DeprecatedID)
			}
		}
		c, _, err := storeSurvey(ctx, tx, surveyBatch{submittedBy: submittedBy, conflict: conflict},
			func(ctx context.Context, emit func(*survey.Record) error) (schema.Issues, error) {
				return nil, emit(&r)
			})
		if err != nil {
			return err
		}
		created = c.Accepted+c.NoConsent > 0
		return tx.GetContext(ctx, &id, `SELECT id FROM survey_record WHERE instance_id = $1 AND current`, r.InstanceID)
	})
	if errors.Is(err, sql.ErrNoRows) {
		// The same answers as a version an edit has replaced: report the
		// version in force.
		err = db.GetContext(ctx, &id, `
			SELECT n.id FROM survey_record o JOIN survey_record n ON n.id = o.replaced_by
			WHERE o.instance_id = $1 ORDER BY o.id DESC LIMIT 1`, r.InstanceID)
	}
	return id, created, err
}
