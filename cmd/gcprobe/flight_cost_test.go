package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/scenarios"
)

// BenchmarkFlightRecorderCost runs the binarytrees scenario (a throughput
// workload: the time of a fixed amount of work) with the probe, alternately
// without and with the flight recorder on (a trigger that never fires: the
// cost of keeping the trace), so that both halves of each pair see the same
// machine. It reports both times and their ratio, on/off:
//
//	go test -run '^$' -bench FlightRecorderCost -benchtime 20x ./cmd/gcprobe
//
// On a shared machine the sum of wall times moves more than the 2% target;
// scripts/bench-flight.sh measures CPU time over many pairs, with a
// confidence interval.
func BenchmarkFlightRecorderCost(b *testing.B) {
	s, ok := scenarios.Lookup("binarytrees")
	if !ok {
		b.Fatal("no binarytrees scenario")
	}
	params, err := s.NewParams(map[string]string{"depth": "14"}, host.Describe())
	if err != nil {
		b.Fatal(err)
	}
	work, err := s.Prepare(params)
	if err != nil {
		b.Fatal(err)
	}
	w := record.NewEventWriter(io.Discard, time.Now())
	probe, err := profiler.New(profiler.Options{Interval: 100 * time.Millisecond, Record: w})
	if err != nil {
		b.Fatal(err)
	}
	if err := probe.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer probe.Close()
	trig, _ := profiler.ParseTriggers("pause>1h")
	dir := b.TempDir()
	run := func(w *record.Writer) time.Duration {
		t0 := time.Now()
		if err := work(context.Background(), scenarios.Env{Record: w, Out: io.Discard}); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	var off, on time.Duration
	for b.Loop() {
		off += run(w)
		// A writer of its own for each recorder, which watches the
		// workload's events: a Flight watches its writer for good, and
		// they must not pile up.
		fw := record.NewEventWriter(io.Discard, time.Now())
		fl, err := profiler.StartFlight(fw, profiler.FlightOptions{Triggers: trig, Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		on += run(fw)
		if err := fl.Stop(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(off.Nanoseconds())/float64(b.N), "off-ns/op")
	b.ReportMetric(float64(on.Nanoseconds())/float64(b.N), "on-ns/op")
	b.ReportMetric(float64(on)/float64(off), "on/off")
}
