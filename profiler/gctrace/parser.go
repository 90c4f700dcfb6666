package gctrace

import (
	"bytes"

	"github.com/gcprobe/gcprobe/record"
)

// Kind says what a line is.
type Kind uint8

const (
	Other        Kind = iota // not a gctrace line: program output, pass it through
	Cycle                    // "gc N @...": one GC cycle; gc is filled
	ForcedNotice             // "GC forced": the periodic 2-minute GC starts; attributed to the next Cycle
	Scavenger                // "scvg..." (old) or "scav ..." (new) scavenger lines
	Pacer                    // "pacer: ..." lines (GODEBUG=gcpacertrace=1)
)

func (k Kind) String() string {
	switch k {
	case Other:
		return "other"
	case Cycle:
		return "cycle"
	case ForcedNotice:
		return "forced-notice"
	case Scavenger:
		return "scavenger"
	case Pacer:
		return "pacer"
	}
	return "unknown"
}

// Parser reads the lines of one gctrace stream, one goroutine at a time. A
// zero Parser is ready to use, like one from NewParser.
type Parser struct {
	periodicNext bool   // a "GC forced" notice awaits its cycle
	prevN        uint64 // the previous cycle, for IntervalCPUSeconds
	prevEnd      duration
	format       Format
}

// NewParser returns a parser at the start of a stream.
func NewParser() *Parser { return &Parser{} }

// Format is the format of the last cycle line parsed (FormatUnknown before
// the first).
func (p *Parser) Format() Format { return p.format }

// Parse classifies one line (without its trailing newline) and, for a Cycle,
// returns the cycle. It never fails: a line it does not understand is Other.
// It does not keep line.
//
// A cycle after a ForcedNotice is Periodic. A cycle numbered one more than
// the previous cycle, and ending after it, gets IntervalCPUSeconds: the
// wall time between the two ends times this cycle's P count. Cycle 1, the
// first of a stream, gets the wall time since the program started (its "@"
// time plus its length) times its P count.
func (p *Parser) Parse(line []byte) (gc record.GC, kind Kind) {
	for len(line) > 0 && isSpace(line[len(line)-1]) {
		line = line[:len(line)-1]
	}
	if gc, end, f, ok := findCycle(line); ok {
		return p.cycle(gc, end, f), Cycle
	}
	switch {
	case len(line) >= len(gcForced) && string(line[len(line)-len(gcForced):]) == gcForced:
		// The runtime prints the notice on its own line (println), so
		// it ends the line; "GC forced" inside program output does not.
		p.periodicNext = true
		return gc, ForcedNotice
	case bytes.Contains(line, []byte("pacer: ")):
		return gc, Pacer
	case isScavenger(line):
		return gc, Scavenger
	}
	return gc, Other
}

// findCycle parses the first cycle line found in line, after any prefix.
// Most lines are program output, so the search must be cheap: it looks for
// the '@' of "gc N @", a byte rare in logs, with one vectorised scan, and
// only then looks back for "gc N ".
func findCycle(line []byte) (record.GC, duration, Format, bool) {
	for off := 0; off < len(line); {
		j := bytes.IndexByte(line[off:], '@')
		if j < 0 {
			break
		}
		at := off + j
		off = at + 1
		k := at - 1 // the space before '@'
		if k < 0 || line[k] != ' ' {
			continue
		}
		d := k
		for d > 0 && k-d <= maxDigits && isDigit(line[d-1]) {
			d--
		}
		if d > 0 && line[d-1] == '#' {
			d--
		}
		if d == k || d < 3 || string(line[d-3:d]) != "gc " {
			continue
		}
		if gc, end, f, ok := parseCycle(line[d-3:]); ok {
			return gc, end, f, true
		}
	}
	return record.GC{}, duration{}, 0, false
}

const gcForced = "GC forced"

// cycle applies the parser's state to a parsed cycle and updates it.
func (p *Parser) cycle(gc record.GC, end duration, f Format) record.GC {
	p.format = f
	gc.Periodic, p.periodicNext = p.periodicNext, false
	switch {
	case p.prevN != 0 && gc.N == p.prevN+1 && end.sec > p.prevEnd.sec:
		gc.IntervalCPUSeconds = interval(p.prevEnd, end, gc.Procs)
	case p.prevN == 0 && gc.N == 1 && end.sec > 0:
		// The first cycle's "@" counts from the program's start, the
		// origin of the runtime's own CPU account (and of the cumulative
		// share gctrace prints), so its interval starts there.
		gc.IntervalCPUSeconds = interval(duration{exact: true}, end, gc.Procs)
	}
	p.prevN, p.prevEnd = gc.N, end
	return gc
}

// interval is the CPU time available from one cycle's end to the next's.
func interval(from, to duration, procs int) float64 {
	if from.exact && to.exact && to.ns > from.ns && procs < 1<<16 {
		if cpuNS := (to.ns - from.ns) * uint64(procs); cpuNS/uint64(max(procs, 1)) == to.ns-from.ns {
			return float64(cpuNS) / 1e9
		}
	}
	return (to.sec - from.sec) * float64(procs)
}

// isScavenger recognises the scavenger's lines: "scvg12: inuse: ..." and
// "scvg: 16 KB released" (Go 1.5 to 1.13), "scav 0 KiB work (bg), ..." and
// "scav 3 1024 KiB work, ..." (later). Both words have a 'v', rarer than an
// 's', to search for.
func isScavenger(line []byte) bool {
	for off := 0; off < len(line); {
		j := bytes.IndexByte(line[off:], 'v')
		if j < 0 {
			return false
		}
		v := off + j
		off = v + 1
		if v >= 2 && hasAt(line, v-2, "scvg") {
			i := v + 2
			for i < len(line) && isDigit(line[i]) {
				i++
			}
			if i < len(line) && line[i] == ':' {
				return true
			}
		}
		if v >= 3 && hasAt(line, v-3, "scav ") && v+2 < len(line) && isDigit(line[v+2]) {
			return true
		}
	}
	return false
}

func hasAt(b []byte, i int, x string) bool {
	return len(b)-i >= len(x) && string(b[i:i+len(x)]) == x
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }
