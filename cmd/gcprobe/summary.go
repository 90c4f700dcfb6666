package main

import (
	"context"
	"fmt"

	"github.com/gcprobe/gcprobe/analyze/summary"
)

const summaryHelp = `Summarize run records: GC cycles (automatic, periodic, forced), GC CPU
share, stop-the-world pauses, live heap and heap goal, allocation rate, RSS,
and for scenario runs request latency inside and outside GC cycles. Several
runs are shown side by side; a directory stands for every *.jsonl record in
it. Footnotes say how each figure was measured.

A file that cannot be read is reported (file:line) and skipped; gcprobe then
exits with status 1 after summarizing the others.`

func cmdSummary(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "summary", "[flags] RUN|DIR...", summaryHelp)
	asJSON := fs.Bool("json", false, "write JSON (with named metrics) instead of text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("summary: no run record given (see gcprobe summary --help)")
	}
	runs, problems := readRuns(fs.Args())
	for _, p := range problems {
		fmt.Fprintf(io.err, "gcprobe: %v\n", p)
	}
	failed := len(problems) > 0
	var sums []summary.Summary
	for _, run := range runs {
		sums = append(sums, summary.Compute(run))
	}
	if len(sums) > 0 {
		write := summary.WriteText
		if *asJSON {
			write = summary.WriteJSON
		}
		if err := write(io.out, sums); err != nil {
			return err
		}
	}
	if failed {
		return exitStatus(1)
	}
	return nil
}
