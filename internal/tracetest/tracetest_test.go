package tracetest

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"golang.org/x/exp/trace"
)

// TestAllocatingHoldsACycle reads the trace back with x/exp/trace: it must
// parse to its end and hold at least one GC mark phase.
func TestAllocatingHoldsACycle(t *testing.T) {
	data := Allocating(t, 20*time.Millisecond, 2)
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var gcs int
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("trace does not read to its end: %v", err)
		}
		if ev.Kind() == trace.EventRangeBegin && ev.Range().Name == "GC concurrent mark phase" {
			gcs++
		}
	}
	if gcs == 0 {
		t.Error("no GC mark phase in the trace")
	}
}
