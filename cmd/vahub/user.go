package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

const userUsage = `Usage:
  vahub user add --name NAME --role ROLE [--country ISO3,...] [--password-stdin]
  vahub user list [--json]
  vahub user disable --name NAME
  vahub user enable --name NAME
  vahub user reset-password --name NAME --password-stdin

Roles: admin (data officer), focal_point (their countries), researcher
(aggregates and exports), enumerator (survey submissions, their countries).
A focal point or an enumerator needs --country. The password is read from
standard input (one line), never from a flag; on a terminal it is asked for
without echo. A user added without --password-stdin has no password and
works with API tokens only (vahub token create). Every change is recorded in
the audit log.
`

func cmdUser(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, userUsage)
		return exitUsage
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "add":
		return userAdd(ctx, e, rest)
	case "list":
		return userList(ctx, e, rest)
	case "disable", "enable":
		return userSetDisabled(ctx, e, sub, rest)
	case "reset-password":
		return userResetPassword(ctx, e, rest)
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, userUsage)
		return exitOK
	default:
		fmt.Fprintf(e.stderr, "vahub user: unknown subcommand %q\n\n%s", sub, userUsage)
		return exitUsage
	}
}

// countryList is a --country flag: codes or names, comma-separated or
// repeated, normalised to ISO alpha-3.
type countryList []string

func (c *countryList) String() string { return strings.Join(*c, ",") }

func (c *countryList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		iso, ok := normalize.Country(s)
		if !ok {
			return fmt.Errorf("unknown country %q (give an ISO 3166-1 code such as LAO, or a name)", s)
		}
		*c = append(*c, iso)
	}
	return nil
}

func userAdd(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("user add", "user add --name NAME --role ROLE [--country ISO3,...] [--password-stdin]")
	name := fs.String("name", "", "user name: lower-case letters, digits and . _ @ - (required)")
	role := fs.String("role", "", "admin, focal_point, researcher or enumerator (required)")
	var countries countryList
	fs.Var(&countries, "country", "country codes or names, comma-separated or repeated (focal_point, enumerator)")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "vahub user add: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case len(rest) > 0:
		return fail("unexpected argument %q", rest[0])
	case *name == "":
		return fail("--name is required")
	case *role == "":
		return fail("--role is required (%s)", strings.Join(auth.Roles, ", "))
	case !auth.ValidRole(*role):
		return fail("unknown role %q: use one of %s", *role, strings.Join(auth.Roles, ", "))
	case auth.Scoped(*role) && len(countries) == 0:
		return fail("a %s acts only for their countries: give --country ISO3[,ISO3...]", *role)
	case !auth.Scoped(*role) && len(countries) > 0:
		return fail("--country scopes focal points and enumerators; a%s %s sees every country", article(*role), *role)
	}
	var hash []byte
	if *pwStdin {
		pw, err := readPassword(e, true)
		if err != nil {
			return fail("%v", err)
		}
		if hash, err = auth.HashPassword(pw); err != nil {
			return fail("%v", err)
		}
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user add: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, *name, *role, countries, hash)
	switch {
	case errors.Is(err, pg.ErrInvalid):
		return fail("%v", err)
	case errors.Is(err, pg.ErrConflict):
		fmt.Fprintf(e.stderr, "vahub user add: a user named %q already exists\n", pg.NormalizeUserName(*name))
		return exitFailed
	case err != nil:
		fmt.Fprintf(e.stderr, "vahub user add: %v\n", err)
		return exitInternal
	}
	if code := audited(ctx, e, db, "user add", pg.AuditEntry{
		Action: "user.add", Object: u.Name,
		Detail: map[string]any{"role": u.Role, "countries": []string(u.Countries), "password": hash != nil},
	}); code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "user %s added: %s%s\n", u.Name, u.Role, scopeText(u.Countries))
	if hash == nil {
		fmt.Fprintf(e.stdout, "no password: %s signs in with API tokens only (vahub token create --user %s)\n", u.Name, u.Name)
	}
	return exitOK
}

func article(role string) string {
	if strings.ContainsAny(role[:1], "aeiou") {
		return "n"
	}
	return ""
}

func scopeText(cs []string) string {
	if len(cs) == 0 {
		return ""
	}
	return " for " + strings.Join(cs, ", ")
}

// maxPasswordLine bounds what is read from standard input.
const maxPasswordLine = 4096

