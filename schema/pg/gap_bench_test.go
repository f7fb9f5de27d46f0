package pg_test

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/scripts/benchdata"
)

// countWriter counts the bytes of the workbook and throws them away.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkGapExport writes the gap-analysis workbook from one snapshot of a
// database holding generated facts (benchdata.Seed: every breakdown of sex,
// age group and disability for five pillars and four outcomes), as
// `vahub export gap` does. Seeding is outside the timer. VAHUB_BENCH_FACTS
// is a comma-separated list of sizes (default 10000,100000; scripts/bench.sh
// measures 1,000,000 with the real binary).
//
// heap-sys-MiB is the memory the Go heap obtained from the system by the
// end (it does not shrink within a run, so it bounds the peak heap); the
// script's peak RSS of the real binary is the figure BENCHMARKS.md records.
//
//	go test ./schema/pg -run '^$' -bench GapExport -benchtime 1x
func BenchmarkGapExport(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if s := benchSizes(b); s != nil {
		sizes = s
	}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("facts=%d", size), func(b *testing.B) {
			db := pgtest.NewDB(b)
			seeded, err := benchdata.Seed(b.Context(), db, size)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ReportAllocs()
			b.ResetTimer()
			var w countWriter
			for range b.N {
				w.n = 0
				snap, err := db.BeginGap(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				err = exports.WriteGap(b.Context(), &w, snap, exports.GapOptions{})
				snap.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			secs := b.Elapsed().Seconds()
			b.ReportMetric(float64(seeded.Facts*int64(b.N))/secs, "facts/s")
			b.ReportMetric(float64(w.n)/(1<<20), "xlsx-MiB")
			b.ReportMetric(float64(after.HeapSys)/(1<<20), "heap-sys-MiB")
		})
	}
}

// benchSizes reads VAHUB_BENCH_FACTS (nil when unset).
func benchSizes(b *testing.B) []int {
	s := os.Getenv("VAHUB_BENCH_FACTS")
	if s == "" {
		return nil
	}
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("VAHUB_BENCH_FACTS=%q: want sizes such as 10000,100000", s)
		}
		sizes = append(sizes, n)
	}
	return sizes
}
