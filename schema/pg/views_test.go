package pg_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
)

// service_facts sums the finer age bands of one group, prefers a group's
// whole figure when both are stated, and keeps a sum with an unknown part
// unknown.
func TestServiceFactsSumsAgeBands(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	svc := func(sex, band string, measure string, v schema.Value) schema.Service {
		return schema.Service{Pillar: "medical_care", Measure: measure, Sex: sex, AgeGroup: "adult", AgeBand: band, Disability: schema.Total, Value: v}
	}
	r := yearReport(2024)
	r.Services = []schema.Service{
		// female adults by band only: 30 + 12 in need, 20 + unknown reached
		svc("female", "18-64", schema.MeasureInNeed, num(30)),
		svc("female", "65+", schema.MeasureInNeed, num(12)),
		svc("female", "18-64", schema.MeasureReached, num(20)),
		svc("female", "65+", schema.MeasureReached, schema.Value{State: schema.StateUnknown}),
		// male adults whole and by band: the whole figure wins
		svc("male", "", schema.MeasureInNeed, num(50)),
		svc("male", "18-64", schema.MeasureInNeed, num(45)),
	}
	if _, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: "f", Name: "f", SHA256: sha(9), Content: []byte{9}, Reports: []*schema.Report{r}}); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Sex     string `db:"sex"`
		InNeed  *int64 `db:"in_need"`
		Reached *int64 `db:"reached"`
	}
	var rows []row
	if err := db.SelectContext(ctx, &rows, `SELECT sex, in_need, reached FROM service_facts ORDER BY sex`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	if f := rows[0]; f.Sex != "female" || f.InNeed == nil || *f.InNeed != 42 || f.Reached != nil {
		t.Errorf("female = in need %v reached %v, want 42 and unknown", deref(f.InNeed), deref(f.Reached))
	}
	if m := rows[1]; m.Sex != "male" || m.InNeed == nil || *m.InNeed != 50 {
		t.Errorf("male in need = %v, want 50", deref(m.InNeed))
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// A large input is kept in chunks, streamed, byte for byte.
func TestLargeFileKeptInChunks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.NewDB(t)
	run, err := db.StartRun(ctx, "cli", "test", false)
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 2<<20+12345)
	for i := range body {
		body[i] = byte(i * 7)
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(p, body, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	r := yearReport(2022)
	r.Services = []schema.Service{{Pillar: "rehabilitation", Measure: schema.MeasureInNeed, Sex: schema.Total, AgeGroup: schema.Total, Disability: schema.Total, Value: num(3)}}
	res, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: p, Name: "big.csv", SHA256: hex.EncodeToString(sum[:]),
		BodyPath: p, Size: int64(len(body)), Reports: []*schema.Report{r}})
	if err != nil {
		t.Fatal(err)
	}
	var chunks int
	var stored []byte
	if err := db.QueryRowxContext(ctx, `SELECT count(*), string_agg(data, ''::bytea ORDER BY seq) FROM input_file_chunk WHERE file_id = $1`, res.FileID).Scan(&chunks, &stored); err != nil {
		t.Fatal(err)
	}
	if chunks != 3 || !bytes.Equal(stored, body) {
		t.Errorf("chunks %d, %d bytes stored (equal %v), want 3 chunks of the %d bytes", chunks, len(stored), bytes.Equal(stored, body), len(body))
	}
	// The same bytes again: a duplicate, no second copy.
	res2, err := db.RecordFile(ctx, pg.FileInput{RunID: run, Path: p, Name: "big.csv", SHA256: hex.EncodeToString(sum[:]),
		BodyPath: p, Size: int64(len(body)), Reports: []*schema.Report{r}})
	if err != nil || res2.Status != pg.FileDuplicate || res2.FileID != res.FileID {
		t.Fatalf("second store: %+v %v", res2, err)
	}
	if err := db.GetContext(ctx, &chunks, `SELECT count(*) FROM input_file_chunk`); err != nil || chunks != 3 {
		t.Errorf("chunks after duplicate = %d (%v), want 3", chunks, err)
	}
}
