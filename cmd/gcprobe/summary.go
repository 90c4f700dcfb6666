package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gcprobe/gcprobe/analyze/summary"
)

const summaryHelp = `Summarize run records: GC cycles (automatic, periodic, forced), GC CPU
share, stop-the-world pauses, live heap and heap goal, allocation rate, RSS,
and for scenario runs request latency inside and outside GC cycles. Several
runs are shown side by side; a directory stands for every *.jsonl record in
it, and - for a record on stdin. Footnotes say how each figure was measured.

GC CPU share is the Go runtime's own definition: GC CPU time over GOMAXPROCS
× wall time between two GC cycle ends, with idle-priority marking shown
apart. From gctrace it is bounded (the bounds are shown); beside it is the
process's own CPU time, which the runtime's wall-clock account can exceed on
a busy machine. docs/figures.md says where every figure comes from.

Records of a fleet (gcprobe import prometheus) are shown one instance per
row instead, with the instances that stand out named in plain words
(--runs shows them side by side as any records).

Examples:
  gcprobe summary run.jsonl
  gcprobe summary --json sweep1/
  gcprobe summary fleet/
  gcprobe import gctrace app.log -o - | gcprobe summary -

A file that cannot be read is reported (file:line) and skipped; gcprobe then
exits with status 1 after summarizing the others.`

func cmdSummary(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "summary", "[flags] RUN|DIR|-...", summaryHelp)
	asJSON := fs.Bool("json", false, "write JSON (with named metrics) instead of text")
	perRun := fs.Bool("runs", false, "show a fleet's records side by side, as any records, instead of one row per instance")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("summary: no run record given (see gcprobe summary --help)")
	}
	sums, problems := summarizeOrStdin(io, fs.Args())
	for _, p := range problems {
		fmt.Fprintf(io.err, "gcprobe: %v\n", p)
	}
	failed := len(problems) > 0
	if len(sums) > 0 {
		write := summary.WriteText
		switch {
		case *asJSON:
			write = summary.WriteJSON
		case summary.IsFleet(sums) && !*perRun:
			write = summary.WriteFleetText
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

// summarizeOrStdin summarises the records named by args (files and
// directories, as readRuns takes them) and "-" from stdin (once). Each
// file is read as a stream (summary.ReadFile), in the same memory whatever
// its length; stdin, which cannot be read twice, is held whole.
func summarizeOrStdin(io stdio, args []string) (sums []summary.Summary, problems []error) {
	stdin := false
	for _, a := range args {
		if a == "-" {
			if stdin {
				problems = append(problems, errors.New("stdin: - given more than once"))
				continue
			}
			stdin = true
			s, err := summary.Read(io.in, "stdin")
			if err != nil {
				problems = append(problems, err)
				continue
			}
			sums = append(sums, s)
			continue
		}
		files, err := recordFiles(a)
		if err != nil {
			problems = append(problems, err)
		}
		for _, f := range files {
			s, err := summary.ReadFile(f)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			sums = append(sums, s)
		}
	}
	return sums, problems
}

// recordFiles is the record a names, or for a directory the run records
// (*.jsonl) in it, sorted, as compare.ReadRecords finds them.
func recordFiles(a string) ([]string, error) {
	fi, err := os.Stat(a)
	if err != nil || !fi.IsDir() {
		return []string{a}, nil // a missing file is reported by its reader
	}
	files, _ := filepath.Glob(filepath.Join(a, "*.jsonl"))
	slices.Sort(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no run records (*.jsonl) in this directory", a)
	}
	return files, nil
}
