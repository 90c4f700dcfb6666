package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/internal/synth"
)

// BenchmarkRecordSize measures what gcprobe summary and gcprobe report cost
// against the length of the record they read from a file: 1 minute, 10
// minutes and 1 hour of a service at 111 GC cycles a second (synthetic,
// 3.5 MB to 211 MB), written to a temporary directory. Besides ns/op and
// B/op it reports peak-heap-MB, the highest
// /memory/classes/heap/objects:bytes seen (sampled every millisecond) above
// what the heap held before the operation: the memory the reading needs.
//
//	go test ./analyze/report -run XXX -bench RecordSize -benchmem -count 5
func BenchmarkRecordSize(b *testing.B) {
	dir := b.TempDir()
	for _, secs := range []float64{60, 600, 3600} {
		path := sizedRecord(b, dir, secs)
		name := fmt.Sprintf("%gs", secs)
		b.Run("summary/"+name, func(b *testing.B) {
			peakHeap(b, func() {
				if _, _, err := summary.ReadRunFile(path); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run("report/"+name, func(b *testing.B) {
			peakHeap(b, func() {
				h, s, err := summary.ReadRunFile(path)
				if err != nil {
					b.Fatal(err)
				}
				rep := BuildSummaries(context.Background(), []Input{{File: path, Header: h, Summary: s}}, Options{})
				if err := WriteHTML(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// sizedRecord writes a synthetic record of secs seconds into dir.
func sizedRecord(b *testing.B, dir string, secs float64) string {
	p := filepath.Join(dir, fmt.Sprintf("%gs.jsonl", secs))
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := synth.Write(w, synth.Options{Seconds: secs, CyclesPerSecond: 111, Latency: true}); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// peakHeap runs op b.N times and reports the highest live heap above the
// heap before each run.
func peakHeap(b *testing.B, op func()) {
	b.ReportAllocs()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() float64 {
		metrics.Read(sample)
		return float64(sample[0].Value.Uint64())
	}
	var peak float64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		base := read()
		done := make(chan float64)
		stop := make(chan struct{})
		go func() {
			high := base
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					done <- max(high, read())
					return
				case <-t.C:
					high = max(high, read())
				}
			}
		}()
		b.StartTimer()
		op()
		b.StopTimer()
		close(stop)
		peak = max(peak, <-done-base)
		b.StartTimer()
	}
	b.ReportMetric(peak/(1<<20), "peak-heap-MB")
}
