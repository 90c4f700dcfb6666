package summary

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/gcprobe/gcprobe/record"
)

// Latency summarises request latency, in seconds, overall and split by
// whether a latency interval overlapped a GC cycle.
type Latency struct {
	Requests uint64 `json:"requests"`
	// Dropped requests could not start on time; their latency still
	// counts from their intended start.
	Dropped    uint64  `json:"dropped,omitempty"`
	Throughput float64 `json:"throughput_per_second"`
	P50        float64 `json:"p50_seconds"`
	P99        float64 `json:"p99_seconds"`
	P999       float64 `json:"p999_seconds"`
	Max        float64 `json:"max_seconds"`
	// Split reports whether InGC and OutGC could be computed: it needs GC
	// cycles with a known start and end.
	Split bool `json:"split"`
	InGC  Part `json:"in_gc"`
	OutGC Part `json:"out_gc"`
	Slow  Slow `json:"slow"`
	// HTTP is set when the load spoke HTTP and counted what became of its
	// requests: Status holds the responses by class ("2xx", "5xx"), Errors
	// the requests that got no response (not in Requests), Timeouts those
	// that got none in time (in Requests, with the time they waited), and
	// ErrorRate is (Errors + Timeouts + 5xx) over every request sent; it is
	// set whenever HTTP is (a rate of 0 included), nil otherwise.
	HTTP      bool              `json:"http,omitempty"`
	Status    map[string]uint64 `json:"status,omitempty"`
	Errors    uint64            `json:"errors,omitempty"`
	Timeouts  uint64            `json:"timeouts,omitempty"`
	ErrorRate *float64          `json:"error_rate,omitempty"`
	// LongestPause is the longest stop-the-world pause of the run, beside
	// InGC.P99 so that a reader can tell pauses from GC CPU use.
	LongestPause float64 `json:"longest_pause_seconds"`

	warnings []error
}

// Part is the latency of the intervals inside (or outside) GC cycles.
type Part struct {
	Intervals int     `json:"intervals"`
	Requests  uint64  `json:"requests"`
	P50       float64 `json:"p50_seconds"`
	P99       float64 `json:"p99_seconds"`
	Max       float64 `json:"max_seconds"`
}

// Slow describes the requests slower than the overall p99.
type Slow struct {
	Threshold float64 `json:"threshold_seconds"`
	// Estimated is how many requests the histograms put above Threshold;
	// Listed how many of them the Slowest lists hold; InGC how many listed
	// ones overlap a GC cycle, and Share = InGC/Listed.
	Estimated float64 `json:"estimated"`
	Listed    int     `json:"listed"`
	InGC      int     `json:"in_gc"`
	Share     float64 `json:"share"`
}

// span is a closed interval on the record's clock.
type span struct{ lo, hi float64 }

// overlaps reports whether [lo, hi] shares more than an end point with one
// of the cycles (sorted by start; cycles never overlap each other, so their
// ends are sorted too).
func overlaps(cycles []span, lo, hi float64) bool {
	i := sort.Search(len(cycles), func(i int) bool { return cycles[i].hi > lo })
	return i < len(cycles) && cycles[i].lo < hi
}

// latencyFeed sums the latency intervals as they come. Whether an interval
// (and each of its slowest requests) overlaps a GC cycle is settled once no
// cycle that could overlap it can still come: when a cycle starting after
// it came (cycles come in time order and never overlap), or when the record
// has moved horizon seconds past it. Until then the interval waits; the
// cycles are kept while an interval may still reach back to them.
type latencyFeed struct {
	horizon float64
	lost    bool
	now     float64
	spans   []span // recent bounded cycles, by start
	dropped float64
	anySpan bool
	waiting []pendingLatency
	pruneAt int
	n       int
	// all sums the intervals of all requests (Op ""), ops every
	// interval: the figures are over all when there is any.
	all, ops latencySums
}

type pendingLatency struct {
	t float64
	v record.Latency
	// top and bottom are the latest and earliest times its interval
	// and its slowest requests reach.
	top, bottom float64
}

// latencySums are the figures of a set of latency intervals.
type latencySums struct {
	l       Latency
	n       int
	secs    float64
	h       hist
	in, out hist
	// slowIn and slowOut are the listed slowest requests' latencies, by
	// whether they overlap a cycle: the threshold (p99) is known at the end.
	slowIn, slowOut []float64
}

