package pg

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// Accounts of `vahub serve`: users, API tokens, browser sessions, login
// throttling and the audit log. Secrets never reach this package: it stores
// and looks up password hashes and the SHA-256 of tokens and session ids
// (web/auth makes them).

var (
	// ErrNotFound: no such user, token or session (or one that no longer
	// counts: revoked, expired, disabled).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the name is taken (or the token hash already stored).
	ErrConflict = errors.New("already exists")
	// ErrInvalid: the input breaks a rule (name, role, countries).
	ErrInvalid = errors.New("invalid")
)

// Roles as the store knows them; web/auth names them (RoleAdmin, …) and the
// CHECK constraints of migration 00007 enforce them too.
var (
	roles       = []string{"admin", "focal_point", "researcher", "enumerator"}
	scopedRoles = []string{"focal_point", "enumerator"}
)

// userName is what a user name may look like: lower case ASCII letters,
// digits and . _ @ -, at most 64 characters (the CHECK on app_user.name).
var userName = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

var alpha3 = regexp.MustCompile(`^[A-Z]{3}$`)

// NormalizeUserName is how names are stored and looked up: trimmed and in
// lower case, so "Ada" and "ada" are one user.
func NormalizeUserName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// User is an account of vahub serve. Countries (ISO 3166-1 alpha-3, sorted)
// scope a focal point or an enumerator.
type User struct {
	ID        int64          `db:"id" json:"id"`
	Name      string         `db:"name" json:"name"`
	Role      string         `db:"role" json:"role"`
	Countries pq.StringArray `db:"countries" json:"countries"`
	Disabled  bool           `db:"disabled" json:"disabled"`
	CreatedAt time.Time      `db:"created_at" json:"created_at"`
}

const userColumns = `u.id, u.name, u.role, u.countries, u.disabled, u.created_at`

// CreateUser adds a user. The name is normalised (NormalizeUserName);
// countries are sorted, deduplicated and must be known alpha-3 codes, and a
// focal point or enumerator needs at least one. passwordHash may be nil: a
// user without a password signs in with API tokens only. A taken name is
// ErrConflict; broken rules are ErrInvalid.
func (db *DB) CreateUser(ctx context.Context, name, role string, countries []string, passwordHash []byte) (User, error) {
	name = NormalizeUserName(name)
	cs, err := checkUser(name, role, countries)
	if err != nil {
		return User{}, err
	}
	var u User
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var unknown pq.StringArray
		if err := tx.GetContext(ctx, &unknown, `
			SELECT coalesce(array_agg(c ORDER BY c), '{}') FROM unnest($1::text[]) c
			WHERE NOT EXISTS (SELECT 1 FROM area WHERE code = c)`, pq.Array(cs)); err != nil {
			return fmt.Errorf("pg: create user: check countries: %w", err)
		}
		if len(unknown) > 0 {
			return fmt.Errorf("pg: create user: %w: unknown countr%s %s", ErrInvalid, plural(len(unknown), "y", "ies"), strings.Join(unknown, ", "))
		}
		now := db.Now()
		err := tx.GetContext(ctx, &u, `
			INSERT INTO app_user AS u (name, role, countries, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			RETURNING `+userColumns, name, role, pq.Array(cs), passwordHash, now)
		if pq.As(err, pqerror.UniqueViolation) != nil {
			return fmt.Errorf("pg: create user: %w: a user named %q", ErrConflict, name)
		}
		if pq.As(err, pqerror.CheckViolation) != nil {
			return fmt.Errorf("pg: create user: %w: %v", ErrInvalid, err)
		}
		if err != nil {
			return fmt.Errorf("pg: create user: %w", err)
		}
		return nil
	})
	return u, err
}

