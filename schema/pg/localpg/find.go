package localpg

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ErrNoBinaries means neither PATH nor the Debian layout has initdb and
// pg_ctl. Its text tells the user what to install, because this is the first
// thing a new user without PostgreSQL sees (and what a database test fails with).
var ErrNoBinaries = errors.New("PostgreSQL server programs (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. Install them (Debian/Ubuntu: apt-get install postgresql; Fedora: dnf install postgresql-server; macOS: brew install postgresql@15) or set DATABASE_URL to an existing server.")

// debianBinGlob is where Debian and Ubuntu install the server programs; they
// put only wrappers (pg_ctlcluster, psql) on PATH.
const debianBinGlob = "/usr/lib/postgresql/*/bin"

// FindBinaries returns the directory holding initdb and pg_ctl: the first PATH
// directory with both, else the highest major version under
// /usr/lib/postgresql/*/bin.
func FindBinaries() (binDir string, err error) {
	return findBinaries(os.Getenv("PATH"), debianBinGlob)
}

func findBinaries(pathList, glob string) (string, error) {
	for _, d := range filepath.SplitList(pathList) {
		// An empty or relative PATH entry means the current directory; never
		// run a server binary picked up from wherever we happen to be.
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		if hasServerPrograms(d) {
			return d, nil
		}
	}
	dirs, err := filepath.Glob(glob)
	if err != nil {
		return "", fmt.Errorf("localpg: find binaries: %w", err)
	}
	best, bestVer := "", []int(nil)
	for _, d := range dirs {
		if !hasServerPrograms(d) {
			continue
		}
		// The * is the major version ("15", or "9.6" for old releases).
		v := parseVersion(filepath.Base(filepath.Dir(d)))
		if best == "" || compareVersions(v, bestVer) > 0 {
			best, bestVer = d, v
		}
	}
	if best == "" {
		return "", fmt.Errorf("localpg: %w", ErrNoBinaries)
	}
	return best, nil
}

func hasServerPrograms(dir string) bool {
	return isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl"))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path) // follows symlinks such as /usr/local/bin/initdb
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// parseVersion turns "9.6" into [9 6] and "16beta1" into [16]; anything
// unparsable sorts lowest.
func parseVersion(s string) []int {
	var v []int
	for _, part := range strings.Split(s, ".") {
		n := 0
		for n < len(part) && part[n] >= '0' && part[n] <= '9' {
			n++
		}
		x, err := strconv.Atoi(part[:n])
		if err != nil {
			break
		}
		v = append(v, x)
		if n < len(part) {
			break
		}
	}
	return v
}

func compareVersions(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] > b[i] {
				return 1
			}
			return -1
		}
	}
	return len(a) - len(b)
}

// DefaultDir returns where the embedded cluster lives when DATABASE_URL is
// unset: <VAHUB_DATA_DIR>/postgres, else /var/lib/vahub/postgres for root
// (the server runs as the postgres user, which cannot traverse /root), else
// $XDG_DATA_HOME/vahub/postgres or ~/.local/share/vahub/postgres.
func DefaultDir() (string, error) {
	return defaultDir(os.Getenv, os.Geteuid(), os.UserHomeDir)
}

func defaultDir(getenv func(string) string, euid int, home func() (string, error)) (string, error) {
	if d := getenv("VAHUB_DATA_DIR"); d != "" {
		return filepath.Abs(filepath.Join(d, "postgres"))
	}
	if euid == 0 {
		return "/var/lib/vahub/postgres", nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "vahub", "postgres"), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("localpg: data folder: set VAHUB_DATA_DIR: %w", err)
	}
	return filepath.Join(h, ".local", "share", "vahub", "postgres"), nil
}
