package pgtest

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema/pg"
)

func TestNewDBIsolatedAndMigrated(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dbs := map[string]*pg.DB{"a": NewDB(t), "b": NewDB(t)}

	names := map[string]bool{}
	for label, db := range dbs {
		var name string
		if err := db.GetContext(ctx, &name, "select current_database()"); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		names[name] = true

		// The schema is there: the views answer and the tables exist.
		var n int
		if err := db.GetContext(ctx, &n, "select count(*) from casualty_facts"); err != nil {
			t.Errorf("%s: casualty_facts: %v", label, err)
		}
		for _, rel := range []string{"report", "casualty_count", "service_facts", "gap_analysis"} {
			var found sql.NullString
			if err := db.GetContext(ctx, &found, "select to_regclass($1)::text", rel); err != nil || !found.Valid {
				t.Errorf("%s: %s missing (%v)", label, rel, err)
			}
		}
		if err := pg.CheckCurrent(ctx, db.DB.DB); err != nil {
			t.Errorf("%s: %v", label, err)
		}
	}
	if len(names) != 2 {
		t.Fatalf("the two calls share a database: %v", names)
	}

	// A table made in one database does not appear in the other.
	if _, err := dbs["a"].ExecContext(ctx, "create table only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var found sql.NullString
	if err := dbs["b"].GetContext(ctx, &found, "select to_regclass('only_in_a')::text"); err != nil {
		t.Fatal(err)
	}
	if found.Valid {
		t.Error("table created in a is visible in b")
	}
}

// Many parallel tests, as in the rest of the suite, each get their own copy.
func TestNewDBParallel(t *testing.T) {
	t.Parallel()
	for i := range 6 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			db := NewDB(t)
			if _, err := db.ExecContext(t.Context(), "create table mine (i int)"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(t.Context(), "insert into mine values ($1)", i); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.GetContext(t.Context(), &n, "select count(*) from mine"); err != nil || n != 1 {
				t.Fatalf("count = %d, %v; want 1 row of our own", n, err)
			}
		})
	}
}

func TestConfigFromURL(t *testing.T) {
	tests := []struct {
		in                               string
		host, port, user, pass, db, opts string
		wantErr                          bool
	}{
		{in: "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
			host: "127.0.0.1", port: "5432", user: "postgres", db: "postgres", opts: "sslmode=disable"},
		{in: "postgresql://u:p%40ss@db.example:6543/vahub_ci?sslmode=require",
			host: "db.example", port: "6543", user: "u", pass: "p%40ss", db: "vahub_ci", opts: "sslmode=require"},
		{in: "postgres://u@[::1]/x", host: "[::1]", port: "5432", user: "u", db: "x"},
		{in: "postgres:///?host=/var/run/postgresql&sslmode=disable",
			port: "5432", db: "postgres", opts: "host=/var/run/postgresql&sslmode=disable"},
		{in: "postgres://localhost", host: "localhost", port: "5432", db: "postgres"},
		{in: "mysql://x", wantErr: true},
		{in: "postgres://u:secret@h:bad port/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := configFromURL(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("no error for %q", tt.in)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := [...]string{c.Host, c.Port, c.User, c.Password, c.Database, c.Options}
			want := [...]string{tt.host, tt.port, tt.user, tt.pass, tt.db, tt.opts}
			if got != want {
				t.Errorf("config = %q, want %q", got, want)
			}
		})
	}
}

// The embedded cluster is reached through lib/pq's host= parameter, since
// pgtestdb's URL has no room for a socket path; check the URL it will build.
func TestSocketConfigURL(t *testing.T) {
	c := socketConfig("/tmp/vahub test/sock", 5432, "vahub")
	want := "postgres://vahub:@:5432/postgres?connect_timeout=10&host=%2Ftmp%2Fvahub+test%2Fsock&sslmode=disable"
	if got := c.URL(); got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}