// checkUser validates a new user and returns its countries sorted and
// deduplicated.
func checkUser(name, role string, countries []string) ([]string, error) {
	if !userName.MatchString(name) {
		return nil, fmt.Errorf("pg: create user: %w: name %q: use 1 to 64 lower-case letters, digits and . _ @ -, starting with a letter or digit", ErrInvalid, name)
	}
	if !slices.Contains(roles, role) {
		return nil, fmt.Errorf("pg: create user: %w: role %q: want one of %s", ErrInvalid, role, strings.Join(roles, ", "))
	}
	cs := slices.Clone(countries)
	slices.Sort(cs)
	cs = slices.Compact(cs)
	for _, c := range cs {
		if !alpha3.MatchString(c) {
			return nil, fmt.Errorf("pg: create user: %w: country %q is not an ISO 3166-1 alpha-3 code", ErrInvalid, c)
		}
	}
	if len(cs) == 0 && slices.Contains(scopedRoles, role) {
		return nil, fmt.Errorf("pg: create user: %w: a %s needs at least one country", ErrInvalid, role)
	}
	if cs == nil {
		cs = []string{} // NULL would break NOT NULL
	}
	return cs, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// UserByName returns the user and their password hash (nil when they have
// none), or ErrNotFound. A disabled user is returned too, with Disabled
// set: a login must check it.
func (db *DB) UserByName(ctx context.Context, name string) (User, []byte, error) {
	var row struct {
		User
		Hash []byte `db:"password_hash"`
	}
	norm, err := lookupName(name)
	if err != nil {
		return User{}, nil, fmt.Errorf("pg: user %q: %w", name, err)
	}
	err = db.GetContext(ctx, &row, `SELECT `+userColumns+`, u.password_hash FROM app_user u WHERE u.name = $1`, norm)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, nil, fmt.Errorf("pg: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return User{}, nil, fmt.Errorf("pg: user by name: %w", err)
	}
	return row.User, row.Hash, nil
}

// ListUsers returns every user, disabled ones included, by name.
func (db *DB) ListUsers(ctx context.Context) ([]User, error) {
	var us []User
	if err := db.SelectContext(ctx, &us, `SELECT `+userColumns+` FROM app_user u ORDER BY u.name`); err != nil {
		return nil, fmt.Errorf("pg: list users: %w", err)
	}
	return us, nil
}

// DisableUser disables a user and ends their sessions; their tokens stop
// working (UserByTokenHash refuses a disabled user). Disabling a disabled
// user is not an error. An unknown name is ErrNotFound.
func (db *DB) DisableUser(ctx context.Context, name string) error {
	return db.setDisabled(ctx, name, true)
}

// EnableUser undoes DisableUser; tokens not revoked work again.
func (db *DB) EnableUser(ctx context.Context, name string) error {
	return db.setDisabled(ctx, name, false)
}

func (db *DB) setDisabled(ctx context.Context, name string, disabled bool) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := updateUser(ctx, tx, `UPDATE app_user SET disabled = $2, updated_at = $3 WHERE name = $1 RETURNING id`,
			name, disabled, db.Now())
		if err != nil {
			return fmt.Errorf("pg: disable user %q: %w", name, err)
		}
		if disabled {
			return endSessions(ctx, tx, id)
		}
		return nil
	})
}

// SetPassword replaces a user's password hash (nil removes the password)
// and ends their sessions, so a reset signs out every browser. An unknown
// name is ErrNotFound.
func (db *DB) SetPassword(ctx context.Context, name string, hash []byte) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := updateUser(ctx, tx, `UPDATE app_user SET password_hash = $2, updated_at = $3 WHERE name = $1 RETURNING id`,
			name, hash, db.Now())
		if err != nil {
			return fmt.Errorf("pg: set password of %q: %w", name, err)
		}
		return endSessions(ctx, tx, id)
	})
}

// lookupName normalises a name to look up; one no user can have (typed
// text may not even be storable) is ErrNotFound at once.
func lookupName(name string) (string, error) {
	norm := NormalizeUserName(name)
	if !userName.MatchString(norm) {
		return "", ErrNotFound
	}
	return norm, nil
}

