package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gcprobe/gcprobe/analyze/compare"
)

const checkHelp = `Fail when a metric got significantly worse than allowed (for CI).

The runs of NEW are compared with the --baseline runs of the same
configuration (GOGC, GOMEMLIMIT, GOMAXPROCS, scenario parameters; the program
itself may differ: that is the point). A metric fails when its median got
worse by more than its limit and the Mann–Whitney U test finds the difference
significant (p <= --alpha). gcprobe check prints a table and exits 1 when a
metric failed, 0 otherwise. Limits are percentages of the baseline's median;
"worse" is up for every metric but throughput.

With too few runs nothing can be significant, and nothing fails: four runs on
each side are the fewest that can show a difference at p <= 0.05 (the exact
U-test's smallest two-sided p is 2/70 = 0.029 for 4 and 4 runs, 0.1 for 3
and 3; the table's footnotes say so). A limit on a metric that no run
measured is a usage error (exit status 2): nothing could be checked.

A fleet's records (gcprobe import prometheus) differ by their labels: with
--by LABEL the runs are matched on that label (or setting) alone, so that
the instances before and after a deploy are repeats of one configuration
(--by job pools each job's instances).

Examples:
  gcprobe check --baseline main/ --max 'pause.p99=+10%,rss.peak=+5%' pr/
  gcprobe check --by job --baseline before/ --max 'gc.cpu=+10%' after/
  gcprobe check --baseline old.jsonl --max gc.cpu=+20% new1.jsonl new2.jsonl new3.jsonl`

func cmdCheck(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "check", "--baseline OLD --max LIMITS NEW...", checkHelp)
	baseline := fs.StringSlice("baseline", nil, "the runs to compare with: RUN files or directories, comma-separated or repeated")
	max := fs.String("max", "", "how much worse each metric may get, as metric=+N%,... (pause.p99=+10%,rss.peak=+5%)")
	alpha := fs.Float64("alpha", 0.05, "significance level of the U-test")
	by := fs.String("by", "", "match runs on these dimensions or labels only, comma-separated (job, version, gogc)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var byDims []string
	if fs.Changed("by") {
		var err error
		if byDims, err = compare.ParseBy(*by); err != nil {
			return usageErrorf("check: --by: %v", err)
		}
	}
	if *max == "" {
		return usageErrorf("check: --max is required (example: --max 'pause.p99=+10%%,rss.peak=+5%%')")
	}
	limits, err := compare.ParseLimits(*max)
	if err != nil {
		return usageErrorf("check: %v", compare.WithFlag("--max", err))
	}
	if len(*baseline) == 0 {
		return usageErrorf("check: --baseline is required: the runs to compare with")
	}
	if fs.NArg() == 0 {
		return usageErrorf("check: no new runs given")
	}
	if *alpha <= 0 || *alpha >= 1 {
		return usageErrorf("check: --alpha must be between 0 and 1")
	}
	old, err := loadRuns(io, *baseline)
	if err != nil {
		return fmt.Errorf("check: --baseline: %w", err)
	}
	new, err := loadRuns(io, fs.Args())
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if err := compare.CheckByKnown(append(slices.Clone(old), new...), byDims); err != nil {
		return usageErrorf("check: --by: %v", err)
	}
	res, err := compare.CheckBy(old, new, limits, *alpha, byDims)
	if errors.Is(err, compare.ErrNotMeasured) {
		return usageErrorf("check: %v", compare.WithFlag("--max", err))
	}
	if err != nil {
		return fmt.Errorf("check: %w", compare.WithFlag("--max", err))
	}
	if err := compare.WriteCheck(io.out, res); err != nil {
		return err
	}
	if res.Failed > 0 {
		return fmt.Errorf("check: %d of %d checks failed: significantly worse than allowed", res.Failed, len(res.Rows))
	}
	return nil
}
