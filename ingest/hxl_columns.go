package ingest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/vahub/vahub/ingest/hxl"
	"github.com/vahub/vahub/normalize"
	"github.com/vahub/vahub/schema"
)

// What a tagged column is to the HXL reader.
type hxlRole int

const (
	hxlIgnored  hxlRole = iota // known tag, not stored (#targeted, #population)
	hxlCountry                 // #country (+code, +iso, +name)
	hxlYear                    // #date+year
	hxlDate                    // #date: a date or period, its year is the report's
	hxlSubnat                  // #adm1 … #adm5, #loc: a value makes the row sub-national
	hxlSector                  // #sector: a pillar code or name
	hxlGender                  // #gender+code: f, m, t
	hxlAgeGroup                // #age_group+code: 0-17, 18-64, 65+, all
	hxlDisabled                // #is_disabled: y or blank
	hxlPopGroup                // #population_group: all, idps, refugees …
	hxlCasualty                // #affected+killed / +injured
	hxlService                 // #inneed, #reached
	hxlMetaDim                 // #meta+sex, #meta+outcome …: the group columns of vahub's own exports
)

// hxlDims is a group: the dimensions a column's attributes or a row's
// codes set. "" means not set (the fact holds schema.Total there).
type hxlDims struct {
	outcome, sex, age, band, disability, cause, civilian string
}

// hxlCol is one tagged column of a sheet.
type hxlCol struct {
	col     int
	ref     string // the tag's cell
	header  string // the header text above the tag, if any
	tag     hxl.Tag
	role    hxlRole
	level   int    // hxlSubnat: 1 for #adm1, 2 for #adm2 …, 9 for #loc
	dim     string // hxlMetaDim: sex, age_group, disability, outcome, cause, civilian_status
	measure string // hxlService: in_need or reached
	pillar  string // hxlService: from an attribute
	dims    hxlDims
}

// name is how issues name a column: "column G (Aid Workers Killed)".
func (c *hxlCol) name() string {
	s := "column " + strings.TrimRight(c.ref, "0123456789")
	if h := strings.Join(strings.Fields(c.header), " "); h != "" {
		s += " (" + h + ")"
	}
	return s
}

// Tags vahub reads, and those it knows but does not store.
var hxlKnownIgnored = map[string]string{
	"targeted":   "vahub stores people in need and people reached, not targets",
	"population": "vahub stores people in need and people reached, not population figures",
}

// The group columns of vahub's own exports (#meta+sex …), in vahub's codes.
var hxlMetaDims = []string{"sex", "age_group", "disability", "outcome", "cause", "civilian_status"}

var (
	hxlAgeAttr = regexp.MustCompile(`^age(\d{1,3})_?(\d{1,3}|plus)$`)
	hxlAdm     = regexp.MustCompile(`^adm([1-5])$`)
)

// classify gives a well-formed tag its role. reason is set, and role is
// hxlIgnored, when the tag is known but its attributes make no vahub
// figure; unknown is set for tags vahub does not read at all.
func classifyHxl(c *hxlCol) (reason string, unknown bool) {
	t := c.tag
	switch {
	case t.Name == "country":
		c.role = hxlCountry
	case t.Name == "date":
		c.role = hxlDate
		if t.Has("year") {
			c.role = hxlYear
		}
	case hxlAdm.MatchString(t.Name):
		c.role, c.level = hxlSubnat, int(t.Name[3]-'0')
	case t.Name == "loc":
		c.role, c.level = hxlSubnat, 9
	case t.Name == "sector":
		for _, a := range t.Attrs {
			if a != "code" && a != "name" && a != "pillar" {
				return fmt.Sprintf("vahub reads #sector, #sector+code or #sector+name, not +%s", a), false
			}
		}
		c.role = hxlSector
	case t.Name == "meta" && len(t.Attrs) == 1 && slices.Contains(hxlMetaDims, t.Attrs[0]):
		// vahub's exports give a long table's group in #meta+sex, #meta+age_group …
		c.role, c.dim = hxlMetaDim, t.Attrs[0]
	case t.Name == "gender":
		c.role = hxlGender
	case t.Name == "age_group":
		c.role = hxlAgeGroup
	case t.Name == "is_disabled":
		c.role = hxlDisabled
	case t.Name == "population_group":
		c.role = hxlPopGroup
	case t.Name == "affected":
		return valueAttrs(c, hxlCasualty), false
	case t.Name == "inneed", t.Name == "reached":
		c.measure = schema.MeasureInNeed
		if t.Name == "reached" {
			c.measure = schema.MeasureReached
		}
		return valueAttrs(c, hxlService), false
	default:
		if why, ok := hxlKnownIgnored[t.Name]; ok {
			c.role = hxlIgnored
			return why, false
		}
		return "", true
	}
	return "", false
}

