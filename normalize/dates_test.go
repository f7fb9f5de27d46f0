package normalize

import (
	"errors"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"01/02/2023", day(2023, 2, 1)},
		{"1/2/2023", day(2023, 2, 1)},
		{"31/12/2023", day(2023, 12, 31)},
		{"03/04/2023", day(2023, 4, 3)},
		{"01.02.2023", day(2023, 2, 1)},
		{"01-02-2023", day(2023, 2, 1)},
		{"2023-02-01", day(2023, 2, 1)},
		{"2023-02-01T10:11:12.000+02:00", day(2023, 2, 1)},
		{"2023-02-01 10:11", day(2023, 2, 1)},
		{"1 January 2023", day(2023, 1, 1)},
		{"January 1, 2023", day(2023, 1, 1)},
		{"Jan. 1, 2023", day(2023, 1, 1)},
		{"1st January 2023", day(2023, 1, 1)},
		{"1er janvier 2023", day(2023, 1, 1)},
		{"1 janvier 2023", day(2023, 1, 1)},
		{"15 août 2022", day(2022, 8, 15)},
		{"lundi 2 janvier 2023", day(2023, 1, 2)},
		{"1 de enero de 2023", day(2023, 1, 1)},
		{"1 enero 2023", day(2023, 1, 1)},
		{"30 de septiembre del 2021", day(2021, 9, 30)},
		{"1º de marzo de 2015", day(2015, 3, 1)},
		{" 29/02/2024 ", day(2024, 2, 29)},
	}
	for _, tt := range tests {
		got, err := Date(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Date(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2023", "31/04/2023", "29/02/2023", "13/13/2023", "01/02/23",
		"01/02-2023", "January 2023", "32 January 2023", "1 Foo 2023", "1 January 2023 2024", "0/1/2023"} {
		if got, err := Date(bad); !errors.Is(err, ErrNotDate) {
			t.Errorf("Date(%q) = %v, %v; want ErrNotDate", bad, got, err)
		}
	}
}

func TestExcelDate(t *testing.T) {
	tests := []struct {
		serial float64
		d1904  bool
		want   time.Time
	}{
		{1, false, day(1900, 1, 1)},
		{59, false, day(1900, 2, 28)},
		{60, false, day(1900, 3, 1)}, // Excel's 29 Feb 1900
		{61, false, day(1900, 3, 1)},
		{45000, false, day(2023, 3, 15)},
		{45000.5, false, day(2023, 3, 15).Add(12 * time.Hour)},
		{0, true, day(1904, 1, 1)},
		{43538, true, day(2023, 3, 15)},
		{-1, false, time.Time{}},
	}
	for _, tt := range tests {
		if got := ExcelDate(tt.serial, tt.d1904); !got.Equal(tt.want) {
			t.Errorf("ExcelDate(%v, %v) = %v, want %v", tt.serial, tt.d1904, got, tt.want)
		}
	}
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		in         string
		start, end time.Time
	}{
		{"du 01/01/2024 au 31/12/2024", day(2024, 1, 1), day(2024, 12, 31)},
		{"Du 1er janvier 2023 au 31 décembre 2023", day(2023, 1, 1), day(2023, 12, 31)},
		{"from 1 January 2023 to 31 December 2023", day(2023, 1, 1), day(2023, 12, 31)},
		{"01/01/2020 to 31/12/2020", day(2020, 1, 1), day(2020, 12, 31)},
		{"01/01/2020 - 31/12/2020", day(2020, 1, 1), day(2020, 12, 31)},
		{"01/01/2020-31/12/2020", day(2020, 1, 1), day(2020, 12, 31)},
		{"01-01-2020 - 31-12-2020", day(2020, 1, 1), day(2020, 12, 31)},
		{"2020-01-01/2020-12-31", time.Time{}, time.Time{}}, // "/" is not a join: refused
		{"del 1 de enero de 2023 al 31 de diciembre de 2023", day(2023, 1, 1), day(2023, 12, 31)},
		{"1 January – 31 December 2023", day(2023, 1, 1), day(2023, 12, 31)},
		{"1 March 2015 – 31 October 2017", day(2015, 3, 1), day(2017, 10, 31)},
		{"1–31 January 2023", day(2023, 1, 1), day(2023, 1, 31)},
		{"January – June 2023", day(2023, 1, 1), day(2023, 6, 30)},
		{"Reporting period: 1 January 2022 to 31 December 2022", day(2022, 1, 1), day(2022, 12, 31)},
		{"2023", day(2023, 1, 1), day(2023, 12, 31)},
		{"2020-2021", day(2020, 1, 1), day(2021, 12, 31)},
		{"February 2024", time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		s, e, err := Period(tt.in)
		if tt.start.IsZero() {
			if err == nil {
				t.Errorf("Period(%q) = %v, %v; want error", tt.in, s, e)
			}
			continue
		}
		if err != nil || !s.Equal(tt.start) || !e.Equal(tt.end) {
			t.Errorf("Period(%q) = %v, %v, %v; want %v, %v", tt.in, s, e, err, tt.start, tt.end)
		}
	}
	if _, _, err := Period("31/12/2024 - 01/01/2024"); !errors.Is(err, ErrNotDate) {
		t.Errorf("reversed period: err = %v", err)
	}
}
