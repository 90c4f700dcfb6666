package profiler

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// sink keeps garbage reachable long enough to be allocated.
var sink []byte

// garbage allocates until at least n GC cycles have ended, without calling
// runtime.GC, so that the cycles are automatic.
func garbage(t *testing.T, p *Probe, n uint64) {
	t.Helper()
	start := p.cycles()
	deadline := time.Now().Add(10 * time.Second)
	for p.cycles() < start+n {
		for range 256 {
			sink = make([]byte, 64<<10)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %d GC cycles after 10s of allocating", n)
		}
	}
}

// cycles reads /gc/cycles/total now, outside the probe's state.
func (p *Probe) cycles() uint64 {
	ms, _ := newMetrics()
	return ms[mCycles].Value.Uint64()
}

func newProbe(t *testing.T, opts Options) *Probe {
	t.Helper()
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// kinds returns the events of each kind.
func kinds(events []record.Event) map[string][]record.Event {
	m := map[string][]record.Event{}
	for _, e := range events {
		m[e.Kind()] = append(m[e.Kind()], e)
	}
	return m
}

func TestNewOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string // in the error; "" for none
	}{
		{"zero", Options{}, ""},
		{"min", Options{Interval: 10 * time.Millisecond, Keep: 1}, ""},
		{"short interval", Options{Interval: 5 * time.Millisecond}, "Interval"},
		{"negative interval", Options{Interval: -time.Second}, "Interval"},
		{"negative keep", Options{Keep: -1}, "Keep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.opts)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				p.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New(%+v) = %v, want an error naming %s", tc.opts, err, tc.want)
			}
		})
	}
	p := newProbe(t, Options{})
	if p.interval != DefaultInterval || len(p.ring.slots) != DefaultKeep {
		t.Errorf("defaults: interval %v keep %d", p.interval, len(p.ring.slots))
	}
}

func TestSample(t *testing.T) {
	p := newProbe(t, Options{})
	p.sample()
	events, next, lost := p.EventsSince(0)
	if next != uint64(len(events)) || lost != 0 || len(events) == 0 {
		t.Fatalf("EventsSince(0) = %d events, next %d, lost %d", len(events), next, lost)
	}
	s := events[0].Sample
	if s == nil {
		t.Fatalf("first event is %q, want a sample", events[0].Kind())
	}
	if s.HeapGoalBytes == 0 || s.HeapObjectsBytes == 0 || s.GoTotalBytes < s.HeapObjectsBytes ||
		s.AllocBytesTotal == 0 || s.Goroutines == 0 || s.TotalCPUSecondsTotal <= 0 {
		t.Errorf("implausible sample: %+v", s)
	}
	if runtime.GOOS == "linux" && (s.RSSBytes == 0 || s.RSSPeakBytes < s.RSSBytes) {
		t.Errorf("RSS %d, peak %d", s.RSSBytes, s.RSSPeakBytes)
	}
	if runtime.GOOS != "windows" && s.CPUSecondsTotal <= 0 {
		t.Errorf("CPU seconds %v", s.CPUSecondsTotal)
	}
	if events[0].T < 0 || events[0].T > 60 {
		t.Errorf("T = %v", events[0].T)
	}
}

func TestAutomaticCycles(t *testing.T) {
	// No cycle in progress at the first sample: else the cycle count can
	// move at the second before the pause histogram shows the cycle's last
	// pause, and the first pause was before the cursor (0 Pauses events in
	// a CI run). The forced cycle is before the cursor too.
	runtime.GC()
	p := newProbe(t, Options{})
	p.sample()
	before, cursor := p.latest.GCCyclesTotal, p.ring.next
	garbage(t, p, 1)
	p.sample()
	after := p.latest.GCCyclesTotal
	events, _, _ := p.EventsSince(cursor)
	gcs := kinds(events)[record.KindGC]
	if uint64(len(gcs)) != after-before {
		t.Fatalf("%d GC events for cycles %d..%d", len(gcs), before, after)
	}
	for i, e := range gcs {
		if e.GC.N != before+uint64(i)+1 {
			t.Errorf("GC event %d has N %d, want %d", i, e.GC.N, before+uint64(i)+1)
		}
		if e.GC.Forced {
			t.Errorf("cycle %d marked forced; nothing called runtime.GC", e.GC.N)
		}
	}
	last := gcs[len(gcs)-1].GC
	if last.HeapLiveBytes == 0 || last.GCCPUSeconds <= 0 || last.IntervalCPUSeconds < last.GCCPUSeconds ||
		last.PauseSeconds <= 0 || last.PauseMaxSeconds <= 0 {
		t.Errorf("last cycle lacks figures: %+v", last)
	}
	pauses := kinds(events)[record.KindPauses]
	if len(pauses) != 1 {
		t.Fatalf("%d Pauses events, want 1", len(pauses))
	}
	var n uint64
	for _, b := range pauses[0].Pauses.Buckets {
		if b.Count == 0 || !(b.Hi > b.Lo || b.Hi == 0) {
			t.Errorf("bad bucket %+v", b)
		}
		n += b.Count
	}
	if n < after-before {
		t.Errorf("%d pauses for %d cycles", n, after-before)
	}
}

