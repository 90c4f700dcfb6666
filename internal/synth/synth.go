// Package synth writes synthetic run records of any size, for the tests and
// benchmarks that need a record too long or too dense to keep in testdata:
// an hour's attach with 400,000 GC cycles, a service running 110 cycles a
// second. The figures follow a seeded pseudo-random pattern (the same on
// every machine), shaped like a gctrace record of a busy service: GC cycles
// with their bounds, pauses and CPU, a sample a second, and optionally one
// latency histogram a second whose tail grows with the time spent in GC.
//
// Records are generated event by event, never held whole, so that a
// multi-gigabyte record costs no more memory than a small one.
package synth

import (
	"fmt"
	"io"
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// Options shape a record.
type Options struct {
	// Seconds is the record's length.
	Seconds float64
	// CyclesPerSecond is the mean GC rate; it swings by ±50% over six
	// waves across the record, as load rises and falls.
	CyclesPerSecond float64
	// GCShare is the mean share of wall time inside GC cycles (default 0.2).
	GCShare float64
	// Latency adds one latency event a second of RequestsPerSecond
	// requests (default 200).
	Latency           bool
	RequestsPerSecond int
	// Seed varies the pseudo-random figures.
	Seed uint64
	// Header is the record's header; Source defaults to run and Start to a
	// fixed date.
	Header record.Header
}

// Start is the default start time of a synthetic record.
var start = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

// header fills the defaults in.
func (o Options) header() record.Header {
	h := o.Header
	if h.Source == "" {
		h.Source = record.SourceRun
		h.Command = []string{"./svc", "-listen", "127.0.0.1:8080"}
		h.PID = 4242
		h.Env = map[string]string{"GOGC": "100", "GOMAXPROCS": "2", "GODEBUG": "gctrace=1"}
		h.GoVersion, h.GC = "go1.26.8", record.GCGreenTea
		h.Host = record.Host{Hostname: "bench", OS: "linux", Arch: "amd64", CPUs: 2, MemoryBytes: 8 << 30}
		h.GCProbeVersion = "synthetic"
	}
	if h.Start.IsZero() {
		h.Start = start
	}
	return h
}

// Write writes the record to w with the real record writer.
func Write(w io.Writer, o Options) error {
	rw, err := record.NewWriter(w, o.header())
	if err != nil {
		return err
	}
	for e := range Events(o) {
		if err := rw.Write(e); err != nil {
			return err
		}
	}
	return nil
}

// Header returns the header Write writes.
func Header(o Options) record.Header { return o.header() }

// Events yields the record's events in time order, ending with an end
// event.
func Events(o Options) iter.Seq[record.Event] {
	return func(yield func(record.Event) bool) {
		g := newGen(o)
		for sec := 1; float64(sec) <= math.Ceil(o.Seconds); sec++ {
			t := math.Min(float64(sec), o.Seconds)
			for !g.done && g.next.end <= t {
				if !yield(g.cycleEvent()) {
					return
				}
				g.advance()
			}
			if !yield(g.sample(t)) {
				return
			}
			if o.Latency && !yield(g.latency(t)) {
				return
			}
		}
		yield(record.Event{T: o.Seconds, End: &record.End{Reason: record.EndDuration}})
	}
}

type cycle struct{ start, end float64 }

type gen struct {
	o    Options
	rng  *rand.Rand
	n    uint64
	next cycle
	done bool
	// recent cycles, for the latency of the second that holds them.
	recent  []cycle
	lastEnd float64
	// cumulative figures of the samples.
	alloc, gcCPU float64
	live         float64
}

func newGen(o Options) *gen {
	if o.GCShare == 0 {
		o.GCShare = 0.2
	}
	if o.RequestsPerSecond == 0 {
		o.RequestsPerSecond = 200
	}
	g := &gen{o: o, rng: rand.New(rand.NewPCG(o.Seed, 18)), live: 8 << 20}
	g.next.end = 0
	g.advance()
	return g
}

// rate is the GC rate at time t: six waves of ±50% over the record.
func (g *gen) rate(t float64) float64 {
	return g.o.CyclesPerSecond * (1 + 0.5*math.Sin(2*math.Pi*6*t/g.o.Seconds))
}

// advance draws the next cycle after the current one.
func (g *gen) advance() {
	prev := g.next.end
	r := g.rate(prev)
	if !(r > 0) {
		g.done = true
		return
	}
	gap := g.rng.ExpFloat64() / r
	length := g.o.GCShare / r * (0.5 + g.rng.Float64())
	s := prev + gap*(1-g.o.GCShare) + 1e-4
	g.next = cycle{s, s + length}
	if g.next.end > g.o.Seconds {
		g.done = true
	}
}

func (g *gen) cycleEvent() record.Event {
	c := g.next
	g.n++
	g.recent = append(g.recent, c)
	procs := 2.0
	length := c.end - c.start
	interval := procs * (c.end - g.lastEnd)
	g.lastEnd = c.end
	gcCPU := procs * length * (0.25 + 0.1*g.rng.Float64())
	g.gcCPU += gcCPU
	// The live heap drifts between 6 and 10 MiB over the record.
	g.live = (8 + 2*math.Sin(2*math.Pi*c.end/g.o.Seconds*3)) * (1 << 20)
	goal := 2 * g.live
	pause := 50e-6 + 150e-6*g.rng.Float64()*g.rng.Float64()
	return record.Event{T: c.end, GC: &record.GC{
		N: g.n, StartSeconds: c.start, EndSeconds: c.end,
		PauseSeconds: pause * 1.6, PauseMaxSeconds: pause,
		HeapStartBytes: uint64(goal * 0.95), HeapEndBytes: uint64(goal * 1.02), HeapLiveBytes: uint64(g.live), HeapGoalBytes: uint64(goal),
		Procs: int(procs), AssistCPUSeconds: gcCPU * 0.3, BackgroundCPUSeconds: gcCPU * 0.6, IdleCPUSeconds: gcCPU * 0.05, GCCPUSeconds: gcCPU,
		IntervalCPUSeconds: interval,
	}}
}

func (g *gen) sample(t float64) record.Event {
	// Only the cycles of the last second matter to latency: memory stays
	// bounded whatever the record's length.
	for len(g.recent) > 0 && g.recent[0].end < t-1 {
		g.recent = g.recent[1:]
	}
	g.alloc += g.rate(t) * g.live * 1.0
	rss := 2.4*g.live + float64(4<<20) + g.rng.Float64()*(2<<20)
	return record.Event{T: t, Sample: &record.Sample{
		RSSBytes: uint64(rss), RSSPeakBytes: uint64(2.4*(10<<20) + (6 << 20)),
		HeapLiveBytes: uint64(g.live), HeapGoalBytes: uint64(2 * g.live),
		AllocBytesTotal: uint64(g.alloc), GCCyclesTotal: g.n, Goroutines: 40,
		GCCPUSecondsTotal: g.gcCPU, TotalCPUSecondsTotal: 2 * t,
	}}
}

// latency is one second of requests: a millisecond's base latency, and up
// to 50 ms more for a request that starts inside a GC cycle.
func (g *gen) latency(t float64) record.Event {
	n := g.o.RequestsPerSecond
	counts := map[float64]uint64{}
	var maxLat, sum float64
	var slow []record.Request
	cycles := g.recent
	for i := 0; i < n; i++ {
		st := t - 1 + float64(i)/float64(n)
		lat := 0.0005 + g.rng.ExpFloat64()*0.0005
		for len(cycles) > 0 && cycles[0].end < st {
			cycles = cycles[1:]
		}
		if len(cycles) > 0 && st >= cycles[0].start {
			lat += g.rng.Float64() * g.rng.Float64() * 0.05
		}
		counts[math.Pow(2, math.Floor(math.Log2(lat/1e-6)))*1e-6]++
		maxLat = math.Max(maxLat, lat)
		sum += lat
		if lat > 0.01 && len(slow) < 8 {
			slow = append(slow, record.Request{StartSeconds: st, LatencySeconds: lat})
		}
	}
	var bs []record.Bucket
	for lo := 1e-6; lo < 10; lo *= 2 {
		if c := counts[lo]; c > 0 {
			bs = append(bs, record.Bucket{Lo: lo, Hi: 2 * lo, Count: c})
		}
	}
	return record.Event{T: t, Latency: &record.Latency{IntervalSeconds: 1, Count: uint64(n), MaxSeconds: maxLat, SumSeconds: sum, Buckets: bs, Slowest: slow}}
}

// Name describes a record's shape for test and file names: "3600s-111cps".
func Name(o Options) string {
	return fmt.Sprintf("%gs-%gcps", o.Seconds, o.CyclesPerSecond)
}
