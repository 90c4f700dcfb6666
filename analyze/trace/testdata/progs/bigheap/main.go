// Command bigheap writes an execution trace of a service-like program: a
// large pointer-heavy live heap (long mark phases) and a paced stream of
// small requests, each in a runtime/trace region named "request", served
// by fresh goroutines while a background goroutine churns garbage.
//
// It prints the GC CPU time runtime/metrics counted meanwhile as JSON.
//
// Usage: bigheap OUT.trace [DURATION]
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/trace"
	"sync"
	"time"
)

type entry struct {
	key   string
	value []byte
	prev  *entry
	next  *entry
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bigheap OUT.trace [DURATION]")
		os.Exit(2)
	}
	d := 400 * time.Millisecond
	if len(os.Args) > 2 {
		var err error
		if d, err = time.ParseDuration(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	cache := make(map[int]*entry, 300000)
	var last *entry
	for i := 0; i < 300000; i++ {
		e := &entry{key: fmt.Sprint(i), value: make([]byte, 16), prev: last}
		if last != nil {
			last.next = e
		}
		cache[i] = e
		last = e
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.GC() // no cycle in progress when the trace starts
	before := gcSamples()
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stop := time.Now().Add(d)
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // garbage: replaces cache entries
		defer wg.Done()
		for i := 0; time.Now().Before(stop); i++ {
			e := &entry{key: fmt.Sprint(i), value: make([]byte, 1024)}
			mu.Lock()
			cache[i%300000] = e
			mu.Unlock()
		}
	}()
	tick := time.NewTicker(500 * time.Microsecond)
	for time.Now().Before(stop) {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			trace.WithRegion(context.Background(), "request", func() {
				n := 0
				for k := 0; k < 50; k++ {
					mu.Lock()
					if e := cache[k*997]; e != nil {
						n += len(e.key)
					}
					mu.Unlock()
					_ = make([]byte, 256)
				}
			})
		}()
	}
	tick.Stop()
	wg.Wait()
	runtime.GC() // the last cycle ends inside the trace
	trace.Stop()
	gcCPU(before, gcSamples())
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// gcCPU prints, as one JSON line on stdout, the GC CPU the runtime counted
// between before and after (runtime/metrics, an independent source for the
// trace's per-P worker and assist times).
func gcCPU(before, after []metrics.Sample) {
	fmt.Printf("{")
	for i := range after {
		if i > 0 {
			fmt.Printf(",")
		}
		fmt.Printf("%q:%g", after[i].Name, after[i].Value.Float64()-before[i].Value.Float64())
	}
	fmt.Printf("}\n")
}

func gcSamples() []metrics.Sample {
	s := []metrics.Sample{
		{Name: "/cpu/classes/gc/mark/dedicated:cpu-seconds"},
		{Name: "/cpu/classes/gc/mark/idle:cpu-seconds"},
		{Name: "/cpu/classes/gc/mark/assist:cpu-seconds"},
	}
	metrics.Read(s)
	return s
}