func TestForcedCycle(t *testing.T) {
	p := newProbe(t, Options{})
	p.sample()
	goal, cursor := p.latest.HeapGoalBytes, p.ring.next
	runtime.GC()
	p.sample()
	events, _, _ := p.EventsSince(cursor)
	gcs := kinds(events)[record.KindGC]
	if len(gcs) != 1 {
		t.Skipf("%d cycles ended around one runtime.GC; the test needs one", len(gcs))
	}
	g := gcs[0].GC
	if !g.Forced {
		t.Error("runtime.GC's cycle not marked forced")
	}
	if g.HeapGoalBytes != goal || g.HeapLiveBytes == 0 {
		t.Errorf("heap goal %d (want %d, read before the cycle), live %d", g.HeapGoalBytes, goal, g.HeapLiveBytes)
	}
	// A cycle has two stop-the-world pauses (three if the next one has
	// started), none longer than the bound.
	if g.PauseSeconds <= 0 || g.PauseMaxSeconds <= 0 || g.PauseSeconds > 3*g.PauseMaxSeconds {
		t.Errorf("pauses %v, max %v", g.PauseSeconds, g.PauseMaxSeconds)
	}
}

func TestSeveralCyclesInOneInterval(t *testing.T) {
	p := newProbe(t, Options{})
	p.sample()
	cursor := p.ring.next
	for range 3 {
		runtime.GC()
	}
	p.sample()
	events, _, _ := p.EventsSince(cursor)
	byKind := kinds(events)
	gcs := byKind[record.KindGC]
	if len(gcs) < 3 {
		t.Fatalf("%d GC events for 3 runtime.GC calls", len(gcs))
	}
	for i, e := range gcs[:len(gcs)-1] {
		if e.GC.PauseSeconds != 0 || e.GC.GCCPUSeconds != 0 || e.GC.HeapLiveBytes != 0 {
			t.Errorf("cycle %d of %d carries shared figures: %+v", i+1, len(gcs), e.GC)
		}
	}
	last := gcs[len(gcs)-1].GC
	if last.PauseSeconds == 0 || last.GCCPUSeconds == 0 || last.HeapLiveBytes == 0 || last.HeapGoalBytes != 0 {
		t.Errorf("last cycle: %+v", last)
	}
	forced := 0
	for _, e := range gcs {
		if e.GC.Forced {
			forced++
		}
	}
	if forced < 3 {
		t.Errorf("%d of %d cycles forced, want at least 3", forced, len(gcs))
	}
	notes := byKind[record.KindNote]
	if len(notes) != 1 || !strings.Contains(notes[0].Note.Message, "last") {
		t.Errorf("notes: %+v", notes)
	}
	// It says how to separate the cycles in words a reader of the summary
	// can act on: the option, or the scenario's flag.
	if len(notes) == 1 && (!strings.Contains(notes[0].Note.Message, "profiler.Options.Interval") || !strings.Contains(notes[0].Note.Message, "--interval")) {
		t.Errorf("the note does not say which interval: %q", notes[0].Note.Message)
	}
	// The note is written once.
	runtime.GC()
	runtime.GC()
	p.sample()
	if n := len(kinds(p.eventsAll())[record.KindNote]); n != 1 {
		t.Errorf("%d notes after a second merge, want 1", n)
	}
}

func (p *Probe) eventsAll() []record.Event {
	e, _, _ := p.EventsSince(0)
	return e
}

