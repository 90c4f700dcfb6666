package child

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// maxBadEventLines bounds the warnings written for malformed lines of a
// child's event stream; later ones are counted in one final note.
const maxBadEventLines = 5

// readEvents copies the child's event stream (JSON Lines on fd 3) into the
// record, moving each event's offsets from the child's clock to the
// record's (adding offset seconds). GC events go through gcs, which drops
// them when gctrace describes the cycles. A malformed line becomes a
// warning note; nothing in the stream stops the run.
func readEvents(r io.Reader, offset float64, w *record.Writer, gcs *gcSource) {
	lines := record.NewLineReader(r, record.MaxLineBytes)
	bad, line := 0, 0
	for {
		raw, err := lines.Next()
		if len(bytes.TrimSpace(raw)) > 0 {
			line++
			e, derr := record.DecodeEvent(raw)
			if errors.Is(err, record.ErrLineTooLong) {
				derr = err
			}
			switch {
			case derr != nil:
				bad++
				if bad <= maxBadEventLines {
					w.Note(record.NoteWarning, "child event stream line %d dropped: %v", line, derr)
				}
			case e.Kind() == record.KindEnd:
				// The record's end is gcprobe's to write.
			case e.Kind() == record.KindGC:
				record.Shift(&e, offset)
				gcs.fromStream(e)
			default:
				record.Shift(&e, offset)
				w.Write(e)
			}
		}
		if err != nil && !errors.Is(err, record.ErrLineTooLong) {
			break
		}
	}
	if bad > maxBadEventLines {
		w.Note(record.NoteWarning, "child event stream: %d more malformed lines dropped", bad-maxBadEventLines)
	}
}

// gcSource decides where the record's GC events come from. gctrace gives
// exact cycle bounds, so once a gctrace cycle has been parsed, gc events
// from the child's event stream are dropped. Stream gc events that arrive
// before any gctrace cycle are held for a while: if gctrace stays silent
// (the child sends its stderr elsewhere), they are written after all, and
// so is every later one.
type gcSource struct {
	mu      sync.Mutex
	w       *record.Writer
	wait    time.Duration
	traced  bool // a gctrace cycle was seen
	stream  bool // gctrace is silent: stream gc events are written
	pending []record.Event
	since   time.Time // when the first pending event arrived
	// last is the previous gctrace cycle; mixed, once set, says why the
	// cycles come from more than one process, and stops their recording.
	last  record.GC
	mixed string
}

func newGCSource(w *record.Writer, wait time.Duration) *gcSource {
	return &gcSource{w: w, wait: wait}
}

// fromTrace writes a cycle parsed from gctrace. From then on gctrace is the
// only source, even after a switch to the stream.
func (s *gcSource) fromTrace(e record.Event) {
	s.mu.Lock()
	s.traced = true
	s.pending = nil
	if s.mixed != "" {
		s.mu.Unlock()
		return
	}
	if why := interleaved(s.last, *e.GC); why != "" {
		s.mixed = why
		s.mu.Unlock()
		s.w.Note(record.NoteWarning, "%s", MixedTraceMessage(why))
		return
	}
	s.last = *e.GC
	s.mu.Unlock()
	s.w.Write(e)
}

// interleaved says why cycle g cannot follow cycle prev in one process's
// gctrace, or "": a process numbers its cycles 1, 2, 3 ... and stamps them
// with its own uptime, so a number that does not grow, or an uptime that
// goes back, is another process's line.
func interleaved(prev, g record.GC) string {
	switch {
	case prev.N == 0:
		return ""
	case g.N <= prev.N:
		return fmt.Sprintf("gc %d came after gc %d", g.N, prev.N)
	case g.StartSeconds > 0 && prev.StartSeconds > 0 && g.StartSeconds < prev.StartSeconds-0.001:
		return fmt.Sprintf("gc %d started %.3fs before gc %d", g.N, prev.StartSeconds-g.StartSeconds, prev.N)
	}
	return ""
}

// MixedTraceMessage is what gcprobe says when gctrace came from more than
// one process, given why it thinks so.
func MixedTraceMessage(why string) string {
	return "gctrace lines come from more than one process (" + why + "): the program started other Go programs that inherited GODEBUG=gctrace=1, and their GC cycles cannot be told from its own, so no cycle from here on is recorded. " +
		"Run the Go program itself (a wrapper script can exec it), and give load generators to --load or --load-cmd, which start them without gcprobe's GC settings"
}

// mixedWhy is why the cycles were refused, "" when they were not.
func (s *gcSource) mixedWhy() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mixed
}

// fromStream takes a gc event from the child's event stream.
func (s *gcSource) fromStream(e record.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.traced:
		return
	case s.stream:
		s.w.Write(e)
		return
	}
	if len(s.pending) == 0 {
		s.since = time.Now()
	}
	s.pending = append(s.pending, e)
	s.checkLocked(time.Now())
}

// check switches to the event stream when stream gc events have waited
// longer than the wait without a gctrace cycle.
func (s *gcSource) check(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkLocked(now)
}

func (s *gcSource) checkLocked(now time.Time) {
	if s.traced || s.stream || len(s.pending) == 0 || now.Sub(s.since) < s.wait {
		return
	}
	s.flushLocked()
}

// finish writes held stream gc events if gctrace never showed a cycle.
func (s *gcSource) finish() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.traced && len(s.pending) > 0 {
		s.flushLocked()
	}
}

func (s *gcSource) flushLocked() {
	s.stream = true
	s.w.Note(record.NoteWarning, "no gctrace cycles on the child's stderr; GC cycles come from its event stream")
	for _, e := range s.pending {
		s.w.Write(e)
	}
	s.pending = nil
}
