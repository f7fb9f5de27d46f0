package normalize

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vahub/vahub/normalize/internal/fold"
)

// ErrNotDate is wrapped by Date and Period with the text they could not read.
var ErrNotDate = errors.New("not a date")

var months = map[string]time.Month{}

func init() {
	for m, names := range map[time.Month][]string{
		time.January:   {"january", "jan", "janvier", "janv", "enero", "ene"},
		time.February:  {"february", "feb", "fevrier", "fevr", "fev", "febrero"},
		time.March:     {"march", "mar", "mars", "marzo"},
		time.April:     {"april", "apr", "avril", "avr", "abril", "abr"},
		time.May:       {"may", "mai", "mayo"},
		time.June:      {"june", "jun", "juin", "junio"},
		time.July:      {"july", "jul", "juillet", "juil", "julio"},
		time.August:    {"august", "aug", "aout", "agosto", "ago"},
		time.September: {"september", "sep", "sept", "septembre", "septiembre", "setiembre", "set"},
		time.October:   {"october", "oct", "octobre", "octubre"},
		time.November:  {"november", "nov", "novembre", "noviembre"},
		time.December:  {"december", "dec", "decembre", "diciembre", "dic"},
	} {
		for _, n := range names {
			months[n] = m
		}
	}
}

// Words that decorate a written date without changing it.
var dateFiller = map[string]bool{
	"de": true, "del": true, "of": true, "the": true, "le": true, "el": true, "on": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"lundi": true, "mardi": true, "mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
	"lunes": true, "martes": true, "miercoles": true, "jueves": true, "viernes": true, "sabado": true, "domingo": true,
}

var (
	dayFirst = regexp.MustCompile(`^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})$`)
	isoDate  = regexp.MustCompile(`^(\d{4})([/.-])(\d{1,2})([/.-])(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$`)
	dayToken = regexp.MustCompile(`^(\d{1,2})(?:er|st|nd|rd|th|o)?$`)
)

// Date reads a date as written in a report and returns it at UTC midnight.
// Numeric dates are always day first (dd/mm/yyyy, d/m/yyyy, dd.mm.yyyy,
// dd-mm-yyyy): these are UN documents, so "03/04/2023" is 3 April. ISO
// yyyy-mm-dd is accepted, with any time part (survey exports) ignored.
// Written dates take English, French or Spanish month names or their
// abbreviations: "1 January 2023", "January 1, 2023", "1er janvier 2023",
// "1 de enero de 2023". Two-digit years are refused.
func Date(s string) (time.Time, error) {
	t, err := parseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrNotDate, s)
	}
	return t, nil
}

func parseDate(s string) (time.Time, error) {
	c := cleanNumber(s)
	if m := dayFirst.FindStringSubmatch(c); m != nil && m[2] == m[4] {
		return ymd(atoi(m[5]), atoi(m[3]), atoi(m[1]))
	}
	if m := isoDate.FindStringSubmatch(c); m != nil && m[2] == m[4] {
		return ymd(atoi(m[1]), atoi(m[3]), atoi(m[5]))
	}
	p, ok := parsePartial(c)
	if !ok || p.y == 0 || p.m == 0 || p.d == 0 {
		return time.Time{}, ErrNotDate
	}
	return ymd(p.y, int(p.m), p.d)
}

// partial is a written date with parts possibly missing, as in the first
// half of "1 January – 31 December 2023".
type partial struct {
	y, d int
	m    time.Month
}

func parsePartial(c string) (partial, bool) {
	var p partial
	toks := strings.Fields(fold.Key(c))
	if len(toks) == 0 {
		return p, false
	}
	for _, t := range toks {
		if dateFiller[t] {
			continue
		}
		if m, ok := months[t]; ok && p.m == 0 {
			p.m = m
			continue
		}
		if len(t) == 4 && isDigits(t) && p.y == 0 {
			p.y = atoi(t)
			continue
		}
		if m := dayToken.FindStringSubmatch(t); m != nil && p.d == 0 {
			p.d = atoi(m[1])
			continue
		}
		return p, false
	}
	return p, p.y != 0 || p.m != 0 || p.d != 0
}

func ymd(y, m, d int) (time.Time, error) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, ErrNotDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 April would roll over to 1 May
		return time.Time{}, ErrNotDate
	}
	return t, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ExcelDate converts a spreadsheet serial day number to a time in UTC,