func TestEventsSince(t *testing.T) {
	p := newProbe(t, Options{Keep: 4})
	for range 10 {
		p.sample()
	}
	events, next, lost := p.EventsSince(0)
	if len(events) != 4 || next < 10 || lost != next-4 {
		t.Fatalf("EventsSince(0) = %d events, next %d, lost %d; want 4, >=10, next-4", len(events), next, lost)
	}
	if events, n, lost := p.EventsSince(next); len(events) != 0 || n != next || lost != 0 {
		t.Errorf("EventsSince(next) = %d events, %d, %d", len(events), n, lost)
	}
	if events, n, lost := p.EventsSince(next + 100); len(events) != 0 || n != next || lost != 0 {
		t.Errorf("EventsSince(beyond) = %d events, %d, %d", len(events), n, lost)
	}
	p.sample()
	events, n, lost := p.EventsSince(next - 1)
	if lost != 0 || n < next+1 || len(events) != int(n-next+1) {
		t.Errorf("EventsSince(next-1) = %d events, next %d, lost %d", len(events), n, lost)
	}
	// Copies share nothing with the ring.
	events[len(events)-1].Sample.HeapGoalBytes = 1
	if e, _, _ := p.EventsSince(n - 1); e[0].Sample.HeapGoalBytes == 1 {
		t.Error("EventsSince returned the ring's own sample")
	}
}

func TestSampleAllocs(t *testing.T) {
	if testing.Short() && runtime.GOOS == "js" {
		t.Skip()
	}
	p := newProbe(t, Options{Keep: 8})
	// Fill every slot once, with cycles, so that Pauses slots have their
	// capacity: the ring is allocated up front, a Pauses slot's buckets on
	// first use.
	for range 32 {
		runtime.GC()
		p.sample()
	}
	if n := testing.AllocsPerRun(100, p.sample); n != 0 {
		t.Errorf("a sample allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(20, func() { runtime.GC(); p.sample() }); n != 0 {
		t.Errorf("a sample after a GC cycle allocates %v times, want 0", n)
	}
}

func BenchmarkSample(b *testing.B) {
	p, err := New(Options{Keep: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	for b.Loop() {
		p.sample()
	}
}

// BenchmarkSampleParts splits the sample path: the runtime/metrics read and
// the operating system's figures (RSS, peak RSS, CPU time).
func BenchmarkSampleParts(b *testing.B) {
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.Run("metrics.Read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			metrics.Read(p.metrics)
		}
	})
	// The baseline of the 13 memory classes' cost: the same read without
	// them.
	b.Run("metrics.Read-without-classes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			metrics.Read(p.metrics[:mClasses])
		}
	})
	b.Run("os", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.os.read()
		}
	})
	ps, ok := p.os.(*procStats)
	if !ok || ps.rollup == nil {
		return
	}
	b.Run("smaps_rollup", func(b *testing.B) {
		var m record.ProcMemory
		b.ReportAllocs()
		for b.Loop() {
			ps.rollup.ReadNow(&m)
		}
	})
}

// TestSampleMemoryClasses checks that every sample carries the 13 classes,
// that they add up to the runtime's own total read in the same
// metrics.Read, and that smaps_rollup's split is there on Linux.
func TestSampleMemoryClasses(t *testing.T) {
	p := newProbe(t, Options{})
	var got *record.Sample
	// The first samples may fall within smaps_rollup's read budget.
	for i := 0; i < 50 && (got == nil || got.ProcMemory == nil); i++ {
		time.Sleep(20 * time.Millisecond)
		p.sample()
		evs, _, _ := p.EventsSince(0)
		for _, e := range evs {
			if e.Sample != nil {
				got = e.Sample
			}
		}
	}
	if got == nil || got.GoMemory == nil {
		t.Fatalf("no memory classes in the sample: %+v", got)
	}
	if sum := got.GoMemory.TotalBytes(); sum != got.GoTotalBytes {
		t.Errorf("classes sum to %d, /memory/classes/total is %d", sum, got.GoTotalBytes)
	}
	if got.GoMemory.HeapObjectsBytes != got.HeapObjectsBytes || got.GoMemory.From != record.FromRuntimeMetrics {
		t.Errorf("heap objects %d vs %d, from %q", got.GoMemory.HeapObjectsBytes, got.HeapObjectsBytes, got.GoMemory.From)
	}
	if runtime.GOOS == "linux" {
		if got.ProcMemory == nil || got.ProcMemory.AnonymousBytes == 0 || got.ProcMemory.RSSBytes < got.ProcMemory.AnonymousBytes {
			t.Errorf("smaps_rollup split missing or wrong: %+v", got.ProcMemory)
		}
	}
	if st := p.Status(); st.Sample.GoMemory == nil {
		t.Error("the agent's status has no memory classes")
	}
}

