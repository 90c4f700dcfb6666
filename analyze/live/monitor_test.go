package live

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// genRecord writes a record of n seconds: a sample every 0.25 s with a
// growing cycle counter, heap and RSS, and a bounded GC cycle every second.
func genRecord(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceRun, Command: []string{"./server"}, PID: 42,
		Env: map[string]string{"GOGC": "200"}, Start: start})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4*n; i++ {
		ts := float64(i) / 4
		w.Write(record.Event{T: ts, Sample: &record.Sample{RSSBytes: uint64(100+i) << 20, RSSPeakBytes: uint64(100+i) << 20,
			HeapLiveBytes: uint64(10+i) << 20, HeapGoalBytes: uint64(20+i) << 20, GCCyclesTotal: uint64(i / 4),
			AllocBytesTotal: uint64(i) << 20, CPUSecondsTotal: ts / 2}})
		if i%4 == 0 {
			w.Write(record.Event{T: ts, GC: &record.GC{N: uint64(i / 4), StartSeconds: ts - 0.01, EndSeconds: ts,
				PauseSeconds: 0.0002, PauseMaxSeconds: 0.0001, HeapLiveBytes: uint64(10+i) << 20, Procs: 2,
				AssistCPUSeconds: 0.001, BackgroundCPUSeconds: 0.009, GCCPUSeconds: 0.01, IntervalCPUSeconds: 2}})
		}
	}
	return buf.Bytes()
}

func TestMonitorFromBytes(t *testing.T) {
	rec := genRecord(t, 60)
	m := New(Options{Window: 10 * time.Second})
	// Feed in uneven pieces, as a pipe would, cutting lines in the middle.
	for len(rec) > 0 {
		n := min(len(rec), 77)
		m.Write(rec[:n])
		rec = rec[n:]
	}
	s := m.Snapshot()
	if !s.Started || s.Header.PID != 42 {
		t.Fatalf("header not taken: %+v", s.Header)
	}
	if s.Cycles != 60 {
		t.Errorf("cycles since start = %d, want 60", s.Cycles)
	}
	if s.Elapsed != 60 {
		t.Errorf("elapsed = %v, want 60", s.Elapsed)
	}
	if s.WindowSeconds < 9.5 || s.WindowSeconds > 10 {
		t.Errorf("window = %vs, want about 10s", s.WindowSeconds)
	}
	// The window holds 10 of the 60 cycles.
	if got := s.Summary.Cycles.Total; got < 10 || got > 11 {
		t.Errorf("cycles in the window = %d, want 10 or 11", got)
	}
	if n := len(s.RSS); n < 39 || n > 41 || s.RSS[n-1].V != float64(340<<20) {
		t.Errorf("RSS history = %v, want the window's 40 samples ending at 340 MiB", s.RSS)
	}
	if !s.AssistKnown || s.AssistShare < 0.00049 || s.AssistShare > 0.00051 {
		t.Errorf("assist share = %v (%v), want 0.0005", s.AssistShare, s.AssistKnown)
	}
	if s.BadLines != 0 {
		t.Errorf("%d bad lines in a good record", s.BadLines)
	}
}

func TestMonitorCountsFromSamplesWithoutGCEvents(t *testing.T) {
	m := New(Options{})
	m.Start(record.Header{Source: record.SourceAttach})
	for i := 1; i <= 10; i++ {
		m.Add(record.Event{T: float64(i), Sample: &record.Sample{GCCyclesTotal: uint64(100 + 3*i)}})
	}
	if got := m.Snapshot().Cycles; got != 27 {
		t.Errorf("cycles = %d, want 27 (counter from 103 to 130)", got)
	}
}

func TestAssistsUnknownWithoutTheSplit(t *testing.T) {
	m := New(Options{})
	m.Start(record.Header{Source: record.SourceAttach})
	m.Add(record.Event{T: 1, GC: &record.GC{N: 1, GCCPUSeconds: 0.01, IntervalCPUSeconds: 2}})
	if s := m.Snapshot(); s.AssistKnown {
		t.Errorf("assists known (%v) from a cycle with no CPU split", s.AssistShare)
	}
}

func TestMonitorSkipsBadLines(t *testing.T) {
	rec := genRecord(t, 3)
	i := bytes.IndexByte(rec, '\n')
	bad := append(append(append([]byte{}, rec[:i+1]...), "{not json\n\n"...), rec[i+1:]...)
	m := New(Options{})
	m.Write(bad)
	s := m.Snapshot()
	if s.BadLines != 1 || s.Cycles != 3 {
		t.Errorf("bad lines = %d, cycles = %d; want 1 and 3", s.BadLines, s.Cycles)
	}
}

func TestMonitorBoundsAPartialLine(t *testing.T) {
	m := New(Options{})
	m.Write(bytes.Repeat([]byte("x"), maxLine+1))
	if len(m.partial) != 0 || m.bad != 1 {
		t.Errorf("an endless line was kept (%d bytes) or not counted (%d)", len(m.partial), m.bad)
	}
}

