package loadgen

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gcprobe/gcprobe/record"
)

// Outcomes counts what became of requests, for a handler that can tell:
// responses by status class, requests that failed without a response, and
// timeouts. A handler calls its methods from any worker; Run drains the
// counts into each Latency event, so they are per interval like latency.
type Outcomes struct {
	status   [6]atomic.Uint64 // [c] for class cxx, [0] for a code outside 100..599
	errors   atomic.Uint64
	timeouts atomic.Uint64

	mu     sync.Mutex
	seen   map[string]bool // error messages already reported
	fresh  []string        // messages not yet reported
	firsts int
}

// maxErrorNotes bounds how many distinct error messages become notes, so a
// failing service whose errors name ever-new local ports cannot flood the
// record.
const maxErrorNotes = 8

// Status counts one response with HTTP status code.
func (o *Outcomes) Status(code int) {
	c := code / 100
	if c < 1 || c > 5 {
		c = 0
	}
	o.status[c].Add(1)
}

// Timeout counts one request that got no response in time.
func (o *Outcomes) Timeout() { o.timeouts.Add(1) }

// Error counts one request that failed without a response; the first
// occurrence of each message (up to a bound) is reported in a note.
func (o *Outcomes) Error(err error) {
	o.errors.Add(1)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.firsts >= maxErrorNotes {
		return
	}
	key := rootCause(err).Error()
	if o.seen[key] {
		return
	}
	if o.seen == nil {
		o.seen = make(map[string]bool)
	}
	o.seen[key] = true
	o.firsts++
	o.fresh = append(o.fresh, err.Error())
}

// rootCause is the innermost error err wraps ("connection reset by peer"):
// what tells two failures apart, where the outer message names a
// connection's own port.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// OutcomeCounts are an Outcomes' counts since the start.
type OutcomeCounts struct {
	Status   map[string]uint64
	Errors   uint64
	Timeouts uint64
}

// drain moves the counts since the last drain into l (reusing its map) and
// returns the error messages first seen since then. last holds the
// cumulative counts of the previous drain.
func (o *Outcomes) drain(l *record.Latency, last *[8]uint64) []string {
	clear(l.Status)
	for c := range o.status {
		n := o.status[c].Load()
		if d := n - last[c]; d > 0 {
			if l.Status == nil {
				l.Status = make(map[string]uint64, 2)
			}
			l.Status[className(c)] = d
		}
		last[c] = n
	}
	e, t := o.errors.Load(), o.timeouts.Load()
	l.Errors, l.Timeouts = e-last[6], t-last[7]
	last[6], last[7] = e, t
	o.mu.Lock()
	defer o.mu.Unlock()
	fresh := o.fresh
	o.fresh = nil
	return fresh
}

// Totals returns the counts since the start.
func (o *Outcomes) Totals() OutcomeCounts {
	t := OutcomeCounts{Status: map[string]uint64{}, Errors: o.errors.Load(), Timeouts: o.timeouts.Load()}
	for c := range o.status {
		if n := o.status[c].Load(); n > 0 {
			t.Status[className(c)] = n
		}
	}
	return t
}

func className(c int) string {
	if c == 0 {
		return "other"
	}
	return strconv.Itoa(c) + "xx"
}
