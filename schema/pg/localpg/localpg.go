// Package localpg runs vahub's embedded default database: a private
// PostgreSQL cluster in a data folder, created with the installed initdb and
// started with pg_ctl, reachable only through a Unix socket in a directory of
// its own. vahub uses it when DATABASE_URL is unset, and tests use it when
// TEST_DATABASE_URL is unset.
package localpg

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

const (
	// Port is the port number the server is told to use. With
	// listen_addresses empty it only names the socket file (.s.PGSQL.5432),
	// which lives in our own directory, so a system server on 5432 is no
	// conflict.
	Port = 5432
	// Superuser is the role initdb creates; trust auth over a 0700 socket
	// directory means only the owning OS user (and root) can connect.
	Superuser = "vahub"

	serverOSUser = "postgres"
	// maxSocketPath is below sun_path's 108 bytes (NUL included), with room
	// for the ".lock" file PostgreSQL puts next to the socket.
	maxSocketPath = 100
)

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	binDir  string
	dir     string
	sockDir string
	port    int
	cred    *syscall.Credential // set when we are root and run the server as postgres
	log     *slog.Logger
}

// Start creates the cluster in dir on first use and starts it, or reuses it if
// it is already running. Concurrent calls, also from other processes (go test
// runs packages in parallel), are serialised with a lock file next to dir.
// A nil log discards.
func Start(ctx context.Context, dir string, log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localpg: data dir: %w", err)
	}
	binDir, err := FindBinaries()
	if err != nil {
		return nil, err
	}
	c := &Cluster{binDir: binDir, dir: dir, port: Port, log: log}

	var uid, gid int
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		if uid, gid, err = lookupServerUser(); err != nil {
			return nil, err
		}
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}

	if err := makeParents(dir, c.cred); err != nil {
		return nil, err
	}
	unlock, err := lockFile(ctx, dir+".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()

	if err := c.prepareDataDir(ctx); err != nil {
		return nil, err
	}
	if err := c.prepareSocketDir(); err != nil {
		return nil, err
	}
	if err := c.writeConfig(); err != nil {
		return nil, err
	}

	running, err := c.running(ctx)
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(c.sockDir, fmt.Sprintf(".s.PGSQL.%d", c.port))
	if running {
		// A server started by someone else with other settings would leave us
		// connecting to a socket that is not there; say so instead.
		if _, err := os.Stat(sock); err != nil {
			return nil, fmt.Errorf("localpg: a server is running on %s but its socket %s is missing; stop it with `pg_ctl -D %s stop`: %w", dir, sock, dir, err)
		}
		log.Info("localpg: reusing running server", "dir", dir, "socket_dir", c.sockDir)
		return c, nil
	}

	logFile := filepath.Join(dir, "server.log")
	start := time.Now()
	if out, err := c.run(ctx, "pg_ctl", "-D", dir, "-l", logFile, "-w", "-t", "60", "start"); err != nil {
		return nil, fmt.Errorf("localpg: pg_ctl start: %w\n%s\nserver.log:\n%s", err, out, tail(logFile, 2048))
	}
	log.Info("localpg: server started", "dir", dir, "socket_dir", c.sockDir, "took", time.Since(start).Round(time.Millisecond))
	return c, nil
}

// Dir is the data directory.
func (c *Cluster) Dir() string { return c.dir }

// DSN returns a lib/pq key/value connection string for dbname over the
// cluster's Unix socket. It holds no password: the socket is private.
func (c *Cluster) DSN(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable connect_timeout=10",
		dsnValue(c.sockDir), c.port, dsnValue(Superuser), dsnValue(dbname))
}

// SocketDir is the directory holding the server's Unix socket.
func (c *Cluster) SocketDir() string { return c.sockDir }

// Port is the server's port number (which names its socket file).
func (c *Cluster) Port() int { return c.port }

