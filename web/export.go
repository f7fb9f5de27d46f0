package web

import (
	"context"
	"net/http"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/web/auth"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// GET /api/v1/exports/gap.xlsx?country=&from=&to=&k=: the gap-analysis
// workbook, streamed from one database snapshot. Researchers and admins may
// ask for any countries (none: all); focal points only for theirs.
func (s *server) gapExport(w http.ResponseWriter, r *http.Request, p auth.Principal) error {
	q := r.URL.Query()
	countries, err := countriesParam(q)
	if err != nil {
		return err
	}
	from, err := yearParam(q, "from")
	if err != nil {
		return err
	}
	to, err := yearParam(q, "to")
	if err != nil {
		return err
	}
	if from != 0 && to != 0 && to < from {
		return errorf(eInvalid, "to must not be before from")
	}
	if err := allowed(p, auth.ActExport, countries); err != nil {
		return err
	}
	k, err := s.suppressK(r, p)
	if err != nil {
		return err
	}
	filter := exports.GapFilter{Countries: countries, From: from, To: to}
	snap, err := s.db.BeginGap(r.Context())
	if err != nil {
		return err
	}
	defer snap.Close()
	counts, err := snap.Counts(r.Context(), filter)
	if err != nil {
		return err
	}
	// Headers go out with the first byte, so a failure before it is still
	// answered as a JSON error rather than as a broken workbook.
	out := &lazyHeaders{w: w, set: func(h http.Header) {
		h.Set("Content-Type", xlsxType)
		h.Set("Content-Disposition", `attachment; filename="gap-analysis.xlsx"`)
	}}
	return exports.WriteGap(r.Context(), out, countedGap{snap, counts}, exports.GapOptions{Filter: filter, SuppressK: k, GeneratedAt: s.db.Now()})
}

// countedGap answers Counts with the counts already taken in the same
// snapshot, so the export does not run every count query twice.
type countedGap struct {
	*pg.GapSnapshot
	counts schema.GapCounts
}

func (c countedGap) Counts(context.Context, exports.GapFilter) (schema.GapCounts, error) {
	return c.counts, nil
}

// lazyHeaders sets the response's headers just before its first byte.
type lazyHeaders struct {
	w    http.ResponseWriter
	set  func(http.Header)
	done bool
}

func (l *lazyHeaders) Write(b []byte) (int, error) {
	if !l.done {
		l.done = true
		l.set(l.w.Header())
	}
	return l.w.Write(b)
}
