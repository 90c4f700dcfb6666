package summary

import (
	"fmt"

	"github.com/gcprobe/gcprobe/units"
)

// Verdict says in plain words what the summary shows, one clause per
// finding, most important first: GC CPU use, latency inside GC against
// outside, the longest pause, and whether pauses or GC CPU use cause the
// latency tail.
func (s Summary) Verdict() []string {
	v := s.gcVerdict()
	if s.Memory != nil {
		v = append(v, s.Memory.verdict())
	} else if s.RSSOverLive > 0 {
		v = append(v, fmt.Sprintf("RSS was %s the live heap", times(s.RSSOverLive)))
	}
	if t := s.LiveTrend; t != nil {
		switch t.Verdict {
		case TrendSteady:
			v = append(v, "the live heap is "+t.Words())
		case TrendUnclear:
			v = append(v, "the live heap's trend is "+t.Words())
		default:
			v = append(v, "the live heap "+t.Words())
		}
	}
	return v
}

// gcVerdict is the verdict's part on the GC itself.
func (s Summary) gcVerdict() []string {
	var v []string
	c := s.Cycles
	switch {
	case c.From == "":
		return []string{"the record holds no GC measurements"}
	case c.Total == 0:
		v = append(v, "no GC cycle ran")
	case c.Periodic == c.Total:
		v = append(v, fmt.Sprintf("all %d GC cycles were the periodic 2-minute GC: the heap does not grow fast enough to trigger the pacer", c.Total))
	}
	if g := s.GCCPU; g.Method != "" && g.Method != CPUNoCycle && c.Total > 0 {
		clause := fmt.Sprintf("GC used %s of CPU", units.Percent(g.Share))
		if g.High > g.Low {
			clause = fmt.Sprintf("GC used about %s of CPU (%s to %s)", units.Percent(g.Share), units.Percent(g.Low), units.Percent(g.High))
		}
		if g.IdleKnown && g.IdleShare >= 0.005 {
			clause += fmt.Sprintf(", plus %s in idle-priority marking", units.Percent(g.IdleShare))
		}
		v = append(v, clause)
	}
	l := s.Latency
	if l != nil && l.Split && l.InGC.Intervals > 0 && l.OutGC.Intervals < minPart {
		v = append(v, fmt.Sprintf("GC cycles overlapped %d of %d latency intervals, too many to compare latency inside and outside them",
			l.InGC.Intervals, l.InGC.Intervals+l.OutGC.Intervals))
	}
	if l != nil && l.Comparable() && l.InGC.Requests > 0 && l.OutGC.Requests > 0 {
		ratio := l.InGC.P99 / l.OutGC.P99
		v = append(v, fmt.Sprintf("p99 latency inside GC cycles was %s (%s against %s)",
			relative(ratio), units.Seconds(l.InGC.P99), units.Seconds(l.OutGC.P99)))
		if s.Pauses.Longest > 0 {
			v = append(v, "the longest pause was "+units.Seconds(s.Pauses.Longest))
		}
		if l.Slow.Listed > 0 {
			v = append(v, fmt.Sprintf("%s of the requests slower than p99 overlapped a GC cycle", units.Percent(l.Slow.Share)))
		}
		slowInGC := l.Slow.Listed > 0 && l.Slow.Share >= 0.5
		switch {
		case ratio < 1.5 && !slowInGC:
			v = append(v, "GC cycles do not make the latency tail noticeably worse")
			return v
		case ratio < 1.5:
			v = append(v, "latency stays high between cycles too (requests queued during a cycle drain after it)")
		}
		switch {
		case s.Pauses.Longest > 0 && s.Pauses.Longest*10 <= l.InGC.P99:
			v = append(v, "the tail comes from GC CPU use (mark workers and assists starving requests), not from pauses")
		case s.Pauses.Longest > 0 && s.Pauses.Longest*2 >= l.InGC.P99:
			v = append(v, "stop-the-world pauses account for much of the tail")
		}
		return v
	}
	if s.Pauses.Longest > 0 {
		v = append(v, "the longest pause was "+units.Seconds(s.Pauses.Longest))
	}
	return v
}

// relative says how a value inside GC cycles compares with the one outside,
// given their ratio: "40x that outside", or "lower than outside" (a ratio
// such as 0.004x reads as a typo).
func relative(ratio float64) string {
	if ratio < 1 {
		return "lower than outside"
	}
	return times(ratio) + " that outside"
}

// times formats a ratio as "40x" or "1.5x".
func times(r float64) string { return units.Number(r) + "x" }