func TestLay(t *testing.T) {
	m := New(Options{Window: 10 * time.Second})
	m.Write(genRecord(t, 30))
	scr := Lay(m.Snapshot(), 10)
	if !strings.Contains(scr.Title, "./server (pid 42)") || !strings.Contains(scr.Title, "30s") {
		t.Errorf("title = %q", scr.Title)
	}
	rows := map[string]Row{}
	for _, sec := range scr.Sections {
		for _, r := range sec.Rows {
			rows[r.Label] = r
		}
	}
	for label, want := range map[string]string{
		"cycles":       "30 total",
		"GC CPU share": "(assists 0.05%)",
		"settings":     "GOGC=200",
		"RSS":          "220 MiB",
	} {
		if !strings.Contains(rows[label].Value, want) {
			t.Errorf("%s = %q, want it to contain %q", label, rows[label].Value, want)
		}
	}
	if n := len([]rune(rows["RSS"].Spark)); n != 10 {
		t.Errorf("RSS sparkline has %d cells, want 10", n)
	}
	if scr.Verdict == "" || !strings.HasSuffix(scr.Verdict, ".") {
		t.Errorf("verdict = %q", scr.Verdict)
	}
	line := Line(m.Snapshot())
	for _, want := range []string{"t=30s", "cycles=30", "rss=220MiB", "assist_cpu=0.05%"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "= ") || strings.Count(line, "=") != len(strings.Fields(line)) {
		t.Errorf("line %q is not key=value pairs", line)
	}
}

func TestSpark(t *testing.T) {
	pts := func(vs ...float64) []Point {
		ps := make([]Point, len(vs))
		for i, v := range vs {
			ps[i] = Point{T: float64(i), V: v}
		}
		return ps
	}
	for _, c := range []struct {
		ps    []Point
		width int
		want  string
	}{
		{nil, 5, ""},
		{pts(1, 2, 3), 0, ""},
		{pts(5, 5, 5), 5, "▁▁▁"},
		{pts(0, 7), 5, "▁█"},
		{pts(0, 1, 2, 3, 4, 5, 6, 7), 8, "▁▂▃▄▅▆▇█"},
		// 16 points in 4 cells: each cell shows the peak of its slice.
		{pts(0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4), 4, "█▁▁▄"},
		// Time, not the count of points, places them: a gap repeats the
		// cell before it.
		{[]Point{{0, 1}, {1, 1}, {2, 1}, {10, 8}}, 4, "▁▁▁█"},
		// An RSS that moves by 4 KiB of 60 MiB is flat, not a jump from
		// the lowest bar to the highest; 2.5% of it is half a range.
		{pts(63229952, 63229952, 63234048, 63234048), 4, "▁▁▁▁"},
		{pts(100, 100, 102.5), 3, "▁▁▄"},
		// Out of time order (arrival order): placed by time all the same.
		{[]Point{{5, 1}, {1, 9}, {9, 1}, {10, 1}}, 2, "█▁"},
	} {
		if got := Spark(c.ps, c.width); got != c.want {
			t.Errorf("Spark(%v, %d) = %q, want %q", c.ps, c.width, got, c.want)
		}
	}
}

func BenchmarkSnapshot(b *testing.B) {
	// A dense window: 110 cycles a second for 30 s, as go-httpbin under load.
	var buf bytes.Buffer
	w, _ := record.NewWriter(&buf, record.Header{Source: record.SourceRun})
	for i := 1; i <= 3300; i++ {
		ts := float64(i) / 110
		w.Write(record.Event{T: ts, GC: &record.GC{N: uint64(i), StartSeconds: ts - 0.002, EndSeconds: ts, PauseSeconds: 1e-4,
			GCCPUSeconds: 0.002, IntervalCPUSeconds: 0.018}})
		if i%27 == 0 {
			w.Write(record.Event{T: ts, Sample: &record.Sample{RSSBytes: 64 << 20, GCCyclesTotal: uint64(i)}})
		}
	}
	m := New(Options{})
	m.Write(buf.Bytes())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.Snapshot()
	}
}

// With --pid alone no source counts GC cycles: the plain line and the
// screen say "-", not 0, which would read as a program that ran no GC.
func TestCyclesUnknownWithoutAGCSource(t *testing.T) {
	m := New(Options{})
	m.Start(record.Header{Source: record.SourceAttach, PID: 42})
	for i := 1; i <= 3; i++ {
		m.Add(record.Event{T: float64(i), Sample: &record.Sample{RSSBytes: 80 << 20, CPUSecondsTotal: float64(i) / 10}})
	}
	s := m.Snapshot()
	if line := Line(s); !strings.Contains(line, " cycles=- ") {
		t.Errorf("plain line %q, want cycles=-", line)
	}
	if v := cyclesValue(s); v != dash {
		t.Errorf("screen cycles %q, want %q", v, dash)
	}
}

// expvar and client_golang's default collector give the heap goal but no
// live heap: the goal is shown all the same (it read "-").
func TestHeapGoalWithoutLiveHeap(t *testing.T) {
	m := New(Options{})
	m.Start(record.Header{Source: record.SourceAttach, PID: 42})
	for i := 1; i <= 3; i++ {
		m.Add(record.Event{T: float64(i), Sample: &record.Sample{RSSBytes: 80 << 20, HeapGoalBytes: uint64(70+i) << 20, GCCyclesTotal: uint64(i)}})
	}
	s := m.Snapshot()
	if len(s.HeapGoal) != 3 || s.HeapGoal[2].V != 73<<20 {
		t.Errorf("heap goal series %v, want the samples' 71 to 73 MiB", s.HeapGoal)
	}
	if len(s.HeapLive) != 0 {
		t.Errorf("heap live series %v from a source without one", s.HeapLive)
	}
	if line := Line(s); !strings.Contains(line, " heap_goal=73.0MiB ") || !strings.Contains(line, " heap_live=- ") {
		t.Errorf("plain line %q", line)
	}
}
