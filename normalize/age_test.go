package normalize

import "testing"

func TestAgeBand(t *testing.T) {
	tests := []struct {
		years int
		want  string
	}{
		{0, "0-4"}, {4, "0-4"}, {5, "5-9"}, {9, "5-9"}, {10, "10-14"}, {14, "10-14"}, {15, "15-17"},
		{17, "15-17"}, {18, "18-24"}, {24, "18-24"}, {25, "25-59"}, {59, "25-59"}, {60, "60+"}, {120, "60+"},
		{-1, ""}, {121, ""},
	}
	for _, tt := range tests {
		if got := AgeBand(tt.years); got != tt.want {
			t.Errorf("AgeBand(%d) = %q, want %q", tt.years, got, tt.want)
		}
	}
}

func TestAgeGroupOf(t *testing.T) {
	tests := []struct {
		years int
		want  string
	}{{0, "child"}, {17, "child"}, {18, "adult"}, {120, "adult"}, {-1, "unknown"}, {121, "unknown"}, {999, "unknown"}}
	for _, tt := range tests {
		if got := AgeGroupOf(tt.years); got != tt.want {
			t.Errorf("AgeGroupOf(%d) = %q, want %q", tt.years, got, tt.want)
		}
	}
}

func TestAgeGroupOfBand(t *testing.T) {
	checkLabels(t, "AgeGroupOfBand", AgeGroupOfBand, []labelCase{
		{"0-17", "child"}, {"0-4", "child"}, {"15-17", "child"}, {"0 – 17 years", "child"},
		{"de 0 a 17 años", "child"}, {"5 to 9", "child"},
		{"18-64", "adult"}, {"18-24", "adult"}, {"25-59", "adult"}, {"65+", "adult"}, {"60+", "adult"},
		{"60 +", "adult"}, {"≥18", "adult"}, {"> 17", "adult"},
		{"Menor de 18 años", "child"}, {"menores de 18 años", "child"}, {"moins de 18 ans", "child"},
		{"under 18", "child"}, {"Under 5", "child"}, {"< 18", "child"}, {"<=17", "child"},
		{"Mayor de 18 años", "adult"}, {"mayores de 18", "adult"}, {"plus de 18 ans", "adult"},
		{"18 and over", "adult"}, {"18 ans et plus", "adult"}, {"18 y más", "adult"}, {"over 18", "adult"},
		{"adult", "adult"}, {"Adults", "adult"}, {"adultes", "adult"}, {"mayor de edad", "adult"},
		{"child", "child"}, {"Children", "child"}, {"enfants", "child"}, {"menores de edad", "child"},
		{"unknown", "unknown"}, {"age unknown", "unknown"}, {"all", "total"},
		{"10-24", ""}, {"0-64", ""}, {"17-5", ""}, {"under 25", ""}, {"12+", ""}, {"0-200", ""}, {"", ""},
		{"banana", ""},
	})
}
