package gctrace

import (
	"math"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// FuzzParse checks that Parse never panics, and that a cycle written back
// with AppendLine parses to the same values.
func FuzzParse(f *testing.F) {
	for _, s := range seedLines {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		Legacy([]byte(line))
		p := NewParser()
		gc, kind := p.Parse([]byte(line))
		if kind != Cycle {
			if gc != (record.GC{}) {
				t.Fatalf("%v line returned a cycle: %+v", kind, gc)
			}
			return
		}
		if gc.Periodic || (gc.IntervalCPUSeconds != 0) != (gc.N == 1 && gc.EndSeconds > 0 && gc.Procs > 0) {
			t.Fatalf("a fresh parser's first cycle has Periodic, or an interval although it is not cycle 1: %+v", gc)
		}
		if !representable(gc) {
			return
		}
		back := AppendLine(nil, gc, p.Format())
		p2 := NewParser()
		gc2, kind2 := p2.Parse(back)
		if kind2 != Cycle || p2.Format() != p.Format() {
			t.Fatalf("%q\nwritten back as %q: %v, format %v; want cycle, %v", line, back, kind2, p2.Format(), p.Format())
		}
		// Sums come back within float64 rounding; every other field exactly.
		for _, f := range []struct {
			name   string
			a, b   float64
			approx bool
		}{
			{"EndSeconds", gc.EndSeconds, gc2.EndSeconds, true},
			{"PauseSeconds", gc.PauseSeconds, gc2.PauseSeconds, true},
			{"GCCPUSeconds", gc.GCCPUSeconds, gc2.GCCPUSeconds, true},
		} {
			if math.Abs(f.a-f.b) > 1e-6+1e-12*math.Abs(f.a) {
				t.Errorf("%s: %v, then %v", f.name, f.a, f.b)
			}
		}
		gc2.EndSeconds, gc2.PauseSeconds, gc2.GCCPUSeconds = gc.EndSeconds, gc.PauseSeconds, gc.GCCPUSeconds
		if gc != gc2 {
			t.Errorf("%q\nwritten back as %q\nfirst  %+v\nsecond %+v", line, back, gc, gc2)
		}
	})
}

// representable reports whether float64 sums keep gctrace's 1 µs
// resolution for gc: times under 30 years, phases under 11 days. Lines
// beyond that are parsed, but not expected to survive a round trip.
func representable(gc record.GC) bool {
	return gc.StartSeconds <= 1e9 && gc.EndSeconds-gc.StartSeconds <= 1e6 &&
		gc.GCCPUSeconds <= 1e9 && gc.CumulativeGCCPUFraction <= 1e6
}

// seedLines are the fuzzer's starting points: one line of each format and
// each kind.
var seedLines = []string{
	"gc #1 @0.042s 4%: 0.051+1.1+0.026+16+0.43 ms clock, 0.10+1.1+0+2.0/6.7/0+0.86 ms cpu, 4->32->10 MB, 4 MB goal, 4 P",
	"gc #7 @1.500s 2%: 0.20+0+0+0+3.1 ms clock, 0.20+0+0+0/0/0+3.1 ms cpu, 12->12->6 MB, 12 MB goal, 2 P (forced)",
	"gc 2 @0.017s 1%: 0.037+0.096+0.098+0.21+0.086 ms clock, 0.22+0.096+0+0.10/0.31/0.091+0.51 ms cpu, 8->8->7 MB, 7 MB goal, 8 P",
	"gc 3 @5.326s 0%: 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P",
	"gc 9 @3.000s 1%: 0.015+0+1.2 ms clock, 0.030+0/0/0+2.4 ms cpu, 3->3->1 MB, 4 MB goal, 2 P (forced)",
	"[pod-abc] gc 12 @120.456s 7%: 0.091+250+0.046 ms clock, 0.18+12/248/0.5+0.092 ms cpu, 950->1010->520 MB, 1000 MB goal, 1 MB stacks, 0 MB globals, 2 P",
	"gc 31 @62.003s 3% (checking for goroutine leaks): 0.040+3.1+0.052 ms clock, 0.080+0.21/5.9/0.12+0.10 ms cpu, 18->19->9 MB, 19 MB goal, 0 MB stacks, 2 MB globals, 2 P (forced)",
	"GC forced",
	"scvg0: inuse: 3, idle: 0, sys: 3, released: 0, consumed: 3 (MB)",
	"scav 0 KiB work (bg), 64 KiB work (eager), 4096 KiB now, 98% util",
	"pacer: assist ratio=+2.015e+000 (scan 1 MB in 4->4 MB) workers=1++0.000000e+000",
	"gc12(4): 1+2+3+4 us, 8 -> 4 MB, 3 (41-38) objects, 5 goroutines, 27/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields",
	"gc 1 @0.0000000000000000001s 0%: 0.00000000000000000000001+1+1 ms clock, 1+1/1/1+1 ms cpu, 1->1->1 MB, 1 MB goal, 1 P",
}