// valueAttrs reads the attributes of a figure column into its group; a
// column whose attributes vahub cannot map is not read (role hxlIgnored)
// and the reason says why.
func valueAttrs(c *hxlCol, role hxlRole) string {
	var d hxlDims
	var unknown, conflict []string
	unknownSexAge := false
	set := func(field *string, v, attr string) {
		if *field != "" && *field != v {
			conflict = append(conflict, attr)
		}
		*field = v
	}
	for _, a := range c.tag.Attrs {
		switch a {
		case "killed", "dead":
			set(&d.outcome, "killed", a)
		case "injured", "wounded":
			set(&d.outcome, "injured", a)
		case "f", "female", "women", "girls":
			set(&d.sex, "female", a)
		case "m", "male", "men", "boys":
			set(&d.sex, "male", a)
		case "children", "child", "minors":
			set(&d.age, "child", a)
		case "adults", "adult":
			set(&d.age, "adult", a)
		case "unknown":
			unknownSexAge = true
		case "disabled", "pwd":
			set(&d.disability, "yes", a)
		case "civilian", "civilians":
			set(&d.civilian, "civilian", a)
		case "military":
			set(&d.civilian, "military", a)
		case "deminer", "deminers":
			set(&d.civilian, "deminer", a)
		case "num", "total", "all", "t", "value":
		default:
			switch {
			case slices.Contains(schema.Causes, a) && a != schema.Unknown:
				set(&d.cause, a, a)
			case hxlAgeAttr.MatchString(a):
				m := hxlAgeAttr.FindStringSubmatch(a)
				band := m[1] + "-" + m[2]
				if m[2] == "plus" {
					band = m[1] + "+"
				}
				g, ok := normalize.AgeGroupOfBand(band)
				if !ok || g == schema.Total {
					unknown = append(unknown, "+"+a)
					continue
				}
				set(&d.age, g, a)
				d.band = band
			default:
				if p, ok := normalize.Pillar(a); ok && role == hxlService {
					if c.pillar != "" && c.pillar != p {
						conflict = append(conflict, a)
					}
					c.pillar = p
					continue
				}
				unknown = append(unknown, "+"+a)
			}
		}
	}
	// "+unknown" is the template's unknown column: sex and age not recorded,
	// except where another attribute states one of them.
	if unknownSexAge {
		if d.sex == "" {
			d.sex = schema.Unknown
		}
		if d.age == "" {
			d.age = schema.Unknown
		}
	}
	c.role, c.dims = hxlIgnored, d
	switch {
	case len(unknown) > 0:
		return fmt.Sprintf("vahub does not know the attribute(s) %s on %s", strings.Join(unknown, ", "), "#"+c.tag.Name)
	case len(conflict) > 0:
		return fmt.Sprintf("its attributes contradict each other (%s)", strings.Join(conflict, ", "))
	case role == hxlCasualty && d.outcome == "":
		return "#affected without +killed or +injured counts people affected by a crisis, not casualties"
	case role == hxlService && (d.outcome != "" || d.cause != "" || d.civilian != ""):
		return "outcome, cause and civilian-status attributes do not apply to people in need or reached"
	}
	c.role = role
	return ""
}

