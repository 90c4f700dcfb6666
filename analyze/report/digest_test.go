package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// TestDigest checks the sweep of 3 × 6 runs is said once: the facts all
// runs share, the settings and records that differ, one row per run, and
// every run's warnings kept, each once with its runs.
func TestDigest(t *testing.T) {
	rep := cases(t)["sweep"]
	if !rep.Digested() {
		t.Fatalf("%d runs not digested", len(rep.Runs))
	}
	d := rep.Digest()
	if len(d.Rows) != len(rep.Runs) || len(d.Differ) == 0 || d.Differ[0] != "record" {
		t.Fatalf("%d rows for %d runs, differing %v; want a row each, record first", len(d.Rows), len(rep.Runs), d.Differ)
	}
	common := map[string]bool{}
	for _, f := range d.Common {
		common[f[0]] = true
	}
	for _, n := range d.Differ {
		if common[n] {
			t.Errorf("%s is both common and differing", n)
		}
	}
	if !common["source"] || common["settings"] {
		t.Errorf("common %v: want source (every run is a scenario), not settings (GOGC differs)", d.Common)
	}
	want, got := 0, 0
	for _, r := range rep.Runs {
		want += len(r.Summary.Warnings)
	}
	for _, w := range d.Warnings {
		got += len(w.Runs)
	}
	if want == 0 || got != want {
		t.Errorf("the digest's warnings cite %d runs' warnings, the runs carry %d", got, want)
	}
	for i, row := range d.Rows {
		if row.Verdict != rep.Runs[i].Verdict || row.Facts[0] != rep.Runs[i].Summary.File {
			t.Errorf("row %d: %q %q, want run %d's record and verdict", i, row.Facts[0], row.Verdict, i+1)
		}
	}
}

func TestRunsLine(t *testing.T) {
	for _, c := range []struct {
		runs []int
		want string
	}{
		{[]int{3}, "run 3"},
		{[]int{1, 2, 3, 4, 5, 11, 16, 17}, "runs 1–5, 11, 16–17"},
		{[]int{2, 4}, "runs 2, 4"},
	} {
		if got := (Shared{Runs: c.runs}).RunsLine(); got != c.want {
			t.Errorf("%v: %q, want %q", c.runs, got, c.want)
		}
	}
}

// TestMarkdownFoldsRuns: past summary.MaxSideBySide runs, the Markdown
// report has no section per run; its rows are in a <details> block, with
// blank lines around the table so that GitHub renders it.
func TestMarkdownFoldsRuns(t *testing.T) {
	for name, runs := range map[string]int{"sweep": 18, "scenario": 1} {
		var b bytes.Buffer
		if err := WriteMarkdown(&b, cases(t)[name], filepath.Join(t.TempDir(), "charts"), "charts"); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		folded := strings.Contains(s, "<details><summary>Each of the 18 runs: what differs, its verdict</summary>\n\n| run | record |") &&
			strings.Contains(s, "|\n\n</details>\n")
		if sections := strings.Count(s, "\n## Run "); (runs > 6) != (folded && sections == 0) {
			t.Errorf("%s (%d runs): folded %v, %d sections of single runs", name, runs, folded, sections)
		}
	}
}

// TestPartsStartSaid: the parts of the RSS are of the measured load, so
// their chart starts at the end of the warmup while the memory chart above
// starts at 0; the caption says so, and nothing when there was no warmup.
func TestPartsStartSaid(t *testing.T) {
	parts := chart.Stacked{X: []float64{0.913, 1.9}}
	got := partsStart(summary.Summary{MeasuredFrom: 0.789}, parts)
	for _, want := range []string{"end of the warmup, t=789 ms", "first sample that has them is at 913 ms", "memory chart above starts at 0"} {
		if !strings.Contains(got, want) {
			t.Errorf("caption %q lacks %q", got, want)
		}
	}
	if got := partsStart(summary.Summary{}, parts); got != "" {
		t.Errorf("without a warmup: %q, want nothing", got)
	}
}

// TestOverSharesSaid: per-cycle shares of the runtime's account above 100%
// are explained in the GC CPU chart's caption, with their count and the
// largest; none above, nothing said.
func TestOverSharesSaid(t *testing.T) {
	run := func(over bool) *record.Run {
		r := &record.Run{File: "probe.jsonl", Header: record.Header{Source: record.SourceProbe}}
		for i := 1; i <= 10; i++ {
			gc := 0.02
			if over && i == 4 {
				gc = 0.046 // 230% of 0.02 s available
			}
			r.Events = append(r.Events,
				record.Event{T: float64(i) * 0.01, Sample: &record.Sample{RSSBytes: 10 << 20, HeapLiveBytes: 4 << 20}},
				record.Event{T: float64(i) * 0.01, GC: &record.GC{N: uint64(i), GCCPUSeconds: gc / 10 * float64(1+i%3), IntervalCPUSeconds: 0.02}})
			if over && i == 4 {
				r.Events[len(r.Events)-1].GC.GCCPUSeconds = gc
			}
		}
		return r
	}
	caption := func(r *record.Run) string {
		figs, err := runFigures(summary.Compute(r), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range figs {
			if f.Name == "gc-cpu" {
				return f.Caption
			}
		}
		t.Fatal("no GC CPU chart")
		return ""
	}
	got := caption(run(true))
	for _, want := range []string{"1 of 10 cycles show more than 100% (up to 230%)", "after the next one had begun", "the run's GC CPU share"} {
		if !strings.Contains(got, want) {
			t.Errorf("caption %q lacks %q", got, want)
		}
	}
	if got := caption(run(false)); strings.Contains(got, "more than 100%") {
		t.Errorf("no share above 100%%, yet: %q", got)
	}
}
