package normalize

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Côte d’Ivoire ", "cote d ivoire"},
		{"COTE D'IVOIRE", "cote d ivoire"},
		{"Bosnia & Herzegovina", "bosnia and herzegovina"},
		{"Gambia (the)", "gambia"},
		{"The Gambia", "gambia"},
		{"Theodore", "theodore"},
		{"São Tomé and Príncipe", "sao tome and principe"},
		{"Sin Información", "sin informacion"},
		{"niños", "ninos"},
		{"wg_ss/wg_seeing", "wg ss wg seeing"},
		{"œuvre", "oeuvre"},
		{"Ｆｕｌｌ\u00a0width", "full width"},
		{"a\t\n b", "a b"},
		{"---", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
