// Command surveyfloor measures the pipeline floor of a survey import
// (scripts/bench-survey.sh, BENCHMARKS.md "Survey exports"): the cheapest
// way to get a workbook's rows into PostgreSQL, with no normalization.
//
//	surveyfloor -db URL -xlsx FILE.xlsx
//
// It opens the workbook as vahub does (excelize, raw cell values, the same
// zip-bomb limits, worksheets spilled to temp files), streams the rows with
// Rows()/Columns(), and COPYs each row's raw cells into a fresh table of
// text columns in one transaction, then drops the table. It prints the rows
// copied and the time taken.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/lib/pq"
	"github.com/xuri/excelize/v2"

	"github.com/vahub/vahub/ingest/xlsx"
)

func main() {
	dsn := flag.String("db", os.Getenv("DATABASE_URL"), "PostgreSQL URL")
	path := flag.String("xlsx", "", "the workbook")
	flag.Parse()
	if *dsn == "" || *path == "" {
		fmt.Fprintln(os.Stderr, "surveyfloor: give -db URL and -xlsx FILE")
		os.Exit(2)
	}
	start := time.Now()
	n, err := run(context.Background(), *dsn, *path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "surveyfloor:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d rows copied in %.2f s\n", *path, n, time.Since(start).Seconds())
}

func run(ctx context.Context, dsn, path string) (int, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true,
		UnzipSizeLimit: max(xlsx.DefaultUnzipSizeLimit, min(fi.Size()*40, 32<<30)), UnzipXMLSizeLimit: xlsx.DefaultUnzipXMLSizeLimit})
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, fmt.Errorf("no header row")
	}
	header, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	cols := make([]string, len(header))
	for i := range header {
		cols[i] = fmt.Sprintf("c%d", i+1)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS survey_floor`); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE survey_floor (row_number integer, `+strings.Join(cols, " text, ")+` text)`); err != nil {
		return 0, err
	}
	stmt, err := tx.PrepareContext(ctx, `COPY survey_floor (row_number, `+strings.Join(cols, ", ")+`) FROM STDIN`)
	if err != nil {
		return 0, err
	}
	args := make([]any, len(header)+1)
	n := 0
	for num := 2; rows.Next(); num++ {
		cells, err := rows.Columns()
		if err != nil {
			return n, err
		}
		args[0] = num
		for i := range header {
			if i < len(cells) {
				args[i+1] = cells[i]
			} else {
				args[i+1] = ""
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Error(); err != nil {
		return n, err
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return n, err
	}
	if err := stmt.Close(); err != nil {
		return n, err
	}
	if err := tx.Commit(); err != nil {
		return n, err
	}
	_, err = db.ExecContext(ctx, `DROP TABLE survey_floor`)
	return n, err
}
