package summary

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/internal/golden"

	"github.com/gcprobe/gcprobe/record"
)

var update = flag.Bool("update", false, "rewrite testdata records and golden files")

// TestGolden summarises every generated record and compares text and JSON
// with the golden files beside it.
func TestGolden(t *testing.T) {
	recs := genRecords(t)
	if *update {
		for name, data := range recs {
			if err := os.WriteFile(filepath.Join("testdata", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range recs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			run, err := record.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sums := []Summary{Compute(run)}
			var text, js bytes.Buffer
			if err := WriteText(&text, sums); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, sums); err != nil {
				t.Fatal(err)
			}
			base := strings.TrimSuffix(path, ".jsonl")
			golden.Check(t, base+".txt", text.Bytes(), *update)
			golden.Check(t, base+".json", js.Bytes(), *update)
		})
	}
}

// TestSideBySide compares several runs' text with its golden file.
func TestSideBySide(t *testing.T) {
	var sums []Summary
	for _, name := range []string{"gctrace.jsonl", "probe.jsonl", "scenario.jsonl"} {
		run, err := record.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, Compute(run))
	}
	var text bytes.Buffer
	if err := WriteText(&text, sums); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/side-by-side.txt", text.Bytes(), *update)
}

// TestGeneratedUpToDate fails when the generator and testdata disagree.
func TestGeneratedUpToDate(t *testing.T) {
	for name, data := range genRecords(t) {
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("testdata/%s is out of date with gen_test.go: run go test -update", name)
		}
	}
}

