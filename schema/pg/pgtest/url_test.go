package pgtest

import (
	"errors"
	"testing"

	"github.com/vahub/vahub/schema/pg"
)

func open(t *testing.T, url string) *pg.DB {
	t.Helper()
	db, err := pg.Open(t.Context(), url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	// Closed before pgtestdb's cleanup drops the database.
	t.Cleanup(func() { db.Close() })
	return db
}

func TestNewURL(t *testing.T) {
	t.Parallel()
	a, b := NewURL(t), NewURL(t)
	if a == b {
		t.Fatalf("two calls returned the same database: %s", a)
	}
	for _, u := range []string{a, b} {
		db := open(t, u)
		if err := pg.CheckCurrent(t.Context(), db.DB.DB); err != nil {
			t.Errorf("%s: %v", u, err)
		}
		var n int
		if err := db.GetContext(t.Context(), &n, `SELECT count(*) FROM casualty_facts`); err != nil || n != 0 {
			t.Errorf("%s: casualty_facts: %d rows, %v", u, n, err)
		}
	}
}

func TestNewEmptyURL(t *testing.T) {
	t.Parallel()
	db := open(t, NewEmptyURL(t))
	ctx := t.Context()
	tables := func() int {
		t.Helper()
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := tables(); n != 0 {
		t.Fatalf("empty database has %d tables", n)
	}
	// Checking is read-only: it does not create goose's version table.
	for range 2 {
		if err := pg.CheckCurrent(ctx, db.DB.DB); !errors.Is(err, pg.ErrOutOfDate) {
			t.Fatalf("CheckCurrent on an empty database: %v, want ErrOutOfDate", err)
		}
	}
	if n := tables(); n != 0 {
		t.Errorf("CheckCurrent created %d tables", n)
	}
	if _, err := pg.Migrate(ctx, db.DB.DB); err != nil {
		t.Fatal(err)
	}
	if err := pg.CheckCurrent(ctx, db.DB.DB); err != nil {
		t.Errorf("after Migrate: %v", err)
	}
}
