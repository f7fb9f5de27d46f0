package survey

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The fast canonical JSON is byte for byte the generic one, for records
// with every mix of answered and unanswered questions, odd free text, and
// keys outside the form (which take the generic path).
func TestAnswersJSONFastPath(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	for i := 0; i < 2000; i++ {
		r := Record{Consent: pick("yes", "no", ""), Country: pick("LAO", "", "COL"), Admin1: pick("", "Xieng <Khouang> & \"co\"", "Région\n1", "plain"),
			Sex: pick("", "female", "male"), VictimType: pick("", "survivor"), Cause: pick("", "landmine"),
			WG: map[string]string{}, Need: map[string]string{}, Received: map[string]string{}}
		if rng.IntN(2) == 0 {
			a := rng.IntN(100)
			r.Age = &a
		}
		if rng.IntN(2) == 0 {
			y := 1990 + rng.IntN(30)
			r.IncidentYear = &y
		}
		if rng.IntN(2) == 0 {
			d := time.Date(2024, 3, 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			r.InterviewDate = &d
		}
		for _, d := range WGDomains {
			if v := pick("", "no_difficulty", "refused"); v != "" || rng.IntN(4) == 0 {
				r.WG[d] = v
			}
		}
		for _, p := range ServicePillars {
			r.Need[p] = pick("", "yes", "no")
			if rng.IntN(2) == 0 {
				r.Received[p] = pick("yes", "no")
			}
		}
		if i%100 == 0 {
			r.Need["coordination"] = "yes"
		}
		fast, ok := r.answersFast()
		if i%100 == 0 {
			if ok {
				t.Fatalf("a key outside the form took the fast path")
			}
			continue
		}
		if !ok {
			t.Fatalf("fast path refused %+v", r)
		}
		if generic := r.answersGeneric(); string(fast) != string(generic) {
			t.Fatalf("fast %s\ngeneric %s", fast, generic)
		}
	}
}
