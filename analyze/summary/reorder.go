package summary

import (
	"math"

	"github.com/gcprobe/gcprobe/record"
)

// reorderBuffer holds samples and cycles until the record is window
// seconds past them, then gives them to take in time order (a cycle before
// a sample of its time, then record order): a gctrace line read a little
// after a sample was written has an earlier time. unordered is set when one
// comes later than that. The summary's builder and the charts' each read
// the record through one.
type reorderBuffer struct {
	window    float64
	take      func(record.Event)
	pending   pendingEvents
	seq       int
	latest    float64 // latest T added
	released  float64 // T of the last one given to take
	unordered bool
}

// add takes a sample or a cycle and gives take those now due.
func (r *reorderBuffer) add(e record.Event) {
	if e.T < r.released {
		r.unordered = true
	}
	r.latest = math.Max(r.latest, e.T)
	r.pending.push(pendingEvent{e, r.seq})
	r.seq++
	for len(r.pending) > 0 && r.pending[0].e.T < r.latest-r.window {
		r.release()
	}
}

// flush gives take everything still held, at the record's end.
func (r *reorderBuffer) flush() {
	for len(r.pending) > 0 {
		r.release()
	}
}

func (r *reorderBuffer) release() {
	e := r.pending.pop()
	r.released = e.T
	r.take(e)
}

// pendingEvents is a heap of samples and cycles by time, a cycle before a
// sample of the same time (it ended by then), then by the order they came
// in. (Written out rather than through container/heap, whose Push boxes
// every event.)
type pendingEvents []pendingEvent

type pendingEvent struct {
	e   record.Event
	seq int
}

func (p pendingEvents) less(i, j int) bool {
	a, b := &p[i], &p[j]
	if a.e.T != b.e.T {
		return a.e.T < b.e.T
	}
	if (a.e.GC != nil) != (b.e.GC != nil) {
		return a.e.GC != nil // a cycle before a sample of its time
	}
	return a.seq < b.seq
}

// push adds x.
func (p *pendingEvents) push(x pendingEvent) {
	*p = append(*p, x)
	h := *p
	for i := len(h) - 1; i > 0; {
		up := (i - 1) / 2
		if !h.less(i, up) {
			break
		}
		h[i], h[up] = h[up], h[i]
		i = up
	}
}

// pop removes and returns the first event.
func (p *pendingEvents) pop() record.Event {
	h := *p
	top := h[0].e
	n := len(h) - 1
	h[0] = h[n]
	h[n] = pendingEvent{}
	h = h[:n]
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h.less(c+1, c) {
			c++
		}
		if !h.less(c, i) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	*p = h
	return top
}
