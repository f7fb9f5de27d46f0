package normalize

import "testing"

func TestWGAnswer(t *testing.T) {
	checkLabels(t, "WGAnswer", WGAnswer, []labelCase{
		{"no_difficulty", WGNoDifficulty}, {"1", WGNoDifficulty}, {"No difficulty", WGNoDifficulty},
		{"No - no difficulty", WGNoDifficulty}, {"aucune difficulté", WGNoDifficulty},
		{"ninguna dificultad", WGNoDifficulty},
		{"some_difficulty", WGSomeDifficulty}, {"2", WGSomeDifficulty}, {"Yes - some difficulty", WGSomeDifficulty},
		{"quelques difficultés", WGSomeDifficulty}, {"alguna dificultad", WGSomeDifficulty},
		{"a_lot_of_difficulty", WGALot}, {"3", WGALot}, {"A lot of difficulty", WGALot},
		{"beaucoup de difficultés", WGALot}, {"mucha dificultad", WGALot},
		{"cannot_do_at_all", WGCannot}, {"4", WGCannot}, {"Cannot do at all", WGCannot},
		{"ne peut pas du tout", WGCannot}, {"no puede hacerlo", WGCannot},
		{"refused", WGRefused}, {"PNTA", WGRefused}, {"prefer not to answer", WGRefused}, {"refusé", WGRefused},
		{"dont_know", WGDontKnow}, {"DNK", WGDontKnow}, {"don't know", WGDontKnow}, {"Don’t know", WGDontKnow},
		{"ne sait pas", WGDontKnow}, {"no sabe", WGDontKnow},
		{"5", ""}, {"", ""}, {"yes", ""},
	})
}

func TestDisability(t *testing.T) {
	six := func(a ...string) []string { return a }
	tests := []struct {
		answers []string
		want    string
	}{
		{six("1", "1", "1", "1", "1", "1"), "no"},
		{six("1", "2", "2", "1", "2", "1"), "no"},
		{six("1", "1", "3", "1", "1", "1"), "yes"},
		{six("no_difficulty", "cannot_do_at_all", "", "", "", ""), "yes"},
		{six("1", "1", "1", "1", "1", "refused"), "unknown"},
		{six("1", "1", "1", "1", "1", "dont_know"), "unknown"},
		{six("1", "1", "1", "1", "1", ""), "unknown"},
		{six("1", "1", "1", "1", "1", "???"), "unknown"},
		{six("1", "1", "1", "1", "1"), "unknown"},
		{six("1", "1", "1", "1", "refused", "a lot of difficulty"), "yes"},
		{nil, "unknown"},
	}
	for _, tt := range tests {
		if got := Disability(tt.answers...); got != tt.want {
			t.Errorf("Disability(%q) = %q, want %q", tt.answers, got, tt.want)
		}
	}
}
