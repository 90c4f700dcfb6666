// Command churn writes an execution trace of goroutines that allocate
// short-lived linked lists as fast as they can: many short GC cycles with
// assists. Each unit of work is a runtime/trace region named "request".
//
// Usage: churn OUT.trace [DURATION]
package main

import (
	"context"
	"fmt"
	"os"
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
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
