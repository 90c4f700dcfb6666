package record

import (
	"bufio"
	"encoding/json"
	"io"
	"testing"
	"time"
)

var benchSample = Event{T: 15, Sample: &Sample{RSSBytes: 90 << 20, HeapGoalBytes: 80 << 20, HeapObjectsBytes: 60 << 20,
	GoTotalBytes: 100 << 20, AllocBytesTotal: 1 << 40, GCCyclesTotal: 12345, Goroutines: 50, CPUSecondsTotal: 1234.5,
	PauseSecondsTotal: 3.7, PauseMaxRecentSeconds: 0.0008}}

// BenchmarkWriteAt writes sample events as a fleet import does (WriteAt,
// into a buffer), against encoding/json alone in the same run: the floor.
func BenchmarkWriteAt(b *testing.B) {
	b.Run("WriteAt", func(b *testing.B) {
		w, _ := NewWriter(bufio.NewWriter(io.Discard), Header{Start: time.Unix(0, 0)})
		b.ReportAllocs()
		for b.Loop() {
			w.WriteAt(benchSample)
		}
	})
	b.Run("json-only", func(b *testing.B) {
		enc := json.NewEncoder(io.Discard)
		b.ReportAllocs()
		for b.Loop() {
			enc.Encode(benchSample)
		}
	})
}

func TestWriteAtKeepsZero(t *testing.T) {
	var buf bufioBuffer
	w, err := NewWriter(&buf, Header{Start: time.Unix(100, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAt(Event{T: 0, Sample: &Sample{GCCyclesTotal: 1}}); err != nil {
		t.Fatal(err)
	}
	run, err := Read(&buf, "buf")
	if err != nil || len(run.Events) != 1 || run.Events[0].T != 0 {
		t.Fatalf("read back %+v, %v; want one event at T=0", run, err)
	}
}

type bufioBuffer struct{ b []byte }

func (x *bufioBuffer) Write(p []byte) (int, error) { x.b = append(x.b, p...); return len(p), nil }
func (x *bufioBuffer) Read(p []byte) (int, error) {
	if len(x.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, x.b)
	x.b = x.b[n:]
	return n, nil
}
