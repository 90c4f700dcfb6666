// Command spin keeps -procs threads busy for -duration, to contend for the
// CPU with a program under test. It allocates nothing, so it runs no GC.
package main

import (
	"flag"
	"runtime"
	"sync"
	"time"
)

func main() {
	procs := flag.Int("procs", runtime.NumCPU(), "busy threads")
	duration := flag.Duration("duration", 5*time.Second, "how long to spin")
	flag.Parse()
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for range *procs {
		wg.Go(func() {
			n := 0
			for time.Now().Before(deadline) {
				for range 10000 {
					n++
				}
			}
			_ = n
		})
	}
	wg.Wait()
}