// hxlSex reads a #gender code.
func hxlSex(v string) (string, bool) {
	switch normalize.Fold(v) {
	case "t", "total", "all", "":
		return schema.Total, true
	case "u", "unknown":
		return schema.Unknown, true
	}
	if s, a, ok := normalize.SexAge(v, "", true); ok && a == schema.Total {
		return s, true
	}
	return "", false
}

// hxlAge reads an #age_group code: the group, and the band text to keep.
func hxlAge(v string) (group, band string, ok bool) {
	switch normalize.Fold(v) {
	case "t", "total", "all", "":
		return schema.Total, "", true
	}
	g, ok := normalize.AgeGroupOfBand(v)
	if !ok {
		return "", "", false
	}
	if g == schema.Total || g == schema.Unknown || !strings.ContainsAny(v, "0123456789") {
		return g, "", true
	}
	return g, strings.TrimSpace(v), true
}

// hxlDisability reads an #is_disabled code: y, n, or blank for total.
func hxlDisability(v string) (string, bool) {
	switch normalize.Fold(v) {
	case "", "t", "total", "all":
		return schema.Total, true
	case "unknown", "u":
		return schema.Unknown, true
	}
	return normalize.YesNo(v)
}

// metaDim reads a vahub code in a #meta+<dimension> column into d.
func metaDim(d *hxlDims, dim, v string) bool {
	code := strings.ToLower(strings.TrimSpace(v))
	if code == "" {
		code = schema.Total
	}
	var ok bool
	switch dim {
	case "sex":
		d.sex, ok = code, schema.Valid(schema.Sexes, code)
	case "age_group":
		d.age, ok = code, schema.Valid(schema.AgeGroups, code)
	case "disability":
		d.disability, ok = code, schema.Valid(schema.Disabilities, code)
	case "outcome":
		d.outcome, ok = code, schema.Valid(schema.Outcomes, code)
	case "cause":
		d.cause, ok = code, schema.Valid(schema.Causes, code)
	case "civilian_status":
		d.civilian, ok = code, schema.Valid(schema.CivilianStatuses, code)
	}
	return ok
}

// merge lays a row's group (long tables) over a column's (wide tables).
// A dimension both set differently is a contradiction: ok is false.
func (d hxlDims) merge(row hxlDims) (hxlDims, bool) {
	out := d
	pairs := []struct{ col, row *string }{
		{&out.outcome, &row.outcome}, {&out.sex, &row.sex}, {&out.age, &row.age},
		{&out.disability, &row.disability}, {&out.cause, &row.cause}, {&out.civilian, &row.civilian},
	}
	for _, p := range pairs {
		switch {
		case *p.row == "" || *p.row == schema.Total:
		case *p.col == "" || *p.col == schema.Total:
			*p.col = *p.row
		case *p.col != *p.row:
			return out, false
		}
	}
	if out.band == "" {
		out.band = row.band
	}
	return out, true
}

// or returns s, or schema.Total when s is not set.
func or(s string) string {
	if s == "" {
		return schema.Total
	}
	return s
}

// describe names a group for messages: "killed, female, child (0-17)".
func (d hxlDims) describe() string {
	var parts []string
	for _, s := range []string{d.outcome, d.sex, d.age, d.cause, d.civilian} {
		if s != "" && s != schema.Total {
			parts = append(parts, s)
		}
	}
	if d.disability != "" && d.disability != schema.Total {
		parts = append(parts, "disability "+d.disability)
	}
	if d.band != "" {
		parts = append(parts, "age "+d.band)
	}
	if len(parts) == 0 {
		return "all people"
	}
	return strings.Join(parts, ", ")
}
