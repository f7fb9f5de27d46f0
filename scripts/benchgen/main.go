// Command benchgen writes N filled Form H templates (distinct country-years,
// in English, French and Spanish) to a folder, for scripts/bench.sh.
//
//	go run ./scripts/benchgen -n 2000 -dir /tmp/bench/templates
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"time"

	"github.com/vahub/vahub/scripts/benchdata"
)

func main() {
	n := flag.Int("n", 2000, "number of filled templates")
	dir := flag.String("dir", "", "folder to write them to (created)")
	workers := flag.Int("workers", runtime.GOMAXPROCS(0), "templates written at once")
	flag.Parse()
	if *dir == "" || *n < 1 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: benchgen -n N -dir DIR")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	start := time.Now()
	paths, err := benchdata.WriteTemplates(ctx, *dir, *n, *workers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d filled templates to %s in %s\n", len(paths), *dir, time.Since(start).Round(time.Millisecond))
}
