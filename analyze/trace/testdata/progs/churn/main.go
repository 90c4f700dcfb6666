// Command churn writes an execution trace of goroutines that allocate
// short-lived linked lists as fast as they can: many short GC cycles with
// assists. Each unit of work is a runtime/trace region named "request".
//
// It prints the GC CPU time runtime/metrics counted meanwhile as JSON.
//
// Usage: churn OUT.trace [DURATION]
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

type node struct {
	next *node
	pad  [6]int64
}

func work(n int) int {
	var head *node
	for i := 0; i < n; i++ {
		head = &node{next: head}
	}
	c := 0
	for ; head != nil; head = head.next {
		c++
	}
	return c
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: churn OUT.trace [DURATION]")
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
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				trace.WithRegion(context.Background(), "request", func() { work(2000) })
			}
		}()
	}
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
