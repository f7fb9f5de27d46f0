package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vahub/vahub/exports"
	"github.com/vahub/vahub/schema/survey"
)

const surveyUsage = `Usage: vahub survey <command> [flags]

Commands:
  form   write the standard needs-assessment survey as an XLSForm (for KoboToolbox or ODK Central)
  purge  apply the retention rule: cut interviews before a date down to what the aggregates need
`

// cmdSurvey dispatches the survey subcommands.
func cmdSurvey(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, surveyUsage)
		return exitUsage
	}
	switch args[0] {
	case "form":
		return cmdSurveyForm(ctx, e, args[1:])
	case "purge":
		return cmdSurveyPurge(ctx, e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, surveyUsage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "vahub survey: unknown command %q\n\n%s", args[0], surveyUsage)
	return exitUsage
}

func cmdSurveyForm(_ context.Context, e *env, args []string) int {
	fs := e.newFlags("survey form", "survey form [-o FILE.xlsx]")
	out := fs.String("o", "vahub-survey.xlsx", "output file (.xlsx)")
	rest, done, code := parseFlags(fs, args)
	if done {
		return code
	}
	if *out == "" || len(rest) > 0 {
		fmt.Fprintln(e.stderr, "vahub survey form: takes no arguments; give the output file with -o FILE.xlsx")
		return exitUsage
	}
	form := survey.Standard()
	err := writeFileAtomic(*out, func(w io.Writer) error { return exports.WriteXLSForm(w, form) })
	if err != nil {
		fmt.Fprintf(e.stderr, "vahub survey form: %v\n", err)
		return exitInternal
	}
	fmt.Fprintf(e.stdout, "wrote %s (XLSForm %s version %s, %d questions, labels in English, French and Spanish): "+
		"upload it to KoboToolbox or ODK Central, then ingest the exports of its data\n",
		*out, form.ID, form.Version, len(form.Questions()))
	return exitOK
}