// readPassword reads one line from standard input, without its line ending.
// On a terminal it asks for it without echo, twice when confirm is set.
func readPassword(e *env, confirm bool) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if confirm {
			fmt.Fprint(e.stderr, "Again: ")
			again, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			if string(again) != string(pw) {
				return "", errors.New("the passwords differ")
			}
		}
		return string(pw), nil
	}
	line, err := bufio.NewReaderSize(io.LimitReader(e.stdin, maxPasswordLine), maxPasswordLine).ReadString('\n')
	switch {
	case errors.Is(err, io.EOF) && len(line) == maxPasswordLine:
		return "", fmt.Errorf("the password line is longer than %d bytes", maxPasswordLine)
	case err != nil && !errors.Is(err, io.EOF):
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("--password-stdin: standard input holds no password (echo … | vahub user …)")
	}
	return line, nil
}

func userList(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("user list", "user list [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 {
		fmt.Fprintf(e.stderr, "vahub user list: unexpected argument %q\n", rest[0])
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user list: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	us, err := db.ListUsers(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user list: %v\n", err)
		return exitInternal
	}
	if *asJSON {
		if us == nil {
			us = []pg.User{}
		}
		_ = json.NewEncoder(e.stdout).Encode(us)
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%-24s %-12s %-9s %-20s %s\n", "NAME", "ROLE", "STATUS", "CREATED", "COUNTRIES")
	for _, u := range us {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(e.stdout, "%-24s %-12s %-9s %-20s %s\n", u.Name, u.Role, status,
			u.CreatedAt.UTC().Format("2006-01-02 15:04:05"), strings.Join(u.Countries, ","))
	}
	return exitOK
}

func userSetDisabled(ctx context.Context, e *env, sub string, args []string) int {
	fs := e.newFlags("user "+sub, "user "+sub+" --name NAME")
	name := fs.String("name", "", "user name (required)")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 || *name == "" {
		fmt.Fprintf(e.stderr, "vahub user %s: give --name NAME and nothing else\n", sub)
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user %s: %v\n", sub, err)
		return exitInternal
	}
	defer db.Close()
	if sub == "disable" {
		err = db.DisableUser(ctx, *name)
	} else {
		err = db.EnableUser(ctx, *name)
	}
	if code := userWriteFailed(e, "user "+sub, *name, err); code != exitOK {
		return code
	}
	norm := pg.NormalizeUserName(*name)
	if code := audited(ctx, e, db, "user "+sub, pg.AuditEntry{Action: "user." + sub, Object: norm}); code != exitOK {
		return code
	}
	if sub == "disable" {
		fmt.Fprintf(e.stdout, "user %s disabled: their sessions ended and their tokens no longer work\n", norm)
	} else {
		fmt.Fprintf(e.stdout, "user %s enabled\n", norm)
	}
	return exitOK
}

func userResetPassword(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("user reset-password", "user reset-password --name NAME --password-stdin")
	name := fs.String("name", "", "user name (required)")
	pwStdin := fs.Bool("password-stdin", false, "read the new password from standard input (required)")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if len(rest) > 0 || *name == "" || !*pwStdin {
		fmt.Fprintln(e.stderr, "vahub user reset-password: give --name NAME --password-stdin (the password comes from standard input, never a flag)")
		return exitUsage
	}
	pw, err := readPassword(e, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user reset-password: %v\n", err)
		return exitUsage
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user reset-password: %v\n", err)
		return exitUsage
	}
	db, err := e.openDB(ctx, refuseOutOfDate)
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub user reset-password: %v\n", err)
		return exitInternal
	}
	defer db.Close()
	if code := userWriteFailed(e, "user reset-password", *name, db.SetPassword(ctx, *name, hash)); code != exitOK {
		return code
	}
	norm := pg.NormalizeUserName(*name)
	if code := audited(ctx, e, db, "user reset-password", pg.AuditEntry{Action: "user.reset_password", Object: norm}); code != exitOK {
		return code
	}
	fmt.Fprintf(e.stdout, "password of %s changed; their browser sessions ended\n", norm)
	return exitOK
}

// userWriteFailed reports a failed write on a user: an unknown name is the
// user's mistake (exit 1), anything else vahub's (exit 3).
func userWriteFailed(e *env, cmd, name string, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, pg.ErrNotFound):
		fmt.Fprintf(e.stderr, "vahub %s: no user named %q (vahub user list)\n", cmd, pg.NormalizeUserName(name))
		return exitFailed
	default:
		fmt.Fprintf(e.stderr, "vahub %s: %v\n", cmd, err)
		return exitInternal
	}
}

// audited records a command-line write in the audit log, by the OS user.
// The write is done by then: a failure here says so.
func audited(ctx context.Context, e *env, db *pg.DB, cmd string, entry pg.AuditEntry) int {
	entry.Actor = whoami()
	if err := db.Audit(ctx, entry); err != nil {
		fmt.Fprintf(e.stderr, "vahub %s: done, but not recorded in the audit log: %v\n", cmd, err)
		return exitInternal
	}
	return exitOK
}