// keeping the fraction as the time of day (to the second). In the 1900
// system Excel counts a 29 February 1900 that never was, so serials below
// 61 are shifted by a day; serial 60 itself comes out as 1 March 1900. In
// the 1904 system serial 0 is 1 January 1904. A negative, NaN or
// beyond-9999 serial gives the zero time.
func ExcelDate(serial float64, date1904 bool) time.Time {
	if math.IsNaN(serial) || serial < 0 || serial > 2958466 {
		return time.Time{}
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case serial < 61:
		base = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	days := math.Floor(serial)
	secs := math.Round((serial - days) * 86400)
	t := base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	if t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// Openers of a period ("du", "from", "del", "Reporting period:") and the
// words between its two ends, longest first where one contains another.
var (
	periodOpeners = []string{"reporting period", "periode couverte", "periodo cubierto", "periode", "periodo",
		"period", "for the period", "covering", "from", "desde el", "desde", "du", "del", "de"}
	periodJoins = []string{" jusqu'au ", " hasta el ", " through ", " until ", " hasta ", " thru ", " till ",
		" to ", " au ", " al ", " a ", " - ", "–", "—", "-"}
)

// Period reads a reporting period and returns its first and last day (both
// inclusive, UTC midnight): "du 01/01/2024 au 31/12/2024", "from 1 January
// 2023 to 31 December 2023", "01/01/2020 - 31/12/2020", "del 1 de enero de
// 2023 al 31 de diciembre de 2023", "1 January – 31 December 2023" (the
// year, or month and year, of the end apply to the start when it has none),
// "January–June 2023" (whole months) and a bare year "2023" (the calendar
// year). An end before the start is an error.
func Period(s string) (start, end time.Time, err error) {
	start, end, ok := parsePeriod(s)
	if !ok {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: not a period: %q", ErrNotDate, s)
	}
	if end.Before(start) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: period ends before it starts: %q", ErrNotDate, s)
	}
	return start, end, nil
}

func parsePeriod(s string) (start, end time.Time, ok bool) {
	c := strings.TrimSpace(strings.TrimRight(cleanNumber(s), ". "))
	for changed := true; changed; {
		changed = false
		for _, o := range periodOpeners {
			if rest, found := strings.CutPrefix(c, o); found && (rest == "" || rest[0] == ' ' || rest[0] == ':') {
				c = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
				changed = true
			}
		}
	}
	if len(c) == 4 && isDigits(c) {
		y := atoi(c)
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC), y > 0
	}
	for _, j := range periodJoins {
		for i := 0; i < len(c); {
			k := strings.Index(c[i:], j)
			if k < 0 {
				break
			}
			k += i
			if a, b, ok := periodEnds(strings.TrimSpace(c[:k]), strings.TrimSpace(c[k+len(j):])); ok {
				return a, b, true
			}
			i = k + 1
		}
	}
	return time.Time{}, time.Time{}, false
}

// periodEnds reads both ends. Written dates may leave out on the start
// what the end states: "1 – 31 January 2023", "1 January – 31 December
// 2023", "January – June 2023" (whole months), "2020 – 2021" (whole years).
func periodEnds(left, right string) (start, end time.Time, ok bool) {
	if left == "" || right == "" {
		return start, end, false
	}
	a, errA := parseDate(left)
	b, errB := parseDate(right)
	if errA == nil && errB == nil {
		return a, b, true
	}
	pl, okL := parsePartial(left)
	pr, okR := parsePartial(right)
	if !okL || !okR || pr.y == 0 {
		return start, end, false
	}
	if pl.y != 0 && pl.m == 0 && pl.d == 0 && pr.m == 0 && pr.d == 0 {
		return time.Date(pl.y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(pr.y, 12, 31, 0, 0, 0, 0, time.UTC), true
	}
	if pr.m == 0 || (pl.d == 0) != (pr.d == 0) {
		return start, end, false
	}
	if pl.y == 0 {
		pl.y = pr.y
	}
	if pl.m == 0 {
		pl.m = pr.m
	}
	if pl.d == 0 { // whole months
		pl.d = 1
		pr.d = time.Date(pr.y, pr.m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	a, errA = ymd(pl.y, int(pl.m), pl.d)
	b, errB = ymd(pr.y, int(pr.m), pr.d)
	return a, b, errA == nil && errB == nil
}
