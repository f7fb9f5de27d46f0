// Package pgtest gives each test a fresh, fully migrated PostgreSQL database.
//
// The server is TEST_DATABASE_URL when set (CI points it at a running server),
// else vahub's embedded cluster (localpg) in a fixed per-user directory under
// os.TempDir(), which is started once and left running so later test runs
// reuse it. pgtestdb migrates a template database once per schema hash and
// clones it for every test (~20 ms). A database test never skips: without a
// server it fails with a message saying what to install.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/peterldowns/pgtestdb"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/localpg"
)

// NewDB returns a new database with every migration applied. It is dropped
// when the test passes and kept for inspection when it fails (its URL is in
// the test log).
func NewDB(t testing.TB) *pg.DB {
	t.Helper()
	conf, err := server()
	if err != nil {
		t.Fatalf("pgtest: no PostgreSQL server for tests: %v", err)
	}
	db := pgtestdb.New(t, conf, migrator{})
	return pg.Wrap(sqlx.NewDb(db, "postgres"))
}

// NewURL returns the connection string of a new database with every
// migration applied, for code that opens its own connections (the command
// line's DATABASE_URL). Like NewDB's, the database is dropped when the test
// passes and kept when it fails; close every connection to it before the
// test ends.
func NewURL(t testing.TB) string {
	t.Helper()
	conf, err := server()
	if err != nil {
		t.Fatalf("pgtest: no PostgreSQL server for tests: %v", err)
	}
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// NewEmptyURL returns the connection string of a new database without any
// migration applied: the state of a production database before its first
// `vahub migrate`.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	conf, err := server()
	if err != nil {
		t.Fatalf("pgtest: no PostgreSQL server for tests: %v", err)
	}
	return pgtestdb.Custom(t, conf, pgtestdb.NoopMigrator{}).URL()
}

// server finds or starts the server once per test binary: starting the
// embedded cluster runs pg_ctl, which is too slow to repeat for every test.
// This memo is test-only state; the program itself keeps no globals.
var server = sync.OnceValues(func() (pgtestdb.Config, error) {
	conf, err := findServer()
	// Migrations run as a role like a deployment's migration user: not a
	// superuser, but allowed to create the vahub_reader role.
	conf.TestRole = &pgtestdb.Role{Username: "vahub_test", Password: "vahub_test", Capabilities: "NOSUPERUSER NOCREATEDB CREATEROLE"}
	return conf, err
})

func findServer() (pgtestdb.Config, error) {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return configFromURL(u)
	}
	// Not tied to the first caller's t.Context: the result serves every test.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := localpg.Start(ctx, EmbeddedDir(), nil)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("%w (or set TEST_DATABASE_URL to a server, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", err)
	}
	return socketConfig(c.SocketDir(), c.Port(), localpg.Superuser), nil
}

// EmbeddedDir is the data directory of the test cluster, one per OS user so
// that users sharing a machine do not share (or fight over) a cluster.
func EmbeddedDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("vahub-test-pg-%d", os.Geteuid()))
}

// socketConfig connects through a Unix socket. pgtestdb formats
// postgres://user:pass@host:port/db?options, which cannot carry a path as the
// host; lib/pq takes the socket directory from a host= query parameter when
// the URL's host is empty.
func socketConfig(sockDir string, port int, user string) pgtestdb.Config {
	q := url.Values{"host": {sockDir}, "sslmode": {"disable"}, "connect_timeout": {"10"}}
	return pgtestdb.Config{
		DriverName: "postgres",
		Port:       strconv.Itoa(port),
		User:       url.PathEscape(user),
		Database:   "postgres",
		Options:    q.Encode(),
	}
}

// configFromURL splits a postgres:// URL into pgtestdb's fields. The user and
// password stay URL-escaped because pgtestdb pastes them back into a URL.
func configFromURL(raw string) (pgtestdb.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the URL, which may hold a password.
		return pgtestdb.Config{}, fmt.Errorf("pgtest: TEST_DATABASE_URL is not a valid URL")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return pgtestdb.Config{}, fmt.Errorf("pgtest: TEST_DATABASE_URL: want a postgres:// URL, got scheme %q", u.Scheme)
	}
	conf := pgtestdb.Config{DriverName: "postgres", Port: u.Port(), Options: u.RawQuery}
	if conf.Port == "" {
		conf.Port = "5432"
	}
	conf.Host = u.Hostname()
	if strings.Contains(conf.Host, ":") {
		conf.Host = "[" + conf.Host + "]" // IPv6 literal
	}
	if u.User != nil {
		conf.User, conf.Password, _ = strings.Cut(u.User.String(), ":")
	}
	conf.Database = strings.TrimPrefix(u.Path, "/")
	if conf.Database == "" {
		conf.Database = "postgres"
	}
	if conf.Host == "" && u.Query().Get("host") == "" {
		conf.Host = "localhost"
	}
	return conf, nil
}

// migrator builds pgtestdb's template with vahub's own migrations, keyed by
// their hash so a schema change gets a new template.
type migrator struct{}

func (migrator) Hash() (string, error) { return pg.SchemaHash() }

func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	_, err := pg.Migrate(ctx, db)
	return err
}