// EnsureDatabase creates database name if it does not exist yet.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	db, err := sql.Open("postgres", c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("localpg: connect: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("localpg: check database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	// CREATE DATABASE takes no parameters; the name is quoted instead.
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	if err != nil && pq.As(err, pqerror.DuplicateDatabase) == nil {
		return fmt.Errorf("localpg: create database %q: %w", name, err)
	}
	if err == nil {
		c.log.Info("localpg: created database", "name", name)
	}
	return nil
}

// Stop shuts the server down, rolling back open transactions ("fast" mode).
func (c *Cluster) Stop(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", c.dir, "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		return fmt.Errorf("localpg: pg_ctl stop: %w\n%s", err, out)
	}
	c.log.Info("localpg: server stopped", "dir", c.dir)
	return nil
}

func lookupServerUser() (uid, gid int, err error) {
	u, err := user.Lookup(serverOSUser)
	if err != nil {
		return 0, 0, fmt.Errorf("localpg: running as root, so the server must run as the %q OS user (PostgreSQL refuses to run as root), but it does not exist; install the postgresql package, create the user, run vahub as an ordinary user, or set DATABASE_URL: %w", serverOSUser, err)
	}
	if uid, err = strconv.Atoi(u.Uid); err != nil {
		return 0, 0, fmt.Errorf("localpg: uid of %q: %w", serverOSUser, err)
	}
	if gid, err = strconv.Atoi(u.Gid); err != nil {
		return 0, 0, fmt.Errorf("localpg: gid of %q: %w", serverOSUser, err)
	}
	return uid, gid, nil
}