func computeGen(t *testing.T, r rec) Summary {
	t.Helper()
	run, err := record.Read(bytes.NewReader(encode(t, r)), "x.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return Compute(run)
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestGCTraceFigures(t *testing.T) {
	r := genGCTrace()
	s := computeGen(t, r)
	c := s.Cycles
	if c.Total != 8 || c.Forced != 1 || c.Periodic != 1 || c.Automatic != 7 || c.Bounded != 8 {
		t.Errorf("cycles = %+v", c)
	}
	// gctrace prints 8%, rounded down: [8%, 9%).
	if c := s.GCCPU; c.Method != CPUGCTrace || !near(c.Share, 0.085) || !near(c.Low, 0.08) || !near(c.High, 0.09) {
		t.Errorf("GC CPU = %+v, want gctrace's 8%% to 9%%", s.GCCPU)
	}
	if s.Pauses.Method != PauseCycles || !near(s.Pauses.Max, 0.0004) || !near(s.Pauses.Longest, 0.00024) || !near(s.Pauses.Total, 0.00005*36) {
		t.Errorf("pauses = %+v", s.Pauses)
	}
	// Each second the heap ends at live*1.5+2MiB having been live
	// (live-1MiB) a cycle before: 1.5*live+2MiB-(live-1MiB) = live/2+3MiB.
	if s.Alloc.Method != AllocGCTrace || s.Alloc.BytesPerSecond < 7<<20 || s.Alloc.BytesPerSecond > 9<<20 {
		t.Errorf("alloc = %+v", s.Alloc)
	}
	if s.End == nil || s.CutShort || !strings.Contains(s.Ended, "status 3") {
		t.Errorf("ended = %q", s.Ended)
	}
	if s.RSSPeak != 29<<20 {
		t.Errorf("RSS peak = %v", s.RSSPeak)
	}
}

func TestProbeFigures(t *testing.T) {
	s := computeGen(t, genProbe())
	// GC CPU per cycle: (0.05+0.01*(i%4)) for even i over 2 s each.
	if s.GCCPU.Method != CPURuntimeCycles || !near(s.GCCPU.Share, (5*0.05+5*0.07)/20) {
		t.Errorf("GC CPU = %+v", s.GCCPU)
	}
	if s.Pauses.Method != PauseHist || s.Pauses.Count != 21 || s.Pauses.Max != 2e-3 {
		t.Errorf("pauses = %+v (want 21 from histograms, max at the open bucket's lower bound)", s.Pauses)
	}
	if s.Alloc.Method != AllocSamples || !near(s.Alloc.BytesPerSecond, 100<<20) {
		t.Errorf("alloc = %+v, want 100 MiB/s", s.Alloc)
	}
	if s.HeapFrom != "gc events" || s.HeapLive.Min != 38<<20+1<<20*0 && s.HeapLive.N != 10 {
		t.Errorf("heap = %+v from %s", s.HeapLive, s.HeapFrom)
	}
	if len(s.Notes) != 1 || !strings.Contains(s.Ended, "SIGKILL") {
		t.Errorf("notes %q, ended %q", s.Notes, s.Ended)
	}
}

func TestScenarioLatency(t *testing.T) {
	s := computeGen(t, genScenario())
	l := s.Latency
	if l == nil {
		t.Fatal("no latency summary")
	}
	if l.Requests != 40000 || !near(l.Throughput, 1000) {
		t.Errorf("requests %d throughput %v", l.Requests, l.Throughput)
	}
	// Cycles [10.2, 11.7] ... overlap the intervals ending at 11 and 12.
	if !l.Split || l.InGC.Intervals != 6 || l.OutGC.Intervals != 34 {
		t.Errorf("split %v: in %d out %d intervals", l.Split, l.InGC.Intervals, l.OutGC.Intervals)
	}
	if l.InGC.P99 < 20*l.OutGC.P99 || l.OutGC.P99 > 0.005 {
		t.Errorf("p99 in GC %v, outside %v: want the generated tail inside GC", l.InGC.P99, l.OutGC.P99)
	}
	if l.Slow.Listed == 0 || l.Slow.Share != 1 {
		t.Errorf("slow = %+v: every generated slow request is inside a cycle", l.Slow)
	}
	if l.LongestPause != 0.0011 {
		t.Errorf("longest pause %v", l.LongestPause)
	}
	v := strings.Join(s.Verdict(), "; ")
	if !strings.Contains(v, "GC CPU use") || !strings.Contains(v, "not from pauses") {
		t.Errorf("verdict %q does not blame GC CPU", v)
	}
	if m, ok := s.Metric("latency.p99_in_gc"); !ok || m.Value != l.InGC.P99 || !m.LowerIsBetter {
		t.Errorf("metric latency.p99_in_gc = %+v, %v", m, ok)
	}
	if m, ok := s.Metric("throughput"); !ok || m.LowerIsBetter {
		t.Errorf("throughput metric %+v", m)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		gen  func() rec
		want string
	}{
		{"periodic", genPeriodic, "all cycles were periodic 2-minute GCs"},
		{"no gc", func() rec {
			return rec{record.Header{Source: record.SourceRun}, []record.Event{{T: 1, Sample: &record.Sample{RSSBytes: 1 << 20}}}}
		}, "no GC cycles observed"},
		{"unbounded cycles", func() rec {
			return rec{record.Header{Source: record.SourceScenario}, []record.Event{
				{T: 1, GC: &record.GC{N: 1}},
				{T: 1, Latency: &record.Latency{IntervalSeconds: 1, Count: 10, MaxSeconds: 0.001, Buckets: []record.Bucket{{Lo: 0.0009, Hi: 0.001, Count: 10}}}},
			}}
		}, "did not record when GC cycles started and ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := computeGen(t, tt.gen())
			if !strings.Contains(strings.Join(messages(s.Warnings), "\n"), tt.want) {
				t.Errorf("warnings %q lack %q", s.Warnings, tt.want)
			}
		})
	}
}

func TestEmptyRecordIsSafe(t *testing.T) {
	s := computeGen(t, rec{record.Header{Source: record.SourceRun}, nil})
	if !s.CutShort || len(s.Metrics()) != 0 {
		t.Errorf("cut short %v, metrics %v", s.CutShort, s.Metrics())
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, []Summary{s}); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&b, []Summary{s}); err != nil {
		t.Fatal(err)
	}
}

func TestMetricNamesStable(t *testing.T) {
	s := computeGen(t, genScenario())
	known := map[string]int{}
	for i, n := range MetricNames {
		known[n] = i
	}
	last := -1
	for _, m := range s.Metrics() {
		i, ok := known[m.Name]
		if !ok {
			t.Errorf("metric %s is not in MetricNames", m.Name)
		}
		if i <= last {
			t.Errorf("metric %s out of MetricNames order", m.Name)
		}
		last = i
		if m.Unit == "" || m.Format() == "" {
			t.Errorf("metric %s has no unit", m.Name)
		}
	}
	for _, want := range []string{"gc.cpu", "gc.cycles_per_min", "pause.p99", "pause.max", "heap.goal", "rss.peak", "rss.median", "throughput", "latency.p50", "latency.p99", "latency.p999", "latency.p99_in_gc"} {
		if _, ok := s.Metric(want); !ok {
			t.Errorf("scenario summary lacks metric %s", want)
		}
	}
}

