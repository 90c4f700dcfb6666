package gctrace

import (
	"bytes"

	"github.com/gcprobe/gcprobe/profiler/record"
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

// Parser reads the lines of one gctrace stream. The zero value is not ready
// for use: call NewParser.
type Parser struct {
	periodicNext bool   // a "GC forced" notice awaits its cycle
	prevN        uint64 // the previous cycle, for IntervalCPUSeconds
	prevEnd      float64
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
// wall time between the two ends times this cycle's P count.
func (p *Parser) Parse(line []byte) (gc record.GC, kind Kind) {
	line = bytes.TrimRight(line, " \t\r")
	if gc, f, ok := findCycle(line); ok {
		p.format = f
		gc.Periodic, p.periodicNext = p.periodicNext, false
		if p.prevN != 0 && gc.N == p.prevN+1 && gc.EndSeconds > p.prevEnd {
			gc.IntervalCPUSeconds = (gc.EndSeconds - p.prevEnd) * float64(gc.Procs)
		}
		p.prevN, p.prevEnd = gc.N, gc.EndSeconds
		return gc, Cycle
	}
	switch {
	case bytes.HasSuffix(line, []byte("GC forced")):
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
func findCycle(line []byte) (record.GC, Format, bool) {
	for off := 0; ; {
		i := bytes.Index(line[off:], []byte("gc "))
		if i < 0 {
			return record.GC{}, 0, false
		}
		off += i
		if gc, f, ok := parseCycle(line[off:]); ok {
			return gc, f, true
		}
		off++
	}
}

// isScavenger recognises the scavenger's lines: "scvg12: inuse: ..." and
// "scvg: 16 KB released" (Go 1.5 to 1.13), "scav 0 KiB work (bg), ..."
// and "scav 3 1024 KiB work, ..." (later).
func isScavenger(line []byte) bool {
	if i := bytes.Index(line, []byte("scvg")); i >= 0 {
		rest := line[i+4:]
		for len(rest) > 0 && isDigit(rest[0]) {
			rest = rest[1:]
		}
		if len(rest) > 0 && rest[0] == ':' {
			return true
		}
	}
	if i := bytes.Index(line, []byte("scav ")); i >= 0 {
		rest := line[i+5:]
		return len(rest) > 0 && isDigit(rest[0])
	}
	return false
}