// makeParents creates dir's missing parents (0755, whatever the umask, so the
// server user can traverse them) and, when the server runs as another user,
// checks that it can reach dir through the existing ones.
func makeParents(dir string, cred *syscall.Credential) error {
	var missing []string
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("localpg: data dir parent: %w", err)
		}
		missing = append(missing, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("localpg: create %s: %w", missing[i], err)
		}
		if err := os.Chmod(missing[i], 0o755); err != nil {
			return fmt.Errorf("localpg: chmod %s: %w", missing[i], err)
		}
	}
	if cred == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("localpg: data dir parent: %w", err)
		}
		if !searchable(fi, cred) {
			return fmt.Errorf("localpg: the %q OS user that runs the server cannot traverse %s (mode %v): choose a data dir elsewhere (VAHUB_DATA_DIR) or `chmod o+x %s`", serverOSUser, p, fi.Mode().Perm(), p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func searchable(fi fs.FileInfo, cred *syscall.Credential) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true // cannot tell; let PostgreSQL report it
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == cred.Uid:
		return perm&0o100 != 0
	case st.Gid == cred.Gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// lockFile takes an exclusive flock on path, polling so that ctx can cancel
// the wait. The lock dies with the process, so a crash leaves nothing stale.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localpg: lock file: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("localpg: lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("localpg: waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// prepareDataDir creates dir and runs initdb unless it holds a cluster.
func (c *Cluster) prepareDataDir(ctx context.Context) error {
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("localpg: create data dir: %w", err)
	}
	fi, err := os.Stat(filepath.Join(c.dir, "PG_VERSION"))
	if err == nil {
		if c.cred != nil {
			// Fail here rather than with pg_ctl's less obvious complaint.
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != c.cred.Uid {
				return fmt.Errorf("localpg: cluster %s belongs to uid %d, not the %q OS user that runs the server", c.dir, st.Uid, serverOSUser)
			}
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("localpg: data dir: %w", err)
	}
	if err := c.chown(c.dir); err != nil {
		return err
	}

	start := time.Now()
	args := []string{"-D", c.dir, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--no-instructions"}
	out, err := c.run(ctx, "initdb", append(args, "--locale=C.UTF-8")...)
	if err != nil {
		// C.UTF-8 is missing on some systems (macOS, minimal images). initdb
		// empties the directory it failed in, so a retry starts clean.
		c.log.Info("localpg: initdb with C.UTF-8 failed; retrying with --no-locale", "err", err)
		out2, err2 := c.run(ctx, "initdb", append(args, "--no-locale")...)
		if err2 != nil {
			return fmt.Errorf("localpg: initdb: %w\n%s\n(with --locale=C.UTF-8: %v\n%s)", err2, out2, err, out)
		}
	}
	c.log.Info("localpg: created cluster", "dir", c.dir, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// prepareSocketDir picks and creates the private socket directory: dir/sock,
// or a directory under os.TempDir() named from a hash of dir when that path
// would exceed the Unix socket path limit or needs quoting.
func (c *Cluster) prepareSocketDir() error {
	sockDir := filepath.Join(c.dir, "sock")
	sockFile := filepath.Join(sockDir, fmt.Sprintf(".s.PGSQL.%d", c.port))
	if len(sockFile) > maxSocketPath || strings.ContainsAny(sockDir, "'\"\\,\n") {
		h := sha256.Sum256([]byte(c.dir))
		sockDir = filepath.Join(os.TempDir(), "vahub-pg-"+hex.EncodeToString(h[:6]))
	}
	c.sockDir = sockDir
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("localpg: create socket dir: %w", err)
		}
		// In a shared /tmp someone else may have made it first: accept only
		// a real directory owned by us (or by the server user).
		fi, err := os.Lstat(sockDir)
		if err != nil {
			return fmt.Errorf("localpg: socket dir: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		want := uint32(os.Geteuid())
		if c.cred != nil {
			want = c.cred.Uid
		}
		if !fi.IsDir() || !ok || (st.Uid != want && st.Uid != uint32(os.Geteuid())) {
			return fmt.Errorf("localpg: socket dir %s is not a directory of ours; remove it", sockDir)
		}
	}
	if err := os.Chmod(sockDir, 0o700); err != nil {
		return fmt.Errorf("localpg: chmod socket dir: %w", err)
	}
	return c.chown(sockDir)
}

// writeConfig writes vahub.conf, included from postgresql.conf. A file of our
// own (rather than -o options to pg_ctl, which go through a shell, or
// postgresql.auto.conf, which ALTER SYSTEM owns) is rewritten on every start,
// so the settings follow this code.
func (c *Cluster) writeConfig() error {
	conf := fmt.Sprintf(`# Written by vahub on every start; edits are lost.
listen_addresses = ''
port = %d
unix_socket_directories = '"%s"'
unix_socket_permissions = 0700
shared_buffers = '128MB'
max_connections = 50
`, c.port, c.sockDir)
	path := filepath.Join(c.dir, "vahub.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("localpg: write config: %w", err)
	}
	if err := c.chown(path); err != nil {
		return err
	}

	main := filepath.Join(c.dir, "postgresql.conf")
	b, err := os.ReadFile(main)
	if err != nil {
		return fmt.Errorf("localpg: read config: %w", err)
	}
	const include = "include_if_exists = 'vahub.conf'"
	if bytes.Contains(b, []byte(include)) {
		return nil
	}
	f, err := os.OpenFile(main, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("localpg: config: %w", err)
	}
	_, err = fmt.Fprintf(f, "\n# vahub's settings (listen only on a private Unix socket)\n%s\n", include)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("localpg: config: %w", err)
	}
	return nil
}

// running asks pg_ctl whether the server is up (exit 0) or not (exit 3).
func (c *Cluster) running(ctx context.Context) (bool, error) {
	out, err := c.run(ctx, "pg_ctl", "-D", c.dir, "status")
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		return false, nil
	}
	return false, fmt.Errorf("localpg: pg_ctl status: %w\n%s", err, out)
}

// run runs a PostgreSQL program as the server user, from "/" (the server
// user may not be able to read our working directory) and without the PG*
// variables that would point it at another cluster.
func (c *Cluster) run(ctx context.Context, prog string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, prog), args...)
	cmd.Dir = "/"
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the server running; it redirects the server's output
	// to server.log, but never let a stray inherited pipe hang us.
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return bytes.TrimSpace(out.Bytes()), err
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	if err := os.Lchown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		return fmt.Errorf("localpg: chown %s to %s: %w", path, serverOSUser, err)
	}
	return nil
}

// tail returns the end of a log file for error messages.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(-n, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}

// dsnValue quotes a key/value DSN value when it needs it.
func dsnValue(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}
