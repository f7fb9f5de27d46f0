package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/vahub/vahub/schema"
)

// Review of focal points' submissions. An upload is stored as a submitted
// report, which feeds no reporting view. An admin approves it (it becomes
// approved and supersedes the earlier approved version of the same country,
// period and source type, as an approved ingest does) or returns it with a
// note (it never feeds the views). A report is decided once: a correction
// comes as a new upload.

// Review decisions (report_review.decision).
const (
	DecisionApproved = "approved"
	DecisionReturned = "returned"
)

// Review is the decision taken on a report.
type Review struct {
	Decision   string    `db:"decision" json:"decision"`
	Reviewer   string    `db:"reviewer" json:"reviewer"`
	ReviewedAt time.Time `db:"reviewed_at" json:"reviewed_at"`
	Note       string    `db:"note" json:"note"`
}

// ReviewReport is a report as the review queue and page show it.
type ReviewReport struct {
	ID          int64     `db:"id" json:"id"`
	Country     string    `db:"country" json:"country"`
	Year        int       `db:"year" json:"year"`
	Kind        string    `db:"kind" json:"kind"`
	SourceType  string    `db:"source_type" json:"source_type"`
	PeriodStart time.Time `db:"period_start" json:"period_start"`
	PeriodEnd   time.Time `db:"period_end" json:"period_end"`
	Version     int       `db:"version" json:"version"`
	Status      string    `db:"status" json:"status"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	RunID       *int64    `db:"run_id" json:"run_id"`
	// SubmittedBy is the user (or command) whose run stored the report.
	SubmittedBy string `db:"submitted_by" json:"submitted_by"`
	FileID      *int64 `db:"file_id" json:"file_id"`
	// FileName is the name the file came with: untrusted text, shown back
	// escaped, never used as a path.
	FileName   string `db:"file_name" json:"file_name"`
	FileSHA256 string `db:"file_sha256" json:"file_sha256"`
	Facts      int    `db:"facts" json:"facts"`
	Errors     int    `db:"errors" json:"errors"`
	Warnings   int    `db:"warnings" json:"warnings"`
	// NewerApproved is set when a later version of the same country, period
	// and source type was approved: this one can no longer be approved.
	NewerApproved bool `db:"newer_approved" json:"newer_approved"`
	// SubmissionID is the upload through vahub serve that stored the report
	// (its result page and annotated workbook), nil for other ingests.
	SubmissionID *int64  `db:"submission_id" json:"submission_id"`
	Review       *Review `db:"-" json:"review"`
}

// reviewReportSelect reads ReviewReports; the caller adds WHERE and ORDER BY.
// Errors and warnings are the counts of the attempt that stored the report.
const reviewReportSelect = `
SELECT r.id, r.country, r.year, r.kind, r.source_type, r.period_start, r.period_end, r.version,
       r.status, r.created_at, r.run_id, coalesce(run.started_by, '') AS submitted_by,
       r.file_id, coalesce(f.name, '') AS file_name, coalesce(f.sha256, '') AS file_sha256,
       (SELECT count(*) FROM casualty_count c WHERE c.report_id = r.id)
     + (SELECT count(*) FROM service_count s WHERE s.report_id = r.id)
     + (SELECT count(*) FROM commitment_status m WHERE m.report_id = r.id) AS facts,
       coalesce(a.errors, 0) AS errors, coalesce(a.warnings, 0) AS warnings,
       EXISTS (SELECT 1 FROM report n
               WHERE n.country = r.country AND n.period_start = r.period_start AND n.period_end = r.period_end
                 AND n.source_type = r.source_type AND n.version > r.version
                 AND n.status IN ('approved', 'superseded')) AS newer_approved,
       (SELECT s.id FROM submission s JOIN file_ingest fi ON fi.id = s.file_ingest_id
        WHERE fi.file_id = r.file_id AND fi.run_id = r.run_id ORDER BY s.id LIMIT 1) AS submission_id
FROM report r
LEFT JOIN ingest_run run ON run.id = r.run_id
LEFT JOIN input_file f ON f.id = r.file_id
LEFT JOIN LATERAL (
    SELECT fi.errors, fi.warnings FROM file_ingest fi
    WHERE fi.run_id = r.run_id AND fi.file_id = r.file_id
    ORDER BY fi.id DESC LIMIT 1
) a ON true`

// ReviewQueue lists the submitted reports, oldest first: the admins' queue.
func (db *DB) ReviewQueue(ctx context.Context) ([]ReviewReport, error) {
	var out []ReviewReport
	if err := db.SelectContext(ctx, &out, reviewReportSelect+`
WHERE r.status = 'submitted'
ORDER BY r.created_at, r.id`); err != nil {
		return nil, fmt.Errorf("pg: review queue: %w", err)
	}
	return out, nil
}

// ReviewReport returns one report with its review, if any, or ErrNotFound.
func (db *DB) ReviewReport(ctx context.Context, id int64) (ReviewReport, error) {
	var s ReviewReport
	err := db.GetContext(ctx, &s, reviewReportSelect+`
WHERE r.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("pg: report %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return s, fmt.Errorf("pg: report %d: %w", id, err)
	}
	var rv Review
	err = db.GetContext(ctx, &rv, `SELECT decision, reviewer, reviewed_at, note FROM report_review WHERE report_id = $1`, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return s, fmt.Errorf("pg: review of report %d: %w", id, err)
	default:
		s.Review = &rv
	}
	return s, nil
}

