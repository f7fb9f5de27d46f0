package pg_test

import (
	"errors"
	"testing"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// reviewSeed stores LAO 2024 reports: store(i, status, killed) adds a
// version with killed male adults = killed, rehabilitation in need = 40
// (only in even versions), and a focal point commitment (only in odd ones).
type reviewSeed struct {
	t   *testing.T
	db  *pg.DB
	run int64
}

func newReviewSeed(t *testing.T) *reviewSeed {
	t.Helper()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(t.Context(), "api", "fp-lao", false)
	if err != nil {
		t.Fatal(err)
	}
	return &reviewSeed{t: t, db: db, run: run}
}

func (s *reviewSeed) store(i int, status string, killed int64) int64 {
	s.t.Helper()
	r := yearReport(2024)
	r.Casualties = []schema.Casualty{
		{Scope: "new", Outcome: "killed", Sex: "male", AgeGroup: "adult", Disability: schema.Total, Cause: schema.Total, CivilianStatus: schema.Total, Value: num(killed)},
		{Scope: "new", Outcome: "injured", Sex: schema.Total, AgeGroup: schema.Total, Disability: schema.Total, Cause: schema.Total, CivilianStatus: schema.Total, Value: schema.Value{State: schema.StateUnknown}},
	}
	if i%2 == 0 {
		r.Services = []schema.Service{{Pillar: "rehabilitation", Measure: schema.MeasureInNeed, Sex: schema.Total, AgeGroup: schema.Total, Disability: schema.Total, Value: num(40)}}
	} else {
		r.Commitments = []schema.Commitment{{Code: "focal_point", Status: "yes"}}
	}
	res, err := s.db.RecordFile(s.t.Context(), pg.FileInput{RunID: s.run, Path: "f.xlsx", Name: "f.xlsx", SHA256: sha(i), Content: []byte{byte(i)},
		Reports: []*schema.Report{r}, ReportStatus: status})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Reports[0].ReportID
}

// killed is casualty_facts' killed male adults for LAO 2024 and its source
// (0, 0 when the view has none).
func (s *reviewSeed) killed() (people, source int64) {
	s.t.Helper()
	var rows []struct {
		People *int64 `db:"people"`
		Source int64  `db:"source_id"`
	}
	if err := s.db.SelectContext(s.t.Context(), &rows, `
		SELECT people, source_id FROM casualty_facts
		WHERE country = 'LAO' AND year = 2024 AND outcome = 'killed' AND sex = 'male'`); err != nil {
		s.t.Fatal(err)
	}
	if len(rows) == 0 {
		return 0, 0
	}
	if len(rows) > 1 || rows[0].People == nil {
		s.t.Fatalf("casualty_facts rows = %+v", rows)
	}
	return *rows[0].People, rows[0].Source
}

func (s *reviewSeed) status(id int64) string {
	s.t.Helper()
	var st string
	if err := s.db.GetContext(s.t.Context(), &st, `SELECT status FROM report WHERE id = $1`, id); err != nil {
		s.t.Fatal(err)
	}
	return st
}

func (s *reviewSeed) audits(action string, id int64) int {
	s.t.Helper()
	var n int
	if err := s.db.GetContext(s.t.Context(), &n, `SELECT count(*) FROM audit_log WHERE action = $1 AND object = 'report:' || $2`, action, id); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func TestApproveSupersedesAndFeedsViews(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newReviewSeed(t)
	v1 := s.store(0, "approved", 7)
	v2 := s.store(1, "submitted", 9)
	if p, src := s.killed(); p != 7 || src != v1 {
		t.Fatalf("before approval: killed %d from %d, want 7 from %d", p, src, v1)
	}
	q, err := s.db.ReviewQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].ID != v2 || q[0].SubmittedBy != "fp-lao" || q[0].Version != 2 || q[0].Facts != 3 || q[0].NewerApproved {
		t.Fatalf("queue = %+v, want v2 by fp-lao with 3 facts", q)
	}

	res, err := s.db.ApproveReport(ctx, v2, pg.Decision{Reviewer: "ada", Note: "checked with the NRA", Remote: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "approved" || len(res.Superseded) != 1 || res.Superseded[0] != v1 {
		t.Errorf("result = %+v, want approved superseding %d", res, v1)
	}
	if p, src := s.killed(); p != 9 || src != v2 {
		t.Errorf("after approval: killed %d from %d, want 9 from %d", p, src, v2)
	}
	if st := s.status(v1); st != "superseded" {
		t.Errorf("v1 status = %s, want superseded", st)
	}
	var commitments int
	if err := s.db.GetContext(ctx, &commitments, `SELECT count(*) FROM commitment_facts WHERE source_id = $1`, v2); err != nil {
		t.Fatal(err)
	}
	if commitments != 1 {
		t.Errorf("commitment_facts from v2 = %d, want 1", commitments)
	}
	sub, err := s.db.ReviewReport(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Review == nil || sub.Review.Decision != "approved" || sub.Review.Reviewer != "ada" || sub.Review.Note != "checked with the NRA" {
		t.Errorf("review = %+v", sub.Review)
	}
	if n := s.audits("approve_report", v2); n != 1 {
		t.Errorf("approve audit rows = %d, want 1", n)
	}
	if q, _ := s.db.ReviewQueue(ctx); len(q) != 0 {
		t.Errorf("queue after approval = %+v, want empty", q)
	}

	// Deciding again is refused, and changes nothing.
	for name, decide := range map[string]func() (pg.ReviewResult, error){
		"approve again": func() (pg.ReviewResult, error) { return s.db.ApproveReport(ctx, v2, pg.Decision{Reviewer: "bob"}) },
		"return after approval": func() (pg.ReviewResult, error) {
			return s.db.ReturnReport(ctx, v2, pg.Decision{Reviewer: "bob", Note: "no"})
		},
		"approve the superseded one": func() (pg.ReviewResult, error) { return s.db.ApproveReport(ctx, v1, pg.Decision{Reviewer: "bob"}) },
	} {
		if _, err := decide(); !errors.Is(err, pg.ErrNotSubmitted) || !errors.Is(err, pg.ErrConflict) {
			t.Errorf("%s: err = %v, want ErrNotSubmitted (a conflict)", name, err)
		}
	}
	if p, src := s.killed(); p != 9 || src != v2 {
		t.Errorf("after refusals: killed %d from %d, want 9 from %d", p, src, v2)
	}
	if n := s.audits("approve_report", v2) + s.audits("return_report", v2); n != 1 {
		t.Errorf("audit rows after refusals = %d, want 1", n)
	}
	if _, err := s.db.ApproveReport(ctx, 999999, pg.Decision{Reviewer: "ada"}); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("unknown report: %v, want ErrNotFound", err)
	}
}

func TestReturnKeepsViews(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newReviewSeed(t)
	v1 := s.store(0, "approved", 7)
	v2 := s.store(1, "submitted", 9)
	for _, note := range []string{"", "   "} {
		if _, err := s.db.ReturnReport(ctx, v2, pg.Decision{Reviewer: "ada", Note: note}); !errors.Is(err, pg.ErrInvalid) {
			t.Errorf("return with note %q: %v, want ErrInvalid", note, err)
		}
	}
	if st := s.status(v2); st != "submitted" {
		t.Fatalf("status after refused returns = %s", st)
	}
	res, err := s.db.ReturnReport(ctx, v2, pg.Decision{Reviewer: "ada", Note: "Row 5 adds up to more than the total", Remote: "10.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "returned" || len(res.Superseded) != 0 {
		t.Errorf("result = %+v", res)
	}
	if st := s.status(v2); st != "returned" {
		t.Errorf("v2 status = %s, want returned", st)
	}
	if st := s.status(v1); st != "approved" {
		t.Errorf("v1 status = %s, want approved", st)
	}
	if p, src := s.killed(); p != 7 || src != v1 {
		t.Errorf("after return: killed %d from %d, want 7 from %d", p, src, v1)
	}
	var commitments int
	if err := s.db.GetContext(ctx, &commitments, `SELECT count(*) FROM commitment_facts`); err != nil {
		t.Fatal(err)
	}
	if commitments != 0 {
		t.Errorf("commitment_facts = %d rows after a return, want 0", commitments)
	}
	if n := s.audits("return_report", v2); n != 1 {
		t.Errorf("return audit rows = %d, want 1", n)
	}
	if _, err := s.db.ApproveReport(ctx, v2, pg.Decision{Reviewer: "ada"}); !errors.Is(err, pg.ErrNotSubmitted) {
		t.Errorf("approve a returned report: %v, want ErrNotSubmitted", err)
	}
}

// An older submission cannot be approved over a newer approved version, and
// approving a version takes the older ones still waiting out of the queue.
func TestApproveOutOfDate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newReviewSeed(t)
	v1 := s.store(0, "submitted", 5)
	v2 := s.store(1, "approved", 6) // a data officer's ingest of a newer version
	q, err := s.db.ReviewQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].ID != v1 || !q[0].NewerApproved {
		t.Fatalf("queue = %+v, want v1 flagged newer_approved", q)
	}
	if _, err := s.db.ApproveReport(ctx, v1, pg.Decision{Reviewer: "ada"}); !errors.Is(err, pg.ErrNotSubmitted) {
		t.Errorf("approve v1 under v2: %v, want ErrNotSubmitted", err)
	}
	if p, src := s.killed(); p != 6 || src != v2 {
		t.Errorf("killed %d from %d, want 6 from %d", p, src, v2)
	}

	v3 := s.store(2, "submitted", 7)
	v4 := s.store(3, "submitted", 8)
	res, err := s.db.ApproveReport(ctx, v4, pg.Decision{Reviewer: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{v1: true, v2: true, v3: true}
	if len(res.Superseded) != 3 {
		t.Errorf("superseded = %v, want %d, %d and %d", res.Superseded, v1, v2, v3)
	}
	for _, id := range res.Superseded {
		if !want[id] {
			t.Errorf("superseded %d, want only %v", id, want)
		}
	}
	if q, _ := s.db.ReviewQueue(ctx); len(q) != 0 {
		t.Errorf("queue = %+v, want empty", q)
	}
	if p, src := s.killed(); p != 8 || src != v4 {
		t.Errorf("killed %d from %d, want 8 from %d", p, src, v4)
	}
}

func TestDiffReview(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newReviewSeed(t)

	// The first report of a country and year: everything is added.
	v1 := s.store(0, "submitted", 7)
	d, err := s.db.DiffReview(ctx, v1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Previous != nil || len(d.Changes) != 3 {
		t.Fatalf("first diff: previous %v, %d changes %+v", d.Previous, len(d.Changes), d.Changes)
	}
	for _, c := range d.Changes {
		if c.Change != "added" || c.BeforeState != nil {
			t.Errorf("first diff: %+v, want added", c)
		}
	}
	if _, err := s.db.ApproveReport(ctx, v1, pg.Decision{Reviewer: "ada"}); err != nil {
		t.Fatal(err)
	}

	v2 := s.store(1, "submitted", 9)
	d, err = s.db.DiffReview(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if d.Previous == nil || d.Previous.ID != v1 || d.Report.ID != v2 {
		t.Fatalf("diff compares %d with %v, want %d with %d", d.Report.ID, d.Previous, v2, v1)
	}
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	got := map[string]string{}
	for _, c := range d.Changes {
		got[c.Table+" "+c.Key] = c.Change + " " + val(c.BeforeValue) + " " + str(c.BeforeState) + " → " + val(c.AfterValue) + " " + str(c.AfterState)
	}
	want := map[string]string{
		"casualty outcome=killed sex=male age_group=adult": "changed 7 reported → 9 reported",
		"service pillar=rehabilitation measure=in_need":    "removed 40 reported → NULL -",
		"commitment commitment=focal_point":                "added NULL - → NULL yes",
	}
	if len(got) != len(want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	// The unknown injured figure is the same in both: not a change.
	if _, ok := got["casualty outcome=injured"]; ok {
		t.Errorf("unchanged unknown injured listed as a change")
	}
	if d.Issues == nil || len(d.Issues) != 0 {
		t.Errorf("issues = %v, want none (and not null)", d.Issues)
	}
	if _, err := s.db.DiffReview(ctx, 424242); !errors.Is(err, pg.ErrNotFound) {
		t.Errorf("unknown report: %v", err)
	}
}

// Two admins approving the same submission at once: exactly one approval
// is taken, the other is refused, and one decision is recorded.
func TestApproveConcurrently(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := newReviewSeed(t)
	s.store(0, "approved", 7)
	v2 := s.store(1, "submitted", 9)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.db.ApproveReport(ctx, v2, pg.Decision{Reviewer: "admin" + string(rune('a'+i))})
			errs <- err
		}()
	}
	taken, refused := 0, 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			taken++
		case errors.Is(err, pg.ErrNotSubmitted):
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if taken != 1 || refused != n-1 {
		t.Errorf("taken %d, refused %d; want 1 and %d", taken, refused, n-1)
	}
	var reviews, approved int
	if err := s.db.GetContext(ctx, &reviews, `SELECT count(*) FROM report_review`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.GetContext(ctx, &approved, `SELECT count(*) FROM report WHERE status = 'approved'`); err != nil {
		t.Fatal(err)
	}
	if reviews != 1 || approved != 1 {
		t.Errorf("reviews %d, approved reports %d; want 1 and 1", reviews, approved)
	}
	if p, src := s.killed(); p != 9 || src != v2 {
		t.Errorf("killed %d from %d, want 9 from %d", p, src, v2)
	}
}
