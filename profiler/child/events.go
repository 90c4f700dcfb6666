package child

import (
	"bytes"
	"errors"
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
	s.mu.Unlock()
	s.w.Write(e)
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
