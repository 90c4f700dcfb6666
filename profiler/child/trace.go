package child

import (
	"bytes"
	"strconv"

	"github.com/gcprobe/gcprobe/profiler/gctrace"
	"github.com/gcprobe/gcprobe/record"
)

// newClassifier returns a classifier of one child's stderr lines, backed by
// a gctrace.Parser. Cycles and "GC forced" notices are gcprobe's (it turned
// gctrace on); scavenger lines too, unless the user asked for them with
// GODEBUG scavtrace (scavtrace set); pacer lines are printed only when the
// user asked for them (gcpacertrace), so they pass through.
func newClassifier(scavtrace bool) classifier {
	p := gctrace.NewParser()
	return func(line []byte) (record.GC, lineKind, []byte) {
		gc, kind := p.Parse(line)
		switch {
		case kind == gctrace.Cycle:
			return gc, lineCycle, cyclePrefix(line, gc.N)
		case kind == gctrace.ForcedNotice:
			return gc, lineTrace, bytes.TrimSuffix(bytes.TrimRight(line, " \t\r"), []byte("GC forced"))
		case kind == gctrace.Scavenger && !scavtrace:
			return gc, lineTrace, nil
		}
		return gc, lineOther, nil
	}
}

// cyclePrefix returns what comes before the cycle's "gc N @" in a line: the
// program's own output, written without a newline just before the runtime
// wrote the cycle.
func cyclePrefix(line []byte, n uint64) []byte {
	mark := strconv.AppendUint([]byte("gc "), n, 10)
	if i := bytes.Index(line, append(mark, " @"...)); i > 0 {
		return line[:i]
	}
	return nil
}
