package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lib/pq"

	"github.com/vahub/vahub/schema"
)

// Submissions: uploads through vahub serve (migration 00010), for the focal
// point's history and result pages and their API twins.

// Submission statuses as the pages show them: the file attempt's when it
// was rejected, else its reports' (the least advanced one when a file
// holds several reports: submitted, returned, approved, superseded).
const (
	SubmissionSubmitted  = "submitted"
	SubmissionApproved   = "approved"
	SubmissionReturned   = "returned"
	SubmissionSuperseded = "superseded"
	SubmissionRejected   = "rejected"
)

// Submission is one upload and what became of it.
type Submission struct {
	ID         int64     `db:"id" json:"id"`
	Country    *string   `db:"country" json:"country"`
	UploadedBy string    `db:"uploaded_by" json:"uploaded_by"`
	UploadedAt time.Time `db:"created_at" json:"uploaded_at"`
	// Language of the feedback (issue messages, annotated workbook).
	Language string `db:"language" json:"language"`
	// FileName is the sanitised name the uploader gave the file.
	FileName string `db:"file_name" json:"file_name"`
	FileID   *int64 `db:"file_id" json:"-"`
	SHA256   string `db:"sha256" json:"sha256"`
	Format   string `db:"format" json:"format"`
	// FileStatus is ingest's per-file status (ingested, duplicate,
	// superseded, rejected); Status the submission's (see above).
	FileStatus string `db:"file_status" json:"file_status"`
	Status     string `db:"status" json:"status"`
	YearFrom   *int   `db:"year_from" json:"year_from"`
	YearTo     *int   `db:"year_to" json:"year_to"`
	Facts      int    `db:"facts" json:"facts"`
	Errors     int    `db:"errors" json:"errors"`
	Warnings   int    `db:"warnings" json:"warnings"`
	// Note is the reviewer's note when the submission was returned or
	// approved with one ("" until reviews keep notes).
	Note string `db:"note" json:"note"`
	// FileIngestID is the attempt (validation_issue.file_ingest_id).
	FileIngestID int64 `db:"file_ingest_id" json:"-"`
}

// NewSubmission is an upload to record.
type NewSubmission struct {
	RunID    int64  // the ingest run of the upload (one file)
	Country  string // "" when unknown
	User     string // who uploaded
	FileName string // the name they gave the file, sanitised
	Language string // of the feedback: en, fr, es or ""
}