func TestHistQuantile(t *testing.T) {
	var h hist
	h.add([]record.Bucket{{Lo: 1, Hi: 2, Count: 50}, {Lo: 2, Hi: 4, Count: 50}})
	h.add([]record.Bucket{{Lo: 1, Hi: 2, Count: 0}, {Lo: 8, Hi: 0, Count: 1}})
	if h.n != 101 || len(h.buckets) != 3 {
		t.Fatalf("merged %d in %d buckets", h.n, len(h.buckets))
	}
	if q := h.quantile(0.25); !near(q, 1.505) {
		t.Errorf("p25 = %v", q)
	}
	if q := h.quantile(1); q != 8 || h.max() != 8 {
		t.Errorf("p100 = %v, max %v: the open bucket gives its lower bound", q, h.max())
	}
	var empty hist
	if !math.IsNaN(empty.quantile(0.5)) {
		t.Error("empty quantile is not NaN")
	}
}

func TestOverlaps(t *testing.T) {
	cycles := []span{{1, 2}, {5, 6}}
	for _, tt := range []struct {
		lo, hi float64
		want   bool
	}{{0, 1, false}, {0, 1.1, true}, {2, 5, false}, {1.5, 1.5, true}, {5.5, 9, true}, {6, 7, false}, {3, 4, false}} {
		if got := overlaps(cycles, tt.lo, tt.hi); got != tt.want {
			t.Errorf("overlaps(%v, %v) = %v", tt.lo, tt.hi, got)
		}
	}
}

func TestVerdictWhenTailIsOutsideGC(t *testing.T) {
	s := computeGen(t, genScenario())
	// The same run, with the tail moved outside the GC cycles, as when the
	// machine rather than the GC stalls the requests.
	s.Latency.InGC.P99, s.Latency.OutGC.P99 = 0.03, 7.9
	s.Latency.Slow.Share = 0
	v := strings.Join(s.Verdict(), "; ")
	if !strings.Contains(v, "p99 latency inside GC cycles was lower than outside (30.0 ms against 7.90 s)") {
		t.Errorf("verdict %q", v)
	}
	if !strings.Contains(v, "GC cycles do not make the latency tail noticeably worse") {
		t.Errorf("verdict %q should clear the GC", v)
	}
}

