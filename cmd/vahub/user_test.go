package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/web/auth"
)

// vahubStdin is vahub (main_test.go) with standard input.
func vahubStdin(t *testing.T, dbURL, stdin string, args ...string) result {
	t.Helper()
	env := map[string]string{"DATABASE_URL": dbURL, "VAHUB_DATA_DIR": t.TempDir()}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(stdin), &stdout, &stderr, func(k string) string { return env[k] })
	return result{code, stdout.String(), stderr.String()}
}

// openStore opens the test database with the store, to check what the
// commands wrote.
func openStore(t *testing.T, dbURL string) *pg.DB {
	t.Helper()
	db, err := pg.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // before pgtest drops the database
	return db
}

type cliStep struct {
	name   string
	stdin  string
	args   []string
	code   int
	stdout string // must contain
	stderr string // must contain
}

func runSteps(t *testing.T, dbURL string, steps []cliStep) {
	t.Helper()
	for _, st := range steps {
		r := vahubStdin(t, dbURL, st.stdin, st.args...)
		if r.code != st.code || !strings.Contains(r.stdout, st.stdout) || !strings.Contains(r.stderr, st.stderr) {
			t.Errorf("%s: vahub %s: want exit %d, stdout ~ %q, stderr ~ %q; got %s", st.name, strings.Join(st.args, " "), st.code, st.stdout, st.stderr, r)
		}
		for _, out := range []string{r.stdout, r.stderr} {
			if st.stdin != "" && strings.Contains(out, strings.TrimSpace(st.stdin)) {
				t.Errorf("%s: the password was printed: %s", st.name, r)
			}
		}
	}
}

// Usage errors need no database: they are caught before one is opened.
func TestUserUsageErrors(t *testing.T) {
	t.Parallel()
	steps := []cliStep{
		{name: "no subcommand", args: []string{"user"}, code: exitUsage, stderr: "vahub user add"},
		{name: "unknown subcommand", args: []string{"user", "remove"}, code: exitUsage, stderr: `unknown subcommand "remove"`},
		{name: "help", args: []string{"user", "--help"}, code: exitOK, stdout: "reset-password"},
		{name: "add help", args: []string{"user", "add", "--help"}, code: exitOK, stdout: "--password-stdin"},
		{name: "no name", args: []string{"user", "add", "--role", "admin"}, code: exitUsage, stderr: "--name is required"},
		{name: "no role", args: []string{"user", "add", "--name", "x"}, code: exitUsage, stderr: "--role is required"},
		{name: "unknown role", args: []string{"user", "add", "--name", "x", "--role", "root"}, code: exitUsage, stderr: `unknown role "root"`},
		{name: "focal point without country", args: []string{"user", "add", "--name", "x", "--role", "focal_point"}, code: exitUsage, stderr: "give --country"},
		{name: "enumerator without country", args: []string{"user", "add", "--name", "x", "--role", "enumerator", "--country", " , "}, code: exitUsage, stderr: "give --country"},
		{name: "unknown country", args: []string{"user", "add", "--name", "x", "--role", "focal_point", "--country", "LAO,Atlantis"}, code: exitUsage, stderr: `unknown country "Atlantis"`},
		{name: "country for a researcher", args: []string{"user", "add", "--name", "x", "--role", "researcher", "--country", "LAO"}, code: exitUsage, stderr: "sees every country"},
		{name: "password as a flag", args: []string{"user", "add", "--name", "x", "--role", "admin", "--password", "secret12345"}, code: exitUsage, stderr: "flag provided but not defined: -password"},
		{name: "short password", stdin: "short\n", args: []string{"user", "add", "--name", "x", "--role", "admin", "--password-stdin"}, code: exitUsage, stderr: "at least 10 characters"},
		{name: "empty stdin", args: []string{"user", "add", "--name", "x", "--role", "admin", "--password-stdin"}, code: exitUsage, stderr: "holds no password"},
		{name: "reset without stdin flag", args: []string{"user", "reset-password", "--name", "x"}, code: exitUsage, stderr: "--password-stdin"},
		{name: "disable without name", args: []string{"user", "disable"}, code: exitUsage, stderr: "give --name"},
		{name: "token no subcommand", args: []string{"token"}, code: exitUsage, stderr: "vahub token create"},
		{name: "token unknown subcommand", args: []string{"token", "show"}, code: exitUsage, stderr: `unknown subcommand "show"`},
		{name: "token create without user", args: []string{"token", "create"}, code: exitUsage, stderr: "give --user"},
		{name: "token revoke without id", args: []string{"token", "revoke"}, code: exitUsage, stderr: "give --id"},
		{name: "token revoke bad id", args: []string{"token", "revoke", "--id", "x1"}, code: exitUsage, stderr: "give --id"},
	}
	runSteps(t, unreachable, steps)
}

