package record

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Writer appends a run record to an io.Writer, one JSON line per call,
// flushed before the call returns. It is safe for concurrent use.
type Writer struct {
	mu        sync.Mutex
	w         *bufio.Writer
	enc       *json.Encoder
	start     time.Time
	err       error
	observers atomic.Pointer[[]func(Event)]
}

// NewWriter writes the header at once and returns a Writer for the events.
// An empty h.Schema is set to Schema; a zero h.Start is set to now.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if h.Schema == "" {
		h.Schema = Schema
	}
	if h.Start.IsZero() {
		h.Start = time.Now()
	}
	bw := bufio.NewWriter(w)
	rw := &Writer{w: bw, enc: json.NewEncoder(bw), start: h.Start}
	rw.enc.SetEscapeHTML(false)
	if err := rw.write(h); err != nil {
		return nil, err
	}
	return rw, nil
}

// NewEventWriter returns a Writer for events only, with no header line: the
// stream a child process sends to the gcprobe that started it (see
// EventsFDEnv), which owns the header. Offsets are measured from start.
func NewEventWriter(w io.Writer, start time.Time) *Writer {
	bw := bufio.NewWriter(w)
	rw := &Writer{w: bw, enc: json.NewEncoder(bw), start: start}
	rw.enc.SetEscapeHTML(false)
	return rw
}

// EventsFDEnv names the environment variable through which gcprobe run tells
// a child the number of an inherited file descriptor on which it may write
// events (JSON Lines, no header, offsets from the child's own start).
const EventsFDEnv = "GCPROBE_EVENTS_FD"

// Start is the header's start time, which event offsets are measured from.
func (w *Writer) Start() time.Time { return w.start }

// Since returns the offset of t from the header's start, in seconds.
func (w *Writer) Since(t time.Time) float64 { return t.Sub(w.start).Seconds() }

// Write appends one event. If e.T is zero it is set to the time since start.
// NaN and infinite figures are written as 0 (see Finite), the open-ended
// bucket's +Inf bound too (see Bucket).
// After the first error every later Write returns it.
func (w *Writer) Write(e Event) error {
	if e.T == 0 {
		e.T = w.Since(time.Now())
	}
	e = Finite(e)
	if err := w.write(e); err != nil {
		return err
	}
	if obs := w.observers.Load(); obs != nil {
		for _, f := range *obs {
			f(e)
		}
	}
	return nil
}

// Observe makes every later successful Write call fn with the event, in
// the writing goroutine, after the event is written and no lock is held:
// fn must be quick and may not block (it may Write). Payloads are shared
// with the writer's caller: fn must not change them.
func (w *Writer) Observe(fn func(Event)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var obs []func(Event)
	if old := w.observers.Load(); old != nil {
		obs = append(obs, *old...)
	}
	obs = append(obs, fn)
	w.observers.Store(&obs)
}

// WriteAt appends one event at its own T, zero included: for sources that
// place events on a clock of their own (an import of past data), where T = 0
// is the header's start and not "now".
func (w *Writer) WriteAt(e Event) error {
	return w.write(Finite(e))
}

// Note appends a note event at the current time.
func (w *Writer) Note(level, format string, args ...any) error {
	return w.Write(Event{Note: &Note{Level: level, Message: fmt.Sprintf(format, args...)}})
}

func (w *Writer) write(v any) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := w.enc.Encode(v); err != nil {
		w.err = fmt.Errorf("writing run record: %w", err)
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		w.err = fmt.Errorf("writing run record: %w", err)
	}
	return w.err
}
