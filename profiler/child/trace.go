package child

import "github.com/gcprobe/gcprobe/profiler/record"

// newClassifier returns a classifier of the child's stderr lines. scavtrace
// reports that the user asked for scavenger traces (GODEBUG scavtrace),
// which then pass through.
//
// TEMPORARY until profiler/gctrace lands: recognises nothing.
func newClassifier(scavtrace bool) classifier {
	return func(line []byte) (record.GC, lineKind) { return record.GC{}, lineOther }
}
