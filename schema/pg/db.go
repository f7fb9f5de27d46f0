// Package pg is vahub's PostgreSQL store: connections, migrations, and every
// SQL statement the program runs. No other package writes SQL.
package pg

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
)

// DB is a connection pool to a vahub database.
type DB struct {
	*sqlx.DB
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Open connects to dsn and checks the server answers. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("pg: open: %w", err)
	}
	db.SetMaxOpenConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("pg: connect: %w", err)
	}
	return &DB{DB: db, Now: time.Now}, nil
}

// Wrap turns an existing pool into a DB (tests get theirs from pgtest).
func Wrap(db *sqlx.DB) *DB { return &DB{DB: db, Now: time.Now} }
