// Package auth holds vahub's rules about who may do what, and the
// primitives behind them: password hashing, API tokens and session ids.
// It does no I/O; the store keeps users, tokens and sessions (schema/pg),
// the web server and the command line apply the rules.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Roles. A focal point and an enumerator are scoped to their countries;
// an admin and a researcher are not.
const (
	RoleAdmin      = "admin"       // data officer: everything
	RoleFocalPoint = "focal_point" // a country's reporting officer
	RoleResearcher = "researcher"  // reads aggregates and exports
	RoleEnumerator = "enumerator"  // submits surveys with an API token
)

// Roles lists every role, in the order help texts show them.
var Roles = []string{RoleAdmin, RoleFocalPoint, RoleResearcher, RoleEnumerator}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Scoped reports whether role acts only for its own countries, and so
// needs at least one.
func Scoped(role string) bool { return role == RoleFocalPoint || role == RoleEnumerator }

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// maxPasswordBytes is bcrypt's limit: it ignores (x/crypto: refuses) bytes past 72.
const maxPasswordBytes = 72

// bcryptCost is the work factor of new hashes (about 0.25 s a check on a
// 2-core machine: slow for an attacker, unnoticeable at login).
const bcryptCost = 12

// ErrWeakPassword is returned for a password too short (or too long) to use.
var ErrWeakPassword = errors.New("auth: weak password")

// HashPassword returns the bcrypt hash of pw. It refuses a password shorter
// than MinPasswordLen characters or longer than bcrypt's 72 bytes.
func HashPassword(pw string) ([]byte, error) {
	if n := len([]rune(pw)); n < MinPasswordLen {
		return nil, fmt.Errorf("%w: a password needs at least %d characters, this one has %d", ErrWeakPassword, MinPasswordLen, n)
	}
	if len(pw) > maxPasswordBytes {
		return nil, fmt.Errorf("%w: a password may have at most %d bytes, this one has %d", ErrWeakPassword, maxPasswordBytes, len(pw))
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("auth: hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether pw matches hash. An empty hash (a user
// who has no password, e.g. a token-only enumerator) matches nothing.
func CheckPassword(hash []byte, pw string) bool {
	if len(hash) == 0 || len(pw) > maxPasswordBytes {
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(pw)) == nil
}

// TokenPrefix starts every API token, so a leaked one is recognisable
// (secret scanners, logs).
const TokenPrefix = "vahub_"

// NewToken returns a new API token, "vahub_" and 32 random bytes in
// base64url, and the SHA-256 the store keeps instead of the token.
func NewToken() (token string, hash []byte, err error) {
	token, err = randomID(TokenPrefix)
	if err != nil {
		return "", nil, err
	}
	return token, HashToken(token), nil
}

// HashToken is the SHA-256 of a token (or session id): what the store keeps
// and looks up. Tokens have 256 random bits, so a fast hash is enough.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewSessionID returns a new session id (32 random bytes, base64url) for a
// cookie and its SHA-256 for the store.
func NewSessionID() (id string, hash []byte, err error) {
	id, err = randomID("")
	if err != nil {
		return "", nil, err
	}
	return id, HashToken(id), nil
}

func randomID(prefix string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// LooksLikeToken reports whether s has the shape of a vahub token, so a
// caller can refuse garbage before hashing and looking it up.
func LooksLikeToken(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	return ok && len(rest) == 43 && strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}
