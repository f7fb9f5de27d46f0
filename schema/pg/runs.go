package pg

import (
	"context"
	"fmt"
	"time"

	"github.com/vahub/vahub/schema"
)

// Run is one ingestion run: a command-line ingest, the demo, a nightly crawl.
type Run struct {
	ID             int64      `db:"id" json:"id"`
	Kind           string     `db:"kind" json:"kind"`
	StartedBy      string     `db:"started_by" json:"started_by"`
	StartedAt      time.Time  `db:"started_at" json:"started_at"`
	FinishedAt     *time.Time `db:"finished_at" json:"finished_at,omitempty"`
	Status         string     `db:"status" json:"status"`
	DryRun         bool       `db:"dry_run" json:"dry_run"`
	FilesSeen      int        `db:"files_seen" json:"files_seen"`
	FilesIngested  int        `db:"files_ingested" json:"files_ingested"`
	FilesDuplicate int        `db:"files_duplicate" json:"files_duplicate"`
	FilesRejected  int        `db:"files_rejected" json:"files_rejected"`
	Facts          int64      `db:"facts" json:"facts"`
	Issues         int        `db:"issues" json:"issues"`
}

// StartRun records the start of a run and returns its id.
func (db *DB) StartRun(ctx context.Context, kind, startedBy string, dryRun bool) (int64, error) {
	var id int64
	err := db.QueryRowxContext(ctx, `
		INSERT INTO ingest_run (kind, started_by, started_at, dry_run)
		VALUES ($1, $2, $3, $4) RETURNING id`, kind, startedBy, db.Now(), dryRun).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("pg: start run: %w", err)
	}
	return id, nil
}

// FinishRun closes a run with its final status. The counts are recomputed
// from the file attempts recorded under the run, so they cannot drift.
func (db *DB) FinishRun(ctx context.Context, runID int64, status string) error {
	_, err := db.ExecContext(ctx, `
		UPDATE ingest_run r SET
			finished_at = $2,
			status = $3,
			files_seen = c.seen,
			files_ingested = c.ingested,
			files_duplicate = c.duplicate,
			files_rejected = c.rejected,
			facts = c.facts,
			issues = c.issues
		FROM (
			SELECT count(*) AS seen,
			       count(*) FILTER (WHERE status IN ('ingested', 'superseded')) AS ingested,
			       count(*) FILTER (WHERE status = 'duplicate') AS duplicate,
			       count(*) FILTER (WHERE status = 'rejected') AS rejected,
			       coalesce(sum(facts), 0) AS facts,
			       coalesce(sum(errors + warnings), 0) AS issues
			FROM file_ingest WHERE run_id = $1
		) c
		WHERE r.id = $1`, runID, db.Now(), status)
	if err != nil {
		return fmt.Errorf("pg: finish run %d: %w", runID, err)
	}
	return nil
}

// RecentRuns lists the latest runs, newest first.
func (db *DB) RecentRuns(ctx context.Context, limit int) ([]Run, error) {
	var runs []Run
	err := db.SelectContext(ctx, &runs, `
		SELECT id, kind, started_by, started_at, finished_at, status, dry_run,
		       files_seen, files_ingested, files_duplicate, files_rejected, facts, issues
		FROM ingest_run ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("pg: recent runs: %w", err)
	}
	return runs, nil
}

// FileAttempt is one file of a run with its issues.
type FileAttempt struct {
	ID     int64  `db:"id"`
	Path   string `db:"path"`
	Status string `db:"status"`
	Format string `db:"format"`
	Facts  int    `db:"facts"`
	Issues []schema.Issue
}

// RunDetail returns a run and its file attempts with their issues.
func (db *DB) RunDetail(ctx context.Context, id int64) (Run, []FileAttempt, error) {
	var run Run
	err := db.GetContext(ctx, &run, `
		SELECT id, kind, started_by, started_at, finished_at, status, dry_run,
		       files_seen, files_ingested, files_duplicate, files_rejected, facts, issues
		FROM ingest_run WHERE id = $1`, id)
	if err != nil {
		return run, nil, fmt.Errorf("pg: run %d: %w", id, err)
	}
	var files []FileAttempt
	if err := db.SelectContext(ctx, &files, `
		SELECT id, path, status, format, facts FROM file_ingest WHERE run_id = $1 ORDER BY id`, id); err != nil {
		return run, nil, fmt.Errorf("pg: run %d files: %w", id, err)
	}
	for i := range files {
		if err := db.SelectContext(ctx, &files[i].Issues, `
			SELECT severity, sheet, cell, code, message FROM validation_issue
			WHERE file_ingest_id = $1 ORDER BY id`, files[i].ID); err != nil {
			return run, nil, fmt.Errorf("pg: run %d issues: %w", id, err)
		}
	}
	return run, files, nil
}
