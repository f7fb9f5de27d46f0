package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/vahub/vahub/schema"
)

// File statuses, as `vahub ingest --json` reports them.
const (
	FileIngested   = "ingested"   // new facts stored
	FileDuplicate  = "duplicate"  // the same bytes were ingested before; nothing changed
	FileSuperseded = "superseded" // ingested, and replaced an earlier version for the same country and period
	FileRejected   = "rejected"   // errors: nothing but the file and its issues stored
	FileDryRun     = "dry_run"    // validated only; nothing stored
)

// FileInput is everything one ingestion attempt of one file produced.
type FileInput struct {
	RunID   int64
	Path    string // as the user named it; shown back, never trusted
	Name    string // base name stored with the bytes
	SHA256  string
	Content []byte
	// BodyPath, when Content is nil, is a file whose bytes are kept in
	// chunks, streamed: memory stays flat whatever its size.
	BodyPath  string
	Size      int64
	MediaType string
	SourceURL string
	Format    string
	// Reports are what the file says, one per country and period (a
	// national dataset spans many years); empty when it yielded none.
	Reports []*schema.Report
	Issues  schema.Issues
	// Survey, when set, streams the file's individual survey records
	// (a Kobo or ODK export) into survey_record inside the file's
	// transaction; their aggregates become survey reports.
	Survey SurveyFunc
	// ReportStatus is the status a new report gets: "approved" for a data
	// officer's command-line ingest, "submitted" for a focal point's upload.
	ReportStatus string
}

// FileResult is what storing one file did.
type FileResult struct {
	Status  string
	FileID  int64
	Reports []ReportResult
	Facts   int
	// Survey is what a survey export's records did; nil for other files.
	Survey *SurveyCounts
	// Issues are the input's issues plus those Survey found while streaming.
	Issues schema.Issues
}

// errSurveyRejected rolls back a survey file whose stream found errors, so
// it can be recorded as rejected, with its issues, in a transaction of its own.
var errSurveyRejected = errors.New("pg: survey file has errors")

// ReportResult is what storing one of a file's reports did.
type ReportResult struct {
	ReportID     int64
	Version      int
	SupersededID int64
	Facts        int
}

// RecordFile stores one ingestion attempt in a single transaction: the file's
// original bytes (once per SHA-256), the attempt and its issues, and, when the
// file has no errors and was not seen before, its report and facts. A file is
// ingested entirely or not at all.
func (db *DB) RecordFile(ctx context.Context, in FileInput) (FileResult, error) {
	var res FileResult
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		res, err = recordFile(ctx, tx, in)
		return err
	})
	if errors.Is(err, errSurveyRejected) {
		// Nothing of the records is kept; the file and its issues are.
		in.Issues, in.Survey = res.Issues, nil
		err = db.inTx(ctx, func(tx *sqlx.Tx) error {
			var err error
			res, err = recordFile(ctx, tx, in)
			return err
		})
	}
	return res, err
}

func (db *DB) inTx(ctx context.Context, fn func(*sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pg: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pg: commit: %w", err)
	}
	return nil
}

