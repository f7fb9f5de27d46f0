package pg

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/normalize/countries"
)

// referenceVersion changes whenever the embedded reference data changes.
func referenceVersion() string { return countries.Version() }

// syncReference brings the reference tables (areas, their aliases, CCM
// status, Article 5 obligations) to the data embedded in this binary. The
// data lives in files we own (normalize/countries) so the normalizer and the
// database can never disagree; the sync is skipped when the stored version
// matches.
func syncReference(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pg: reference: %w", err)
	}
	defer tx.Rollback()
	// Serialise concurrent syncs (two commands starting at once).
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('vahub:reference', 0))`); err != nil {
		return fmt.Errorf("pg: reference lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS reference_version (version text NOT NULL)`); err != nil {
		return fmt.Errorf("pg: reference: %w", err)
	}
	var stored string
	err = tx.QueryRowContext(ctx, `SELECT version FROM reference_version`).Scan(&stored)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("pg: reference version: %w", err)
	}
	if stored == referenceVersion() {
		return nil
	}
	if err := syncAreas(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM reference_version`); err != nil {
		return fmt.Errorf("pg: reference: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO reference_version (version) VALUES ($1)`, referenceVersion()); err != nil {
		return fmt.Errorf("pg: reference: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("pg: reference commit: %w", err)
	}
	return nil
}

func syncAreas(ctx context.Context, tx *sql.Tx) error {
	for _, a := range countries.All() {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO area (code, iso2, m49, kind, name_en, name_fr, name_es)
			VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, $5, $6, $7)
			ON CONFLICT (code) DO UPDATE SET iso2 = EXCLUDED.iso2, m49 = EXCLUDED.m49, kind = EXCLUDED.kind,
				name_en = EXCLUDED.name_en, name_fr = EXCLUDED.name_fr, name_es = EXCLUDED.name_es`,
			a.Code, a.ISO2, a.M49, a.Kind, a.NameEN, a.NameFR, a.NameES)
		if err != nil {
			return fmt.Errorf("pg: reference area %s: %w", a.Code, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM area_alias`); err != nil {
		return fmt.Errorf("pg: reference aliases: %w", err)
	}
	seen := map[[2]string]bool{}
	for _, al := range countries.Aliases() {
		key := [2]string{normalize.Fold(al.Alias), al.Code}
		if key[0] == "" || seen[key] {
			continue
		}
		seen[key] = true
		_, err := tx.ExecContext(ctx, `
			INSERT INTO area_alias (folded, area_code, lang, alias, variant) VALUES ($1, $2, $3, $4, $5)`,
			key[0], al.Code, al.Lang, al.Alias, al.Variant)
		if err != nil {
			return fmt.Errorf("pg: reference alias %q: %w", al.Alias, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ccm_status`); err != nil {
		return fmt.Errorf("pg: reference ccm: %w", err)
	}
	for _, c := range countries.CCMStatus() {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO ccm_status (area_code, status, signed_on, ratified_on, entry_into_force, source)
			VALUES ($1, $2, NULLIF($3, '')::date, NULLIF($4, '')::date, NULLIF($5, '')::date, 'normalize/countries/ccm.csv')`,
			c.Code, c.Status, c.SignedOn, c.RatifiedOn, c.EntryIntoForce)
		if err != nil {
			return fmt.Errorf("pg: reference ccm %s: %w", c.Code, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM art5_obligation`); err != nil {
		return fmt.Errorf("pg: reference art5: %w", err)
	}
	for _, a := range countries.Art5States() {
		var to sql.NullInt64
		if a.To != 0 {
			to = sql.NullInt64{Int64: int64(a.To), Valid: true}
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO art5_obligation (area_code, valid_from, valid_to, source) VALUES ($1, $2, $3, 'normalize/countries/art5.csv')`,
			a.Code, a.From, to)
		if err != nil {
			return fmt.Errorf("pg: reference art5 %s: %w", a.Code, err)
		}
	}
	return nil
}