// A scenario that fills a cache before its load: heap, RSS, GC CPU and
// allocation figures must be those of the load, not pulled toward the small
// heap and the different GC of the fill.
func TestFiguresOverMeasuredLoad(t *testing.T) {
	r := rec{h: record.Header{Source: record.SourceScenario, Scenario: "fill", Start: testStart}}
	add := func(tt float64, e record.Event) { e.T = tt; r.es = append(r.es, e) }
	// Fill, t in [0, 10): 9 cycles with a small live heap and a high GC share.
	for i := range 9 {
		t0 := float64(i) + 0.5
		add(t0+0.1, record.Event{GC: &record.GC{N: uint64(i + 1), StartSeconds: t0, EndSeconds: t0 + 0.1,
			HeapLiveBytes: uint64(i+1) << 20, HeapGoalBytes: uint64(i+1) << 21, GCCPUSeconds: 0.9, IntervalCPUSeconds: 1}})
		add(t0, record.Event{Sample: &record.Sample{RSSBytes: 10 << 20, AllocBytesTotal: uint64(i) << 30}})
	}
	// Load, t in [10, 20]: 2 cycles with 1 GiB live, 10% GC CPU, 1 MiB/s.
	for i := range 2 {
		t0 := 12 + 5*float64(i)
		add(t0+0.5, record.Event{GC: &record.GC{N: uint64(10 + i), StartSeconds: t0, EndSeconds: t0 + 0.5,
			HeapLiveBytes: 1 << 30, HeapGoalBytes: 2 << 30, GCCPUSeconds: 0.5, IntervalCPUSeconds: 5}})
	}
	for i := range 11 {
		add(10+float64(i), record.Event{Sample: &record.Sample{RSSBytes: 2 << 30, HeapLiveBytes: 1 << 30, AllocBytesTotal: 10<<30 + uint64(i)<<20}})
		if i > 0 {
			add(10+float64(i), record.Event{Latency: &record.Latency{IntervalSeconds: 1, Count: 100,
				MaxSeconds: 0.001, SumSeconds: 0.05, Buckets: []record.Bucket{{Lo: 0.0009, Hi: 0.001, Count: 100}}}})
		}
	}
	s := computeGen(t, r)
	if !near(s.MeasuredFrom, 10) {
		t.Errorf("measured from %g, want 10", s.MeasuredFrom)
	}
	if s.HeapLive.N != 2 || s.HeapLive.Min != 1<<30 || s.HeapGoal.Median != 2<<30 {
		t.Errorf("heap live %+v goal %+v, want the load's 2 cycles at 1 GiB live, 2 GiB goal", s.HeapLive, s.HeapGoal)
	}
	if !near(s.GCCPU.Share, 0.1) {
		t.Errorf("GC CPU share %g, want the load's 0.1", s.GCCPU.Share)
	}
	if !near(s.Alloc.BytesPerSecond, 1<<20) {
		t.Errorf("allocation rate %g, want the load's 1 MiB/s", s.Alloc.BytesPerSecond)
	}
	if !near(s.RSSOverLive, 2) || s.RSSPeak != 2<<30 {
		t.Errorf("RSS/live %g, peak %g: want 2x and 2 GiB", s.RSSOverLive, s.RSSPeak)
	}
	if s.Cycles.Total != 11 {
		t.Errorf("cycles %d: the count covers the whole run, want 11", s.Cycles.Total)
	}
	// Without a cycle during the load, the GC used no CPU in it.
	r.es = slices.DeleteFunc(slices.Clone(r.es), func(e record.Event) bool { return e.GC != nil && e.GC.N > 9 })
	if s := computeGen(t, r); s.GCCPU.Share != 0 || s.GCCPU.Method != CPUNoCycle || s.HeapLive.Median != 1<<30 {
		t.Errorf("no cycle in the load: GC CPU %+v, heap live %+v", s.GCCPU, s.HeapLive)
	}
	var b strings.Builder
	if err := WriteText(&b, []Summary{s}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "over the measured load only, from t=10.0 s") {
		t.Errorf("text does not say which figures cover the load only:\n%s", b.String())
	}
}

// An imported gctrace log does not say which GOGC or GOMEMLIMIT the program
// ran with: the summary must not call them the defaults.
func TestImportSettingsUnknown(t *testing.T) {
	s := computeGen(t, rec{h: record.Header{Source: record.SourceImport, Start: testStart}})
	if got := SettingsLine(s); strings.Contains(got, "default") || !strings.Contains(got, "unknown") {
		t.Errorf("settings of an import: %q", got)
	}
	s = computeGen(t, rec{h: record.Header{Source: record.SourceRun, Start: testStart}})
	if got := SettingsLine(s); !strings.Contains(got, "GOGC=default") {
		t.Errorf("settings of a run with nothing set: %q", got)
	}
}

// fanout at its defaults runs 30 GC cycles a second: nearly every latency
// interval overlaps one, and a p99 "outside GC" over one interval must not
// become a verdict's ratio.
func TestVerdictWhenGCRunsAllTheTime(t *testing.T) {
	s := computeGen(t, genScenario())
	s.Latency.InGC.Intervals, s.Latency.OutGC.Intervals = 169, 1
	v := strings.Join(s.Verdict(), "; ")
	if !strings.Contains(v, "GC cycles overlapped 169 of 170 latency intervals, too many to compare") {
		t.Errorf("verdict %q does not say the split is not comparable", v)
	}
	if strings.Contains(v, "p99 latency inside GC cycles was") {
		t.Errorf("verdict %q compares p99 over one interval", v)
	}
	l := s.Latency
	l.warnings = nil
	l.warn(170)
	if w := strings.Join(messages(l.warnings), "; "); !strings.Contains(w, "only 1 of 170 latency intervals fell outside every GC cycle") {
		t.Errorf("warnings %q", w)
	}
}