func recordFile(ctx context.Context, tx *sqlx.Tx, in FileInput) (FileResult, error) {
	var res FileResult
	var fileID *int64
	// A file refused before it was read (too large) has no bytes to keep.
	if in.Content != nil || in.BodyPath != "" {
		id, err := upsertFile(ctx, tx, in)
		if err != nil {
			return res, err
		}
		res.FileID = id
		fileID = &id
	}

	res.Issues = in.Issues
	switch {
	case in.Issues.HasErrors() || (len(in.Reports) == 0 && in.Survey == nil) || fileID == nil:
		res.Status = FileRejected
	default:
		dup, err := alreadyIngested(ctx, tx, res.FileID)
		if err != nil {
			return res, err
		}
		if dup {
			res.Status = FileDuplicate
			break
		}
		status := in.ReportStatus
		if status == "" {
			status = "approved"
		}
		res.Status = FileIngested
		for _, r := range in.Reports {
			rr, err := insertReport(ctx, tx, in.RunID, r, res.FileID, status)
			if err != nil {
				return res, err
			}
			if rr.SupersededID != 0 {
				res.Status = FileSuperseded
			}
			res.Facts += rr.Facts
			res.Reports = append(res.Reports, rr)
		}
		if in.Survey != nil {
			c, issues, err := storeSurvey(ctx, tx, surveyBatch{runID: in.RunID, fileID: res.FileID}, in.Survey)
			res.Issues = append(res.Issues, issues...)
			if err != nil {
				return res, err
			}
			if issues.HasErrors() {
				return res, errSurveyRejected
			}
			res.Survey = &c
		}
	}

	var attemptID int64
	err := tx.QueryRowxContext(ctx, `
		INSERT INTO file_ingest (run_id, file_id, path, status, format, facts, errors, warnings)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		in.RunID, fileID, in.Path, res.Status, in.Format, res.Facts,
		res.Issues.Count(schema.SevError), res.Issues.Count(schema.SevWarning)).Scan(&attemptID)
	if err != nil {
		return res, fmt.Errorf("pg: record attempt: %w", err)
	}
	if err := insertIssues(ctx, tx, attemptID, fileID, res.Issues); err != nil {
		return res, err
	}
	return res, nil
}

func upsertFile(ctx context.Context, tx *sqlx.Tx, in FileInput) (int64, error) {
	var id int64
	size := int64(len(in.Content))
	var content any = in.Content
	chunked := in.Content == nil
	if chunked {
		size, content = in.Size, nil
	}
	// xmax = 0 tells a fresh insert from a conflict: only a new row needs
	// its chunks written. DO UPDATE (a no-op) so RETURNING yields the id of
	// a file stored before.
	var inserted bool
	err := tx.QueryRowxContext(ctx, `
		INSERT INTO input_file (sha256, name, size, media_type, source_url, content, chunked)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7)
		ON CONFLICT (sha256) DO UPDATE SET sha256 = EXCLUDED.sha256
		RETURNING id, xmax = 0`,
		in.SHA256, in.Name, size, in.MediaType, in.SourceURL, content, chunked).Scan(&id, &inserted)
	if err != nil {
		return 0, fmt.Errorf("pg: store file %s: %w", in.Name, err)
	}
	if chunked && inserted {
		if err := copyChunks(ctx, tx, id, in.BodyPath); err != nil {
			return 0, fmt.Errorf("pg: store file %s: %w", in.Name, err)
		}
	}
	return id, nil
}

// chunkSize bounds the memory a stored file costs: one chunk at a time.
const chunkSize = 1 << 20

func copyChunks(ctx context.Context, tx *sqlx.Tx, fileID int64, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	stmt, err := tx.PrepareContext(ctx, `COPY input_file_chunk (file_id, seq, data) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	buf := make([]byte, chunkSize)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			if _, err := stmt.ExecContext(ctx, fileID, seq, buf[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	_, err = stmt.ExecContext(ctx)
	return err
}

// alreadyIngested reports whether the same bytes already produced a report.
func alreadyIngested(ctx context.Context, tx *sqlx.Tx, fileID int64) (bool, error) {
	var n int
	err := tx.GetContext(ctx, &n, `
		SELECT (SELECT count(*) FROM report WHERE file_id = $1) + (SELECT count(*) FROM survey_record WHERE file_id = $1)`, fileID)
	if err != nil {
		return false, fmt.Errorf("pg: check duplicate: %w", err)
	}
	return n > 0, nil
}

func insertReport(ctx context.Context, tx *sqlx.Tx, runID int64, r *schema.Report, fileID int64, status string) (ReportResult, error) {
	var res ReportResult
	// Serialise versioning per country and period so two uploads of
	// corrections at once cannot take the same version number.
	if err := lockReportKey(ctx, tx, r.Country, r.PeriodStart, r.PeriodEnd, string(r.SourceType)); err != nil {
		return res, err
	}
	var prev struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	err := tx.GetContext(ctx, &prev, `
		SELECT id, version FROM report
		WHERE country = $1 AND period_start = $2 AND period_end = $3 AND source_type = $4
		ORDER BY version DESC LIMIT 1`,
		r.Country, r.PeriodStart, r.PeriodEnd, string(r.SourceType))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return res, fmt.Errorf("pg: find earlier version: %w", err)
	}
	res.Version = prev.Version + 1

	var supersedes *int64
	if prev.ID != 0 {
		supersedes = &prev.ID
		// Only an approved version is replaced in the views by a new approved
		// one; a submission waits for approval before it supersedes anything.
		if status == "approved" {
			tag, err := tx.ExecContext(ctx, `
				UPDATE report SET status = 'superseded'
				WHERE country = $1 AND period_start = $2 AND period_end = $3 AND source_type = $4
				  AND status = 'approved'`,
				r.Country, r.PeriodStart, r.PeriodEnd, string(r.SourceType))
			if err != nil {
				return res, fmt.Errorf("pg: supersede earlier version: %w", err)
			}
			if n, _ := tag.RowsAffected(); n > 0 {
				res.SupersededID = prev.ID
			}
		}
	}

	err = tx.QueryRowxContext(ctx, `
		INSERT INTO report (country, year, kind, source_type, period_start, period_end, language,
		                    format_version, submitted_on, file_id, run_id, version, supersedes, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING id`,
		r.Country, r.Year, r.Kind, string(r.SourceType), r.PeriodStart, r.PeriodEnd, r.Language,
		r.FormatVersion, r.SubmittedOn, fileID, runID, res.Version, supersedes, status).Scan(&res.ReportID)
	if err != nil {
		return res, fmt.Errorf("pg: insert report: %w", err)
	}
	n, err := copyFacts(ctx, tx, res.ReportID, fileID, r)
	if err != nil {
		return res, err
	}
	if r.CarryForwardFrom != 0 && len(r.Casualties) == 0 && len(r.Services) == 0 {
		k, err := carryForward(ctx, tx, res.ReportID, r)
		if err != nil {
			return res, err
		}
		n += k
	}
	res.Facts = n
	return res, nil
}

// lockReportKey serialises, until the transaction ends, everything that
// versions or supersedes the reports of one country, period and source type:
// ingestion (insertReport) and review (ApproveReport, ReturnReport).
func lockReportKey(ctx context.Context, tx *sqlx.Tx, country string, start, end time.Time, sourceType string) error {
	key := fmt.Sprintf("report:%s:%s:%s:%s", country, start.Format("2006-01-02"), end.Format("2006-01-02"), sourceType)
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("pg: lock report key: %w", err)
	}
	return nil
}

func insertIssues(ctx context.Context, tx *sqlx.Tx, attemptID int64, fileID *int64, issues schema.Issues) error {
	if len(issues) == 0 {
		return nil
	}
	err := copyRows(ctx, tx, `COPY validation_issue (file_ingest_id, file_id, sheet, cell, severity, code, message) FROM STDIN`,
		len(issues), func(i int) []any {
			is := issues[i]
			return []any{attemptID, fileID, is.Sheet, is.Cell, string(is.Severity), is.Code, is.Message}
		})
	if err != nil {
		return fmt.Errorf("pg: copy issues: %w", err)
	}
	return nil
}
