package normalize

import "github.com/vahub/vahub/normalize/internal/fold"

// Fold is the matching key every label lookup uses: Unicode NFKD with the
// combining marks removed, lower case, "&" as "and", "(the)" and a leading
// "the " dropped, every run of characters that are not letters or digits
// turned into one space, trimmed. "Côte d’Ivoire", "COTE D'IVOIRE" and
// "cote d ivoire" all fold to "cote d ivoire".
func Fold(s string) string { return fold.Key(s) }
