// Command alloc allocates enough for a few GC cycles, prints a line of its
// own, then forces three cycles (runtime.GC, debug.FreeOSMemory,
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
	for i := 0; i < 200000; i++ {
		sink = append(sink, make([]byte, 256))
		if len(sink) > 20000 {
			sink = sink[:0]
		}
	}
	fmt.Fprintln(os.Stderr, "program output line")
	runtime.GC()
	debug.FreeOSMemory()
	runtime.GC()
}
