// Command benchseed writes fact rows straight into a migrated vahub
// database (see benchdata.Seed), for scripts/bench.sh.
//
//	go run ./scripts/benchseed -url "$URL" -facts 1000000 [-reset]
//
// -reset first empties the files, runs, reports and facts tables: use it
// only on a benchmark's own database. Without it, benchseed refuses a
// database that already holds reports (so -facts 0 checks that a database
// is fresh).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/vahub/vahub/schema/pg"
	"github.com/vahub/vahub/scripts/benchdata"
)

func main() {
	url := flag.String("url", os.Getenv("DATABASE_URL"), "database (URL or key=value DSN; default $DATABASE_URL)")
	facts := flag.Int("facts", 1_000_000, "fact rows to write (rounded to whole reports; 0: none)")
	reset := flag.Bool("reset", false, "empty the data tables first (benchmark databases only)")
	flag.Parse()
	if *url == "" || *facts < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: benchseed -url URL -facts N [-reset]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *url, *facts, *reset); err != nil {
		fmt.Fprintln(os.Stderr, "benchseed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string, facts int, reset bool) error {
	db, err := pg.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := pg.CheckCurrent(ctx, db.DB.DB); err != nil {
		return err
	}
	if reset {
		if err := benchdata.Reset(ctx, db); err != nil {
			return err
		}
	} else if empty, err := benchdata.Empty(ctx, db); err != nil {
		return err
	} else if !empty {
		return fmt.Errorf("the database already holds reports; use a fresh one (or -reset on a benchmark database)")
	}
	if facts == 0 {
		return nil
	}
	start := time.Now()
	s, err := benchdata.Seed(ctx, db, facts)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("seeded %d reports, %d fact rows in %s (%.0f rows/s)\n", s.Reports, s.Facts, took.Round(time.Millisecond), float64(s.Facts)/took.Seconds())
	return nil
}
