package main

import (
	"context"
	"fmt"

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

With too few runs nothing can be significant, and nothing fails: five runs on
each side are the fewest that can show a difference at p <= 0.05 (the table's
footnotes say so).

Examples:
  gcprobe check --baseline main/ --max 'pause.p99=+10%,rss.peak=+5%' pr/
  gcprobe check --baseline old.jsonl --max gc.cpu=+20% new1.jsonl new2.jsonl new3.jsonl`

func cmdCheck(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "check", "--baseline OLD --max LIMITS NEW...", checkHelp)
	baseline := fs.StringSlice("baseline", nil, "the runs to compare with: RUN files or directories, comma-separated or repeated")
	max := fs.String("max", "", "how much worse each metric may get, as metric=+N%,... (pause.p99=+10%,rss.peak=+5%)")
	alpha := fs.Float64("alpha", 0.05, "significance level of the U-test")
	if err := parseFlags(fs, args); err != nil {
		return err
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
	res, err := compare.Check(old, new, limits, *alpha)
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
