package auth

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pw      string
		wantErr bool
	}{
		{"empty", "", true},
		{"nine characters", "123456789", true},
		{"nine characters, multibyte", "ééééééééé", true},
		{"ten characters", "0123456789", false},
		{"ten characters, multibyte", "éééééééééé", false},
		{"passphrase", "correct horse battery staple", false},
		{"72 bytes", strings.Repeat("a", 72), false},
		{"73 bytes", strings.Repeat("a", 73), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := HashPassword(tt.pw)
			if tt.wantErr {
				if !errors.Is(err, ErrWeakPassword) {
					t.Fatalf("HashPassword(%q) error = %v, want ErrWeakPassword", tt.pw, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("HashPassword: %v", err)
			}
			if !bytes.HasPrefix(h, []byte("$2a$12$")) {
				t.Errorf("hash %q: want bcrypt cost 12", h)
			}
			if !CheckPassword(h, tt.pw) {
				t.Error("CheckPassword(right password) = false")
			}
			if CheckPassword(h, tt.pw+"x") {
				t.Error("CheckPassword(wrong password) = true")
			}
		})
	}
}

func TestPasswordErrorSaysWhy(t *testing.T) {
	t.Parallel()
	_, err := HashPassword("short")
	if err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Fatalf("error %v: want it to say the minimum length", err)
	}
}

func TestCheckPasswordWithoutHash(t *testing.T) {
	t.Parallel()
	for _, h := range [][]byte{nil, {}, []byte("not a bcrypt hash")} {
		if CheckPassword(h, "0123456789") {
			t.Errorf("CheckPassword(%q) = true", h)
		}
	}
}

