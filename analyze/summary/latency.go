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

// cycleSpans returns the bounded GC cycles, sorted by start.
func cycleSpans(gcs []timed[record.GC]) []span {
	var sp []span
	for _, g := range gcs {
		if g.V.Bounded() {
			sp = append(sp, span{g.V.StartSeconds, g.V.EndSeconds})
		}
	}
	sort.Slice(sp, func(i, j int) bool { return sp[i].lo < sp[j].lo })
	return sp
}

// overlaps reports whether [lo, hi] shares more than an end point with one
// of the cycles (sorted by start; cycles never overlap each other, so their
// ends are sorted too).
func overlaps(cycles []span, lo, hi float64) bool {
	i := sort.Search(len(cycles), func(i int) bool { return cycles[i].hi > lo })
	return i < len(cycles) && cycles[i].lo < hi
}

func computeLatency(ev events, pauses Pauses) *Latency {
	lat := selectOps(ev.latency)
	cycles := cycleSpans(ev.gcs)
	l := &Latency{Split: len(cycles) > 0, LongestPause: pauses.Longest}
	var all, in, out hist
	var secs float64
	for _, x := range lat {
		v := x.V
		l.Requests += v.Count
		l.Dropped += v.Dropped
		l.addOutcomes(v)
		secs += v.IntervalSeconds
		l.Max = math.Max(l.Max, v.MaxSeconds)
		all.add(v.Buckets)
		if !l.Split {
			continue
		}
		p, h := &l.OutGC, &out
		if overlaps(cycles, x.T-v.IntervalSeconds, x.T) {
			p, h = &l.InGC, &in
		}
		p.Intervals++
		p.Requests += v.Count
		p.Max = math.Max(p.Max, v.MaxSeconds)
		h.add(v.Buckets)
	}
	if secs > 0 {
		l.Throughput = float64(l.Requests) / secs
	}
	if sent := l.Requests + l.Errors; l.HTTP && sent > 0 {
		rate := float64(l.Errors+l.Timeouts+l.Status["5xx"]) / float64(sent)
		l.ErrorRate = &rate
	}
	l.P50, l.P99, l.P999 = clamp(all.quantile(0.5), l.Max), clamp(all.quantile(0.99), l.Max), clamp(all.quantile(0.999), l.Max)
	for _, pp := range []struct {
		p *Part
		h *hist
	}{{&l.InGC, &in}, {&l.OutGC, &out}} {
		pp.p.P50, pp.p.P99 = clamp(pp.h.quantile(0.5), pp.p.Max), clamp(pp.h.quantile(0.99), pp.p.Max)
	}
	l.slow(lat, cycles, &all)
	l.warn(len(ev.gcs))
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

// selectOps keeps the all-requests intervals (Op "") when there are any,
// else every operation's intervals (which then add up to all requests).
func selectOps(ls []timed[record.Latency]) []timed[record.Latency] {
	var all []timed[record.Latency]
	for _, x := range ls {
		if x.V.Op == "" {
			all = append(all, x)
		}
	}
	if len(all) > 0 {
		return all
	}
	return ls
}

func (l *Latency) slow(lat []timed[record.Latency], cycles []span, all *hist) {
	s := &l.Slow
	s.Threshold = l.P99
	if l.Requests == 0 {
		return
	}
	s.Estimated = all.above(s.Threshold)
	for _, x := range lat {
		for _, r := range x.V.Slowest {
			if r.LatencySeconds <= s.Threshold {
				continue
			}
			s.Listed++
			if overlaps(cycles, r.StartSeconds, r.StartSeconds+r.LatencySeconds) {
				s.InGC++
			}
		}
	}
	if s.Listed > 0 {
		s.Share = float64(s.InGC) / float64(s.Listed)
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