// A scenario records the probe's pause histograms beside gctrace's cycles:
// the longest pause is gctrace's, to the microsecond, and says so, and the
// histogram's p99 (a bucket bound) does not read above it.
func TestPausesHistogramsBesideGCTrace(t *testing.T) {
	h := record.Header{Source: record.SourceScenario, Scenario: "leak", GoVersion: "go1.26.8", Host: testHost(), Start: testStart}
	var es []record.Event
	for i := 1; i <= 10; i++ {
		t := float64(i)
		es = append(es, record.Event{T: t, GC: &record.GC{N: uint64(i), StartSeconds: t - 0.01, EndSeconds: t, Procs: 2,
			PauseSeconds: 0.0007, PauseMaxSeconds: 0.0006, HeapLiveBytes: 40 << 20, HeapGoalBytes: 80 << 20}})
		es = append(es, record.Event{T: t, Pauses: &record.Pauses{Buckets: []record.Bucket{
			{Lo: 90e-6, Hi: 100e-6, Count: 1}, {Lo: 577e-6, Hi: 641e-6, Count: 1}}}})
	}
	s := computeGen(t, rec{h, es})
	p := s.Pauses
	if p.Method != PauseHist || !near(p.Longest, 0.0006) || p.LongestIs != LongestGCTrace {
		t.Fatalf("pauses %+v, want gctrace's longest 600 µs", p)
	}
	if p.P99 > p.Longest || p.P50 > p.Longest {
		t.Errorf("pause p50 %v / p99 %v above the longest pause %v", p.P50, p.P99, p.Longest)
	}
}

// gcprobe attach reads VmHWM, the program's high-water mark over its whole
// life: one from before the session (the program's RSS fell since) is not
// the session's peak, while a mark that rose during it is (a peak between
// two samples). A run's samples start with the program: its mark is its own.
func TestRSSPeakOfAnAttachSession(t *testing.T) {
	mk := func(source string, hwm ...uint64) Summary {
		h := record.Header{Source: source, PID: 42, Host: testHost(), Start: testStart}
		var es []record.Event
		for i, m := range hwm {
			es = append(es, record.Event{T: float64(i + 1), Sample: &record.Sample{RSSBytes: 60 << 20, RSSPeakBytes: m << 20}})
		}
		return computeGen(t, rec{h, es})
	}
	if s := mk(record.SourceAttach, 90, 90, 90); s.RSSPeak != 60<<20 {
		t.Errorf("attach, mark unchanged since before the session: peak %v MiB, want the sampled 60", s.RSSPeak/(1<<20))
	}
	if s := mk(record.SourceAttach, 90, 95, 95); s.RSSPeak != 95<<20 {
		t.Errorf("attach, mark rose during the session: peak %v MiB, want 95", s.RSSPeak/(1<<20))
	}
	if s := mk(record.SourceRun, 90, 90, 90); s.RSSPeak != 90<<20 {
		t.Errorf("run: peak %v MiB, want its own mark, 90", s.RSSPeak/(1<<20))
	}
}

// TestHTTPOutcomes: a load that speaks HTTP gets its responses by class,
// its failures and its error rate; a scenario's summary has none of them.
func TestHTTPOutcomes(t *testing.T) {
	r := genScenario()
	var total uint64
	for i := range r.es {
		if l := r.es[i].Latency; l != nil {
			// Every tenth request a 503, two timeouts and one refused
			// connection an interval.
			l.Status = map[string]uint64{"2xx": l.Count - l.Count/10 - 2, "5xx": l.Count / 10}
			l.Timeouts, l.Errors = 2, 1
			total += l.Count
		}
	}
	s := computeGen(t, r)
	l := s.Latency
	if !l.HTTP || l.Status["5xx"] != total/10 || l.Errors != 40 || l.Timeouts != 80 {
		t.Fatalf("http %v status %v errors %d timeouts %d", l.HTTP, l.Status, l.Errors, l.Timeouts)
	}
	want := float64(total/10+80+40) / float64(total+40)
	if m, ok := s.Metric("errors.rate"); !ok || !near(m.Value, want) || !m.LowerIsBetter {
		t.Errorf("errors.rate = %+v, %v; want %v", m, ok, want)
	}
	var b strings.Builder
	WriteText(&b, []Summary{s})
	if !strings.Contains(b.String(), "2xx 35.9k · 5xx 4.00k · no response 40 · timeouts 80 (error rate 10.3%)") {
		t.Errorf("no responses row in\n%s", b.String())
	}

	plain := computeGen(t, genScenario())
	b.Reset()
	WriteText(&b, []Summary{plain})
	if _, ok := plain.Metric("errors.rate"); ok || strings.Contains(b.String(), "responses") {
		t.Errorf("a scenario without HTTP outcomes shows them:\n%s", b.String())
	}
}
