package survey

import "testing"

// AgeBand uses normalize's bands; an age the form would refuse (over 120)
// is still 60+, as before the bands were shared.
func TestAgeBand(t *testing.T) {
	n := func(v int) *int { return &v }
	for _, tt := range []struct {
		age  *int
		want string
	}{
		{nil, ""}, {n(-1), ""}, {n(0), "0-4"}, {n(4), "0-4"}, {n(5), "5-9"}, {n(14), "10-14"},
		{n(17), "15-17"}, {n(18), "18-24"}, {n(59), "25-59"}, {n(60), "60+"}, {n(120), "60+"}, {n(121), "60+"},
	} {
		if got := AgeBand(tt.age); got != tt.want {
			t.Errorf("AgeBand(%v) = %q, want %q", tt.age, got, tt.want)
		}
	}
}
