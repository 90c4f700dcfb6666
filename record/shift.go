package record

import "math"

// Shift moves every time an event carries by seconds: from the clock of the
// source that wrote it (a child's or an agent's start) to the record's. T
// always moves; a time that is 0, which means "not measured" (a GC cycle's
// bounds, a slow request's start), stays 0. Any new time field is moved
// here, so that no source forgets one.
func Shift(e *Event, seconds float64) {
	move := func(f *float64) {
		if *f != 0 {
			*f += seconds
		}
	}
	e.T += seconds
	if g := e.GC; g != nil {
		move(&g.StartSeconds)
		move(&g.EndSeconds)
	}
	if l := e.Latency; l != nil {
		for i := range l.Slowest {
			move(&l.Slowest[i].StartSeconds)
		}
	}
}

// Bounded reports whether the source recorded when the cycle started and
// ended (gctrace does; runtime/metrics only sees that a cycle ended).
func (g *GC) Bounded() bool { return g.StartSeconds > 0 && g.EndSeconds >= g.StartSeconds }

// When is the cycle's time on the record's clock: its end when known, else t,
// when the event was written (when the cycle was noticed).
func (g *GC) When(t float64) float64 {
	if g.EndSeconds > 0 {
		return g.EndSeconds
	}
	return t
}

// Upper is the bucket's upper bound, +Inf for the open-ended top bucket
// (written with Hi 0 and Lo > 0, since JSON cannot hold +Inf).
func (b Bucket) Upper() float64 {
	if b.Hi == 0 && b.Lo > 0 {
		return math.Inf(1)
	}
	return b.Hi
}