// updateUser runs an UPDATE … WHERE name = $1 RETURNING id.
func updateUser(ctx context.Context, tx *sqlx.Tx, query string, name string, args ...any) (int64, error) {
	name, err := lookupName(name)
	if err != nil {
		return 0, err
	}
	args = append([]any{name}, args...)
	var id int64
	err = tx.GetContext(ctx, &id, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

func endSessions(ctx context.Context, tx *sqlx.Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM web_session WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("pg: end sessions: %w", err)
	}
	return nil
}

// Token is an API token as listed: never the token itself.
type Token struct {
	ID         int64      `db:"id" json:"id"`
	UserName   string     `db:"user_name" json:"user"`
	Label      string     `db:"label" json:"label"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
}

// CreateToken stores the SHA-256 of a new token for userName and returns its
// id. An unknown user is ErrNotFound; a disabled one ErrInvalid.
func (db *DB) CreateToken(ctx context.Context, userName string, tokenHash []byte, label string) (int64, error) {
	if len(tokenHash) != 32 {
		return 0, fmt.Errorf("pg: create token: %w: the hash must be a SHA-256 (32 bytes), got %d", ErrInvalid, len(tokenHash))
	}
	u, _, err := db.UserByName(ctx, userName)
	if err != nil {
		return 0, err
	}
	if u.Disabled {
		return 0, fmt.Errorf("pg: create token: %w: user %q is disabled", ErrInvalid, u.Name)
	}
	var id int64
	err = db.GetContext(ctx, &id, `
		INSERT INTO api_token (user_id, token_hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		u.ID, tokenHash, strings.TrimSpace(label), db.Now())
	if pq.As(err, pqerror.UniqueViolation) != nil {
		return 0, fmt.Errorf("pg: create token: %w", ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("pg: create token: %w", err)
	}
	return id, nil
}

// usageResolution bounds the writes a busy token or session causes:
// last_used_at and last_seen_at move at most once a minute.
const usageResolution = time.Minute

// UserByTokenHash returns the user of a token, or ErrNotFound when the token
// is unknown or revoked or its user disabled. It records the use
// (last_used_at, to the minute).
func (db *DB) UserByTokenHash(ctx context.Context, hash []byte) (User, error) {
	var row struct {
		User
		TokenID  int64      `db:"token_id"`
		LastUsed *time.Time `db:"last_used_at"`
	}
	err := db.GetContext(ctx, &row, `
		SELECT `+userColumns+`, t.id AS token_id, t.last_used_at
		FROM api_token t JOIN app_user u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("pg: token: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("pg: user by token: %w", err)
	}
	now := db.Now()
	if row.LastUsed == nil || now.Sub(*row.LastUsed) >= usageResolution {
		if _, err := db.ExecContext(ctx, `UPDATE api_token SET last_used_at = $2 WHERE id = $1`, row.TokenID, now); err != nil {
			return User{}, fmt.Errorf("pg: token use: %w", err)
		}
	}
	return row.User, nil
}

// RevokeToken revokes a token for good. An unknown id is ErrNotFound;
// revoking a revoked token is not an error (the first revocation's time
// is kept).
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	res, err := db.ExecContext(ctx, `UPDATE api_token SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, id, db.Now())
	if err != nil {
		return fmt.Errorf("pg: revoke token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("pg: revoke token: %w", err)
	} else if n == 0 {
		return fmt.Errorf("pg: token %d: %w", id, ErrNotFound)
	}
	return nil
}

// TokenByID returns one token (for the audit log and the admin pages), or
// ErrNotFound.
func (db *DB) TokenByID(ctx context.Context, id int64) (Token, error) {
	var t Token
	err := db.GetContext(ctx, &t, `
		SELECT t.id, u.name AS user_name, t.label, t.created_at, t.last_used_at, t.revoked_at
		FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("pg: token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("pg: token: %w", err)
	}
	return t, nil
}

// ListTokens returns the tokens of userName, revoked ones included, oldest
// first; userName "" lists every user's. An unknown user is ErrNotFound.
func (db *DB) ListTokens(ctx context.Context, userName string) ([]Token, error) {
	if userName != "" {
		if _, _, err := db.UserByName(ctx, userName); err != nil {
			return nil, err
		}
	}
	var ts []Token
	err := db.SelectContext(ctx, &ts, `
		SELECT t.id, u.name AS user_name, t.label, t.created_at, t.last_used_at, t.revoked_at
		FROM api_token t JOIN app_user u ON u.id = t.user_id
		WHERE $1 = '' OR u.name = $1
		ORDER BY t.id`, NormalizeUserName(userName))
	if err != nil {
		return nil, fmt.Errorf("pg: list tokens: %w", err)
	}
	return ts, nil
}

// CreateSession stores a browser session (the SHA-256 of its id) for
// userID, valid for ttl.
func (db *DB) CreateSession(ctx context.Context, idHash []byte, userID int64, ttl time.Duration) error {
	if len(idHash) != 32 {
		return fmt.Errorf("pg: create session: %w: the id hash must be a SHA-256 (32 bytes), got %d", ErrInvalid, len(idHash))
	}
	if ttl <= 0 {
		return fmt.Errorf("pg: create session: %w: ttl %v", ErrInvalid, ttl)
	}
	now := db.Now()
	_, err := db.ExecContext(ctx, `
		INSERT INTO web_session (id_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)`,
		idHash, userID, now, now.Add(ttl))
	switch {
	case pq.As(err, pqerror.UniqueViolation) != nil:
		return fmt.Errorf("pg: create session: %w", ErrConflict)
	case pq.As(err, pqerror.ForeignKeyViolation) != nil:
		return fmt.Errorf("pg: create session: user %d: %w", userID, ErrNotFound)
	case err != nil:
		return fmt.Errorf("pg: create session: %w", err)
	}
	return nil
}

// DeleteSession ends a session (logout). An unknown session is not an error.
func (db *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM web_session WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("pg: delete session: %w", err)
	}
	return nil
}

// maxAttemptField bounds what a failed login stores of a typed name or an
// address.
const maxAttemptField = 200

// clip makes s storable text (valid UTF-8 without NUL, which PostgreSQL
// refuses) of at most n characters.
func clip(s string, n int) string {
	s = storable(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// storable makes s storable in a text column: PostgreSQL refuses invalid UTF-8
// and NUL, and what a client typed may hold both.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// jsonbSafe replaces the escaped NUL (\u0000) that json.Marshal writes for
// a NUL in a string, which jsonb refuses, with U+FFFD. It walks the escapes,
// so an escaped backslash followed by "u0000" is left alone.
func jsonbSafe(b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			copy(b[i+2:i+6], "fffd")
		}
		i++ // skip the escaped character
	}
	return b
}

// RecordLoginAttempt records a failed login of name from remote.
func (db *DB) RecordLoginAttempt(ctx context.Context, name, remote string) error {
	_, err := db.ExecContext(ctx, `INSERT INTO login_attempt (name, remote, at) VALUES ($1, $2, $3)`,
		clip(NormalizeUserName(name), maxAttemptField), clip(remote, maxAttemptField), db.Now())
	if err != nil {
		return fmt.Errorf("pg: record login attempt: %w", err)
	}
	return nil
}

// RecentLoginFailures counts the failed logins at or after since of name
// from remote. An empty name or remote matches any: (name, "") counts a
// name's failures from every address, ("", remote) an address's failures
// for every name, so a server can throttle both.
func (db *DB) RecentLoginFailures(ctx context.Context, name, remote string, since time.Time) (int, error) {
	var n int
	err := db.GetContext(ctx, &n, `
		SELECT count(*) FROM login_attempt
		WHERE at >= $3 AND ($1 = '' OR name = $1) AND ($2 = '' OR remote = $2)`,
		clip(NormalizeUserName(name), maxAttemptField), clip(remote, maxAttemptField), since)
	if err != nil {
		return 0, fmt.Errorf("pg: count login failures: %w", err)
	}
	return n, nil
}

// ClearLoginAttempts forgets the failed logins of name from remote (after a
// successful login). An empty name or remote matches any, but not both.
func (db *DB) ClearLoginAttempts(ctx context.Context, name, remote string) error {
	name = clip(NormalizeUserName(name), maxAttemptField)
	remote = clip(remote, maxAttemptField)
	if name == "" && remote == "" {
		return fmt.Errorf("pg: clear login attempts: %w: give a name or an address", ErrInvalid)
	}
	_, err := db.ExecContext(ctx, `
		DELETE FROM login_attempt WHERE ($1 = '' OR name = $1) AND ($2 = '' OR remote = $2)`, name, remote)
	if err != nil {
		return fmt.Errorf("pg: clear login attempts: %w", err)
	}
	return nil
}

// PruneAccounts deletes expired sessions and the failed logins older than
// attemptsBefore; a server calls it now and then.
func (db *DB) PruneAccounts(ctx context.Context, attemptsBefore time.Time) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_session WHERE expires_at <= $1`, db.Now()); err != nil {
			return fmt.Errorf("pg: prune sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempt WHERE at < $1`, attemptsBefore); err != nil {
			return fmt.Errorf("pg: prune login attempts: %w", err)
		}
		return nil
	})
}

// AuditEntry is one write to remember: who (Actor: a user name, or
// "cli:<os user>"), what (Action, Object), which file (its SHA-256, hex),
// from where (Remote), and anything else in Detail (stored as JSON).
type AuditEntry struct {
	Actor      string         `json:"actor"`
	Action     string         `json:"action"`
	Object     string         `json:"object"`
	FileSHA256 string         `json:"file_sha256"`
	Remote     string         `json:"remote"`
	Detail     map[string]any `json:"detail"`
}

// AuditRow is an entry of the audit log as stored.
type AuditRow struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	AuditEntry
}

// Audit appends an entry to the audit log. Actor and Action are required.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	return audit(ctx, db, db.Now(), e)
}

