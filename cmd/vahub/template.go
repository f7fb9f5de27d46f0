package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/normalize"
)

func cmdTemplate(ctx context.Context, e *env, args []string) int {
	fs := e.newFlags("template", "template [--lang en|fr|es] [--country ISO3] [--year N] -o FILE.xlsx")
	lang := fs.String("lang", "en", "language of the labels: en, fr or es")
	country := fs.String("country", "", "pre-fill the country (ISO alpha-3 code or name)")
	year := fs.Int("year", 0, "pre-fill the reporting year (period 1 January to 31 December)")
	out := fs.String("o", "", "output file (.xlsx)")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if *out == "" || len(rest) > 0 {
		fmt.Fprintln(e.stderr, "vahub template: give the output file with -o FILE.xlsx")
		return exitUsage
	}
	switch *lang {
	case "en", "fr", "es":
	default:
		fmt.Fprintf(e.stderr, "vahub template: --lang must be en, fr or es, not %q\n", *lang)
		return exitUsage
	}
	iso := ""
	if *country != "" {
		c, ok := normalize.Country(*country)
		if !ok {
			fmt.Fprintf(e.stderr, "vahub template: unknown country %q (use an ISO code such as LAO or a name)\n", *country)
			return exitUsage
		}
		iso = c
	}
	if *year != 0 && (*year < 2000 || *year > time.Now().Year()+1) {
		fmt.Fprintf(e.stderr, "vahub template: --year %d is out of range\n", *year)
		return exitUsage
	}
	err := writeFileAtomic(*out, func(w io.Writer) error {
		return exports.WriteTemplate(w, exports.TemplateOptions{Lang: *lang, Country: iso, Year: *year})
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub template: %v\n", err)
		return exitInternal
	}
	fmt.Fprintf(e.stdout, "wrote %s (%s template", *out, *lang)
	if iso != "" {
		fmt.Fprintf(e.stdout, ", %s", iso)
	}
	if *year != 0 {
		fmt.Fprintf(e.stdout, ", %d", *year)
	}
	fmt.Fprintln(e.stdout, ")")
	return exitOK
}
