// Command alloc allocates enough for a few GC cycles, prints a line of its
// own, then forces two cycles (runtime.GC and debug.FreeOSMemory): the test
// TestRealRuntime runs it with GODEBUG=gctrace=1 and parses what the
// runtime of the Go that builds it prints.
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
}
