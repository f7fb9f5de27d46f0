package normalize

// TEMPORARY minimal implementations so that other packages compile while the
// full normalize package is written. The normalize helper replaces this file.

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/schema"
)

var (
	ErrNotNumber = errors.New("not a number")
	ErrNegative  = errors.New("negative count")
	ErrFraction  = errors.New("not a whole number")
)

// Count parses a count cell as written in a report in language lang.
func Count(raw, lang string) (schema.Value, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return schema.Value{}, nil // State "" means blank: no fact
	}
	switch strings.ToLower(s) {
	case "unknown", "inconnu", "desconocido", "sin información":
		return schema.Value{State: schema.StateUnknown}, nil
	case "n/a":
		return schema.Value{State: schema.StateNotApplicable}, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		return schema.Value{}, ErrNotNumber
	}
	if n < 0 {
		return schema.Value{}, ErrNegative
	}
	return schema.Value{State: schema.StateReported, People: &n, Qualifier: schema.QualExact}, nil
}

// Country maps a country name or code in any supported language to alpha-3.
func Country(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 3 {
		return s, true
	}
	return "", false
}

// Status maps a yes/no/partial/unknown label to its code.
func Status(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "oui", "sí", "si":
		return "yes", true
	case "no", "non":
		return "no", true
	case "partial", "partiel", "parcial":
		return "partial", true
	case "unknown", "inconnu", "desconocido":
		return "unknown", true
	}
	return "", false
}

// Date parses a date as written in a report (dd/mm/yyyy, yyyy-mm-dd, "1 January 2023").
func Date(s string) (time.Time, error) {
	for _, l := range []string{"02/01/2006", "2006-01-02", "2 January 2006"} {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a date")
}

// ExcelDate converts an Excel serial day number to a date.
func ExcelDate(serial float64, date1904 bool) time.Time {
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return base.AddDate(0, 0, int(serial))
}
