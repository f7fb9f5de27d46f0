package pg_test

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema"
	"github.com/vahub/vahub/schema/pg/pgtest"
	"github.com/vahub/vahub/scripts/benchdata"
)

// BenchmarkViewCSV streams every download (CSV with the HXL row) of a
// database holding generated facts, as GET /api/v1/exports/{view}.hxl.csv
// does. heap-sys-MiB bounds the peak heap: it stays flat whatever the size,
// because rows go from the cursor to the writer one at a time. Sizes as
// BenchmarkGapExport (VAHUB_BENCH_FACTS).
//
//	go test ./schema/pg -run '^$' -bench ViewCSV -benchtime 1x
func BenchmarkViewCSV(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if s := benchSizes(b); s != nil {
		sizes = s
	}
	for _, size := range sizes {
		b.Run(fmt.Sprintf("facts=%d", size), func(b *testing.B) {
			db := pgtest.NewDB(b)
			if _, err := benchdata.Seed(b.Context(), db, size); err != nil {
				b.Fatal(err)
			}
			if os.Getenv("VAHUB_BENCH_PER_VIEW") != "" {
				for _, d := range exports.Downloads() {
					start := time.Now()
					var w countWriter
					if err := exports.WriteViewCSV(b.Context(), &w, d, exports.CSVOptions{HXL: true}, schema.ViewFilter{}, db.StreamView); err != nil {
						b.Fatal(err)
					}
					b.Logf("%s: %.1f MiB in %s", d.View, float64(w.n)/(1<<20), time.Since(start).Round(time.Millisecond))
				}
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			var w countWriter
			var rows int64
			for range b.N {
				w.n = 0
				for _, d := range exports.Downloads() {
					err := exports.WriteViewCSV(b.Context(), &w, d, exports.CSVOptions{HXL: true}, schema.ViewFilter{}, db.StreamView)
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			if err := db.GetContext(b.Context(), &rows, `SELECT (SELECT count(*) FROM casualty_facts) + (SELECT count(*) FROM service_facts)
				+ (SELECT count(*) FROM gap_analysis) + (SELECT count(*) FROM commitment_facts)`); err != nil {
				b.Fatal(err)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(rows*int64(b.N))/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(w.n)/(1<<20), "csv-MiB")
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
		})
	}
}
