package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/compare"
)

const compareHelp = `Compare GC settings across runs, with confidence intervals and significance.

Runs are grouped by configuration: GOGC, GOMEMLIMIT and GOMAXPROCS as the
record's environment had them (unset GOGC is 100, unset GOMEMLIMIT is off),
the workload, and every scenario parameter that differs between runs (a data
layout, a cache size). A directory stands for every record directly inside it
(a sweep's --out).

The Go release and the GC implementation (Green Tea or classic) are part of
the configuration too, as each record read them from its binary's build info:
records of different builds compare with no extra flag, labelled
"go1.27.3 greentea". With several builds the default baseline is the oldest
release with the classic GC (choose another with --baseline
go=go1.27.3,gc=greentea), and a verdict line per build says on which metrics
it is significantly better or worse than the baseline build at the same
settings, and where there is no significant difference.

The output opens with the verdict a report of several runs opens with: for
each metric the best configuration, with its p-value against its baseline,
and how many configurations differ significantly from their baseline,
better or worse. Then for each metric: the median over the runs of a configuration with its 95%
confidence interval, and the change against the baseline with the
Mann–Whitney U test's p-value, or ~ when the difference is not significant
(p > 0.05) — as benchstat shows them, computed with benchstat's own library.
Doubts (too few runs, noisy runs) are footnotes. Then the Pareto frontier
over memory, latency and GC CPU, and with --budget the configuration to run.

Records of a fleet (gcprobe import prometheus) carry their instance's
labels, each a dimension: without --by every instance is its own row. With
--by LABEL the instances are grouped by that label or setting alone (--by
version, --by gogc, --by zone,gogc) and compared as a sweep's repeats, the
first group in order as the baseline unless --baseline names one.

Examples:
  gcprobe compare sweep1
  gcprobe compare --baseline gogc=200,memlimit=off --budget rss=1GiB sweep1
  gcprobe compare --format bench sweep1 > sweep1.txt && benchstat -col /gogc sweep1.txt
  gcprobe compare --by version --baseline version=v1 fleet`

func cmdCompare(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "compare", "[flags] RUN|DIR...", compareHelp)
	baseline := fs.String("baseline", "", "the configuration to compare with, as dim=value,... over gogc, memlimit, gomaxprocs, workload, go, gc and scenario parameters (default gogc=100,memlimit=off)")
	budget := fs.String("budget", "", "recommend the best configuration within limits, as metric=value,... (rss=1GiB, gc-cpu=10%, latency.p99=50ms)")
	format := fs.String("format", "text", "output: text, json, markdown or bench (Go benchmark format, for benchstat)")
	asJSON := fs.Bool("json", false, "same as --format json")
	asMD := fs.Bool("markdown", false, "same as --format markdown")
	metrics := fs.StringSlice("metrics", nil, "metrics to compare, comma-separated (default: "+strings.Join(compare.DefaultMetrics, ",")+")")
	alpha := fs.Float64("alpha", 0.05, "significance level of the U-test")
	by := fs.String("by", "", "group by these dimensions or labels only, comma-separated (version, gogc): the other runs of a group are its repeats")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *asJSON && *asMD:
		return usageErrorf("compare: --json and --markdown exclude each other")
	case *asJSON:
		*format = "json"
	case *asMD:
		*format = "markdown"
	}
	write, ok := map[string]func(*compare.Comparison) error{
		"text":     func(c *compare.Comparison) error { return compare.WriteText(io.out, c) },
		"json":     func(c *compare.Comparison) error { return compare.WriteJSON(io.out, c) },
		"markdown": func(c *compare.Comparison) error { return compare.WriteMarkdown(io.out, c) },
		"md":       func(c *compare.Comparison) error { return compare.WriteMarkdown(io.out, c) },
		"bench":    func(c *compare.Comparison) error { return compare.WriteBench(io.out, c) },
	}[*format]
	if !ok {
		return usageErrorf("compare: --format %q: want text, json, markdown or bench", *format)
	}
	if *alpha <= 0 || *alpha >= 1 {
		return usageErrorf("compare: --alpha must be between 0 and 1")
	}
	opts := compare.Options{Alpha: *alpha}
	if fs.Changed("by") {
		var err error
		if opts.By, err = compare.ParseBy(*by); err != nil {
			return usageErrorf("compare: --by: %v", err)
		}
	}
	if fs.Changed("metrics") {
		if err := compare.CheckMetrics("--metrics", *metrics); err != nil {
			return usageErrorf("compare: %v", err)
		}
		opts.Metrics = *metrics
	}
	var err error
	if *baseline != "" {
		if opts.Baseline, err = compare.ParseSelector(*baseline); err != nil {
			return usageErrorf("compare: --baseline: %v", err)
		}
	}
	if *budget != "" {
		if opts.Budgets, err = compare.ParseBudgets(*budget); err != nil {
			return usageErrorf("compare: %v", compare.WithFlag("--budget", err))
		}
	}
	if fs.NArg() == 0 {
		return usageErrorf("compare: no runs given (RUN.jsonl files or directories)")
	}
	runs, err := loadRuns(io, fs.Args())
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if err := compare.CheckByKnown(runs, opts.By); err != nil {
		return usageErrorf("compare: --by: %v", err)
	}
	c, err := compare.Compute(runs, opts)
	if err != nil {
		// A budget that these runs cannot answer names its flag.
		return fmt.Errorf("compare: %w", compare.WithFlag("--budget", err))
	}
	return write(c)
}

// loadRuns reads records from files and directories, naming each one that
// cannot be read on stderr and going on with the rest.
func loadRuns(io stdio, paths []string) ([]compare.Run, error) {
	runs, problems := compare.Load(paths)
	for _, p := range problems {
		fmt.Fprintf(io.err, "gcprobe: skipping %v\n", p)
	}
	if len(runs) == 0 {
		return nil, errors.New("no readable run records")
	}
	return runs, nil
}