// ReportIssues returns the validation issues of the ingestion attempt that
// stored report id (warnings only, for a stored report), in file order.
func (db *DB) ReportIssues(ctx context.Context, id int64) ([]schema.Issue, error) {
	var out []schema.Issue
	err := db.SelectContext(ctx, &out, `
		SELECT i.severity, i.sheet, i.cell, i.code, i.message
		FROM report r
		JOIN LATERAL (SELECT fi.id FROM file_ingest fi
		              WHERE fi.run_id = r.run_id AND fi.file_id = r.file_id
		              ORDER BY fi.id DESC LIMIT 1) a ON true
		JOIN validation_issue i ON i.file_ingest_id = a.id
		WHERE r.id = $1
		ORDER BY i.id`, id)
	if err != nil {
		return nil, fmt.Errorf("pg: issues of report %d: %w", id, err)
	}
	return out, nil
}

// Decision is an admin's review of one report.
type Decision struct {
	Reviewer string // user name
	Note     string // required to return a report
	Remote   string // the reviewer's address, for the audit log
}

// maxNote bounds a review note.
const maxNote = 4000

// ReviewResult is what an approval did.
type ReviewResult struct {
	ReportID int64  `json:"report_id"`
	Status   string `json:"status"`
	// Superseded are the reports this approval took out of the views (the
	// earlier approved version) or out of the queue (earlier versions still
	// submitted, which could never be approved after this one).
	Superseded []int64 `json:"superseded"`
}

// ErrNotSubmitted: the report was decided already, or a newer version of it
// was approved since; it cannot be approved or returned now. Wrapped in
// ErrConflict.
var ErrNotSubmitted = fmt.Errorf("%w: the report is no longer waiting for review", ErrConflict)

// ApproveReport approves a submitted report: in one transaction, under the
// lock ingestion takes for the same country, period and source type, the
// earlier approved version becomes superseded, the report approved, the
// decision recorded and audited. A report that is not submitted, or whose
// newer version was approved since, is ErrNotSubmitted; an unknown id
// ErrNotFound.
func (db *DB) ApproveReport(ctx context.Context, id int64, d Decision) (ReviewResult, error) {
	return db.decide(ctx, id, DecisionApproved, d)
}

// ReturnReport returns a submitted report to its focal point with a note
// (required: ErrInvalid without one). The report never feeds the views.
// Refusals as for ApproveReport.
func (db *DB) ReturnReport(ctx context.Context, id int64, d Decision) (ReviewResult, error) {
	return db.decide(ctx, id, DecisionReturned, d)
}