// RecordSubmission records the upload that ingest run n.RunID made.
func (db *DB) RecordSubmission(ctx context.Context, n NewSubmission) (int64, error) {
	var id int64
	err := db.GetContext(ctx, &id, `
		INSERT INTO submission (file_ingest_id, country, uploaded_by, file_name, language, created_at)
		SELECT fi.id, NULLIF($2, ''), $3, $4, $5, $6 FROM file_ingest fi WHERE fi.run_id = $1
		ORDER BY fi.id LIMIT 1
		RETURNING id`, n.RunID, n.Country, storable(n.User), storable(n.FileName), n.Language, db.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("pg: record submission: run %d has no file: %w", n.RunID, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("pg: record submission: %w", err)
	}
	return id, nil
}

const submissionSelect = `
SELECT s.id, s.country, s.uploaded_by, s.created_at, s.language, s.file_ingest_id,
       s.file_name, fi.file_id, coalesce(f.sha256, '') AS sha256, fi.format, fi.status AS file_status,
       fi.facts, fi.errors, fi.warnings,
       CASE WHEN fi.status = 'rejected' THEN 'rejected' ELSE coalesce(rs.status, fi.status) END AS status,
       CASE WHEN fi.status = 'rejected' THEN NULL ELSE rs.year_from END AS year_from,
       CASE WHEN fi.status = 'rejected' THEN NULL ELSE rs.year_to END AS year_to,
       '' AS note
FROM submission s
JOIN file_ingest fi ON fi.id = s.file_ingest_id
LEFT JOIN input_file f ON f.id = fi.file_id
LEFT JOIN LATERAL (
    SELECT (ARRAY['submitted', 'returned', 'approved', 'superseded'])[
               min(CASE r.status WHEN 'submitted' THEN 1 WHEN 'returned' THEN 2 WHEN 'approved' THEN 3 ELSE 4 END)] AS status,
           min(r.year) AS year_from, max(r.year) AS year_to
    FROM report r WHERE r.file_id = fi.file_id
) rs ON true`

// SubmissionScope is whose submissions a list may hold: every one (All),
// or those of Countries plus those of unknown country that User uploaded.
type SubmissionScope struct {
	All       bool
	Countries []string
	User      string
}

// Submissions lists the submissions in scope, newest first, at most limit
// (100 when limit <= 0, at most 1,000).
func (db *DB) Submissions(ctx context.Context, scope SubmissionScope, limit int) ([]Submission, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	cs := scope.Countries
	if cs == nil {
		cs = []string{}
	}
	var out []Submission
	err := db.SelectContext(ctx, &out, submissionSelect+`
		WHERE $1 OR s.country = ANY($2::text[]) OR (s.country IS NULL AND $3 <> '' AND s.uploaded_by = $3)
		ORDER BY s.id DESC LIMIT $4`, scope.All, pq.Array(cs), scope.User, limit)
	if err != nil {
		return nil, fmt.Errorf("pg: submissions: %w", err)
	}
	return out, nil
}

// SubmissionByID returns one submission, or ErrNotFound. It does not check
// who asks: the caller does.
func (db *DB) SubmissionByID(ctx context.Context, id int64) (Submission, error) {
	var s Submission
	err := db.GetContext(ctx, &s, submissionSelect+` WHERE s.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("pg: submission %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("pg: submission %d: %w", id, err)
	}
	return s, nil
}

// SubmissionIssues returns the issues found in a submission's file, in the
// order they were found.
func (db *DB) SubmissionIssues(ctx context.Context, s Submission) ([]schema.Issue, error) {
	out := []schema.Issue{}
	err := db.SelectContext(ctx, &out, `
		SELECT severity, sheet, cell, code, message FROM validation_issue
		WHERE file_ingest_id = $1 ORDER BY id`, s.FileIngestID)
	if err != nil {
		return nil, fmt.Errorf("pg: submission %d issues: %w", s.ID, err)
	}
	return out, nil
}

// TableFacts counts the facts stored from one sheet into one kind of table.
type TableFacts struct {
	Table string `db:"tbl" json:"table"` // casualties, services or commitments
	Sheet string `db:"sheet" json:"sheet"`
	Facts int    `db:"facts" json:"facts"`
}

// SubmissionTables counts the facts accepted from a submission, per table
// and sheet; none for a rejected one.
func (db *DB) SubmissionTables(ctx context.Context, s Submission) ([]TableFacts, error) {
	out := []TableFacts{}
	if s.FileID == nil || s.FileStatus == "rejected" {
		return out, nil
	}
	err := db.SelectContext(ctx, &out, `
		WITH reps AS (SELECT id FROM report WHERE file_id = $1)
		SELECT 'casualties' AS tbl, sheet, count(*) AS facts FROM casualty_count
		WHERE report_id IN (SELECT id FROM reps) GROUP BY sheet
		UNION ALL
		SELECT 'services', sheet, count(*) FROM service_count
		WHERE report_id IN (SELECT id FROM reps) GROUP BY sheet
		UNION ALL
		SELECT 'commitments', sheet, count(*) FROM commitment_status
		WHERE report_id IN (SELECT id FROM reps) GROUP BY sheet
		ORDER BY 1, 2`, *s.FileID)
	if err != nil {
		return nil, fmt.Errorf("pg: submission %d tables: %w", s.ID, err)
	}
	return out, nil
}

// WriteInputFile writes the original bytes of input file id to w, from
// its content or, for a large file, its chunks one at a time.
func (db *DB) WriteInputFile(ctx context.Context, id int64, w io.Writer) error {
	var f struct {
		Content []byte `db:"content"`
		Chunked bool   `db:"chunked"`
	}
	err := db.GetContext(ctx, &f, `SELECT content, chunked FROM input_file WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("pg: input file %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("pg: input file %d: %w", id, err)
	}
	if !f.Chunked {
		if _, err := w.Write(f.Content); err != nil {
			return fmt.Errorf("pg: input file %d: %w", id, err)
		}
		return nil
	}
	rows, err := db.QueryContext(ctx, `SELECT data FROM input_file_chunk WHERE file_id = $1 ORDER BY seq`, id)
	if err != nil {
		return fmt.Errorf("pg: input file %d chunks: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return fmt.Errorf("pg: input file %d chunks: %w", id, err)
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("pg: input file %d: %w", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pg: input file %d chunks: %w", id, err)
	}
	return nil
}
