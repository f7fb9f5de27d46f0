package pg

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/vahub/vahub/schema/migrations"
)

// ErrOutOfDate is returned when the database lacks migrations this binary has.
var ErrOutOfDate = errors.New("database schema is out of date: run `vahub migrate`")

func provider(db *sql.DB) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("pg: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("pg: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration, then brings the reference data
// (areas, aliases, CCM status) up to the version embedded in this binary.
// It is safe to run concurrently: goose holds an advisory lock.
func Migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("pg: migrate: %w", err)
	}
	var applied []string
	for _, r := range res {
		applied = append(applied, r.Source.Path)
	}
	if err := syncReference(ctx, db); err != nil {
		return applied, err
	}
	return applied, nil
}

// CheckCurrent returns ErrOutOfDate when migrations are pending. It only
// reads: goose's HasPending would create its version table in a database
// never migrated, and schema changes happen only with `vahub migrate`.
func CheckCurrent(ctx context.Context, db *sql.DB) error {
	var versioned bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, goose.DefaultTablename).Scan(&versioned); err != nil {
		return fmt.Errorf("pg: check migrations: %w", err)
	}
	if !versioned {
		return ErrOutOfDate
	}
	p, err := provider(db)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("pg: check migrations: %w", err)
	}
	if pending {
		return ErrOutOfDate
	}
	return nil
}

// SchemaHash identifies the schema and reference data this binary installs,
// so test databases can be cloned from a template built once per hash.
func SchemaHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("pg: hash migrations: %w", err)
	}
	h.Write([]byte(referenceVersion()))
	return hex.EncodeToString(h.Sum(nil)), nil
}