func (db *DB) decide(ctx context.Context, id int64, decision string, d Decision) (ReviewResult, error) {
	res := ReviewResult{ReportID: id, Superseded: []int64{}}
	note := strings.TrimSpace(storable(d.Note))
	if decision == DecisionReturned && note == "" {
		return res, fmt.Errorf("pg: return report %d: %w: say why in a note", id, ErrInvalid)
	}
	if len([]rune(note)) > maxNote {
		return res, fmt.Errorf("pg: review report %d: %w: the note is over %d characters", id, ErrInvalid, maxNote)
	}
	if strings.TrimSpace(d.Reviewer) == "" {
		return res, fmt.Errorf("pg: review report %d: %w: no reviewer", id, ErrInvalid)
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var r struct {
			Country     string    `db:"country"`
			Year        int       `db:"year"`
			PeriodStart time.Time `db:"period_start"`
			PeriodEnd   time.Time `db:"period_end"`
			SourceType  string    `db:"source_type"`
			Version     int       `db:"version"`
			Status      string    `db:"status"`
			SHA256      string    `db:"sha256"`
		}
		const q = `SELECT r.country, r.year, r.period_start, r.period_end, r.source_type, r.version, r.status,
		                  coalesce(f.sha256, '') AS sha256
		           FROM report r LEFT JOIN input_file f ON f.id = r.file_id WHERE r.id = $1`
		err := tx.GetContext(ctx, &r, q, id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("pg: report %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("pg: review report %d: %w", id, err)
		}
		if err := lockReportKey(ctx, tx, r.Country, r.PeriodStart, r.PeriodEnd, r.SourceType); err != nil {
			return err
		}
		// Read again under the lock: another review may have decided it,
		// or approved a newer version, while we waited.
		if err := tx.GetContext(ctx, &r, q+` FOR UPDATE OF r`, id); err != nil {
			return fmt.Errorf("pg: review report %d: %w", id, err)
		}
		if r.Status != "submitted" {
			return fmt.Errorf("pg: report %d is %s: %w", id, r.Status, ErrNotSubmitted)
		}
		// A newer version approved (and perhaps superseded since by a
		// newer one still) makes this one out of date.
		var newer int
		if err := tx.GetContext(ctx, &newer, `
			SELECT count(*) FROM report
			WHERE country = $1 AND period_start = $2 AND period_end = $3 AND source_type = $4
			  AND version > $5 AND status IN ('approved', 'superseded')`,
			r.Country, r.PeriodStart, r.PeriodEnd, r.SourceType, r.Version); err != nil {
			return fmt.Errorf("pg: review report %d: %w", id, err)
		}
		if newer > 0 {
			return fmt.Errorf("pg: report %d: a newer version of it was approved: %w", id, ErrNotSubmitted)
		}

		if decision == DecisionApproved {
			// As insertReport does for an approved ingest: the earlier
			// approved version leaves the views. Earlier versions still
			// waiting leave the queue: approving them now is refused.
			if err := tx.SelectContext(ctx, &res.Superseded, `
				UPDATE report SET status = 'superseded'
				WHERE country = $1 AND period_start = $2 AND period_end = $3 AND source_type = $4
				  AND id <> $5 AND (status = 'approved' OR (status = 'submitted' AND version < $6))
				RETURNING id`,
				r.Country, r.PeriodStart, r.PeriodEnd, r.SourceType, id, r.Version); err != nil {
				return fmt.Errorf("pg: supersede earlier versions of report %d: %w", id, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE report SET status = $2 WHERE id = $1`, id, decision); err != nil {
			return fmt.Errorf("pg: review report %d: %w", id, err)
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO report_review (report_id, decision, reviewer, reviewed_at, note) VALUES ($1, $2, $3, $4, $5)`,
			id, decision, storable(d.Reviewer), now, note); err != nil {
			return fmt.Errorf("pg: record review of report %d: %w", id, err)
		}
		res.Status = decision
		action := "approve_report"
		if decision == DecisionReturned {
			action = "return_report"
		}
		return audit(ctx, tx, now, AuditEntry{
			Actor: d.Reviewer, Action: action, Object: fmt.Sprintf("report:%d", id),
			FileSHA256: r.SHA256, Remote: d.Remote,
			Detail: map[string]any{"country": r.Country, "year": r.Year, "version": r.Version,
				"source_type": r.SourceType, "superseded": res.Superseded, "note": note},
		})
	})
	if err != nil {
		return ReviewResult{ReportID: id}, err
	}
	return res, nil
}

// FactDiff is one fact that differs between the previous approved report
// and a new one. Key names the fact by its dimensions that are not total
// ("outcome=killed sex=male"; "total" when all are). Values are nil when
// the state carries no number; for commitments the state is the status.
type FactDiff struct {
	Table           string  `db:"tbl" json:"table"` // casualty, service, commitment
	Key             string  `db:"fact_key" json:"key"`
	Change          string  `db:"change" json:"change"` // added, removed, changed
	BeforeValue     *int64  `db:"before_value" json:"before_value"`
	BeforeState     *string `db:"before_state" json:"before_state"`
	BeforeQualifier *string `db:"before_qualifier" json:"before_qualifier"`
	AfterValue      *int64  `db:"after_value" json:"after_value"`
	AfterState      *string `db:"after_state" json:"after_state"`
	AfterQualifier  *string `db:"after_qualifier" json:"after_qualifier"`
}

// ReviewDiff is what a reviewer sees: the report, the approved report it
// is compared with (nil when there is none: every fact is added), the facts
// that differ and the report's validation issues.
type ReviewDiff struct {
	Report   ReviewReport   `json:"report"`
	Previous *ReviewReport  `json:"previous"`
	Changes  []FactDiff     `json:"changes"`
	Issues   []schema.Issue `json:"issues"`
}

// factKeys names every fact of one report by table and key. A key seen
// twice in one report (it should not be) keeps its first row.
const factKeys = `
SELECT DISTINCT ON (tbl, fact_key) tbl, fact_key, value, state, qualifier FROM (
    SELECT 'casualty' AS tbl, id,
           coalesce(nullif(concat_ws(' ',
               CASE WHEN scope <> 'new' THEN 'scope=' || scope END,
               CASE WHEN outcome <> 'total' THEN 'outcome=' || outcome END,
               CASE WHEN sex <> 'total' THEN 'sex=' || sex END,
               CASE WHEN age_group <> 'total' THEN 'age_group=' || age_group END,
               CASE WHEN age_band <> '' THEN 'age_band=' || age_band END,
               CASE WHEN disability <> 'total' THEN 'disability=' || disability END,
               CASE WHEN cause <> 'total' THEN 'cause=' || cause END,
               CASE WHEN civilian_status <> 'total' THEN 'civilian_status=' || civilian_status END), ''), 'total') AS fact_key,
           people AS value, value_state AS state, qualifier
    FROM casualty_count WHERE report_id = $1
    UNION ALL
    SELECT 'service', id,
           concat_ws(' ', 'pillar=' || pillar,
               CASE WHEN sub_service <> '' THEN 'sub_service=' || sub_service END,
               'measure=' || measure,
               CASE WHEN sex <> 'total' THEN 'sex=' || sex END,
               CASE WHEN age_group <> 'total' THEN 'age_group=' || age_group END,
               CASE WHEN age_band <> '' THEN 'age_band=' || age_band END,
               CASE WHEN disability <> 'total' THEN 'disability=' || disability END),
           people, value_state, qualifier
    FROM service_count WHERE report_id = $1
    UNION ALL
    SELECT 'commitment', id, 'commitment=' || commitment, NULL, status, NULL
    FROM commitment_status WHERE report_id = $1
) f
ORDER BY tbl, fact_key, id`

// DiffReview compares report id with the previous approved report for the
// same country and year (any source type; the same source type first, then
// the views' precedence). For a report decided already, when no other
// approved report is left, the latest superseded one before it is used.
func (db *DB) DiffReview(ctx context.Context, id int64) (ReviewDiff, error) {
	var out ReviewDiff
	sub, err := db.ReviewReport(ctx, id)
	if err != nil {
		return out, err
	}
	out.Report = sub
	var prevID int64
	err = db.GetContext(ctx, &prevID, `
		SELECT p.id FROM report p
		WHERE p.country = $1 AND p.year = $2 AND p.id <> $3
		  AND (p.status = 'approved' OR (p.status = 'superseded' AND p.id < $3))
		ORDER BY p.status = 'approved' DESC, p.source_type = $4 DESC,
		         CASE p.source_type WHEN 'official' THEN 1 WHEN 'survey' THEN 2 ELSE 3 END,
		         p.period_end DESC, p.version DESC, p.id DESC
		LIMIT 1`, sub.Country, sub.Year, id, sub.SourceType)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return out, fmt.Errorf("pg: previous report of %d: %w", id, err)
	default:
		prev, err := db.ReviewReport(ctx, prevID)
		if err != nil {
			return out, err
		}
		out.Previous = &prev
	}
	if err := db.SelectContext(ctx, &out.Changes, `
		WITH o AS (`+strings.ReplaceAll(factKeys, "$1", "$2")+`),
		     n AS (`+factKeys+`)
		SELECT coalesce(n.tbl, o.tbl) AS tbl, coalesce(n.fact_key, o.fact_key) AS fact_key,
		       CASE WHEN o.fact_key IS NULL THEN 'added' WHEN n.fact_key IS NULL THEN 'removed' ELSE 'changed' END AS change,
		       o.value AS before_value, o.state AS before_state, o.qualifier AS before_qualifier,
		       n.value AS after_value, n.state AS after_state, n.qualifier AS after_qualifier
		FROM o FULL JOIN n ON o.tbl = n.tbl AND o.fact_key = n.fact_key
		WHERE o.fact_key IS NULL OR n.fact_key IS NULL
		   OR o.value IS DISTINCT FROM n.value OR o.state IS DISTINCT FROM n.state
		   OR o.qualifier IS DISTINCT FROM n.qualifier
		ORDER BY array_position(ARRAY['casualty','service','commitment'], coalesce(n.tbl, o.tbl)), 2`,
		id, prevID); err != nil {
		return out, fmt.Errorf("pg: diff of report %d: %w", id, err)
	}
	if out.Changes == nil {
		out.Changes = []FactDiff{}
	}
	if out.Issues, err = db.ReportIssues(ctx, id); err != nil {
		return out, err
	}
	if out.Issues == nil {
		out.Issues = []schema.Issue{}
	}
	return out, nil
}

// RunReports lists the reports a run stored, in the order it stored them.
func (db *DB) RunReports(ctx context.Context, runID int64) ([]ReviewReport, error) {
	var out []ReviewReport
	if err := db.SelectContext(ctx, &out, reviewReportSelect+`
WHERE r.run_id = $1
ORDER BY r.id`, runID); err != nil {
		return nil, fmt.Errorf("pg: reports of run %d: %w", runID, err)
	}
	return out, nil
}
