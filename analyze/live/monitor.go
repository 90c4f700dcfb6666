// Package live summarises a run record while it is being written, for a view
// that updates as the run goes on (gcprobe top, --live).
//
// A Monitor is fed the record as it is written, either as the JSON Lines
// bytes (it is an io.Writer, so it can sit beside the record file in an
// io.MultiWriter) or event by event. Snapshot summarises the last Window of
// the record with the same code as gcprobe summary (analyze/summary), so a
// figure on the live screen means exactly what it means in a summary of
// the same seconds; it adds what only a live view needs: totals since the
// start and short histories for sparklines.
package live

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// Options tune a Monitor. Zero values take the defaults.
type Options struct {
	// Window is how much of the record's end Snapshot summarises
	// (default 30s): long enough to hold GC cycles and latency intervals
	// of a quiet service, short enough to show a change within seconds.
	Window time.Duration
}

// maxLine bounds a buffered partial line: a record line longer than this is
// not one gcprobe wrote, and is dropped rather than grown without bound.
const maxLine = 1 << 20

// Monitor keeps the end of a run record and its totals. It is safe for
// concurrent use: the recorder writes while the view takes snapshots.
type Monitor struct {
	o Options

	mu      sync.Mutex
	header  record.Header
	started bool           // the header has been seen
	partial []byte         // an incomplete line from Write
	events  []record.Event // those within Window of the last T
	lastT   float64
	end     *record.End
	bad     int // lines that did not decode

	cycles      int    // GC events seen
	firstCount  uint64 // samples' GC cycle counter at the first sample that had one
	lastCount   uint64
	haveCounter bool

	heapLive, heapGoal, rss []Point // within the window, like events
	liveInSamples           bool    // the live heap series comes from samples, not GC events
	goalInSamples           bool    // the heap goal series comes from samples, not GC events
}

// New returns a Monitor with no record yet.
func New(o Options) *Monitor {
	if o.Window <= 0 {
		o.Window = 30 * time.Second
	}
	return &Monitor{o: o}
}

// Write takes the bytes of a run record as they are written: the header
// line first, then one event per line. A line that does not decode is
// counted and skipped; Write never fails, so that a view cannot stop the
// record it shows.
func (m *Monitor) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(m.partial)+len(p) > maxLine {
				m.partial, m.bad = m.partial[:0], m.bad+1
			} else {
				m.partial = append(m.partial, p...)
			}
			break
		}
		line := p[:i]
		if len(m.partial) > 0 {
			line = append(m.partial, line...)
			m.partial = m.partial[:0]
		}
		m.line(line)
		p = p[i+1:]
	}
	return n, nil
}

func (m *Monitor) line(b []byte) {
	if len(bytes.TrimSpace(b)) == 0 {
		return
	}
	if !m.started {
		var h record.Header
		if err := json.Unmarshal(b, &h); err != nil || h.Schema == "" {
			m.bad++
			return
		}
		m.header, m.started = h, true
		return
	}
	e, err := record.DecodeEvent(b)
	if err != nil {
		m.bad++
		return
	}
	m.add(e)
}

// Start sets the header, for a caller that feeds events with Add.
func (m *Monitor) Start(h record.Header) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.header, m.started = h, true
}

// Add takes one event.
func (m *Monitor) Add(e record.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.add(e)
}

func (m *Monitor) add(e record.Event) {
	if e.T > m.lastT {
		m.lastT = e.T
	}
	switch {
	case e.GC != nil:
		m.cycles++
		// gctrace: the heap is known per cycle only.
		if !m.liveInSamples {
			m.gauge(&m.heapLive, e.T, e.GC.HeapLiveBytes)
		}
		if !m.goalInSamples {
			m.gauge(&m.heapGoal, e.T, e.GC.HeapGoalBytes)
		}
	case e.Sample != nil:
		m.sample(e.T, *e.Sample)
	case e.End != nil:
		end := *e.End
		m.end = &end
	}
	m.events = append(m.events, e)
	m.trim()
}

func (m *Monitor) sample(t float64, s record.Sample) {
	if s.GCCyclesTotal > 0 {
		if !m.haveCounter {
			m.firstCount, m.haveCounter = s.GCCyclesTotal, true
		}
		m.lastCount = s.GCCyclesTotal
	}
	// Samples that carry a series (the probe and the agent both; expvar
	// and client_golang's default collector the goal alone): it follows
	// them alone, one point per sample.
	if s.HeapLiveBytes > 0 && !m.liveInSamples {
		m.liveInSamples, m.heapLive = true, m.heapLive[:0]
	}
	if s.HeapGoalBytes > 0 && !m.goalInSamples {
		m.goalInSamples, m.heapGoal = true, m.heapGoal[:0]
	}
	if m.liveInSamples {
		m.gauge(&m.heapLive, t, s.HeapLiveBytes)
	}
	if m.goalInSamples {
		m.gauge(&m.heapGoal, t, s.HeapGoalBytes)
	}
	m.gauge(&m.rss, t, s.RSSBytes)
}

