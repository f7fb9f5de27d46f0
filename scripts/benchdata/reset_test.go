package benchdata

import (
	"testing"

	"github.com/vahub/vahub/schema/pg/pgtest"
)

// Reset must name every table that refers to the ones it empties: TRUNCATE
// refuses otherwise, even on empty tables, and a new migration's table is
// easy to forget (bench.sh failed that way).
func TestResetOnCurrentSchema(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	if err := Reset(t.Context(), db); err != nil {
		t.Fatal(err)
	}
}
