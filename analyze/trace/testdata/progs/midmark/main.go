// Command midmark writes an execution trace that begins inside a GC cycle,
// as a flight-recorder snapshot may: a large pointer-heavy heap (a long
// mark phase), goroutines allocating hard enough to be made to assist, a
// GC started, and only then the trace. With "sweep" as its third argument
// the trace starts instead just as a cycle ends, while the allocating
// goroutines sweep spans.
//
// Usage: midmark OUT.trace [DURATION [sweep]]
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

type node struct {
	next *node
	pad  [4]*int
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: midmark OUT.trace [DURATION]")
		os.Exit(2)
	}
	d := 300 * time.Millisecond
	if len(os.Args) > 2 {
		var err error
		if d, err = time.ParseDuration(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	// About 2M live objects: a mark phase of tens of milliseconds.
	var live *node
	for range 2_000_000 {
		live = &node{next: live}
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var keep [][]*int
			for !stop.Load() {
				keep = append(keep[:0], make([]*int, 512), make([]*int, 512))
			}
			_ = keep
		})
	}
	time.Sleep(20 * time.Millisecond)
	if len(os.Args) > 3 && os.Args[3] == "sweep" {
		// Wait for the allocators' next cycle to end: its sweep runs on.
		sample := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
		metrics.Read(sample)
		for n := sample[0].Value.Uint64(); sample[0].Value.Uint64() == n; metrics.Read(sample) {
		}
	} else {
		runtime.GC() // a cycle's end, so the next one starts from a full heap
		go runtime.GC()
		// Into that cycle's mark phase: a cycle stops the world twice, so
		// the pause count is odd from its sweep termination to its mark
		// termination. (A fixed sleep was not enough on a busy machine:
		// the goroutine calling runtime.GC had not run yet.)
		sample := []metrics.Sample{{Name: "/sched/pauses/total/gc:seconds"}}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			metrics.Read(sample)
			var n uint64
			for _, c := range sample[0].Value.Float64Histogram().Counts {
				n += c
			}
			if n%2 == 1 {
				break
			}
		}
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	time.Sleep(d)
	trace.Stop()
	stop.Store(true)
	wg.Wait()
	runtime.KeepAlive(live)
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