func (f *latencyFeed) add(t float64, v record.Latency) {
	f.n++
	p := pendingLatency{t: t, v: v, top: t, bottom: t - v.IntervalSeconds}
	for _, r := range v.Slowest {
		p.top = math.Max(p.top, r.StartSeconds+r.LatencySeconds)
		p.bottom = math.Min(p.bottom, r.StartSeconds)
	}
	f.waiting = append(f.waiting, p)
	f.settle(false)
}

// cycle adds a bounded cycle.
func (f *latencyFeed) cycle(sp span) {
	f.anySpan = true
	f.spans = append(f.spans, sp)
	f.settle(false)
}

// advance moves the record's time on.
func (f *latencyFeed) advance(now float64) {
	f.now = now
	f.settle(false)
}

// settle sums the intervals, in the order they came, while no cycle still
// to come can overlap them (all of them at the end), and drops the cycles
// no interval can reach any more.
func (f *latencyFeed) settle(end bool) {
	lastStart := math.Inf(-1)
	if n := len(f.spans); n > 0 {
		lastStart = f.spans[n-1].lo
	}
	i := 0
	for ; i < len(f.waiting); i++ {
		p := f.waiting[i]
		if !end && lastStart < p.top && !(f.now-p.top > f.horizon) {
			break
		}
		f.sum(p)
	}
	if i > 0 {
		n := copy(f.waiting, f.waiting[i:])
		clear(f.waiting[n:])
		f.waiting = f.waiting[:n]
	}
	if !math.IsInf(f.horizon, 1) && len(f.spans) >= max(f.pruneAt, 4096) {
		cut := f.now - f.horizon
		if len(f.waiting) > 0 {
			cut = math.Min(cut, f.waiting[0].bottom)
		}
		f.prune(cut)
		f.pruneAt = 2 * len(f.spans)
	}
}

// prune drops the cycles that ended before t.
func (f *latencyFeed) prune(t float64) {
	i := sort.Search(len(f.spans), func(i int) bool { return f.spans[i].hi >= t })
	if i == 0 {
		return
	}
	f.dropped = math.Max(f.dropped, f.spans[i-1].hi)
	n := copy(f.spans, f.spans[i:])
	f.spans = f.spans[:n]
}

// overlaps is overlaps over the cycles kept; an interval that reaches
// back to dropped ones marks the figures lost.
func (f *latencyFeed) overlaps(lo, hi float64) bool {
	if f.dropped > 0 && lo <= f.dropped {
		f.lost = true
	}
	return overlaps(f.spans, lo, hi)
}

func (f *latencyFeed) sum(p pendingLatency) {
	in := f.overlaps(p.t-p.v.IntervalSeconds, p.t)
	var slow []bool
	for _, r := range p.v.Slowest {
		slow = append(slow, f.overlaps(r.StartSeconds, r.StartSeconds+r.LatencySeconds))
	}
	if p.v.Op == "" {
		f.all.add(p.v, in, slow)
	}
	f.ops.add(p.v, in, slow)
}

func (s *latencySums) add(v record.Latency, inGC bool, slow []bool) {
	l := &s.l
	s.n++
	l.Requests += v.Count
	l.Dropped += v.Dropped
	l.addOutcomes(v)
	s.secs += v.IntervalSeconds
	l.Max = math.Max(l.Max, v.MaxSeconds)
	s.h.add(v.Buckets)
	p, h := &l.OutGC, &s.out
	if inGC {
		p, h = &l.InGC, &s.in
	}
	p.Intervals++
	p.Requests += v.Count
	p.Max = math.Max(p.Max, v.MaxSeconds)
	h.add(v.Buckets)
	for i, r := range v.Slowest {
		if slow[i] {
			s.slowIn = append(s.slowIn, r.LatencySeconds)
		} else {
			s.slowOut = append(s.slowOut, r.LatencySeconds)
		}
	}
}

// latency returns the figures, nil for a record without latency; gcs is
// the number of GC events.
func (f *latencyFeed) latency(pauses Pauses, gcs int) *Latency {
	if f.n == 0 {
		return nil
	}
	f.settle(true)
	s := &f.ops
	if f.all.n > 0 {
		s = &f.all
	}
	l := &s.l
	l.Split, l.LongestPause = f.anySpan, pauses.Longest
	if !l.Split {
		l.InGC, l.OutGC = Part{}, Part{}
	}
	if s.secs > 0 {
		l.Throughput = float64(l.Requests) / s.secs
	}
	if sent := l.Requests + l.Errors; l.HTTP && sent > 0 {
		rate := float64(l.Errors+l.Timeouts+l.Status["5xx"]) / float64(sent)
		l.ErrorRate = &rate
	}
	l.P50, l.P99, l.P999 = clamp(s.h.quantile(0.5), l.Max), clamp(s.h.quantile(0.99), l.Max), clamp(s.h.quantile(0.999), l.Max)
	if l.Split {
		for _, pp := range []struct {
			p *Part
			h *hist
		}{{&l.InGC, &s.in}, {&l.OutGC, &s.out}} {
			pp.p.P50, pp.p.P99 = clamp(pp.h.quantile(0.5), pp.p.Max), clamp(pp.h.quantile(0.99), pp.p.Max)
		}
	}
	l.slow(s)
	l.warn(gcs)
	return l
}

