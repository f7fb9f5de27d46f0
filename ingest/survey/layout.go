// Package survey reads exports of vahub's standard needs-assessment survey
// (VOCABULARY.md) from KoboToolbox (XLSX and CSV) and ODK Central (CSV and
// the CSV zip) into survey records, streaming: rows are read one at a time
// and handed to the store, so memory stays flat however long the export.
//
// It also recognises exports of other forms (KoboToolbox/ODK metadata
// columns without the standard questions) and says which questions are
// missing, so such a file is rejected for what it is.
package survey

import (
	"slices"
	"strings"

	svy "github.com/vahub/vahub/schema/survey"
)

// Tools whose exports are read.
const (
	ToolKobo = svy.SourceKobo
	ToolODK  = svy.SourceODK
)

// Column roles besides the questions, which carry their question name.
const (
	roleNone       = ""
	roleInstance   = "@instance"   // meta/instanceID, meta-instanceID
	roleDeprecated = "@deprecated" // meta/deprecatedID
	roleKey        = "@key"        // ODK Central KEY
	roleUUID       = "@uuid"       // Kobo _uuid
	roleRoot       = "@root"       // Kobo meta/rootUuid: the first version's uuid
	roleSubmitted  = "@submitted"  // _submission_time, SubmissionDate
	roleVersion    = "@version"    // __version__, FormVersion
	roleToday      = "@today"      // today, start, end: the interview's day when nothing better says it
	roleStart      = "@start"
	roleEnd        = "@end"
	roleMeta       = "@meta" // other tool metadata, not read
)

// metaRoles maps the folded header of a tool's metadata column to its role.
// Fold drops the underscores, so "_uuid" is "uuid" and "__version__" is
// "version".
var metaRoles = map[string]string{
	"meta instanceid": roleInstance, "instanceid": roleInstance,
	"meta deprecatedid": roleDeprecated, "deprecatedid": roleDeprecated,
	"key":  roleKey,
	"uuid": roleUUID, "meta rootuuid": roleRoot, "rootuuid": roleRoot,
	"submission time": roleSubmitted, "submissiondate": roleSubmitted,
	"version": roleVersion, "formversion": roleVersion,
	"today": roleToday, "start": roleStart, "end": roleEnd,
	"id": roleMeta, "index": roleMeta, "parent index": roleMeta, "parent table name": roleMeta,
	"validation status": roleMeta, "notes": roleMeta, "status": roleMeta, "tags": roleMeta,
	"submitted by": roleMeta, "deviceid": roleMeta, "instance name": roleMeta, "meta instancename": roleMeta,
	"submitterid": roleMeta, "submittername": roleMeta, "attachmentspresent": roleMeta,
	"attachmentsexpected": roleMeta, "reviewstate": roleMeta, "edits": roleMeta,
	"simserial": roleMeta, "subscriberid": roleMeta, "phonenumber": roleMeta, "username": roleMeta,
	"audit": roleMeta, "meta audit": roleMeta, "xform id string": roleMeta,
}

// odkOnly are metadata columns only ODK Central writes.
var odkOnly = []string{"submissiondate", "key", "submitterid", "reviewstate", "formversion", "attachmentspresent"}

// Layout is what the header row of a sheet says: which column holds which
// question or metadata, and whose export it is.
type Layout struct {
	Roles []string // per column: a question name, a role constant, or ""
	Tool  string   // ToolKobo or ToolODK
	// Meta counts the recognised metadata columns; Questions the standard
	// questions found (each once).
	Meta      int
	Questions []string
	// Missing are the standard questions without a column, in form order.
	Missing []string
	// Duplicates are headers of a question that already had a column; the
	// first column is read.
	Duplicates []string
	// Unknown are headers that are neither questions nor metadata
	// (select_multiple choice columns of another question, extra fields).
	Unknown []string
	// Blank is true when the header row has no header at all.
	Blank bool
}

// col returns the index of the first column with role r, or -1.
func (l *Layout) col(r string) int { return slices.Index(l.Roles, r) }

// Exportish reports whether the header is that of a KoboToolbox or ODK
// export (of any form): a submission id or time among its metadata
// columns says so.
func (l *Layout) Exportish() bool {
	return l.Meta >= 2 && (l.hasID() || l.col(roleSubmitted) >= 0)
}

func (l *Layout) hasID() bool {
	return l.col(roleInstance) >= 0 || l.col(roleKey) >= 0 || l.col(roleUUID) >= 0
}

// Standard reports whether the export is one of vahub's standard form: the
// consent question and most of the others are there.
func (l *Layout) Standard() bool {
	return slices.Contains(l.Questions, "consent") && len(l.Questions)*2 >= len(l.Questions)+len(l.Missing)
}

// ClassifyHeader maps an export's header row to a Layout. It never fails:
// a header it cannot read yields a layout with no questions.
func ClassifyHeader(header []string) *Layout {
	form := svy.Standard()
	l := &Layout{Roles: make([]string, len(header)), Tool: ToolKobo}
	seen := map[string]bool{}
	odk := false
	l.Blank = true
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		l.Blank = false
		key := svy.Fold(h)
		role := ""
		if q, ok := form.QuestionForHeader(h); ok {
			role = q
		} else if r, ok := metaRoles[key]; ok {
			role = r
			l.Meta++
			if slices.Contains(odkOnly, key) || strings.HasPrefix(h, "meta-") {
				odk = true
			}
		} else if q, ok := lastSegmentQuestion(h); ok {
			role = q
		}
		if role == "" {
			l.Unknown = append(l.Unknown, h)
			continue
		}
		if role == roleMeta {
			continue
		}
		if seen[role] {
			l.Duplicates = append(l.Duplicates, h)
			continue
		}
		seen[role] = true
		l.Roles[i] = role
	}
	if odk {
		l.Tool = ToolODK
	}
	for _, q := range form.Questions() {
		if seen[q.Name] {
			l.Questions = append(l.Questions, q.Name)
		} else {
			l.Missing = append(l.Missing, q.Name)
		}
	}
	return l
}

// lastSegmentQuestion reads a value header whose group path the form does
// not know ("section_b/wg_ss/wg_seeing", "grp-needs-need_rehabilitation"):
// the name after the last separator, if it is a question name itself.
func lastSegmentQuestion(h string) (string, bool) {
	i := strings.LastIndexAny(h, "/-.:")
	if i < 0 || i == len(h)-1 || strings.ContainsRune(h, ' ') {
		return "", false
	}
	name := h[i+1:]
	if _, ok := svy.Standard().Question(name); !ok {
		return "", false
	}
	return name, true
}