// The whole life of accounts from the command line, checked in the store:
// add users, set and reset passwords, create, use, list and revoke tokens,
// disable, and find every write in the audit log.
func TestUserAndTokenCommands(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewURL(t)
	const pw, pw2 = "correct horse battery", "another long passphrase"
	steps := []cliStep{
		{name: "add admin", stdin: pw + "\n", args: []string{"user", "add", "--name", "Ada", "--role", "admin", "--password-stdin"}, code: exitOK, stdout: "user ada added: admin"},
		{name: "add focal point by country names", stdin: pw + "\r\n", args: []string{"user", "add", "--name", "fp-lao", "--role", "focal_point", "--country", "Lao PDR,khm", "--country", "LAO", "--password-stdin"}, code: exitOK, stdout: "focal_point for KHM, LAO"},
		{name: "add enumerator without password", args: []string{"user", "add", "--name", "enum", "--role", "enumerator", "--country", "LAO"}, code: exitOK, stdout: "API tokens only"},
		{name: "add researcher", stdin: pw, args: []string{"user", "add", "--name", "rita", "--role", "researcher", "--password-stdin"}, code: exitOK, stdout: "user rita added"},
		{name: "duplicate name", stdin: pw, args: []string{"user", "add", "--name", "ADA", "--role", "researcher", "--password-stdin"}, code: exitFailed, stderr: `"ada" already exists`},
		{name: "bad name", args: []string{"user", "add", "--name", "a b", "--role", "researcher"}, code: exitUsage, stderr: "lower-case letters"},
		{name: "reset password", stdin: pw2 + "\n", args: []string{"user", "reset-password", "--name", "fp-lao", "--password-stdin"}, code: exitOK, stdout: "password of fp-lao changed"},
		{name: "reset unknown user", stdin: pw2, args: []string{"user", "reset-password", "--name", "nobody", "--password-stdin"}, code: exitFailed, stderr: `no user named "nobody"`},
		{name: "disable unknown user", args: []string{"user", "disable", "--name", "nobody"}, code: exitFailed, stderr: `no user named "nobody"`},
		{name: "token for unknown user", args: []string{"token", "create", "--user", "nobody"}, code: exitFailed, stderr: `no user named "nobody"`},
		{name: "revoke unknown token", args: []string{"token", "revoke", "--id", "999999"}, code: exitFailed, stderr: "no token 999999"},
		{name: "list tokens of unknown user", args: []string{"token", "list", "--user", "nobody"}, code: exitFailed, stderr: `no user named "nobody"`},
	}
	runSteps(t, dbURL, steps)

	db := openStore(t, dbURL)
	ctx := t.Context()
	passwords := []struct {
		user, pw string
		want     bool
	}{
		{"ada", pw, true},
		{"fp-lao", pw, false}, // reset
		{"fp-lao", pw2, true},
		{"rita", pw, true},
		{"enum", pw, false},
	}
	for _, p := range passwords {
		_, h, err := db.UserByName(ctx, p.user)
		if err != nil {
			t.Fatal(err)
		}
		if got := auth.CheckPassword(h, p.pw); got != p.want {
			t.Errorf("password of %s: CheckPassword = %v, want %v", p.user, got, p.want)
		}
	}

	r := mustRun(t, exitOK, dbURL, "user", "list", "--json")
	var users []pg.User
	if err := json.Unmarshal([]byte(r.stdout), &users); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Name+":"+u.Role+":"+strings.Join(u.Countries, ","))
	}
	want := []string{"ada:admin:", "enum:enumerator:LAO", "fp-lao:focal_point:KHM,LAO", "rita:researcher:"}
	if !slices.Equal(got, want) {
		t.Errorf("user list --json = %v, want %v", got, want)
	}
	r = mustRun(t, exitOK, dbURL, "user", "list")
	if !regexp.MustCompile(`(?m)^fp-lao\s+focal_point\s+active\s+.*KHM,LAO$`).MatchString(r.stdout) {
		t.Errorf("user list:\n%s", r.stdout)
	}

	// A token is printed once, alone on standard output, and works.
	r = mustRun(t, exitOK, dbURL, "token", "create", "--user", "enum", "--label", "phone 1")
	token := strings.TrimSpace(r.stdout)
	if !auth.LooksLikeToken(token) || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("token create printed %q", r.stdout)
	}
	u, err := db.UserByTokenHash(ctx, auth.HashToken(token))
	if err != nil || u.Name != "enum" {
		t.Fatalf("the new token: %+v, %v", u, err)
	}
	r = mustRun(t, exitOK, dbURL, "token", "list", "--user", "enum", "--json")
	var toks []pg.Token
	if err := json.Unmarshal([]byte(r.stdout), &toks); err != nil || len(toks) != 1 || toks[0].Label != "phone 1" {
		t.Fatalf("token list --json = %s (%v)", r.stdout, err)
	}
	if strings.Contains(r.stdout, token) {
		t.Error("token list shows the token")
	}
	var stored int
	if err := db.GetContext(ctx, &stored, `SELECT count(*) FROM api_token WHERE position($1::bytea in token_hash) > 0 OR label = $2`, []byte(token), token); err != nil || stored != 0 {
		t.Errorf("the token itself is stored (%d, %v)", stored, err)
	}
	id := toks[0].ID
	r = mustRun(t, exitOK, dbURL, "token", "list")
	if !regexp.MustCompile(`(?m)^\d+\s+enum\s+active\s+.*phone 1$`).MatchString(r.stdout) {
		t.Errorf("token list:\n%s", r.stdout)
	}

	r2 := mustRun(t, exitOK, dbURL, "token", "create", "--user", "fp-lao")
	fpToken := strings.TrimSpace(r2.stdout)
	mustRun(t, exitOK, dbURL, "token", "revoke", "--id", itoa(id))
	if _, err := db.UserByTokenHash(ctx, auth.HashToken(token)); err == nil {
		t.Error("a revoked token still works")
	}
	r = mustRun(t, exitOK, dbURL, "token", "list", "--user", "enum")
	if !strings.Contains(r.stdout, "revoked") {
		t.Errorf("token list after revoke:\n%s", r.stdout)
	}

	mustRun(t, exitOK, dbURL, "user", "disable", "--name", "FP-LAO")
	if _, err := db.UserByTokenHash(ctx, auth.HashToken(fpToken)); err == nil {
		t.Error("a disabled user's token still works")
	}
	r = mustRun(t, exitFailed, dbURL, "token", "create", "--user", "fp-lao")
	if !strings.Contains(r.stderr, "disabled") || r.stdout != "" {
		t.Errorf("token for a disabled user: %s", r)
	}
	mustRun(t, exitOK, dbURL, "user", "enable", "--name", "fp-lao")
	if _, err := db.UserByTokenHash(ctx, auth.HashToken(fpToken)); err != nil {
		t.Errorf("token after enable: %v", err)
	}

	// Every write, and nothing else, is in the audit log, by the OS user.
	log, err := db.AuditLog(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(log) - 1; i >= 0; i-- {
		e := log[i]
		if !strings.HasPrefix(e.Actor, "cli") {
			t.Errorf("audit actor %q, want cli:<os user>", e.Actor)
		}
		actions = append(actions, e.Action+" "+e.Object)
	}
	wantActions := []string{
		"user.add ada", "user.add fp-lao", "user.add enum", "user.add rita",
		"user.reset_password fp-lao",
		"token.create token " + itoa(id), "token.create token " + itoa(id+1),
		"token.revoke token " + itoa(id),
		"user.disable fp-lao", "user.enable fp-lao",
	}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(actions, "\n"), strings.Join(wantActions, "\n"))
	}
	for _, e := range log {
		if e.Action == "user.add" && e.Object == "fp-lao" {
			if e.Detail["role"] != "focal_point" || e.Detail["password"] != true {
				t.Errorf("user.add detail = %v", e.Detail)
			}
		}
		if e.Action == "token.create" && e.Object == "token "+itoa(id) && e.Detail["label"] != "phone 1" {
			t.Errorf("token.create detail = %v", e.Detail)
		}
		b, _ := json.Marshal(e)
		for _, secret := range []string{pw, pw2, token, fpToken} {
			if strings.Contains(string(b), secret) {
				t.Errorf("audit entry holds a secret: %s", b)
			}
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