func (l *Latency) addOutcomes(v record.Latency) {
	if len(v.Status) == 0 && v.Errors == 0 && v.Timeouts == 0 {
		return
	}
	l.HTTP = true
	if l.Status == nil {
		l.Status = map[string]uint64{}
	}
	for k, n := range v.Status {
		l.Status[k] += n
	}
	l.Errors += v.Errors
	l.Timeouts += v.Timeouts
}

func (l *Latency) slow(s *latencySums) {
	sl := &l.Slow
	sl.Threshold = l.P99
	if l.Requests == 0 {
		return
	}
	sl.Estimated = s.h.above(sl.Threshold)
	if !l.Split {
		// Without cycles nothing overlaps one.
		s.slowOut, s.slowIn = append(s.slowOut, s.slowIn...), nil
	}
	for _, lat := range s.slowIn {
		if lat > sl.Threshold {
			sl.Listed++
			sl.InGC++
		}
	}
	for _, lat := range s.slowOut {
		if lat > sl.Threshold {
			sl.Listed++
		}
	}
	if sl.Listed > 0 {
		sl.Share = float64(sl.InGC) / float64(sl.Listed)
	}
}

// minPart is the fewest latency intervals inside (or outside) GC cycles
// whose p99 the verdict compares with the other side's.
const minPart = 5

// Comparable reports whether latency inside GC cycles can be compared with
// latency outside them: some intervals inside, and enough outside for a
// baseline (few inside are still compared, with a warning).
func (l *Latency) Comparable() bool {
	return l.Split && l.InGC.Intervals > 0 && l.OutGC.Intervals >= minPart && l.OutGC.P99 > 0
}

func (l *Latency) warn(gcs int) {
	switch {
	case l.Requests == 0:
		l.warnings = append(l.warnings, errors.New("the latency intervals hold no requests"))
		return
	case gcs > 0 && !l.Split:
		l.warnings = append(l.warnings, errors.New("the source did not record when GC cycles started and ended, so latency inside and outside GC cycles is not computed"))
	case l.Split && l.InGC.Intervals == 0:
		l.warnings = append(l.warnings, errors.New("no latency interval overlapped a GC cycle"))
	case l.Split && l.InGC.Intervals < minPart:
		l.warnings = append(l.warnings, fmt.Errorf("only %d latency intervals overlapped a GC cycle: latency inside GC is rough", l.InGC.Intervals))
	}
	if l.Split && l.InGC.Intervals > 0 && l.OutGC.Intervals < minPart {
		l.warnings = append(l.warnings, fmt.Errorf("only %d of %d latency intervals fell outside every GC cycle: GC ran nearly all the time, so inside and outside GC are not compared",
			l.OutGC.Intervals, l.InGC.Intervals+l.OutGC.Intervals))
	}
	if l.Split && l.Slow.Listed == 0 && l.Slow.Estimated >= 1 {
		l.warnings = append(l.warnings, errors.New("the record lists no slow requests (no Slowest lists), so their overlap with GC cycles is unknown"))
	} else if l.Slow.Listed > 0 && float64(l.Slow.Listed) < 0.5*l.Slow.Estimated {
		l.warnings = append(l.warnings, fmt.Errorf("the slowest-request lists hold %d of about %.0f requests above p99: the share in GC is over those listed", l.Slow.Listed, l.Slow.Estimated))
	}
	if l.Errors > 0 {
		l.warnings = append(l.warnings, fmt.Errorf("%d requests got no response (see the notes for why); they are not in the latency figures", l.Errors))
	}
	if l.Dropped > 0 {
		l.warnings = append(l.warnings, fmt.Errorf("%d requests could not start on time (all workers busy); their latency counts from their intended start", l.Dropped))
	}
}

// clamp bounds an estimate from a histogram by the exact maximum, and turns
// NaN into 0.
func clamp(x, max float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	if max > 0 && x > max {
		return max
	}
	return x
}
