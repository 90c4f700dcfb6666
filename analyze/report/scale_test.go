package report

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/gcprobe/gcprobe/internal/synth"
	"github.com/gcprobe/gcprobe/record"
)

// synthRun is a synthetic record held whole, as gcprobe report reads it.
func synthRun(tb testing.TB, o synth.Options) *record.Run {
	tb.Helper()
	run := &record.Run{File: synth.Name(o) + ".jsonl", Header: synth.Header(o)}
	for e := range synth.Events(o) {
		run.Events = append(run.Events, e)
	}
	return run
}

// BenchmarkReportScale measures building and rendering the HTML report of
// records of growing length at a service's 110 GC cycles a second, from
// 40 seconds to an hour: the cost should grow with the record (reading it,
// a pass per chart) while the page stays the same size (html-bytes), as
// dense charts aggregate by column.
//
//	go test ./analyze/report -run XXX -bench ReportScale -benchmem
func BenchmarkReportScale(b *testing.B) {
	for _, secs := range []float64{40, 360, 3600} {
		o := synth.Options{Seconds: secs, CyclesPerSecond: 111, Latency: true}
		run := synthRun(b, o)
		b.Run(fmt.Sprintf("%gs-%dcycles", secs, countGC(run)), func(b *testing.B) {
			var size int
			for b.Loop() {
				rep := Build(context.Background(), []*record.Run{run}, Options{})
				var page bytes.Buffer
				if err := WriteHTML(&page, rep); err != nil {
					b.Fatal(err)
				}
				size = page.Len()
			}
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}

func countGC(run *record.Run) int {
	n := 0
	for _, e := range run.Events {
		if e.GC != nil {
			n++
		}
	}
	return n
}
