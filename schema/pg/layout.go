package pg

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Sources of a stored layout mapping.
const (
	LayoutAuto    = "auto"    // what a reader classified itself
	LayoutOfficer = "officer" // a data officer's mapping file (--mapping)
)

// LayoutMapping is a stored column→dimension mapping for one file layout
// (table layout_mapping). Mapping is the JSON the ingest package writes;
// the store does not interpret it.
type LayoutMapping struct {
	Fingerprint string    `db:"fingerprint"`
	Format      string    `db:"format"`
	Mapping     []byte    `db:"mapping"` // JSON
	Source      string    `db:"source"`
	CreatedAt   time.Time `db:"created_at"`
	LastUsedAt  time.Time `db:"last_used_at"`
	Uses        int       `db:"uses"`
}

// LayoutMapping returns the mapping stored for fingerprint, nil when there
// is none.
func (db *DB) LayoutMapping(ctx context.Context, fingerprint string) (*LayoutMapping, error) {
	var m LayoutMapping
	err := db.GetContext(ctx, &m, `
		SELECT fingerprint, format, mapping, source, created_at, last_used_at, uses
		FROM layout_mapping WHERE fingerprint = $1`, fingerprint)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("pg: layout mapping: %w", err)
	}
	return &m, nil
}

// SaveLayoutMapping records that a file with this layout was read with
// this mapping: a new row (uses 1), or one more use of the stored row. An
// officer's mapping replaces whatever was stored; an automatic one never
// replaces an officer's (the use is still counted).
func (db *DB) SaveLayoutMapping(ctx context.Context, m LayoutMapping) error {
	if m.Source != LayoutAuto && m.Source != LayoutOfficer {
		return fmt.Errorf("pg: layout mapping source %q", m.Source)
	}
	now := db.Now()
	_, err := db.ExecContext(ctx, `
		INSERT INTO layout_mapping (fingerprint, format, mapping, source, created_at, last_used_at, uses)
		VALUES ($1, $2, $3, $4, $5, $5, 1)
		ON CONFLICT (fingerprint) DO UPDATE SET
			format       = CASE WHEN layout_mapping.source = 'officer' AND EXCLUDED.source = 'auto'
			                    THEN layout_mapping.format ELSE EXCLUDED.format END,
			mapping      = CASE WHEN layout_mapping.source = 'officer' AND EXCLUDED.source = 'auto'
			                    THEN layout_mapping.mapping ELSE EXCLUDED.mapping END,
			source       = CASE WHEN layout_mapping.source = 'officer' THEN 'officer' ELSE EXCLUDED.source END,
			last_used_at = EXCLUDED.last_used_at,
			uses         = layout_mapping.uses + 1`,
		m.Fingerprint, m.Format, string(m.Mapping), m.Source, now)
	if err != nil {
		return fmt.Errorf("pg: save layout mapping: %w", err)
	}
	return nil
}
