package localpg

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

// testLogger sends the cluster's logs to t.Log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// tempParent returns a t.TempDir() the postgres OS user can traverse when we
// run as root (t.TempDir and its parent are created 0700).
func tempParent(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if os.Geteuid() == 0 {
		for _, p := range []string{d, filepath.Dir(d)} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return d
}

// stopCluster stops c in a cleanup (t.Context is already cancelled there), so
// no server outlives the test's data directory. Stopping a stopped server
// fails, which is only logged.
func stopCluster(t *testing.T, c *Cluster) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		t.Log(err)
	}
}

func TestStartReuseStop(t *testing.T) {
	dir := filepath.Join(tempParent(t), "data", "postgres")
	ctx := t.Context()

	c, err := Start(ctx, dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCluster(t, c)
	})
	if c.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", c.Dir(), dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		t.Fatalf("no cluster created: %v", err)
	}

	query := func(c *Cluster, dbname string) {
		t.Helper()
		db, err := sql.Open("postgres", c.DSN(dbname))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var one int
		if err := db.QueryRowContext(ctx, "select 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("select 1 on %s: %d, %v", dbname, one, err)
		}
		var listen string
		if err := db.QueryRowContext(ctx, "show listen_addresses").Scan(&listen); err != nil || listen != "" {
			t.Fatalf("listen_addresses = %q, %v; want '' (no TCP)", listen, err)
		}
	}
	query(c, "postgres")

	if err := c.EnsureDatabase(ctx, "vahub"); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDatabase(ctx, "vahub"); err != nil {
		t.Fatalf("second EnsureDatabase: %v", err)
	}
	query(c, "vahub")

	// Several starts at once, as from parallel test packages: all reuse the
	// running server.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	clusters := make([]*Cluster, 4)
	for i := range errs {
		wg.Go(func() { clusters[i], errs[i] = Start(ctx, dir, nil) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, c2 := range clusters {
		if c2.DSN("vahub") != c.DSN("vahub") {
			t.Fatalf("DSN changed on reuse: %q vs %q", c2.DSN("vahub"), c.DSN("vahub"))
		}
	}
	query(clusters[0], "vahub")

	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	running, err := c.running(ctx)
	if err != nil || running {
		t.Fatalf("after Stop: running=%v err=%v", running, err)
	}

	// A stopped cluster starts again with its data.
	c, err = Start(ctx, dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	query(c, "vahub")
}

func TestLongDirUsesTempSocketDir(t *testing.T) {
	dir := filepath.Join(tempParent(t), strings.Repeat("d", 60), strings.Repeat("e", 60), "postgres")
	c, err := Start(t.Context(), dir, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCluster(t, c)
		os.RemoveAll(c.SocketDir())
	})
	if !strings.HasPrefix(c.SocketDir(), os.TempDir()) {
		t.Errorf("socket dir %q is not under %s", c.SocketDir(), os.TempDir())
	}
	fi, err := os.Stat(c.SocketDir())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("socket dir mode %v, want 0700", fi.Mode().Perm())
	}
	db, err := sql.Open("postgres", c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestFindBinaries(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string, progs ...string) string {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, p := range progs {
			mode := os.FileMode(0o755)
			if strings.HasSuffix(p, "-noexec") {
				p, mode = strings.TrimSuffix(p, "-noexec"), 0o644
			}
			if err := os.WriteFile(filepath.Join(d, p), []byte("#!/bin/sh\n"), mode); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	bothPath := mk("both", "initdb", "pg_ctl")
	onlyInitdb := mk("onlyinitdb", "initdb")
	noExec := mk("noexec", "initdb-noexec", "pg_ctl")
	empty := mk("empty")
	deb := func(name string) string { return filepath.Join("deb"+name, "usr/lib/postgresql") }
	mk(deb("1")+"/13/bin", "initdb", "pg_ctl")
	mk(deb("1")+"/15/bin", "initdb", "pg_ctl")
	mk(deb("1")+"/9.6/bin", "initdb", "pg_ctl")
	mk(deb("1")+"/16/bin", "initdb") // incomplete: ignored
	mk(deb("2")+"/14/bin", "pg_ctl")
	glob := func(name string) string { return filepath.Join(root, deb(name), "*", "bin") }
	list := func(dirs ...string) string { return strings.Join(dirs, string(os.PathListSeparator)) }

	tests := []struct {
		name    string
		path    string
		glob    string
		want    string // relative to root; "" means ErrNoBinaries
		wantErr bool
	}{
		{"on PATH", list(empty, bothPath), glob("1"), "both", false},
		{"PATH wins over debian layout", list(bothPath), glob("1"), "both", false},
		{"programs split over PATH dirs are skipped", list(onlyInitdb, mk("onlypgctl", "pg_ctl")), glob("none"), "", true},
		{"non-executable is skipped", list(noExec), glob("none"), "", true},
		{"relative PATH entry is ignored", list("both", ""), glob("none"), "", true},
		{"highest debian major", list(empty), glob("1"), deb("1") + "/15/bin", false},
		{"debian dir missing a program", list(empty), glob("2"), "", true},
		{"nothing anywhere", "", glob("none"), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(root) // so the relative PATH entry would resolve if used
			got, err := findBinaries(tt.path, tt.glob)
			if tt.wantErr {
				if !errors.Is(err, ErrNoBinaries) {
					t.Fatalf("findBinaries = %q, %v; want ErrNoBinaries", got, err)
				}
				if !strings.Contains(err.Error(), "apt-get install postgresql") {
					t.Errorf("error does not say what to install: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(root, tt.want); got != want {
				t.Errorf("findBinaries = %q, want %q", got, want)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		a, b string
		want int // sign
	}{
		{"15", "9.6", 1},
		{"9.6", "9.5", 1},
		{"16beta1", "15", 1},
		{"15", "15", 0},
		{"x", "9", -1},
	}
	for _, tt := range tests {
		got := compareVersions(parseVersion(tt.a), parseVersion(tt.b))
		if (got > 0) != (tt.want > 0) || (got < 0) != (tt.want < 0) {
			t.Errorf("compare(%q, %q) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	home := func() (string, error) { return "/home/u", nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		name    string
		env     map[string]string
		euid    int
		home    func() (string, error)
		want    string
		wantErr bool
	}{
		{"data dir", map[string]string{"VAHUB_DATA_DIR": "/srv/vahub", "XDG_DATA_HOME": "/x"}, 0, home, "/srv/vahub/postgres", false},
		{"root", map[string]string{"XDG_DATA_HOME": "/x"}, 0, home, "/var/lib/vahub/postgres", false},
		{"xdg", map[string]string{"XDG_DATA_HOME": "/x"}, 1000, home, "/x/vahub/postgres", false},
		{"relative xdg ignored", map[string]string{"XDG_DATA_HOME": "x"}, 1000, home, "/home/u/.local/share/vahub/postgres", false},
		{"home", nil, 1000, home, "/home/u/.local/share/vahub/postgres", false},
		{"no home", nil, 1000, noHome, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := defaultDir(func(k string) string { return tt.env[k] }, tt.euid, tt.home)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("defaultDir = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDSNQuoting(t *testing.T) {
	c := &Cluster{sockDir: "/tmp/a b", port: 5432}
	want := `host='/tmp/a b' port=5432 user=vahub dbname='it\'s' sslmode=disable connect_timeout=10`
	if got := c.DSN("it's"); got != want {
		t.Errorf("DSN = %q, want %q", got, want)
	}
}