func TestStartClose(t *testing.T) {
	p := newProbe(t, Options{Interval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, next, _ := p.EventsSince(0); next == 0 {
		t.Error("Start took no first sample")
	}
	if err := p.Start(ctx); err == nil {
		t.Error("second Start succeeded")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(kinds(p.eventsAll())[record.KindSample]) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("fewer than 3 samples after 10s at a 10ms interval")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-p.done // the sampling goroutine ends with its context
	_, before, _ := p.EventsSince(0)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_, after, _ := p.EventsSince(0)
	if after <= before {
		t.Error("Close took no final sample")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, again, _ := p.EventsSince(0); again != after {
		t.Error("second Close sampled again")
	}
	if err := p.Start(context.Background()); err == nil {
		t.Error("Start after Close succeeded")
	}
}

func TestRecord(t *testing.T) {
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceProbe, Start: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	p := newProbe(t, Options{Record: w})
	if !p.Header().Start.Equal(w.Start()) {
		t.Errorf("probe start %v, record start %v", p.Header().Start, w.Start())
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	run, err := record.Read(&buf, "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	kept, _, _ := p.EventsSince(0)
	if len(run.Events) != len(kept) {
		t.Fatalf("record has %d events, the probe kept %d", len(run.Events), len(kept))
	}
	byKind := kinds(run.Events)
	if len(byKind[record.KindSample]) < 2 || len(byKind[record.KindGC]) < 1 || len(byKind[record.KindPauses]) < 1 {
		t.Errorf("record events: %d samples, %d GC, %d pauses", len(byKind[record.KindSample]), len(byKind[record.KindGC]), len(byKind[record.KindPauses]))
	}
	if e := run.Events[0]; e.T < 3599 || e.T > 3700 {
		t.Errorf("first event at %v s, want about an hour after the record's start", e.T)
	}
}

func TestHeader(t *testing.T) {
	p := newProbe(t, Options{})
	h := p.Header()
	if h.Schema != record.Schema || h.Source != record.SourceProbe || h.GoVersion != runtime.Version() ||
		h.PID != os.Getpid() || h.GC == "" || h.Host.CPUs == 0 || h.Start.IsZero() {
		t.Errorf("header: %+v", h)
	}
	h.Env["GOGC"] = "changed"
	if p.Header().Env["GOGC"] == "changed" {
		t.Error("Header shares its Env map")
	}
}

// Every pause and GC CPU second up to the last tick that saw a cycle end is
// counted in exactly one GC event.
func TestPausesCountedOnce(t *testing.T) {
	p := newProbe(t, Options{})
	base := p.prev
	for range 5 {
		runtime.GC()
		p.sample()
		p.sample() // a tick that may see only the start of a cycle
	}
	runtime.GC()
	p.sample()
	var gcPause, gcCPU, gcIdle, histPause float64
	for _, e := range p.eventsAll() {
		if g := e.GC; g != nil {
			gcPause += g.PauseSeconds
			gcCPU += g.GCCPUSeconds
			gcIdle += g.IdleCPUSeconds
			if g.IdleCPUSeconds > g.GCCPUSeconds {
				t.Errorf("cycle %d: idle marking %v s above its GC CPU %v s", g.N, g.IdleCPUSeconds, g.GCCPUSeconds)
			}
		}
		if ps := e.Pauses; ps != nil {
			for _, b := range ps.Buckets {
				histPause += float64(b.Count) * midpoint(b.Lo, b.Hi)
			}
		}
	}
	if d := gcPause - histPause; d < -1e-9 || d > 1e-9 {
		t.Errorf("GC events hold %v s of pauses, Pauses events %v s", gcPause, histPause)
	}
	if d := gcCPU - (p.prev.gcCPU - base.gcCPU); d < -1e-9 || d > 1e-9 {
		t.Errorf("GC events hold %v GC CPU seconds, the runtime counted %v", gcCPU, p.prev.gcCPU-base.gcCPU)
	}
	if d := gcIdle - (p.prev.gcIdleCPU - base.gcIdleCPU); d < -1e-9 || d > 1e-9 {
		t.Errorf("GC events hold %v s of idle marking, the runtime counted %v", gcIdle, p.prev.gcIdleCPU-base.gcIdleCPU)
	}
}
