package compare

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// FromRecord summarizes a record into a Run.
func FromRecord(r *record.Run) Run {
	run := Run{File: r.File, Config: ConfigOf(r.Header), Metrics: summary.Compute(r).Metrics()}
	switch e := r.End(); {
	case e == nil:
		run.Ended = "cut short: no end event"
	case e.Reason == record.EndInterrupted, e.Reason == record.EndError, e.Reason == record.EndLost:
		run.Ended = e.Reason
		if e.Error != "" {
			run.Ended += ": " + e.Error
		}
	}
	return run
}

// Load reads run records: files as given, and every *.jsonl file directly
// inside a directory (a sweep's --out). A record that cannot be read is
// reported in problems, one error naming its file each, and the rest are
// still returned; a file given by name that is missing is a problem too.
func Load(paths []string) (runs []Run, problems []error) {
	for _, p := range paths {
		files := []string{p}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			matches, err := filepath.Glob(filepath.Join(p, "*.jsonl"))
			if err != nil {
				problems = append(problems, err)
				continue
			}
			slices.Sort(matches)
			if len(matches) == 0 {
				problems = append(problems, fmt.Errorf("%s: no run records (*.jsonl) in this directory", p))
			}
			files = matches
		}
		for _, f := range files {
			r, err := record.ReadFile(f)
			if err != nil {
				if !strings.Contains(err.Error(), f) {
					err = fmt.Errorf("%s: %w", f, err)
				}
				problems = append(problems, err)
				continue
			}
			runs = append(runs, FromRecord(r))
		}
	}
	return runs, problems
}
