package ingest_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/vahub/vahub/ingest"
	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/scripts/benchdata"
)

// benchEnvInt reads a benchmark size from the environment.
func benchEnvInt(b *testing.B, name string, def int) int {
	b.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// BenchmarkIngestTemplates ingests filled Form H templates (distinct
// country-years, three languages) in one run into a fresh database, as
// `vahub ingest DIR/*.xlsx` does. The templates are written once, outside
// the timer. VAHUB_BENCH_FILES sets how many (default 200; scripts/bench.sh
// runs the real binary on 2,000).
//
//	go test ./ingest -run '^$' -bench IngestTemplates -benchtime 1x
func BenchmarkIngestTemplates(b *testing.B) {
	n := benchEnvInt(b, "VAHUB_BENCH_FILES", 200)
	paths, err := benchdata.WriteTemplates(b.Context(), b.TempDir(), n, 2)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	facts := 0
	for range b.N {
		b.StopTimer()
		db := pgtest.NewDB(b)
		b.StartTimer()
		res, err := ingest.Files(b.Context(), db, paths, ingest.Options{RunKind: "cli", StartedBy: "bench", ReportStatus: "approved"})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range res.Files {
			if f.Status != pg.FileIngested {
				b.Fatalf("%s: %s %v", f.Path, f.Status, f.Issues)
			}
			facts += f.Facts
		}
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(n*b.N)/secs, "files/s")
	b.ReportMetric(float64(facts)/secs, "facts/s")
	b.ReportMetric(float64(facts)/float64(n*b.N), "facts/file")
}
