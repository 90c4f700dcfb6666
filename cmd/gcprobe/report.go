package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/analyze/report"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

const reportHelp = `Write a ticket-ready report of one or more run records (or directories of
them, such as a sweep's output): what was run, a verdict in plain words,
charts, the summary tables, top allocators and churn of attached profiles,
and for several runs the comparison with confidence intervals and a Pareto
chart of memory against latency.

The format follows -o: FILE.html is one self-contained page (inline SVG, no
script, nothing fetched from the network); FILE.md is GitHub-flavoured
Markdown with PNG charts in --charts-dir, linked relatively.

Records of a fleet (gcprobe import prometheus) get one row per instance and
the instances that stand out named in words; --by LABEL adds the comparison
of groups of them (--by version: did the deploy change pauses and RSS?).

A record that cannot be read is reported (file:line) and left out; gcprobe
then exits with status 1 after writing the report of the others.`

func cmdReport(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "report", "RUN|DIR... -o FILE.html|FILE.md [flags]", reportHelp)
	out := fs.StringP("output", "o", "", "report file: .html or .md (required)")
	chartsDir := fs.String("charts-dir", "", "where a Markdown report's PNG charts go (default: FILE_charts beside it)")
	title := fs.String("title", "", "the report's title (default: what was run)")
	budget := fs.String("budget", "", "limits for the recommended configuration, as in compare: rss=1GiB,gc-cpu=10%")
	by := fs.String("by", "", "compare groups of runs by these dimensions or labels only, comma-separated (version, gogc), as in compare --by")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var byDims []string
	if fs.Changed("by") {
		var err error
		if byDims, err = compare.ParseBy(*by); err != nil {
			return usageErrorf("report: --by: %v", err)
		}
	}
	format := strings.ToLower(filepath.Ext(*out))
	switch {
	case *out == "":
		return usageErrorf("report: -o FILE.html or -o FILE.md is required")
	case format != ".html" && format != ".htm" && format != ".md":
		return usageErrorf("report: -o %s: the file name must end in .html or .md", *out)
	case fs.NArg() == 0:
		return usageErrorf("report: no run record or directory given (see gcprobe report --help)")
	case *chartsDir != "" && format != ".md":
		return usageErrorf("report: --charts-dir is for Markdown reports (-o FILE.md)")
	}
	var budgets []compare.Budget
	if *budget != "" {
		b, err := compare.ParseBudgets(*budget)
		if err != nil {
			return usageErrorf("report: %v", compare.WithFlag("--budget", err))
		}
		budgets = b
	}
	runs, problems := summarizeForReport(fs.Args())
	for _, p := range problems {
		fmt.Fprintf(io.err, "gcprobe: %v\n", p)
	}
	if len(runs) == 0 {
		return exitStatus(1)
	}
	if err := checkReportBy(runs, byDims); err != nil {
		return usageErrorf("report: --by: %v", err)
	}
	rep := report.BuildSummaries(ctx, runs, report.Options{Title: *title, Budgets: budgets, By: byDims})
	for _, p := range problems {
		rep.Problems = append(rep.Problems, p.Error())
	}
	if err := writeReport(rep, *out, format, *chartsDir); err != nil {
		return err
	}
	fmt.Fprintf(io.err, "gcprobe: wrote %s\n", *out)
	if len(problems) > 0 {
		return exitStatus(1)
	}
	return nil
}

// checkReportBy checks --by as compare and check do: a label no run has
// would group every run under "LABEL=-".
func checkReportBy(runs []report.Input, by []string) error {
	in := make([]compare.Run, len(runs))
	for i, r := range runs {
		in[i] = compare.FromSummary(&record.Run{File: r.File, Header: r.Header}, r.Summary)
	}
	return compare.CheckByKnown(in, by)
}

func writeReport(rep *report.Report, out, format, chartsDir string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if format == ".md" {
		if chartsDir == "" {
			chartsDir = strings.TrimSuffix(out, filepath.Ext(out)) + "_charts"
		}
		link, lerr := filepath.Rel(filepath.Dir(out), chartsDir)
		if lerr != nil {
			link = chartsDir
		}
		err = report.WriteMarkdown(f, rep, chartsDir, filepath.ToSlash(link))
	} else {
		err = report.WriteHTML(f, rep)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// summarizeForReport reads and summarises the records named by args (files,
// and the *.jsonl in directories, as compare.ReadRecords finds them), each
// as a stream: the report needs a run's header and summary, whose charts
// are read again as a stream, aggregated by column, not its events.
func summarizeForReport(args []string) (runs []report.Input, problems []error) {
	for _, a := range args {
		files, err := recordFiles(a)
		if err != nil {
			problems = append(problems, err)
		}
		for _, f := range files {
			h, s, err := summary.ReadRunFile(f)
			if err != nil {
				if !strings.Contains(err.Error(), f) {
					err = fmt.Errorf("%s: %w", f, err)
				}
				problems = append(problems, err)
				continue
			}
			runs = append(runs, report.Input{File: f, Header: h, Summary: s})
		}
	}
	return runs, problems
}
