package report

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/internal/golden"
	"github.com/gcprobe/gcprobe/internal/synth"
	"github.com/gcprobe/gcprobe/record"
)

// synthRun is a synthetic record held whole, as gcprobe report reads it.
func synthRun(tb testing.TB, o synth.Options) *record.Run {
	tb.Helper()
	run := &record.Run{File: synth.Name(o) + ".jsonl", Header: synth.Header(o)}
	for e := range synth.Events(o) {
		run.Events = append(run.Events, e)
	}
	return run
}

// BenchmarkReportScale measures building and rendering the HTML report of
// records of growing length at a service's 110 GC cycles a second, from
// 40 seconds to an hour: the cost should grow with the record (reading it,
// a pass per chart) while the page stays the same size (html-bytes), as
// dense charts aggregate by column.
//
//	go test ./analyze/report -run XXX -bench ReportScale -benchmem
func BenchmarkReportScale(b *testing.B) {
	for _, secs := range []float64{40, 360, 3600} {
		o := synth.Options{Seconds: secs, CyclesPerSecond: 111, Latency: true}
		run := synthRun(b, o)
		b.Run(fmt.Sprintf("%gs-%dcycles", secs, countGC(run)), func(b *testing.B) {
			var size int
			for b.Loop() {
				rep := Build(context.Background(), []*record.Run{run}, Options{})
				var page bytes.Buffer
				if err := WriteHTML(&page, rep); err != nil {
					b.Fatal(err)
				}
				size = page.Len()
			}
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}

func countGC(run *record.Run) int {
	n := 0
	for _, e := range run.Events {
		if e.GC != nil {
			n++
		}
	}
	return n
}

// sweep24 is a generated sweep of 24 configurations, five runs each:
// GOGC 25 to 400 and off, with and without a 512 MiB limit, in the
// pointer-heavy and the compact layout.
func sweep24(t testing.TB) []*record.Run {
	var runs []*record.Run
	for _, layout := range []string{"pointers", "compact"} {
		for _, limit := range []int{0, 512} {
			for _, gogc := range []int{25, 50, 100, 200, 400, 0} {
				for rep := 1; rep <= 5; rep++ {
					h, es := scenarioWith(sweepConfig{gogc: gogc, limitMiB: limit, layout: layout}, uint64(rep))
					name := fmt.Sprintf("sweep24/%s-gogc%d-limit%d-%d.jsonl", layout, gogc, limit, rep)
					run, err := record.Read(bytes.NewReader(encode(t, h, es)), name)
					if err != nil {
						t.Fatal(err)
					}
					runs = append(runs, run)
				}
			}
		}
	}
	return runs
}

// Records at scale, generated rather than kept in testdata: a service at
// 110 GC cycles a second for 35 s (dense), the same for an hour (long,
// 394,474 cycles), and a sweep of 24 configurations.
var (
	denseOpts = synth.Options{Seconds: 35, CyclesPerSecond: 110, Latency: true, Seed: 1}
	longOpts  = synth.Options{Seconds: 3600, CyclesPerSecond: 111, Latency: true, Seed: 2}
)

var scaleCached map[string]*Report

func scaleCases(t *testing.T) map[string]*Report {
	t.Helper()
	if testing.Short() {
		t.Skip("builds an hour-long record; skipped with -short")
	}
	if scaleCached != nil {
		return scaleCached
	}
	ctx := context.Background()
	scaleCached = map[string]*Report{
		"dense":   Build(ctx, []*record.Run{synthRun(t, denseOpts)}, Options{}),
		"long":    Build(ctx, []*record.Run{synthRun(t, longOpts)}, Options{}),
		"sweep24": Build(ctx, sweep24(t), Options{}),
	}
	return scaleCached
}

// TestScaleMarkdown compares the reports at scale with their golden files
// and checks their charts are drawn.
func TestScaleMarkdown(t *testing.T) {
	for name, rep := range scaleCases(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var b bytes.Buffer
			if err := WriteMarkdown(&b, rep, filepath.Join(dir, "charts"), "charts"); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", name+".md"), b.Bytes(), *update)
			links := regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllStringSubmatch(b.String(), -1)
			if len(links) == 0 {
				t.Fatal("no chart linked")
			}
			for _, l := range links {
				checkPNG(t, filepath.Join(dir, l[1]))
			}
		})
	}
}

// TestScaleHTMLSize checks the HTML of a dense and of an hour-long run stays
// small: a chart grows with its columns, not with the run.
func TestScaleHTMLSize(t *testing.T) {
	sizes := map[string]int{}
	for name, rep := range scaleCases(t) {
		var b bytes.Buffer
		if err := WriteHTML(&b, rep); err != nil {
			t.Fatal(err)
		}
		sizes[name] = b.Len()
		if b.Len() > 2<<20 {
			t.Errorf("%s: the HTML report is %d bytes, more than 2 MiB", name, b.Len())
		}
	}
	t.Logf("HTML sizes: %v", sizes)
	if sizes["long"] > 2*sizes["dense"] {
		t.Errorf("an hour's report is %d bytes against 35 s's %d: it grows with the run", sizes["long"], sizes["dense"])
	}
}

// TestWideSweepReadable checks the report of a 24-configuration sweep: its
// verdict comes first (with and without --budget), its runs' table is as
// narrow as a few runs' would be, and its Pareto chart names what it plots.
func TestWideSweepReadable(t *testing.T) {
	rep := scaleCases(t)["sweep24"]
	if n := len(rep.Table.Head); n > 10 {
		t.Errorf("the runs' table of 120 runs has %d columns", n)
	}
	if len(rep.Verdict) == 0 || !strings.HasPrefix(rep.Verdict[0], "gc.cpu: best gogc=400") {
		t.Errorf("verdict %q, want one line per metric, gc.cpu's best first", rep.Verdict)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rep, t.TempDir(), "charts"); err != nil {
		t.Fatal(err)
	}
	s := md.String()
	if v, c := strings.Index(s, "**Verdict**"), strings.Index(s, "## Comparison"); v < 0 || v > c {
		t.Errorf("the verdict is not before the comparison (at %d, comparison at %d)", v, c)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<details class="runs"><summary>Each of the 120 runs: what differs, its verdict</summary>`) ||
		strings.Contains(page.String(), `<section class="run"`) {
		t.Error("the HTML shows the 120 runs' own sections, not the digest of them")
	}
	if len(rep.Figures) == 0 || rep.Figures[0].Name != "pareto" || rep.Figures[0].Title != "Peak RSS against p99 latency" {
		t.Errorf("first figure %+v, want the Pareto chart titled by its axes", rep.Figures[0])
	}
	// With a budget the verdict stays, and the recommendation joins it.
	budget := Build(context.Background(), sweep24(t)[:30], Options{Budgets: []compare.Budget{{Metric: "rss.peak", Value: "700MiB"}}})
	if len(budget.Verdict) == 0 || budget.Comparison == nil || budget.Comparison.Recommendation == nil {
		t.Errorf("with --budget: verdict %d lines, recommendation %v", len(budget.Verdict), budget.Comparison)
	}
}
