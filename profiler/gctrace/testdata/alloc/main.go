// Command alloc prints a line of its own, allocates enough for a few GC
// cycles, then forces three cycles (runtime.GC, debug.FreeOSMemory,
// runtime.GC): the test TestRealRuntime runs it with GODEBUG=gctrace=1 and
// parses what the runtime of the Go that builds it prints.
//
// A cycle prints its gctrace line after it wakes the goroutine waiting for
// it, so the line of the last cycle may be lost when the program exits; the
// next cycle cannot start before the line is out. Of three forced cycles,
// the first two are certain to be printed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

var sink [][]byte

func main() {
	// First, before any GC or scavenger can be writing: a line written
	// while the runtime is in the middle of a trace line would cut it (two
	// writers on one descriptor), and this test wants every trace line
	// whole. Interleaved logs are covered by the golden logs.
	fmt.Fprintln(os.Stderr, "program output line")
	for i := 0; i < 200000; i++ {
		sink = append(sink, make([]byte, 256))
		if len(sink) > 20000 {
			sink = sink[:0]
		}
	}
	runtime.GC()
	debug.FreeOSMemory()
	runtime.GC()
}
