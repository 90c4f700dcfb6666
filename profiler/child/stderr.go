package child

import (
	"errors"
	"io"

	"github.com/gcprobe/gcprobe/record"
)

// lineKind is what a line of the child's stderr is to gcprobe.
type lineKind uint8

const (
	lineOther lineKind = iota // the program's own output: passed through
	lineCycle                 // a gctrace GC cycle: recorded, not shown
	lineTrace                 // other runtime trace output gcprobe turned on: not shown
)

// classifier tells what a stderr line (without its newline) is, and parses
// a GC cycle; the GC's StartSeconds and EndSeconds are seconds since the
// child started. For a trace line it also returns any program output that
// came before the trace on the same line (written without a newline), which
// is passed through.
type classifier func(line []byte) (gc record.GC, kind lineKind, before []byte)

// maxStderrLine is the longest stderr line given to the classifier; longer
// lines pass through in pieces, unparsed.
const maxStderrLine = 64 << 10

// readStderr reads the child's stderr line by line: GC cycles become GC
// events (their bounds moved by offset seconds onto the record's clock),
// other trace lines are dropped unless show is set, and every other line
// is written to out unchanged, newline included.
func readStderr(r io.Reader, out io.Writer, classify classifier, show bool, offset float64, gcs *gcSource) {
	lines := record.NewLineReader(r, maxStderrLine)
	for {
		line, err := lines.Next()
		if errors.Is(err, record.ErrLineTooLong) {
			out.Write(line) // a very long line: pass it through as it comes
			lines.CopyRest(out)
			continue
		}
		if len(line) > 0 {
			gc, kind, before := classify(trimEOL(line))
			if kind == lineCycle {
				gcs.fromTrace(gcEvent(gc, offset))
			}
			switch {
			case kind == lineOther || show:
				out.Write(line)
			case len(before) > 0:
				out.Write(before)
			}
		}
		if err != nil {
			return
		}
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// gcEvent places a gctrace cycle on the record's clock: offset is the
// child's start in seconds since the record's start. The event's time is the
// cycle's end when known.
func gcEvent(gc record.GC, offset float64) record.Event {
	e := record.Event{GC: &gc}
	record.Shift(&e, offset)
	e.T = 0 // when written, unless the cycle's end is known
	if gc.EndSeconds > 0 {
		e.T = gc.EndSeconds
	}
	return e
}
