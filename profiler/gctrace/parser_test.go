package gctrace

import (
	"math"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

const mib = 1 << 20

// The lines below are written from the print statements of each version's
// runtime (src/runtime/mgc.go; mgc0.c before Go 1.5), field by field.
func TestParseCycle(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		want   record.GC
		format Format
	}{{
		// Go 1.5: "gc #", five phases: sweep term (STW), scan,
		// install write barrier, mark, mark term (STW).
		name: "go1.5",
		line: "gc #1 @0.042s 4%: 0.051+1.1+0.026+16+0.43 ms clock, 0.10+1.1+0+2.0/6.7/0+0.86 ms cpu, 4->32->10 MB, 4 MB goal, 4 P",
		want: record.GC{N: 1, StartSeconds: 0.042, EndSeconds: 0.042 + 0.017607,
			PauseSeconds: 0.000481, PauseMaxSeconds: 0.00043,
			AssistCPUSeconds: 0.002, BackgroundCPUSeconds: 0.0067, IdleCPUSeconds: 0,
			GCCPUSeconds: 0.01076, CumulativeGCCPUFraction: 0.04,
			IntervalCPUSeconds: 4 * 0.059607, // cycle 1: from the program's start
			HeapStartBytes:     4 * mib, HeapEndBytes: 32 * mib, HeapLiveBytes: 10 * mib, HeapGoalBytes: 4 * mib, Procs: 4},
		format: Go15,
	}, {
		// Go 1.5 runtime.GC: the world stays stopped; scan, install
		// write barrier and mark print as 0.
		name: "go1.5 forced",
		line: "gc #7 @1.500s 2%: 0.20+0+0+0+3.1 ms clock, 0.20+0+0+0/0/0+3.1 ms cpu, 12->12->6 MB, 12 MB goal, 2 P (forced)",
		want: record.GC{N: 7, StartSeconds: 1.5, EndSeconds: 1.5 + 0.0033, Forced: true,
			PauseSeconds: 0.0033, PauseMaxSeconds: 0.0033, GCCPUSeconds: 0.0033, CumulativeGCCPUFraction: 0.02,
			HeapStartBytes: 12 * mib, HeapEndBytes: 12 * mib, HeapLiveBytes: 6 * mib, HeapGoalBytes: 12 * mib, Procs: 2},
		format: Go15,
	}, {
		name: "go1.6",
		line: "gc 2 @0.017s 1%: 0.037+0.096+0.098+0.21+0.086 ms clock, 0.22+0.096+0+0.10/0.31/0.091+0.51 ms cpu, 8->8->7 MB, 7 MB goal, 8 P",
		want: record.GC{N: 2, StartSeconds: 0.017, EndSeconds: 0.017 + 0.000527,
			PauseSeconds: 0.000123, PauseMaxSeconds: 0.000086,
			AssistCPUSeconds: 0.0001, BackgroundCPUSeconds: 0.00031, IdleCPUSeconds: 0.000091,
			GCCPUSeconds: 0.001327, CumulativeGCCPUFraction: 0.01,
			HeapStartBytes: 8 * mib, HeapEndBytes: 8 * mib, HeapLiveBytes: 7 * mib, HeapGoalBytes: 7 * mib, Procs: 8},
		format: Go16,
	}, {
		name: "go1.7-1.17",
		line: "gc 3 @5.326s 0%: 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P",
		want: record.GC{N: 3, StartSeconds: 5.326, EndSeconds: 5.326 + 0.00123,
			PauseSeconds: 0.0007, PauseMaxSeconds: 0.00058,
			AssistCPUSeconds: 0.00036, BackgroundCPUSeconds: 0.00044, IdleCPUSeconds: 0.0003,
			GCCPUSeconds:   0.00388,
			HeapStartBytes: 4 * mib, HeapEndBytes: 4 * mib, HeapLiveBytes: 1 * mib, HeapGoalBytes: 5 * mib, Procs: 4},
		format: Go17,
	}, {
		// Go 1.7 and 1.8 runtime.GC: one STW pause for the whole cycle,
		// the concurrent mark printed as 0.
		name: "go1.8 forced",
		line: "gc 9 @3.000s 1%: 0.015+0+1.2 ms clock, 0.030+0/0/0+2.4 ms cpu, 3->3->1 MB, 4 MB goal, 2 P (forced)",
		want: record.GC{N: 9, StartSeconds: 3, EndSeconds: 3 + 0.001215, Forced: true,
			PauseSeconds: 0.001215, PauseMaxSeconds: 0.001215, GCCPUSeconds: 0.00243, CumulativeGCCPUFraction: 0.01,
			HeapStartBytes: 3 * mib, HeapEndBytes: 3 * mib, HeapLiveBytes: 1 * mib, HeapGoalBytes: 4 * mib, Procs: 2},
		format: Go17,
	}, {
		// Go 1.9 and later: runtime.GC is concurrent; two pauses.
		name: "go1.9+ forced",
		line: "gc 10 @3.000s 1%: 0.015+0.50+1.2 ms clock, 0.030+0/0.9/0+2.4 ms cpu, 3->3->1 MB, 4 MB goal, 2 P (forced)",
		want: record.GC{N: 10, StartSeconds: 3, EndSeconds: 3 + 0.001715, Forced: true,
			PauseSeconds: 0.001215, PauseMaxSeconds: 0.0012, BackgroundCPUSeconds: 0.0009,
			GCCPUSeconds: 0.00333, CumulativeGCCPUFraction: 0.01,
			HeapStartBytes: 3 * mib, HeapEndBytes: 3 * mib, HeapLiveBytes: 1 * mib, HeapGoalBytes: 4 * mib, Procs: 2},
		format: Go17,
	}, {
		name: "go1.18+",
		line: "gc 12 @120.456s 7%: 0.091+250+0.046 ms clock, 0.18+12/248/0.5+0.092 ms cpu, 950->1010->520 MB, 1000 MB goal, 1 MB stacks, 0 MB globals, 2 P",
		want: record.GC{N: 12, StartSeconds: 120.456, EndSeconds: 120.456 + 0.250137,
			PauseSeconds: 0.000137, PauseMaxSeconds: 0.000091,
			AssistCPUSeconds: 0.012, BackgroundCPUSeconds: 0.248, IdleCPUSeconds: 0.0005,
			GCCPUSeconds: 0.260772, CumulativeGCCPUFraction: 0.07,
			HeapStartBytes: 950 * mib, HeapEndBytes: 1010 * mib, HeapLiveBytes: 520 * mib, HeapGoalBytes: 1000 * mib,
			StacksBytes: 1 * mib, Procs: 2},
		format: Go118,
	}, {
		name: "go1.26 leak check",
		line: "gc 31 @62.003s 3% (checking for goroutine leaks): 0.040+3.1+0.052 ms clock, 0.080+0.21/5.9/0.12+0.10 ms cpu, 18->19->9 MB, 19 MB goal, 0 MB stacks, 2 MB globals, 2 P",
		want: record.GC{N: 31, StartSeconds: 62.003, EndSeconds: 62.003 + 0.003192, LeakCheck: true,
			PauseSeconds: 0.000092, PauseMaxSeconds: 0.000052,
			AssistCPUSeconds: 0.00021, BackgroundCPUSeconds: 0.0059, IdleCPUSeconds: 0.00012,
			GCCPUSeconds: 0.00641, CumulativeGCCPUFraction: 0.03,
			HeapStartBytes: 18 * mib, HeapEndBytes: 19 * mib, HeapLiveBytes: 9 * mib, HeapGoalBytes: 19 * mib,
			GlobalsBytes: 2 * mib, Procs: 2},
		format: Go126,
	}, {
		// Printed by Go 1.26.8 for a pprof goroutineleak profile
		// (GOEXPERIMENT=goroutineleakprofile); see TestRealLeakCheck.
		name: "go1.26 real leak check",
		line: "gc 1 @0.001s 9% (checking for goroutine leaks): 0.14+0.65+0.007 ms clock, 0.29+0/0.18/0.31+0.014 ms cpu, 0->0->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
		want: record.GC{N: 1, StartSeconds: 0.001, EndSeconds: 0.001797, LeakCheck: true, Forced: true,
			PauseSeconds: 0.000147, PauseMaxSeconds: 0.00014,
			BackgroundCPUSeconds: 0.00018, IdleCPUSeconds: 0.00031, GCCPUSeconds: 0.000794, CumulativeGCCPUFraction: 0.09,
			IntervalCPUSeconds: 2 * 0.001797,
			HeapGoalBytes:      4 * mib, Procs: 2},
		format: Go126,
	}, {
		name: "go1.26 forced",
		line: "gc 4 @0.031s 9%: 0.012+0.61+0.008 ms clock, 0.024+0.10/0.50/0+0.016 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
		want: record.GC{N: 4, StartSeconds: 0.031, EndSeconds: 0.031 + 0.00063, Forced: true,
			PauseSeconds: 0.00002, PauseMaxSeconds: 0.000012,
			AssistCPUSeconds: 0.0001, BackgroundCPUSeconds: 0.0005, GCCPUSeconds: 0.00064, CumulativeGCCPUFraction: 0.09,
			HeapStartBytes: 4 * mib, HeapEndBytes: 4 * mib, HeapGoalBytes: 4 * mib, Procs: 2},
		format: Go118,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser()
			gc, kind := p.Parse([]byte(tt.line))
			if kind != Cycle {
				t.Fatalf("kind %v, want cycle", kind)
			}
			checkGC(t, gc, tt.want)
			if p.Format() != tt.format {
				t.Errorf("format %v, want %v", p.Format(), tt.format)
			}
		})
	}
}

