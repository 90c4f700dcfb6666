package profiler

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

func TestParseTriggers(t *testing.T) {
	got, err := ParseTriggers("p99>20ms, pause>2ms,gccpu>25%,max>1s,p99.9>50ms")
	if err != nil {
		t.Fatal(err)
	}
	want := []Trigger{
		{record.TraceLatency, 0.99, 0.020, "p99>20ms"},
		{record.TracePause, 0, 0.002, "pause>2ms"},
		{record.TraceGCCPU, 0, 0.25, "gccpu>25%"},
		{record.TraceLatency, 1, 1, "max>1s"},
		{record.TraceLatency, 0.999, 0.050, "p99.9>50ms"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if d := got[i].Quantile - want[i].Quantile; got[i].Kind != want[i].Kind || d > 1e-12 || d < -1e-12 ||
			got[i].Above-want[i].Above > 1e-12 || got[i].Text != want[i].Text {
			t.Errorf("trigger %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"", "p99", "p99>", "p0>1ms", "p100>1ms", "q99>1ms", "pause>-1ms", "pause>fast", "gccpu>25", "gccpu>120%", "p99>20"} {
		if _, err := ParseTriggers(bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseTriggers(%q): %v, want a one-line error", bad, err)
		}
	}
}

func TestLatencyQuantile(t *testing.T) {
	l := &record.Latency{Count: 100, MaxSeconds: 0.3, Buckets: []record.Bucket{
		{Lo: 0.010, Hi: 0.011, Count: 98},
		{Lo: 0.001, Hi: 0.0011, Count: 1},
		{Lo: 0.2, Hi: 0.22, Count: 1},
	}}
	for _, c := range []struct{ q, want float64 }{{0.5, 0.011}, {0.99, 0.011}, {0.995, 0.22}, {1, 0.3}, {0.01, 0.0011}} {
		if got, ok := latencyQuantile(l, c.q); !ok || got != c.want {
			t.Errorf("q%v: %v %v, want %v", c.q, got, ok, c.want)
		}
	}
	if _, ok := latencyQuantile(&record.Latency{}, 0.99); ok {
		t.Error("an empty interval has a quantile")
	}
}

// gcWork allocates for d, so that GC cycles run.
func gcWork(d time.Duration) {
	type node struct {
		next *node
		pad  [8]int64
	}
	var keep *node
	for stop := time.Now().Add(d); time.Now().Before(stop); {
		var head *node
		for range 5000 {
			head = &node{next: head}
		}
		keep = head
	}
	_ = keep
}

func TestFlightSnapshotsOnRealGCPauses(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceProbe})
	if err != nil {
		t.Fatal(err)
	}
	trig, err := ParseTriggers("pause>1ns") // every real cycle pauses longer
	if err != nil {
		t.Fatal(err)
	}
	fl, err := StartFlight(w, FlightOptions{Triggers: trig, Dir: dir, Prefix: "run-trace", MinAge: 200 * time.Millisecond,
		MaxSnapshots: 2, MinGap: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartFlight(w, FlightOptions{Triggers: trig, Dir: dir}); err == nil {
		t.Error("a second flight recorder started")
	}
	p, err := New(Options{Interval: 10 * time.Millisecond, Record: w})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Until both snapshots began (a loaded machine takes longer to write
	// one), and then some, for triggers to be turned away.
	for deadline := time.Now().Add(20 * time.Second); fl.Snapshots() < 2 && time.Now().Before(deadline); {
		gcWork(100 * time.Millisecond)
	}
	gcWork(200 * time.Millisecond)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fl.Stop(); err != nil {
		t.Fatal(err)
	}

	r, err := record.NewReader(&buf, "run.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var traces []record.Trace
	note := ""
	for {
		e, err := r.Next()
		if err != nil {
			break
		}
		if e.Trace != nil {
			traces = append(traces, *e.Trace)
		}
		if e.Note != nil && strings.Contains(e.Note.Message, "flight recorder") {
			note = e.Note.Message
		}
	}
	if len(traces) != 2 {
		t.Fatalf("%d trace events, want 2 (MaxSnapshots): %+v", len(traces), traces)
	}
	for _, tr := range traces {
		data, err := os.ReadFile(filepath.Join(dir, tr.Path))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s, %d bytes, written in %.1f ms", tr.Path, tr.Reason, tr.Bytes, tr.WriteSeconds*1e3)
		if int64(len(data)) != tr.Bytes || !bytes.HasPrefix(data, []byte("go 1.")) || tr.Trigger != record.TracePause ||
			!strings.HasPrefix(tr.Reason, "GC pause ") || tr.Truncated {
			t.Errorf("snapshot %+v: file of %d bytes starting %q", tr, len(data), data[:min(len(data), 8)])
		}
	}
	if !strings.Contains(note, "more triggers fired after the 2 snapshots") {
		t.Errorf("no note on the triggers turned away: %q", note)
	}
}

func TestFlightTotalSizeBound(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	w := record.NewEventWriter(&buf, time.Now())
	trig, _ := ParseTriggers("p50>1ms")
	fl, err := StartFlight(w, FlightOptions{Triggers: trig, Dir: dir, MaxTotalBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	gcWork(50 * time.Millisecond)
	w.Write(record.Event{Latency: &record.Latency{IntervalSeconds: 0.1, Count: 1, MaxSeconds: 0.005,
		Buckets: []record.Bucket{{Lo: 0.004, Hi: 0.0055, Count: 1}}}})
	if err := fl.Stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"truncated":true`) || !strings.Contains(buf.String(), "request latency p50 5.00 ms") {
		t.Errorf("record: %s", buf.String())
	}
	fi, err := os.Stat(filepath.Join(dir, "gcprobe-trace-1.trace"))
	if err != nil || fi.Size() != 4096 {
		t.Errorf("snapshot: %v, %v bytes; want 4096", err, fi)
	}
}

// FuzzParseTriggers: never a panic, errors on one line, and each parsed
// trigger's text parses to the same trigger.
func FuzzParseTriggers(f *testing.F) {
	for _, s := range []string{"p99>20ms", "pause>2ms,gccpu>25%", "max>1s", "p99.9>50ms", "gccpu>1e1%", "p>1ms", ",", "p99>>1ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTriggers(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on several lines: %q", err)
			}
			return
		}
		for _, tr := range ts {
			again, err := ParseTriggers(tr.Text)
			if err != nil || len(again) != 1 || again[0] != tr {
				t.Fatalf("%q parsed as %+v, its text %q as %+v (%v)", s, tr, tr.Text, again, err)
			}
			if tr.Above <= 0 || tr.Quantile < 0 || tr.Quantile > 1 {
				t.Fatalf("%q: trigger %+v out of range", s, tr)
			}
		}
	})
}