func audit(ctx context.Context, ex sqlx.ExecerContext, at time.Time, e AuditEntry) error {
	if strings.TrimSpace(e.Actor) == "" || strings.TrimSpace(e.Action) == "" {
		return fmt.Errorf("pg: audit: %w: an entry needs an actor and an action", ErrInvalid)
	}
	var detail *string
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("pg: audit: detail: %w", err)
		}
		s := string(jsonbSafe(b))
		detail = &s
	}
	_, err := ex.ExecContext(ctx, `
		INSERT INTO audit_log (at, actor, action, object, file_sha256, remote, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, at, storable(e.Actor), storable(e.Action), storable(e.Object), storable(e.FileSHA256), storable(e.Remote), detail)
	if err != nil {
		return fmt.Errorf("pg: audit: %w", err)
	}
	return nil
}

// Bounds of AuditLog's limit.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 10000
)

// AuditLog returns the newest entries, newest first: limit of them (100
// when limit <= 0, at most 10,000).
func (db *DB) AuditLog(ctx context.Context, limit int) ([]AuditRow, error) {
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	limit = min(limit, maxAuditLimit)
	rows, err := db.QueryContext(ctx, `
		SELECT id, at, actor, action, object, file_sha256, remote, detail
		FROM audit_log ORDER BY at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("pg: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditRow
	for rows.Next() {
		var r AuditRow
		var detail []byte
		if err := rows.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Object, &r.FileSHA256, &r.Remote, &detail); err != nil {
			return nil, fmt.Errorf("pg: audit log: %w", err)
		}
		if detail != nil {
			if err := json.Unmarshal(detail, &r.Detail); err != nil {
				return nil, fmt.Errorf("pg: audit log %d: detail: %w", r.ID, err)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pg: audit log: %w", err)
	}
	return out, nil
}
