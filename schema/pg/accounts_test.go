package pg_test

import (
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// clock is a test clock the store reads through DB.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock(db *pg.DB) *clock {
	c := &clock{time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	db.Now = c.now
	return c
}
func mustUser(t *testing.T, db *pg.DB, name, role string, cs ...string) pg.User {
	t.Helper()
	u, err := db.CreateUser(t.Context(), name, role, cs, []byte("$2a$12$fakehashfakehashfakehash"))
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	mustUser(t, db, "taken", "researcher")
	tests := []struct {
		name, user, role string
		countries        []string
		hash             []byte
		want             error // nil: created
		wantName         string
		wantCountries    []string
	}{
		{"admin", "ada", "admin", nil, []byte("h"), nil, "ada", []string{}},
		{"researcher without password", "rita", "researcher", nil, nil, nil, "rita", []string{}},
		{"focal point, countries sorted and deduplicated", "fp", "focal_point", []string{"LBN", "LAO", "LBN"}, []byte("h"), nil, "fp", []string{"LAO", "LBN"}},
		{"enumerator", "enum", "enumerator", []string{"KHM"}, nil, nil, "enum", []string{"KHM"}},
		{"name normalised", "  Fp.Lao@Mofa ", "focal_point", []string{"LAO"}, nil, nil, "fp.lao@mofa", []string{"LAO"}},
		{"taken name", "taken", "admin", nil, nil, pg.ErrConflict, "", nil},
		{"taken name, other case", "TAKEN", "admin", nil, nil, pg.ErrConflict, "", nil},
		{"focal point without country", "fp2", "focal_point", nil, nil, pg.ErrInvalid, "", nil},
		{"enumerator without country", "enum2", "enumerator", []string{}, nil, pg.ErrInvalid, "", nil},
		{"unknown role", "x", "root", nil, nil, pg.ErrInvalid, "", nil},
		{"empty role", "x", "", nil, nil, pg.ErrInvalid, "", nil},
		{"empty name", "", "admin", nil, nil, pg.ErrInvalid, "", nil},
		{"name with a space", "a b", "admin", nil, nil, pg.ErrInvalid, "", nil},
		{"name too long", "a234567890123456789012345678901234567890123456789012345678901234x", "admin", nil, nil, pg.ErrInvalid, "", nil},
		{"alpha-2 country", "fp3", "focal_point", []string{"LA"}, nil, pg.ErrInvalid, "", nil},
		{"lower-case country", "fp3", "focal_point", []string{"lao"}, nil, pg.ErrInvalid, "", nil},
		{"unknown country", "fp3", "focal_point", []string{"LAO", "QQQ"}, nil, pg.ErrInvalid, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := db.CreateUser(ctx, tt.user, tt.role, tt.countries, tt.hash)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("CreateUser: error %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			if u.ID == 0 || u.Name != tt.wantName || u.Role != tt.role || !slices.Equal(u.Countries, tt.wantCountries) || u.Disabled || u.CreatedAt.IsZero() {
				t.Errorf("CreateUser = %+v", u)
			}
			got, h, err := db.UserByName(ctx, tt.user)
			if err != nil {
				t.Fatalf("UserByName: %v", err)
			}
			if got.ID != u.ID || !slices.Equal(got.Countries, u.Countries) || string(h) != string(tt.hash) {
				t.Errorf("UserByName = %+v, %q; want %+v, %q", got, h, u, tt.hash)
			}
		})
	}
	// The CHECK constraints hold even for SQL that bypasses the store.
	for _, q := range []string{
		`INSERT INTO app_user (name, role) VALUES ('sql-fp', 'focal_point')`,
		`INSERT INTO app_user (name, role) VALUES ('sql-x', 'root')`,
		`INSERT INTO app_user (name, role, countries) VALUES ('sql-y', 'researcher', '{lao}')`,
		`INSERT INTO app_user (name, role, countries) VALUES ('sql-z', 'researcher', '{LAO,NULL}')`,
		`INSERT INTO app_user (name, role) VALUES ('Upper', 'admin')`,
	} {
		if _, err := db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
}

func TestUsersListDisablePassword(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	mustUser(t, db, "zoe", "researcher")
	mustUser(t, db, "ada", "admin")
	fp := mustUser(t, db, "fp", "focal_point", "LAO")

	us, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Name)
	}
	if !slices.Equal(names, []string{"ada", "fp", "zoe"}) {
		t.Errorf("ListUsers names = %v", names)
	}

	sess := hash("session")
	if err := db.CreateSession(ctx, sess, fp.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(ctx, "FP", []byte("new hash")); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if _, h, _ := db.UserByName(ctx, "fp"); string(h) != "new hash" {
		t.Errorf("password hash after SetPassword = %q", h)
	}
	if _, err := db.SessionUser(ctx, sess, 0); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("session after a password reset: %v, want ErrNotFound", err)
	}

	for _, name := range []string{"nobody", ""} {
		if err := db.SetPassword(ctx, name, []byte("x")); !errors.Is(err, pg.ErrNotFound) {
			t.Errorf("SetPassword(%q): %v, want ErrNotFound", name, err)
		}
		if err := db.DisableUser(ctx, name); !errors.Is(err, pg.ErrNotFound) {
			t.Errorf("DisableUser(%q): %v, want ErrNotFound", name, err)
		}
		if _, _, err := db.UserByName(ctx, name); !errors.Is(err, pg.ErrNotFound) {
			t.Errorf("UserByName(%q): %v, want ErrNotFound", name, err)
		}
	}

	if err := db.CreateSession(ctx, sess, fp.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "fp", hash("tok"), ""); err != nil {
		t.Fatal(err)
	}
	for range 2 { // disabling twice is fine
		if err := db.DisableUser(ctx, "fp"); err != nil {
			t.Fatalf("DisableUser: %v", err)
		}
	}
	u, _, err := db.UserByName(ctx, "fp")
	if err != nil || !u.Disabled {
		t.Fatalf("UserByName after disable = %+v, %v; want Disabled", u, err)
	}
	if _, err := db.UserByTokenHash(ctx, hash("tok")); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("token of a disabled user: %v, want ErrNotFound", err)
	}
	if _, err := db.SessionUser(ctx, sess, 0); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("session of a disabled user: %v, want ErrNotFound", err)
	}
	if _, err := db.CreateToken(ctx, "fp", hash("tok2"), ""); !errors.Is(err, pg.ErrInvalid) {
		t.Errorf("CreateToken for a disabled user: %v, want ErrInvalid", err)
	}
	if err := db.EnableUser(ctx, "fp"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.UserByTokenHash(ctx, hash("tok")); err != nil || got.Name != "fp" {
		t.Errorf("token after EnableUser: %+v, %v", got, err)
	}
	if _, err := db.SessionUser(ctx, sess, 0); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("a session ended by DisableUser came back: %v", err)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	c := newClock(db)
	mustUser(t, db, "enum", "enumerator", "LAO")
	mustUser(t, db, "rita", "researcher")

	id1, err := db.CreateToken(ctx, "enum", hash("t1"), " phone 1 ")
	if err != nil {
		t.Fatal(err)
	}
	id2, err := db.CreateToken(ctx, "ENUM", hash("t2"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "rita", hash("r1"), "laptop"); err != nil {
		t.Fatal(err)
	}
	errTests := []struct {
		name, user string
		hash       []byte
		want       error
	}{
		{"same hash twice", "rita", hash("t1"), pg.ErrConflict},
		{"unknown user", "nobody", hash("x"), pg.ErrNotFound},
		{"not a sha256", "rita", []byte("short"), pg.ErrInvalid},
		{"no hash", "rita", nil, pg.ErrInvalid},
	}
	for _, tt := range errTests {
		if _, err := db.CreateToken(ctx, tt.user, tt.hash, ""); !errors.Is(err, tt.want) {
			t.Errorf("CreateToken %s: %v, want %v", tt.name, err, tt.want)
		}
	}

	lookups := []struct {
		name  string
		token string
		want  string // user name; "" = ErrNotFound
	}{
		{"first token", "t1", "enum"},
		{"second token", "t2", "enum"},
		{"other user's token", "r1", "rita"},
		{"unknown", "nope", ""},
		{"empty", "", ""},
	}
	for _, tt := range lookups {
		u, err := db.UserByTokenHash(ctx, hash(tt.token))
		if tt.want == "" {
			if !errors.Is(err, pg.ErrNotFound) {
				t.Errorf("%s: %+v, %v; want ErrNotFound", tt.name, u, err)
			}
			continue
		}
		if err != nil || u.Name != tt.want {
			t.Errorf("%s: %+v, %v; want user %s", tt.name, u, err, tt.want)
		}
		if tt.want == "enum" && !slices.Equal(u.Countries, []string{"LAO"}) {
			t.Errorf("%s: countries %v", tt.name, u.Countries)
		}
	}

	// last_used_at is the time of use, to the minute.
	first := c.t
	c.advance(30 * time.Second)
	if _, err := db.UserByTokenHash(ctx, hash("t1")); err != nil {
		t.Fatal(err)
	}
	ts, err := db.ListTokens(ctx, "enum")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].ID != id1 || ts[1].ID != id2 {
		t.Fatalf("ListTokens(enum) = %+v", ts)
	}
	if ts[0].Label != "phone 1" || ts[0].UserName != "enum" || ts[0].LastUsedAt == nil || !ts[0].LastUsedAt.Equal(first) || ts[0].RevokedAt != nil {
		t.Errorf("token 1 = %+v", ts[0])
	}
	c.advance(time.Minute)
	if _, err := db.UserByTokenHash(ctx, hash("t1")); err != nil {
		t.Fatal(err)
	}
	if tok, err := db.TokenByID(ctx, id1); err != nil || tok.LastUsedAt == nil || !tok.LastUsedAt.Equal(c.t) {
		t.Errorf("TokenByID after a minute = %+v, %v; want last used %v", tok, err, c.t)
	}

	if err := db.RevokeToken(ctx, id1); err != nil {
		t.Fatal(err)
	}
	revokedAt := c.t
	c.advance(time.Hour)
	if err := db.RevokeToken(ctx, id1); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if err := db.RevokeToken(ctx, 999999); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("RevokeToken(unknown): %v, want ErrNotFound", err)
	}
	if _, err := db.UserByTokenHash(ctx, hash("t1")); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("revoked token: %v, want ErrNotFound", err)
	}
	if u, err := db.UserByTokenHash(ctx, hash("t2")); err != nil || u.Name != "enum" {
		t.Errorf("the user's other token after a revocation: %+v, %v", u, err)
	}
	if tok, _ := db.TokenByID(ctx, id1); tok.RevokedAt == nil || !tok.RevokedAt.Equal(revokedAt) {
		t.Errorf("revoked_at = %v, want the first revocation %v", tok.RevokedAt, revokedAt)
	}
	all, err := db.ListTokens(ctx, "")
	if err != nil || len(all) != 3 {
		t.Errorf("ListTokens(\"\") = %d tokens, %v; want 3", len(all), err)
	}
	if _, err := db.ListTokens(ctx, "nobody"); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("ListTokens(unknown): %v, want ErrNotFound", err)
	}
	if _, err := db.TokenByID(ctx, 999999); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("TokenByID(unknown): %v, want ErrNotFound", err)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	c := newClock(db)
	fp := mustUser(t, db, "fp", "focal_point", "LAO")

	if err := db.CreateSession(ctx, hash("s1"), fp.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, hash("s2"), fp.ID, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	errTests := []struct {
		name string
		id   []byte
		user int64
		ttl  time.Duration
		want error
	}{
		{"same id", hash("s1"), fp.ID, time.Hour, pg.ErrConflict},
		{"unknown user", hash("s3"), 999999, time.Hour, pg.ErrNotFound},
		{"not a sha256", []byte("s3"), fp.ID, time.Hour, pg.ErrInvalid},
		{"no ttl", hash("s3"), fp.ID, 0, pg.ErrInvalid},
	}
	for _, tt := range errTests {
		if err := db.CreateSession(ctx, tt.id, tt.user, tt.ttl); !errors.Is(err, tt.want) {
			t.Errorf("CreateSession %s: %v, want %v", tt.name, err, tt.want)
		}
	}

	steps := []struct {
		name    string
		advance time.Duration
		id      string
		want    bool
	}{
		{"fresh", 0, "s1", true},
		{"unknown", 0, "nope", false},
		{"before expiry", 59 * time.Minute, "s1", true},
		{"at expiry", time.Minute, "s1", false},
		{"longer session still valid", 0, "s2", true},
		{"longer session expired", time.Hour, "s2", false},
	}
	for _, st := range steps {
		c.advance(st.advance)
		u, err := db.SessionUser(ctx, hash(st.id), 0)
		switch {
		case st.want && (err != nil || u.ID != fp.ID || !slices.Equal(u.Countries, []string{"LAO"})):
			t.Errorf("%s: %+v, %v; want fp", st.name, u, err)
		case !st.want && !errors.Is(err, pg.ErrNotFound):
			t.Errorf("%s: %+v, %v; want ErrNotFound", st.name, u, err)
		}
	}

	if err := db.CreateSession(ctx, hash("s4"), fp.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	for range 2 { // deleting twice is fine
		if err := db.DeleteSession(ctx, hash("s4")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SessionUser(ctx, hash("s4"), 0); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("deleted session: %v, want ErrNotFound", err)
	}

	if err := db.CreateSession(ctx, hash("s5"), fp.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := db.PruneAccounts(ctx, c.t); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := db.GetContext(ctx, &left, `SELECT count(*) FROM web_session`); err != nil || left != 1 {
		t.Errorf("sessions after PruneAccounts: %d, %v; want 1 (the live one)", left, err)
	}
}

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	c := newClock(db)
	start := c.t
	attempts := []struct{ name, remote string }{
		{"ada", "10.0.0.1"}, {"ADA", "10.0.0.1"}, {"ada", "10.0.0.2"},
		{"bob", "10.0.0.1"}, {"bob", "10.0.0.3"},
	}
	for _, a := range attempts {
		c.advance(time.Minute)
		if err := db.RecordLoginAttempt(ctx, a.name, a.remote); err != nil {
			t.Fatal(err)
		}
	}
	counts := []struct {
		name, remote string
		since        time.Time
		want         int
	}{
		{"ada", "10.0.0.1", start, 2},
		{"Ada", "10.0.0.1", start, 2},
		{"ada", "", start, 3},
		{"", "10.0.0.1", start, 3},
		{"", "", start, 5},
		{"bob", "10.0.0.2", start, 0},
		{"ada", "", start.Add(3 * time.Minute), 1},
		{"", "", start.Add(10 * time.Minute), 0},
	}
	for _, tt := range counts {
		n, err := db.RecentLoginFailures(ctx, tt.name, tt.remote, tt.since)
		if err != nil || n != tt.want {
			t.Errorf("RecentLoginFailures(%q, %q, +%v) = %d, %v; want %d", tt.name, tt.remote, tt.since.Sub(start), n, err, tt.want)
		}
	}
	if err := db.ClearLoginAttempts(ctx, "ada", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.RecentLoginFailures(ctx, "ada", "", start); n != 1 {
		t.Errorf("ada's failures after clearing 10.0.0.1: %d, want 1", n)
	}
	if n, _ := db.RecentLoginFailures(ctx, "", "10.0.0.1", start); n != 1 {
		t.Errorf("10.0.0.1's failures after clearing ada: %d, want 1 (bob's)", n)
	}
	if err := db.ClearLoginAttempts(ctx, "", ""); !errors.Is(err, pg.ErrInvalid) {
		t.Errorf("ClearLoginAttempts(\"\", \"\"): %v, want ErrInvalid", err)
	}
	// A long typed name is stored clipped, and still counted; NUL and
	// invalid UTF-8, which PostgreSQL refuses, are replaced.
	if err := db.RecordLoginAttempt(ctx, "a\x00b\xff", "10.0.0.9\x00"); err != nil {
		t.Fatalf("a name with NUL and invalid UTF-8: %v", err)
	}
	if err := db.ClearLoginAttempts(ctx, "a\x00b\xff", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.UserByName(ctx, "a\x00b"); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("UserByName with NUL: %v, want ErrNotFound", err)
	}
	long := string(make([]byte, 5000))
	if err := db.RecordLoginAttempt(ctx, long, "10.0.0.9"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.RecentLoginFailures(ctx, long, "10.0.0.9", start); n != 1 {
		t.Errorf("long name counted %d times, want 1", n)
	}
	if err := db.PruneAccounts(ctx, c.t); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.RecentLoginFailures(ctx, "", "", start); n != 2 {
		t.Errorf("after pruning: %d attempts, want 2 (the last two, at the same time)", n)
	}
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := t.Context()
	c := newClock(db)
	// What a client sends may hold NUL and invalid UTF-8 (file names):
	// stored replaced, never refused. The log is read newest first, so this
	// entry goes in before the others.
	odd := pg.AuditEntry{Actor: "fp", Action: "upload", Object: "a\x00b\xff.xlsx", Detail: map[string]any{"name\x00": "x\x00y", "path": `C:\u0000dir`}}
	if err := db.Audit(ctx, odd); err != nil {
		t.Fatalf("Audit with NUL: %v", err)
	}
	entries := []pg.AuditEntry{
		{Actor: "cli:root", Action: "user.add", Object: "fp", Detail: map[string]any{"role": "focal_point", "countries": []string{"LAO"}}},
		{Actor: "fp", Action: "upload", Object: "form-h.xlsx", FileSHA256: "ab12", Remote: "10.0.0.1", Detail: map[string]any{"facts": 93}},
		{Actor: "ada", Action: "approve", Object: "report 7"},
	}
	for _, e := range entries {
		c.advance(time.Second)
		if err := db.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []pg.AuditEntry{{Action: "x"}, {Actor: "x"}, {Actor: " ", Action: "x"}} {
		if err := db.Audit(ctx, bad); !errors.Is(err, pg.ErrInvalid) {
			t.Errorf("Audit(%+v): %v, want ErrInvalid", bad, err)
		}
	}
	limits := []struct{ limit, want int }{{0, 4}, {-1, 4}, {2, 2}, {100, 4}}
	for _, tt := range limits {
		rows, err := db.AuditLog(ctx, tt.limit)
		if err != nil || len(rows) != tt.want {
			t.Errorf("AuditLog(%d) = %d rows, %v; want %d", tt.limit, len(rows), err, tt.want)
		}
	}
	rows, err := db.AuditLog(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Action != "approve" || rows[2].Action != "user.add" {
		t.Errorf("AuditLog order: %v, %v, %v; want newest first", rows[0].Action, rows[1].Action, rows[2].Action)
	}
	up := rows[1]
	if up.Actor != "fp" || up.Object != "form-h.xlsx" || up.FileSHA256 != "ab12" || up.Remote != "10.0.0.1" ||
		up.Detail["facts"] != float64(93) || !up.At.Equal(c.t.Add(-time.Second)) || up.ID == 0 {
		t.Errorf("upload entry = %+v", up)
	}
	if rows[0].Detail != nil {
		t.Errorf("entry without detail: Detail = %v, want nil", rows[0].Detail)
	}
	if cs, _ := rows[2].Detail["countries"].([]any); len(cs) != 1 || cs[0] != "LAO" {
		t.Errorf("user.add detail = %v", rows[2].Detail)
	}
	o := rows[3]
	if o.Object != "a\uFFFDb\uFFFD.xlsx" || o.Detail["name\uFFFD"] != "x\uFFFDy" || o.Detail["path"] != `C:\u0000dir` {
		t.Errorf("entry with NUL = %q %q", o.Object, o.Detail)
	}
}
