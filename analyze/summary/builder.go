package summary

import (
	"math"

	"github.com/gcprobe/gcprobe/record"
)

// builder summarises a record fed to it event by event, samples and GC
// cycles in time order, keeping what the figures are made of rather than
// the events: counts, sums, first and last samples, merged histograms, the
// values of the median figures (see values) and a bounded window of recent
// GC cycles for latency. Compute and Read both use it; the charts are
// computed apart (timelineBuilder).
//
// The figures over the measured load (Summary.MeasuredFrom) need to know
// where the load began before its first event: the caller says (from), and
// the builder keeps a second window from there, used when the load turns
// out to be worth setting apart.
type builder struct {
	source string
	// horizon is how long (record seconds) a GC cycle is kept after the
	// latest event for latency intervals that come late; +Inf keeps all.
	// A latency interval reaching before what was dropped sets lost.
	horizon float64
	lost    bool
	// order gives samples and cycles to take in time order.
	order reorderBuffer

	last float64 // the latest time of any event
	end  *record.End
	from float64 // earliest start of a latency interval (0: none)

	nSamples, nGCs int
	cyc            cycleCount
	cycSamples     sampleSpan // samples that carry the cycle counter
	pz             pauseAgg
	peak           hwmMark
	maxRSS         float64
	lat            latencyFeed
	notes          []record.Note
	profiles       []record.Profile
	traces         []record.Event
	// chains follow gctrace's cumulative shares, one per start-up gap
	// allowed (initGap, usualInitGap).
	chains [2]chain
	// loads[0] is the whole record; loads[1] the measured load from b.from
	// (nil when the record has no latency to set apart).
	loads []*window
}

// newBuilder returns a builder of a record from source whose latency
// intervals begin at from (0: none), keeping cycles horizon seconds for
// late latency intervals and waiting reorder seconds for late samples and
// cycles (+Inf for both: all, for a record held whole).
func newBuilder(source string, from, horizon, reorder float64) *builder {
	b := &builder{source: source, horizon: horizon, from: from}
	b.order = reorderBuffer{window: reorder, take: b.take}
	b.chains[0].gap, b.chains[1].gap = initGap, usualInitGap
	b.loads = []*window{newWindow(0, source)}
	if from > 0 {
		b.loads = append(b.loads, newWindow(from, source))
	}
	b.lat.horizon = horizon
	return b
}

// add feeds one event.
func (b *builder) add(e record.Event) {
	b.last = math.Max(b.last, e.T)
	if e.End != nil {
		b.end = e.End
	}
	if e.Sample != nil || e.GC != nil {
		b.order.add(e)
		return
	}
	switch {
	case e.Pauses != nil:
		b.pz.addHist(*e.Pauses)
	case e.Latency != nil:
		b.lat.add(e.T, *e.Latency)
	case e.Note != nil:
		b.notes = append(b.notes, *e.Note)
	case e.Profile != nil:
		b.profiles = append(b.profiles, *e.Profile)
	case e.Trace != nil:
		b.traces = append(b.traces, e)
	}
}

// take feeds a sample or a cycle, in time order.
func (b *builder) take(e record.Event) {
	b.lat.advance(e.T)
	if e.Sample != nil {
		b.sample(e.T, *e.Sample)
	} else {
		b.gc(e.T, *e.GC)
	}
}

// flush takes the samples and cycles still waiting, at the record's end.
func (b *builder) flush() {
	b.order.flush()
}