func TestTokensAndSessions(t *testing.T) {
	t.Parallel()
	gens := map[string]func() (string, []byte, error){"token": NewToken, "session": NewSessionID}
	for name, gen := range gens {
		seen := map[string]bool{}
		for range 100 {
			s, h, err := gen()
			if err != nil {
				t.Fatal(err)
			}
			if seen[s] {
				t.Fatalf("%s %q twice", name, s)
			}
			seen[s] = true
			want := sha256.Sum256([]byte(s))
			if !bytes.Equal(h, want[:]) || !bytes.Equal(HashToken(s), want[:]) {
				t.Fatalf("%s hash is not sha256 of %q", name, s)
			}
			body := s
			if name == "token" {
				var ok bool
				if body, ok = strings.CutPrefix(s, "vahub_"); !ok {
					t.Fatalf("token %q lacks the vahub_ prefix", s)
				}
				if !LooksLikeToken(s) {
					t.Fatalf("LooksLikeToken(%q) = false", s)
				}
			}
			if len(body) != 43 || strings.ContainsAny(body, "+/=") {
				t.Fatalf("%s %q: want 43 base64url characters", name, s)
			}
		}
	}
	for _, s := range []string{"", "vahub_", "vahub_short", "bearer", "vahub_" + strings.Repeat("+", 43)} {
		if LooksLikeToken(s) {
			t.Errorf("LooksLikeToken(%q) = true", s)
		}
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	for _, r := range Roles {
		if !ValidRole(r) {
			t.Errorf("ValidRole(%q) = false", r)
		}
	}
	for _, r := range []string{"", "Admin", "root", "focal point"} {
		if ValidRole(r) {
			t.Errorf("ValidRole(%q) = true", r)
		}
	}
	if !Scoped(RoleFocalPoint) || !Scoped(RoleEnumerator) || Scoped(RoleAdmin) || Scoped(RoleResearcher) {
		t.Error("Scoped: want exactly focal_point and enumerator")
	}
}

// The whole policy, spelled out: every role × action × country (own, other,
// none). own is LAO, the principal's country (for unscoped roles it is just
// a country); other is LBN; none is "" (every country / no country).
func TestCan(t *testing.T) {
	t.Parallel()
	type want struct{ own, other, none bool }
	var (
		all  = want{true, true, true}
		own  = want{true, false, false}
		deny = want{false, false, false}
	)
	principals := map[string]Principal{
		RoleAdmin:      {Name: "ada", Role: RoleAdmin},
		RoleFocalPoint: {Name: "fp", Role: RoleFocalPoint, Countries: []string{"LAO", "KHM"}},
		RoleResearcher: {Name: "rita", Role: RoleResearcher},
		RoleEnumerator: {Name: "enum", Role: RoleEnumerator, Countries: []string{"LAO"}},
	}
	matrix := map[string]map[Action]want{
		RoleAdmin: {
			ActUpload: all, ActViewSubmissions: all, ActApprove: all, ActViewFacts: all,
			ActExport: all, ActManageUsers: all, ActViewRuns: all, ActSubmitSurvey: all,
			ActViewSurveys: all,
		},
		RoleFocalPoint: {
			ActUpload: own, ActViewSubmissions: own, ActApprove: deny, ActViewFacts: own,
			ActExport: own, ActManageUsers: deny, ActViewRuns: deny, ActSubmitSurvey: deny,
			ActViewSurveys: deny,
		},
		RoleResearcher: {
			ActUpload: deny, ActViewSubmissions: deny, ActApprove: deny, ActViewFacts: all,
			ActExport: all, ActManageUsers: deny, ActViewRuns: deny, ActSubmitSurvey: deny,
			ActViewSurveys: deny,
		},
		RoleEnumerator: {
			ActUpload: deny, ActViewSubmissions: deny, ActApprove: deny, ActViewFacts: deny,
			ActExport: deny, ActManageUsers: deny, ActViewRuns: deny, ActSubmitSurvey: own,
			ActViewSurveys: own,
		},
	}
	for _, role := range Roles {
		if len(matrix[role]) != len(Actions) {
			t.Fatalf("matrix for %s covers %d of %d actions", role, len(matrix[role]), len(Actions))
		}
		for _, a := range Actions {
			w, ok := matrix[role][a]
			if !ok {
				t.Fatalf("matrix lacks %s × %s", role, a)
			}
			p := principals[role]
			for _, c := range []struct {
				label, country string
				want           bool
			}{{"own", "LAO", w.own}, {"other", "LBN", w.other}, {"none", "", w.none}} {
				if got := Can(p, a, c.country); got != c.want {
					t.Errorf("Can(%s, %s, %s country %q) = %v, want %v", role, a, c.label, c.country, got, c.want)
				}
			}
		}
	}
	// A focal point's second country is theirs too.
	if !Can(principals[RoleFocalPoint], ActUpload, "KHM") {
		t.Error("focal point may not upload for their second country")
	}
}

func TestCanRefusesOddPrincipals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Principal
	}{
		{"no role", Principal{Name: "x", Countries: []string{"LAO"}}},
		{"unknown role", Principal{Name: "x", Role: "superuser", Countries: []string{"LAO"}}},
		{"role in capitals", Principal{Name: "x", Role: "ADMIN"}},
		{"focal point without countries", Principal{Name: "x", Role: RoleFocalPoint}},
		{"enumerator without countries", Principal{Name: "x", Role: RoleEnumerator}},
	}
	for _, tt := range tests {
		for _, a := range append(Actions, Action("unknown")) {
			for _, c := range []string{"LAO", "LBN", ""} {
				if Can(tt.p, a, c) {
					t.Errorf("%s: Can(%s, %q) = true", tt.name, a, c)
				}
			}
		}
	}
	// Country codes are compared exactly: callers normalise first.
	fp := Principal{Name: "fp", Role: RoleFocalPoint, Countries: []string{"LAO"}}
	for _, c := range []string{"lao", "LA", " LAO"} {
		if Can(fp, ActUpload, c) {
			t.Errorf("Can(focal point LAO, upload, %q) = true", c)
		}
	}
}
