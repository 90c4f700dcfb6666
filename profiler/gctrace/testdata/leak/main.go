// Command leak leaks a goroutine and asks for the goroutineleak profile,
// which runs a GC cycle that checks for leaks: built with
// GOEXPERIMENT=goroutineleakprofile (Go 1.26), its gctrace line carries
// "(checking for goroutine leaks)". TestRealRuntime runs it.
package main

import (
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

func main() {
	ch := make(chan int)
	go func() { <-ch }() // blocked forever: a leak
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		os.Exit(3) // the experiment is off
	}
	p.WriteTo(io.Discard, 0)
	runtime.GC() // cannot start before the leak check's line is printed
}
