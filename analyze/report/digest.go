package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/summary"
)

// Digest is the runs of a wide sweep said once: past summary.MaxSideBySide
// runs, a section per run repeats the same facts and warnings a hundred
// times. It holds what every run has in common, each distinct warning and
// note with the runs it concerns, and a row per run with only what differs.
type Digest struct {
	// Common are the facts every run has alike, as Run.Facts names them.
	Common [][2]string
	// Differ names the facts that differ between runs (always "record"
	// first); each row has their values, in this order.
	Differ []string
	Rows   []DigestRow
	// Warnings and Notes are each distinct text with the runs (1-based)
	// that carry it, in the order first met.
	Warnings, Notes []Shared
}

// DigestRow is one run: the facts that differ, its verdict, and what is
// attached to it (profiles, traces), which a report of this run alone shows.
type DigestRow struct {
	Facts    []string
	Verdict  string
	Attached string
}

// Shared is a text that several runs carry.
type Shared struct {
	Text string
	Runs []int
}

// RunsLine lists the runs compactly: "runs 1–5, 11, 16–20", "run 3".
func (s Shared) RunsLine() string {
	var parts []string
	for i := 0; i < len(s.Runs); {
		j := i
		for j+1 < len(s.Runs) && s.Runs[j+1] == s.Runs[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, fmt.Sprint(s.Runs[i]))
		default:
			parts = append(parts, fmt.Sprintf("%d–%d", s.Runs[i], s.Runs[j]))
		}
		i = j + 1
	}
	word := "runs "
	if len(s.Runs) == 1 {
		word = "run "
	}
	return word + strings.Join(parts, ", ")
}

// Digested reports whether the report says its runs as a Digest rather
// than a section each: past summary.MaxSideBySide runs, as the summary
// table pivots, and not for a fleet (its own table names each instance).
func (r *Report) Digested() bool {
	return len(r.Runs) > summary.MaxSideBySide && r.Fleet == nil
}

// Digest computes the digest of the report's runs.
func (r *Report) Digest() Digest {
	var d Digest
	facts := make([]map[string]string, len(r.Runs))
	var names []string
	for i, run := range r.Runs {
		facts[i] = map[string]string{}
		for _, f := range run.Facts() {
			facts[i][f[0]] = f[1]
			if !slices.Contains(names, f[0]) {
				names = append(names, f[0])
			}
		}
	}
	for _, n := range names {
		same := n != "record"
		for _, f := range facts[1:] {
			if v, ok := f[n]; !ok || v != facts[0][n] {
				same = false
			}
		}
		if same {
			d.Common = append(d.Common, [2]string{n, facts[0][n]})
		} else {
			d.Differ = append(d.Differ, n)
		}
	}
	for i, run := range r.Runs {
		row := DigestRow{Verdict: run.Verdict, Attached: attachments(run)}
		for _, n := range d.Differ {
			row.Facts = append(row.Facts, facts[i][n])
		}
		d.Rows = append(d.Rows, row)
		for _, w := range run.Summary.Warnings {
			d.Warnings = share(d.Warnings, w.Error(), i+1)
		}
		for _, n := range run.Summary.Notes {
			d.Notes = share(d.Notes, n, i+1)
		}
	}
	return d
}

// share adds run to the runs of text, or text with its first run.
func share(ss []Shared, text string, run int) []Shared {
	for i := range ss {
		if ss[i].Text == text {
			if !slices.Contains(ss[i].Runs, run) {
				ss[i].Runs = append(ss[i].Runs, run)
			}
			return ss
		}
	}
	return append(ss, Shared{Text: text, Runs: []int{run}})
}

// attachments names a run's profiles and traces: "heap profile, 2 traces".
func attachments(run *Run) string {
	var parts []string
	for _, p := range run.Profiles {
		parts = append(parts, p.Kind+" profile")
	}
	switch n := len(run.Traces); {
	case n == 1:
		parts = append(parts, "1 trace")
	case n > 1:
		parts = append(parts, fmt.Sprintf("%d traces", n))
	}
	return strings.Join(parts, ", ")
}