// gauge adds v at t to a series; 0 means the source did not give it.
func (m *Monitor) gauge(s *[]Point, t float64, v uint64) {
	if v > 0 {
		*s = append(*s, Point{T: t, V: float64(v)})
	}
}

// trim drops the events and points that fell out of the window. Records
// are written in arrival order, which is almost but not always time order,
// so it keeps everything from the first event inside the window on.
func (m *Monitor) trim() {
	from := m.lastT - m.o.Window.Seconds()
	m.events = dropBefore(m.events, func(e record.Event) bool { return e.T < from })
	old := func(p Point) bool { return p.T < from }
	m.heapLive, m.heapGoal, m.rss = dropBefore(m.heapLive, old), dropBefore(m.heapGoal, old), dropBefore(m.rss, old)
}

// dropBefore removes the leading elements for which old holds, reusing the
// array rather than letting the slice creep forward in memory.
func dropBefore[T any](xs []T, old func(T) bool) []T {
	i := 0
	for i < len(xs) && old(xs[i]) {
		i++
	}
	if i == 0 {
		return xs
	}
	n := copy(xs, xs[i:])
	clear(xs[n:])
	return xs[:n]
}

// Snapshot is what the view shows at one moment.
type Snapshot struct {
	Header record.Header
	// Started is false until the record's header was seen.
	Started bool
	// Elapsed is the record's clock at its last event, in seconds.
	Elapsed float64
	// WindowSeconds is the span Summary covers (shorter at the start).
	WindowSeconds float64
	// Summary is analyze/summary's summary of the last window.
	Summary summary.Summary
	// Cycles counts GC cycles since the record started: GC events, or the
	// samples' cycle counter when the source sends no GC events.
	Cycles int
	// AssistShare is the mark assists' share of available CPU over the
	// window's cycles, from the GC events' per-cycle CPU split (gctrace);
	// AssistKnown is false when no source gave the split.
	AssistShare float64
	AssistKnown bool
	// Series for sparklines over the window, oldest first: one point per
	// sample, or per GC cycle for the heap when only the cycles give it
	// (gctrace).
	HeapLive, HeapGoal, RSS []Point
	// End is the record's end event once it was written.
	End *record.End
	// BadLines counts record lines that did not decode.
	BadLines int
}

// Snapshot summarises the window as it is now.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Snapshot{
		Header:   m.header,
		Started:  m.started,
		Elapsed:  m.lastT,
		Cycles:   m.cycles,
		HeapLive: slices.Clone(m.heapLive),
		HeapGoal: slices.Clone(m.heapGoal),
		RSS:      slices.Clone(m.rss),
		End:      m.end,
		BadLines: m.bad,
	}
	if m.cycles == 0 && m.haveCounter {
		s.Cycles = int(m.lastCount - m.firstCount)
	}
	if len(m.events) > 0 {
		s.WindowSeconds = m.lastT - m.events[0].T
	}
	// summary.Compute keeps slices of the run's events: give it its own copy.
	run := &record.Run{File: "live", Header: m.header, Events: slices.Clone(m.events)}
	s.Summary = summary.Compute(run)
	s.AssistShare, s.AssistKnown = assistShare(m.events)
	return s
}

// assistShare is the assists' CPU over the available CPU of the intervals
// of the window's cycles, the same intervals summary's per-cycle GC CPU
// share is over.
func assistShare(es []record.Event) (float64, bool) {
	var assist, avail float64
	for _, e := range es {
		g := e.GC
		// A cycle without the split (the probe's, from runtime/metrics)
		// says nothing about assists: not a zero.
		split := g != nil && g.AssistCPUSeconds+g.BackgroundCPUSeconds+g.IdleCPUSeconds > 0
		if split && g.IntervalCPUSeconds > 0 {
			assist += g.AssistCPUSeconds
			avail += g.IntervalCPUSeconds
		}
	}
	if avail == 0 {
		return 0, false
	}
	return assist / avail, true
}

// Point is one reading of a gauge at T on the record's clock.
type Point struct{ T, V float64 }
