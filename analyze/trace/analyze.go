package trace

import (
	"errors"
	"fmt"
	"io"
	"strings"

	xtrace "golang.org/x/exp/trace"
)

// Options tunes Analyze.
type Options struct {
	// Source names the trace in the Analysis and in errors.
	Source string
	// Top bounds the Delayed and Payers lists; 0 means 10.
	Top int
	// Windows are the MMU window lengths in ns; nil means DefaultWindows.
	Windows []int64
	// Util says what the MMU counts against the program; 0 means
	// UtilAll.
	Util UtilFlags
}

// UtilFlags are the kinds of GC work the MMU counts, as go tool trace's
// MMU flags of the same names.
type UtilFlags uint8

const (
	// UtilSTW: no P runs the program while a GC stops the world.
	UtilSTW UtilFlags = 1 << iota
	// UtilBackground: Ps running dedicated or fractional mark workers.
	UtilBackground
	// UtilAssist: Ps running a goroutine in a mark assist.
	UtilAssist
	// UtilSweep: Ps in an incremental sweep.
	UtilSweep

	UtilAll = UtilSTW | UtilBackground | UtilAssist | UtilSweep
)

// ErrNotTrace is wrapped by the error for an input that is not a Go
// execution trace.
var ErrNotTrace = errors.New("not a Go execution trace")

// Analyze reads a whole execution trace from r in one pass. An input that
// is not a trace, or one the reader refuses from its header on, is an
// error; a trace damaged or cut short later is analysed up to there, with
// Truncated set and a warning.
func Analyze(r io.Reader, opts Options) (*Analysis, error) {
	if opts.Top <= 0 {
		opts.Top = 10
	}
	if opts.Windows == nil {
		opts.Windows = DefaultWindows
	}
	if opts.Util == 0 {
		opts.Util = UtilAll
	}
	head := make([]byte, 16)
	n, _ := io.ReadFull(r, head)
	head = head[:n]
	if why := notTrace(head); why != "" {
		return nil, fmt.Errorf("%w: %s", ErrNotTrace, why)
	}
	rd, err := newReader(io.MultiReader(strings.NewReader(string(head)), r))
	if err != nil {
		return nil, err
	}
	a := newAnalyzer(opts)
	if err := a.readAll(rd); err != nil {
		a.fail(err)
	}
	return a.result(), nil
}

// batchLen is how many events the reader hands the analysis at a time.
// Measured on whole runs of gcprobe analyze over a 100 MiB trace: batches
// of 8192 events kept more of the trace's generations alive (peak RSS 1.41x
// parse-only against 1.17x at 512) for no less CPU time; batches of 128
// cost 20% more CPU time in the hand-over between cores than 512.
const batchLen = 512

// readAll feeds every event of rd to a. The reading and the analysis run
// on two goroutines, a few batches of events apart: the parse is the larger
// part of the work, and on two or more CPUs the analysis then adds little
// wall time to it (its CPU time is the same). Events are values that stay
// valid after later reads, so a batch can be analysed while the next is
// read. A panic in the reader, or in a on events the reader let through,
// ends the stream like a read error, after the events before it.
func (a *analyzer) readAll(rd *xtrace.Reader) (err error) {
	const inFlight = 4
	full := make(chan []xtrace.Event, inFlight)
	free := make(chan []xtrace.Event, inFlight+1)
	for range inFlight + 1 {
		free <- make([]xtrace.Event, 0, batchLen)
	}
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(full)
		readErr = readBatches(rd, full, free, stop)
	}()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("analysing the trace panicked: %s", oneLine(fmt.Sprint(p)))
		}
		close(stop)
		for range full { // the reader ends at stop; wait for it
		}
	}()
	for b := range full {
		for i := range b {
			a.event(&b[i])
		}
		free <- b[:0]
	}
	return readErr // written before full was closed
}

// readBatches reads rd into batches from free and sends them on full until
// the trace ends, fails or stop is closed.
func readBatches(rd *xtrace.Reader, full chan<- []xtrace.Event, free <-chan []xtrace.Event, stop <-chan struct{}) (err error) {
	var b []xtrace.Event
	send := func() bool {
		if len(b) == 0 {
			return true
		}
		select {
		case full <- b:
			b = nil
			return true
		case <-stop:
			return false
		}
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reading the trace panicked: %s", oneLine(fmt.Sprint(p)))
			send() // the events read before the panic
		}
	}()
	for {
		if b == nil {
			select {
			case b = <-free:
			case <-stop:
				return nil
			}
		}
		ev, err := rd.ReadEvent()
		if err != nil {
			if !send() || err == io.EOF {
				return nil
			}
			return errors.New(oneLine(err.Error()))
		}
		if b = append(b, ev); len(b) == batchLen && !send() {
			return nil
		}
	}
}

// notTrace says why head cannot start an execution trace, or returns "".
func notTrace(head []byte) string {
	switch {
	case len(head) == 0:
		return "the input is empty"
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "gzip data (a pprof profile? gcprobe analyze reads those too)"
	case strings.HasPrefix(string(head), "go 1."):
		return ""
	case head[0] == 0x0a || head[0] == 0x08 || head[0] == 0x12:
		return "protobuf data (an uncompressed pprof profile? gcprobe analyze reads those too)"
	case strings.HasPrefix(string(head), "<"):
		return "HTML or XML text"
	}
	return "no \"go 1.N trace\" header"
}

// newReader is x/exp/trace's NewReader with its panics made errors and its
// message on one line.
func newReader(r io.Reader) (rd *xtrace.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			rd, err = nil, fmt.Errorf("the trace reader panicked: %s", oneLine(fmt.Sprint(p)))
		}
	}()
	rd, err = xtrace.NewReader(r)
	if err != nil {
		return nil, errors.New(oneLine(err.Error()))
	}
	return rd, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
