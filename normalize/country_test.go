package normalize

import "testing"

func TestCountry(t *testing.T) {
	checkLabels(t, "Country", Country, []labelCase{
		{"LAO", "LAO"}, {"lao", "LAO"}, {"LA", "LAO"}, {"418", "LAO"}, {"Lao PDR", "LAO"},
		{"VA", "VAT"}, {"Holy See", "VAT"}, {"XK", "XKX"}, {"XKX", "XKX"}, {"EH", "ESH"},
		{"Nagorno-Karabakh", "XNK"}, {"Bosnia & Herzegovina", "BIH"}, {"República Democrática Popular Lao", "LAO"},
		{"4", ""}, {"Korea", ""}, {"", ""}, {"n/a", ""},
	})
}
