package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// FetchState is what a URL answered the last time it was fetched.
type FetchState struct {
	URL          string     `db:"url"`
	Profile      string     `db:"profile"`
	ETag         string     `db:"etag"`
	LastModified string     `db:"last_modified"`
	SHA256       string     `db:"sha256"`
	Status       int        `db:"status"`
	FetchedAt    time.Time  `db:"fetched_at"`
	ChangedAt    *time.Time `db:"changed_at"`
}

// GetFetchState returns the last fetch of url, or nil when it was never fetched.
func (db *DB) GetFetchState(ctx context.Context, url string) (*FetchState, error) {
	var s FetchState
	err := db.GetContext(ctx, &s, `
		SELECT url, profile, etag, last_modified, sha256, status, fetched_at, changed_at
		FROM fetch_state WHERE url = $1`, url)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pg: fetch state: %w", err)
	}
	return &s, nil
}

// PutFetchState records a fetch; changed_at moves only when the content did.
func (db *DB) PutFetchState(ctx context.Context, s FetchState) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO fetch_state (url, profile, etag, last_modified, sha256, status, fetched_at, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
		ON CONFLICT (url) DO UPDATE SET
			profile = EXCLUDED.profile, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
			status = EXCLUDED.status, fetched_at = EXCLUDED.fetched_at,
			changed_at = CASE WHEN fetch_state.sha256 <> EXCLUDED.sha256 AND EXCLUDED.sha256 <> ''
			                  THEN EXCLUDED.fetched_at ELSE fetch_state.changed_at END,
			sha256 = CASE WHEN EXCLUDED.sha256 <> '' THEN EXCLUDED.sha256 ELSE fetch_state.sha256 END`,
		s.URL, s.Profile, s.ETag, s.LastModified, s.SHA256, s.Status, db.Now())
	if err != nil {
		return fmt.Errorf("pg: put fetch state: %w", err)
	}
	return nil
}

// Document is a report found on the web that needs manual entry.
type Document struct {
	ID        int64     `db:"id" json:"id"`
	URL       string    `db:"url" json:"url"`
	Profile   string    `db:"profile" json:"profile"`
	Country   *string   `db:"country" json:"country"`
	Year      *int      `db:"year" json:"year"`
	Language  string    `db:"language" json:"language"`
	MediaType string    `db:"media_type" json:"media_type"`
	SHA256    string    `db:"sha256" json:"sha256"`
	FirstSeen time.Time `db:"first_seen" json:"first_seen"`
	LastSeen  time.Time `db:"last_seen" json:"last_seen"`
}

// PutDocument stores (or refreshes) a document and its bytes; it reports
// whether the document is new or its content changed.
func (db *DB) PutDocument(ctx context.Context, d Document, content []byte, name string) (changed bool, err error) {
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		fileID, err := upsertFile(ctx, tx, FileInput{Name: name, SHA256: d.SHA256, Content: content, MediaType: d.MediaType, SourceURL: d.URL})
		if err != nil {
			return err
		}
		var prev string
		err = tx.GetContext(ctx, &prev, `SELECT sha256 FROM document WHERE url = $1`, d.URL)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("pg: document: %w", err)
		}
		changed = prev != d.SHA256
		_, err = tx.ExecContext(ctx, `
			INSERT INTO document (url, profile, country, year, language, media_type, file_id, sha256, first_seen, last_seen)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
			ON CONFLICT (url) DO UPDATE SET profile = EXCLUDED.profile, country = EXCLUDED.country,
				year = EXCLUDED.year, language = EXCLUDED.language, media_type = EXCLUDED.media_type,
				file_id = EXCLUDED.file_id, sha256 = EXCLUDED.sha256, last_seen = EXCLUDED.last_seen`,
			d.URL, d.Profile, d.Country, d.Year, d.Language, d.MediaType, fileID, d.SHA256, db.Now())
		if err != nil {
			return fmt.Errorf("pg: document: %w", err)
		}
		return nil
	})
	return changed, err
}

// NeedsManualEntry lists documents no reader turned into facts.
func (db *DB) NeedsManualEntry(ctx context.Context) ([]Document, error) {
	var docs []Document
	err := db.SelectContext(ctx, &docs, `
		SELECT id, url, profile, country, year, language, media_type, sha256, first_seen, last_seen
		FROM document WHERE NOT entered ORDER BY country NULLS LAST, year DESC NULLS LAST, url`)
	if err != nil {
		return nil, fmt.Errorf("pg: needs manual entry: %w", err)
	}
	return docs, nil
}

// SetRunReport stores a run's report (JSON) with the run.
func (db *DB) SetRunReport(ctx context.Context, runID int64, reportJSON []byte) error {
	if _, err := db.ExecContext(ctx, `UPDATE ingest_run SET report = $2 WHERE id = $1`, runID, string(reportJSON)); err != nil {
		return fmt.Errorf("pg: run report: %w", err)
	}
	return nil
}

// RunReport returns the stored report of a run ("" when none).
func (db *DB) RunReport(ctx context.Context, runID int64) (string, error) {
	var r sql.NullString
	if err := db.GetContext(ctx, &r, `SELECT report FROM ingest_run WHERE id = $1`, runID); err != nil {
		return "", fmt.Errorf("pg: run report: %w", err)
	}
	return r.String, nil
}

// ErrRunInProgress is returned when another nightly run holds the lock.
var ErrRunInProgress = errors.New("another vahub nightly run is in progress")

// runLockKey is the advisory-lock key of the nightly run.
const runLockKey = 0x7661687562 // "vahub"

// LockRun takes the single-run lock on a dedicated connection and holds it
// until release is called (or the process dies: PostgreSQL then releases
// it). Through the pool, an unlock could land on another connection.
func (db *DB) LockRun(ctx context.Context) (release func(), err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("pg: run lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, runLockKey).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("pg: run lock: %w", err)
	}
	if !ok {
		conn.Close()
		return nil, ErrRunInProgress
	}
	return func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, runLockKey)
		conn.Close()
	}, nil
}

// FactChange is one difference between two versions of a report.
type FactChange struct {
	Kind   string `db:"kind" json:"kind"` // added, revised, removed
	Fact   string `db:"fact" json:"fact"` // e.g. "killed/male/adult/total/total/total"
	Before *int64 `db:"before" json:"before"`
	After  *int64 `db:"after" json:"after"`
}

// DiffReports compares the casualty and service figures of two reports.
func (db *DB) DiffReports(ctx context.Context, oldID, newID int64) ([]FactChange, error) {
	var out []FactChange
	err := db.SelectContext(ctx, &out, `
		WITH f AS (
			SELECT report_id, concat_ws('/', 'casualty', scope, outcome, sex, age_group, age_band, disability, cause, civilian_status) AS fact,
			       people, value_state
			FROM casualty_count WHERE report_id IN ($1, $2)
			UNION ALL
			SELECT report_id, concat_ws('/', 'service', pillar, sub_service, measure, sex, age_group, age_band, disability),
			       people, value_state
			FROM service_count WHERE report_id IN ($1, $2)
		), o AS (SELECT * FROM f WHERE report_id = $1), n AS (SELECT * FROM f WHERE report_id = $2)
		SELECT CASE WHEN o.fact IS NULL THEN 'added' WHEN n.fact IS NULL THEN 'removed' ELSE 'revised' END AS kind,
		       coalesce(n.fact, o.fact) AS fact, o.people AS before, n.people AS after
		FROM o FULL JOIN n ON o.fact = n.fact
		WHERE o.fact IS NULL OR n.fact IS NULL
		   OR o.people IS DISTINCT FROM n.people OR o.value_state <> n.value_state
		ORDER BY 2`, oldID, newID)
	if err != nil {
		return nil, fmt.Errorf("pg: diff reports: %w", err)
	}
	return out, nil
}

// AbandonRuns marks crawl and nightly runs still 'running' as failed. Call
// it holding the run lock: no such run can then be alive (a killed run
// leaves its row behind; its files were each all or nothing).
func (db *DB) AbandonRuns(ctx context.Context) (int64, error) {
	res, err := db.ExecContext(ctx, `
		UPDATE ingest_run SET status = 'failed', finished_at = $1
		WHERE status = 'running' AND kind IN ('crawl', 'nightly')`, db.Now())
	if err != nil {
		return 0, fmt.Errorf("pg: abandon runs: %w", err)
	}
	return res.RowsAffected()
}
