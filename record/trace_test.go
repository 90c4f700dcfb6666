package record

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTraceEventRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, Header{Source: SourceScenario, Start: time.Unix(1e9, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var seen atomic.Int32
	w.Observe(func(e Event) {
		if e.Kind() == KindTrace {
			seen.Add(1)
		}
	})
	want := Trace{Path: "run-trace-1.trace", Trigger: TracePause, Reason: "GC pause 3.1ms > 2ms in cycle 41", Bytes: 3 << 20, WriteSeconds: 0.004}
	if err := w.Write(Event{T: 1.5, Trace: &want}); err != nil {
		t.Fatal(err)
	}
	if err := w.Note(NoteInfo, "not a trace"); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != 1 {
		t.Errorf("the observer saw %d trace events, want 1", seen.Load())
	}
	if !strings.Contains(buf.String(), `"trace":{"path":"run-trace-1.trace","trigger":"pause"`) {
		t.Errorf("record: %s", buf.String())
	}
	r, err := NewReader(&buf, "run.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	e, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind() != KindTrace || *e.Trace != want || e.T != 1.5 {
		t.Errorf("read back %+v (kind %q), want %+v", e.Trace, e.Kind(), want)
	}
}
