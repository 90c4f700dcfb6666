package record

import (
	"io"
	"math"
	"testing"
	"time"
)

// handScrub is the hand-kept list of float fields the writer used before
// Finite, kept here as the baseline Finite's cost is measured against.
func handScrub(e *Event) {
	fix := func(f *float64) {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = 0
		}
	}
	fix(&e.T)
	if s := e.Sample; s != nil {
		fix(&s.CPUSecondsTotal)
		fix(&s.GCCPUSecondsTotal)
		fix(&s.TotalCPUSecondsTotal)
		fix(&s.GCCPUFraction)
	}
	if g := e.GC; g != nil {
		for _, f := range []*float64{&g.StartSeconds, &g.EndSeconds, &g.PauseSeconds, &g.PauseMaxSeconds,
			&g.AssistCPUSeconds, &g.BackgroundCPUSeconds, &g.IdleCPUSeconds, &g.GCCPUSeconds,
			&g.IntervalCPUSeconds, &g.CumulativeGCCPUFraction} {
			fix(f)
		}
	}
	if p := e.Pauses; p != nil {
		for i := range p.Buckets {
			fix(&p.Buckets[i].Lo)
			fix(&p.Buckets[i].Hi)
		}
	}
}

func benchEvents() []Event {
	return []Event{
		{T: 1, Sample: &Sample{RSSBytes: 1 << 20, CPUSecondsTotal: 1.5, GCCPUSecondsTotal: 0.1}},
		{T: 1.1, GC: &GC{N: 3, StartSeconds: 1, EndSeconds: 1.1, PauseSeconds: 1e-4}},
		{T: 2, Pauses: &Pauses{Buckets: []Bucket{{1e-5, 2e-5, 3}, {2e-5, 4e-5, 1}, {4e-5, 8e-5, 1}}}},
	}
}

// BenchmarkWrite writes a sample, a GC cycle and a pause histogram, all
// finite as nearly every event is: with Finite (the writer as it is) and
// with the hand-kept list as the baseline. BenchmarkWriteInf has the
// histogram's open-ended bucket, which Finite copies to clear.
func BenchmarkWrite(b *testing.B) {
	for _, tc := range []struct {
		name  string
		scrub func(Event) Event
	}{
		{"finite", Finite[Event]},
		{"hand-list", func(e Event) Event { handScrub(&e); return e }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w := NewEventWriter(io.Discard, time.Now())
			es := benchEvents()
			b.ReportAllocs()
			for b.Loop() {
				for _, e := range es {
					w.write(tc.scrub(e))
				}
			}
		})
	}
}

func BenchmarkWriteInf(b *testing.B) {
	e := Event{T: 2, Pauses: &Pauses{Buckets: []Bucket{{1e-5, 2e-5, 3}, {1, math.Inf(1), 1}}}}
	w := NewEventWriter(io.Discard, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		w.write(Finite(e))
	}
}
