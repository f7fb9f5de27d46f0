package normalize

// Washington Group Short Set answer codes, as vahub's survey stores them.
const (
	WGNoDifficulty   = "no_difficulty"
	WGSomeDifficulty = "some_difficulty"
	WGALot           = "a_lot_of_difficulty"
	WGCannot         = "cannot_do_at_all"
	WGRefused        = "refused"
	WGDontKnow       = "dont_know"
)

var wgAnswers = newLabels(map[string][]string{
	WGNoDifficulty: {WGNoDifficulty, "1", "no difficulty", "no - no difficulty", "no, no difficulty",
		"pas de difficulté", "aucune difficulté", "non, aucune difficulté", "non - aucune difficulté",
		"ninguna dificultad", "no, ninguna dificultad", "no - ninguna dificultad", "sin dificultad",
		"no tiene dificultad"},
	WGSomeDifficulty: {WGSomeDifficulty, "2", "some difficulty", "yes - some difficulty", "yes, some difficulty",
		"quelques difficultés", "oui, quelques difficultés", "oui - quelques difficultés", "une certaine difficulté",
		"certaines difficultés", "alguna dificultad", "sí, alguna dificultad", "sí - alguna dificultad",
		"algo de dificultad", "cierta dificultad"},
	WGALot: {WGALot, "3", "a lot of difficulty", "yes - a lot of difficulty", "yes, a lot of difficulty",
		"lots of difficulty", "beaucoup de difficultés", "oui, beaucoup de difficultés",
		"oui - beaucoup de difficultés", "mucha dificultad", "sí, mucha dificultad", "sí - mucha dificultad"},
	WGCannot: {WGCannot, "4", "cannot do at all", "cannot do it at all", "can't do at all", "unable to do",
		"ne peut pas du tout", "ne peut pas le faire du tout", "ne peut pas faire du tout", "incapable de le faire",
		"no puede hacerlo", "no puede hacerlo en absoluto", "no puede hacerlo de ninguna manera",
		"de ninguna manera puede hacerlo", "no puede en absoluto"},
	// 7 and 8 are the WG's own codes for refused and don't know.
	WGRefused: {WGRefused, "7", "refused", "refusal", "pnta", "prefer not to answer", "prefer not to say",
		"refusé", "refus", "préfère ne pas répondre", "rechazado", "se negó", "no responde", "prefiere no responder"},
	WGDontKnow: {WGDontKnow, "8", "don't know", "do not know", "dnk", "dk", "ne sait pas", "nsp", "no sabe", "ns"},
})

// WGAnswer maps an answer to a Washington Group Short Set question (code,
// label in EN/FR/ES, or the WG's numbers 1-4, 7 refused, 8 don't know) to
// the survey's answer code.
func WGAnswer(label string) (string, bool) { return wgAnswers.get(label) }

// Disability derives the disability flag from the six Short Set answers
// (codes or labels), by the WG cut-off: "yes" if any answer is "a lot of
// difficulty" or "cannot do at all"; otherwise "unknown" if any answer is
// refused, don't know, blank or unreadable, or fewer than six are given;
// otherwise "no".
func Disability(answers ...string) string {
	unknown := len(answers) < 6
	for _, a := range answers {
		c, ok := WGAnswer(a)
		switch {
		case c == WGALot || c == WGCannot:
			return "yes"
		case !ok || c == WGRefused || c == WGDontKnow:
			unknown = true
		}
	}
	if unknown {
		return "unknown"
	}
	return "no"
}
