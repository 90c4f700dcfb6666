package summary

import (
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// gctraceRun is a gcprobe run record of n gctrace cycles, with GOMAXPROCS 2:
// cycle i starts at i seconds, marks for mark seconds of CPU and pauses for
// pause seconds of wall time; its cumulative share is cum(i).
func gctraceRun(n int, mark, pause float64, live uint64, cum func(i int) float64, samples ...record.Sample) rec {
	h := record.Header{Source: record.SourceRun, Command: []string{"./x"}, Host: testHost(), Start: testStart}
	var es []record.Event
	for i := 1; i <= n; i++ {
		start := float64(i)
		end := start + 0.01
		interval := 2.0 * 1 // one second on 2 Ps since the previous end
		if i == 1 {
			interval = 2 * end
		}
		es = append(es, record.Event{T: end, GC: &record.GC{
			N: uint64(i), StartSeconds: start, EndSeconds: end, PauseSeconds: pause, PauseMaxSeconds: pause / 2,
			Procs: 2, BackgroundCPUSeconds: mark, IdleCPUSeconds: mark / 2,
			GCCPUSeconds: mark*1.5 + 2*pause, IntervalCPUSeconds: interval,
			HeapLiveBytes: live, HeapEndBytes: live + 4<<20, HeapGoalBytes: 4 << 20,
			CumulativeGCCPUFraction: cum(i),
		}})
	}
	for i, smp := range samples {
		smp := smp
		es = append(es, record.Event{T: float64(i) * 0.25, Sample: &smp})
	}
	es = append(es, record.Event{T: float64(n) + 0.5, End: &record.End{Reason: record.EndExit}})
	return rec{h, es}
}

// TestGCTraceCPUBound: mark CPU 0.02 s a cycle, pauses 1 ms of wall time,
// whose printed cpu (2 ms on 2 Ps) would say 2% of 2 CPU-seconds more. The
// runtime's own share, printed as 1% every cycle, bounds it to [1%, 2%):
// mark alone is 1%, so the estimate lies in [1%, 1.1%+].
func TestGCTraceCPUBound(t *testing.T) {
	s := computeGen(t, gctraceRun(20, 0.02, 0.001, 8<<20, func(int) float64 { return 0.01 }))
	c := s.GCCPU
	if c.Method != CPUGCTraceBound {
		t.Fatalf("method %q", c.Method)
	}
	if c.Low < 0.0099 || c.High > 0.02 || c.Share < c.Low || c.Share > c.High {
		t.Errorf("share %v in [%v, %v]; want within [1%%, 2%%)", c.Share, c.Low, c.High)
	}
	summed := (0.03 + 0.002) / 2 // what summing the cpu fields said
	if c.Share >= summed*0.9 {
		t.Errorf("share %v: no better than the summed cpu fields' %v", c.Share, summed)
	}
	if !c.IdleKnown || c.IdleShare < 0.0049 || c.IdleShare > 0.0051 {
		t.Errorf("idle share %v, want 0.5%%", c.IdleShare)
	}
	if v := strings.Join(s.Verdict(), "; "); !strings.Contains(v, "GC used about") {
		t.Errorf("verdict %q", v)
	}
}

// TestGCCPUAboveProcessCPU: a GC CPU time above the process's own CPU time
// is shown with it and explained.
func TestGCCPUAboveProcessCPU(t *testing.T) {
	s := computeGen(t, gctraceRun(10, 0.2, 0.0001, 8<<20, func(int) float64 { return 0.1 },
		record.Sample{RSSBytes: 1 << 20}, record.Sample{RSSBytes: 10 << 20, CPUSecondsTotal: 0.5}))
	if s.GCCPU.ProcessSeconds != 0.5 || s.GCCPU.GCSeconds <= 0.5 {
		t.Fatalf("GC CPU %+v", s.GCCPU)
	}
	found := false
	for _, w := range s.Warnings {
		found = found || strings.Contains(w.Error(), "exceeds the process's own CPU time")
	}
	if !found {
		t.Errorf("no warning in %q", s.Warnings)
	}
}

// TestHeapLiveZeroMB: gctrace's "-> 0 MB" is a heap under 1 MiB, kept as 0
// with the resolution said.
func TestHeapLiveZeroMB(t *testing.T) {
	s := computeGen(t, gctraceRun(4, 0.001, 0.0001, 0, func(int) float64 { return 0.01 }))
	if s.HeapLive.N != 4 || s.HeapLive.Max != 0 || s.HeapResolutionBytes != 1<<20 {
		t.Errorf("heap live %+v, resolution %v; want four zeros at 1 MiB", s.HeapLive, s.HeapResolutionBytes)
	}
	tab := Table([]Summary{s})
	cell := ""
	for _, r := range tab.Rows {
		if strings.HasPrefix(r[0], "heap live") {
			cell = r[1]
		}
	}
	if !strings.HasPrefix(cell, "0 B / 0 B / 0 B [") || !strings.Contains(strings.Join(tab.Footnotes, "\n"), "whole MB") {
		t.Errorf("heap live cell %q, notes %q", cell, tab.Footnotes)
	}
}

// TestSingleExecSample: a run shorter than the sampling interval has one
// RSS sample, taken at exec: no RSS figures, no ratio.
func TestSingleExecSample(t *testing.T) {
	s := computeGen(t, gctraceRun(2, 0.001, 0.0001, 8<<20, func(int) float64 { return 0.01 },
		record.Sample{RSSBytes: 1 << 20, RSSPeakBytes: 1 << 20}))
	if s.RSS.N != 0 || s.RSSOverLive != 0 || s.RSSPeak != 0 {
		t.Errorf("RSS %+v, peak %v, ratio %v from one exec-time sample", s.RSS, s.RSSPeak, s.RSSOverLive)
	}
	if v := strings.Join(s.Verdict(), "; "); strings.Contains(v, "RSS") {
		t.Errorf("verdict %q", v)
	}
}

// TestTimelineShareWithinBounds: the per-cycle chart of a gctrace run draws
// each cycle between its own bounds, at the place where the window's
// estimate lies, so it never exceeds what the runtime could have counted,
// and its mean agrees with the headline.
func TestTimelineShareWithinBounds(t *testing.T) {
	r := gctraceRun(20, 0.02, 0.004, 8<<20, func(int) float64 { return 0.02 })
	s := computeGen(t, r)
	tl := s.Timeline()
	if len(tl.GCShare.V) != 20 || tl.GCShareSinceStart {
		t.Fatalf("%d points, since start %v", len(tl.GCShare.V), tl.GCShareSinceStart)
	}
	var gc float64
	for i, v := range tl.GCShare.V {
		g := r.es[i].GC
		lo, hi := cycleBounds(*g)
		if v < lo/g.IntervalCPUSeconds-1e-12 || v > hi/g.IntervalCPUSeconds+1e-12 {
			t.Errorf("cycle %d: %v outside [%v, %v]", g.N, v, lo/g.IntervalCPUSeconds, hi/g.IntervalCPUSeconds)
		}
		gc += v * g.IntervalCPUSeconds
	}
	if !near(gc, s.GCCPU.GCSeconds) {
		t.Errorf("the chart's cycles add up to %v s of GC CPU, the headline has %v s", gc, s.GCCPU.GCSeconds)
	}
}

// TestStalledCycleEnd: a probe read can see a cycle end before the runtime
// has moved /cpu/classes/total (the cycle count and the CPU account are
// updated at different points of the cycle's end; testdata/progs/cycleshare
// counts such reads). That cycle's GC event carries its GC CPU with no
// interval, and the next one carries both intervals: the share must count
// the GC CPU of both over both intervals, not drop the first's GC CPU.
func TestStalledCycleEnd(t *testing.T) {
	h := record.Header{Source: record.SourceProbe, Start: testStart, Host: testHost()}
	var es []record.Event
	for i := 1; i <= 10; i++ {
		interval := 2.0 // one second on 2 Ps
		switch i {
		case 5:
			interval = 0 // read before the account moved
		case 6:
			interval = 4 // the account's move since cycle 4's read
		}
		es = append(es, record.Event{T: float64(i), GC: &record.GC{N: uint64(i), HeapLiveBytes: 8 << 20,
			GCCPUSeconds: 0.02, IntervalCPUSeconds: interval}})
	}
	es = append(es, record.Event{T: 10.5, End: &record.End{Reason: record.EndExit}})
	c := computeGen(t, rec{h, es}).GCCPU
	if c.Method != CPURuntimeCycles || !near(c.Share, 0.01) {
		t.Errorf("share %v by %q; want 1%% (0.2 s of GC CPU over 20 s) by %q", c.Share, c.Method, CPURuntimeCycles)
	}
}