// checkGC compares every field; float fields to within 1e-12 s, since the
// expected values are written as decimal sums.
func checkGC(t *testing.T, got, want record.GC) {
	t.Helper()
	floats := []struct {
		name      string
		got, want float64
	}{
		{"StartSeconds", got.StartSeconds, want.StartSeconds},
		{"EndSeconds", got.EndSeconds, want.EndSeconds},
		{"PauseSeconds", got.PauseSeconds, want.PauseSeconds},
		{"PauseMaxSeconds", got.PauseMaxSeconds, want.PauseMaxSeconds},
		{"AssistCPUSeconds", got.AssistCPUSeconds, want.AssistCPUSeconds},
		{"BackgroundCPUSeconds", got.BackgroundCPUSeconds, want.BackgroundCPUSeconds},
		{"IdleCPUSeconds", got.IdleCPUSeconds, want.IdleCPUSeconds},
		{"GCCPUSeconds", got.GCCPUSeconds, want.GCCPUSeconds},
		{"IntervalCPUSeconds", got.IntervalCPUSeconds, want.IntervalCPUSeconds},
		{"CumulativeGCCPUFraction", got.CumulativeGCCPUFraction, want.CumulativeGCCPUFraction},
	}
	for _, f := range floats {
		if math.Abs(f.got-f.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	got.StartSeconds, got.EndSeconds, got.PauseSeconds, got.PauseMaxSeconds = 0, 0, 0, 0
	got.AssistCPUSeconds, got.BackgroundCPUSeconds, got.IdleCPUSeconds, got.GCCPUSeconds = 0, 0, 0, 0
	got.IntervalCPUSeconds, got.CumulativeGCCPUFraction = 0, 0
	want.StartSeconds, want.EndSeconds, want.PauseSeconds, want.PauseMaxSeconds = 0, 0, 0, 0
	want.AssistCPUSeconds, want.BackgroundCPUSeconds, want.IdleCPUSeconds, want.GCCPUSeconds = 0, 0, 0, 0
	want.IntervalCPUSeconds, want.CumulativeGCCPUFraction = 0, 0
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestParseKinds(t *testing.T) {
	const cycle = "gc 3 @5.326s 0%: 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P"
	tests := []struct {
		name string
		line string
		want Kind
	}{
		{"bare", cycle, Cycle},
		{"rfc3339 prefix", "2024-05-01T10:00:00.123Z " + cycle, Cycle},
		{"journald", "May 01 10:00:00 host app[1234]: " + cycle, Cycle},
		{"pod prefix", "[pod-abc] " + cycle, Cycle},
		{"kubectl logs", "2024-05-01T10:00:00.123456789Z stderr F " + cycle, Cycle},
		{"crlf", cycle + "\r", Cycle},
		{"forced", cycle + " (forced)", Cycle},
		{"gc in prefix", "gc worker: gc " + cycle[3:], Cycle},
		{"trailing punctuation", cycle + ".", Cycle},
		{"word after P", cycle + "rocesses", Other},
		{"truncated", cycle[:len(cycle)-10], Other},
		{"four phases", "gc 3 @5.326s 0%: 0.58+0.53+0.1+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P", Other},
		{"hash with three phases", "gc #3 @5.326s 0%: 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P", Other},
		{"leak token without stacks", "gc 3 @5.326s 0%" + leakToken + ": 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P", Other},
		{"heap too large", "gc 3 @5.326s 0%: 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 17592186044416->4->1 MB, 5 MB goal, 4 P", Other},
		{"GC forced", "GC forced", ForcedNotice},
		{"GC forced prefixed", "2024-05-01T10:02:00Z GC forced", ForcedNotice},
		{"GC forced in prose", "GC forced by the operator at noon", Other},
		{"scvg old", "scvg0: inuse: 3, idle: 0, sys: 3, released: 0, consumed: 3 (MB)", Scavenger},
		{"scvg released", "scvg12: 5 MB released", Scavenger},
		{"scvg 1.13", "scvg: 16 KB released", Scavenger},
		{"scav 1.14", "scav 3 1024 KiB work, 2048 KiB total, 93% util", Scavenger},
		{"scav 1.19+", "scav 0 KiB work (bg), 64 KiB work (eager), 4096 KiB now, 98% util", Scavenger},
		{"scav prose", "scav is short for scavenger", Other},
		{"pacer", "pacer: assist ratio=+2.015e+000 (scan 1 MB in 4->4 MB) workers=1++0.000000e+000", Pacer},
		{"pacer sweep", "pacer: sweep done at heap size 3MB; allocated 0MB during sweep; swept 423 pages at +1.6e-004 pages/byte", Pacer},
		{"go1.4", "gc12(4): 1+2+3+4 us, 8 -> 4 MB, 3 (41-38) objects, 5 goroutines, 27/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields", Other},
		{"program output", "GET /api/v1/users 200 12ms", Other},
		{"empty", "", Other},
		{"gc alone", "gc ", Other},
		{"huge number", "gc 99999999999999999999 @1s 0%: 1+1+1 ms clock, 1+1/1/1+1 ms cpu, 1->1->1 MB, 1 MB goal, 1 P", Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, kind := NewParser().Parse([]byte(tt.line)); kind != tt.want {
				t.Errorf("Parse(%q) = %v, want %v", tt.line, kind, tt.want)
			}
		})
	}
}

func TestPeriodicAndInterval(t *testing.T) {
	lines := []string{
		"gc 1 @1.000s 0%: 0.1+1+0.1 ms clock, 0.2+0/2/0+0.2 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P",
		"some program output",
		"GC forced",
		"scav 0 KiB work (bg), 0 KiB work (eager), 0 KiB now, 99% util",
		"gc 2 @121.000s 0%: 0.1+1+0.1 ms clock, 0.2+0/2/0+0.2 ms cpu, 1->1->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
		"gc 3 @122.000s 0%: 0.1+1+0.1 ms clock, 0.2+0/2/0+0.2 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
		"gc 5 @123.000s 0%: 0.1+1+0.1 ms clock, 0.2+0/2/0+0.2 ms cpu, 4->4->1 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P",
	}
	p := NewParser()
	var cycles []record.GC
	for _, l := range lines {
		if gc, kind := p.Parse([]byte(l)); kind == Cycle {
			cycles = append(cycles, gc)
		}
	}
	if len(cycles) != 4 {
		t.Fatalf("%d cycles, want 4", len(cycles))
	}
	for i, want := range []bool{false, true, false, false} {
		if cycles[i].Periodic != want {
			t.Errorf("cycle %d: Periodic = %v, want %v", cycles[i].N, cycles[i].Periodic, want)
		}
	}
	if !cycles[2].Forced || cycles[1].Forced {
		t.Errorf("Forced: cycle 2 %v, cycle 3 %v; want false, true", cycles[1].Forced, cycles[2].Forced)
	}
	// gc 2 ends at 121.0012, gc 1 at 1.0012: 120 s on 2 Ps.
	if got := cycles[1].IntervalCPUSeconds; math.Abs(got-240) > 1e-9 {
		t.Errorf("interval of gc 2 = %v, want 240", got)
	}
	// gc 1 ends at 1.0012 s after the program's start: 2.0024 s on 2 Ps.
	if got := cycles[0].IntervalCPUSeconds; math.Abs(got-2.0024) > 1e-9 {
		t.Errorf("interval of gc 1 = %v, want 2.0024 (from the program's start)", got)
	}
	if cycles[3].IntervalCPUSeconds != 0 {
		t.Errorf("a cycle after a gap must have no interval: %v", cycles[3].IntervalCPUSeconds)
	}
	// A stream that starts later than cycle 1 has no interval for its
	// first cycle: when the previous cycle ended is unknown.
	if gc, _ := NewParser().Parse([]byte(lines[4])); gc.IntervalCPUSeconds != 0 {
		t.Errorf("first cycle of a stream that starts at gc 2 has interval %v, want none", gc.IntervalCPUSeconds)
	}
}

func TestLegacy(t *testing.T) {
	for _, l := range []string{
		// Go 1.4 (mgc0.c): gc%d(%d): %D+%D+%D+%D us, %D -> %D MB, ...
		"gc12(4): 1+2+3+4 us, 8 -> 4 MB, 3 (41-38) objects, 5 goroutines, 27/0/0 sweeps, 0(0) handoff, 0(0) steal, 0/0/0 yields",
		// Go 1.2: gc%d(%d): %D+%D+%D ms, %D -> %D MB ...
		"2014/01/02 15:04:05 gc3(1): 0+0+0 ms, 0 -> 0 MB 16 -> 18 (19-1) objects, 0(0) handoff, 0(0) steal, 0/0/0 yields",
	} {
		if !Legacy([]byte(l)) {
			t.Errorf("Legacy(%q) = false", l)
		}
		if _, kind := NewParser().Parse([]byte(l)); kind != Other {
			t.Errorf("Parse(%q) = %v, want other", l, kind)
		}
	}
	for _, l := range []string{
		"gc 3 @5.326s 0%: 0.58+0.53+0.12 ms clock, 2.3+0.36/0.44/0.30+0.48 ms cpu, 4->4->1 MB, 5 MB goal, 4 P",
		"gc12(4) is a label",
		"",
	} {
		if Legacy([]byte(l)) {
			t.Errorf("Legacy(%q) = true", l)
		}
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	lines := [][]byte{
		[]byte("2024-05-01T10:00:00Z gc 31 @62.003s 3% (checking for goroutine leaks): 0.040+3.1+0.052 ms clock, 0.080+0.21/5.9/0.12+0.10 ms cpu, 18->19->9 MB, 19 MB goal, 0 MB stacks, 2 MB globals, 2 P"),
		[]byte("GC forced"),
		[]byte("an ordinary line of program output with gc in it"),
	}
	p := NewParser()
	allocs := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			p.Parse(l)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run of Parse, want 0", allocs)
	}
}

func TestAppendLineFormats(t *testing.T) {
	gc := record.GC{N: 5, StartSeconds: 1.25, EndSeconds: 1.2505, PauseSeconds: 0.0002, PauseMaxSeconds: 0.00015,
		GCCPUSeconds: 0.001, AssistCPUSeconds: 0.0001, BackgroundCPUSeconds: 0.0005, CumulativeGCCPUFraction: 0.03,
		HeapStartBytes: 4 * mib, HeapEndBytes: 5 * mib, HeapLiveBytes: 2 * mib, HeapGoalBytes: 5 * mib,
		StacksBytes: mib, Procs: 8, LeakCheck: true}
	for _, tt := range []struct {
		f    Format
		want string
	}{
		{Go15, "gc #5 @1.25s 3%: 0.15+0+0+0.3+0.05 ms clock, 0.4+0+0+0.1/0.5/0+0 ms cpu, 4->5->2 MB, 5 MB goal, 8 P"},
		{Go16, "gc 5 @1.25s 3%: 0.15+0+0+0.3+0.05 ms clock, 0.4+0+0+0.1/0.5/0+0 ms cpu, 4->5->2 MB, 5 MB goal, 8 P"},
		{Go17, "gc 5 @1.25s 3%: 0.15+0.3+0.05 ms clock, 0.4+0.1/0.5/0+0 ms cpu, 4->5->2 MB, 5 MB goal, 8 P"},
		{Go118, "gc 5 @1.25s 3%: 0.15+0.3+0.05 ms clock, 0.4+0.1/0.5/0+0 ms cpu, 4->5->2 MB, 5 MB goal, 1 MB stacks, 0 MB globals, 8 P"},
		{Go126, "gc 5 @1.25s 3% (checking for goroutine leaks): 0.15+0.3+0.05 ms clock, 0.4+0.1/0.5/0+0 ms cpu, 4->5->2 MB, 5 MB goal, 1 MB stacks, 0 MB globals, 8 P"},
	} {
		t.Run(tt.f.String(), func(t *testing.T) {
			got := string(AppendLine(nil, gc, tt.f))
			// The sums make the last digits vary; compare the shape.
			if shape(got) != shape(tt.want) {
				t.Errorf("AppendLine:\ngot  %s\nwant %s", got, tt.want)
			}
			p := NewParser()
			if _, kind := p.Parse([]byte(got)); kind != Cycle || p.Format() != tt.f {
				t.Errorf("parsed back as %v, format %v", kind, p.Format())
			}
		})
	}
}

// shape replaces each run of digits and dots by "#".
func shape(s string) string {
	var b strings.Builder
	in := false
	for _, c := range s {
		num := c == '.' || '0' <= c && c <= '9'
		if num && !in {
			b.WriteByte('#')
		} else if !num {
			b.WriteRune(c)
		}
		in = num
	}
	return b.String()
}
