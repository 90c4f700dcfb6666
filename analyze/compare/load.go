package compare

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// FromRecord summarizes a record into a Run.
func FromRecord(r *record.Run) Run { return FromSummary(r, summary.Compute(r)) }

// FromSummary makes a Run of a record and its summary, for a caller that has
// summarized it already (the report).
func FromSummary(r *record.Run, s summary.Summary) Run {
	return Run{File: r.File, Config: ConfigOf(r.Header), Metrics: s.Metrics(), Ended: s.Incomplete()}
}

// Load reads run records (see ReadRecords) and summarizes each into a Run.
func Load(paths []string) (runs []Run, problems []error) {
	records, problems := ReadRecords(paths)
	for _, r := range records {
		runs = append(runs, FromRecord(r))
	}
	return runs, problems
}

// ReadRecords reads run records: files as given, and every *.jsonl file
// directly inside a directory (a sweep's --out), in name order. A record
// that cannot be read is reported in problems, one error naming its file
// each, and the rest are still returned; a file given by name that is
// missing is a problem too.
func ReadRecords(paths []string) (records []*record.Run, problems []error) {
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
				problems = append(problems, err) // it names the file
				continue
			}
			records = append(records, r)
		}
	}
	return records, problems
}
