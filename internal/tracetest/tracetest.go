// Package tracetest records real execution traces of the test process
// itself, for tests that need a trace holding GC cycles without building
// and running a program.
package tracetest

import (
	"bytes"
	"runtime"
	"runtime/trace"
	"sync"
	"testing"
	"time"
)

// node is a small pointer-carrying object: lists of them keep the
// allocator busy and give the GC something to mark.
type node struct {
	next *node
	pad  [4]int64
}

// Allocating returns an execution trace of this process taken while
// workers goroutines build linked lists for d, with a runtime.GC at the
// end: a short burst need not reach the heap goal of a test binary whose
// other tests grew its heap, and the caller wants a cycle in the trace.
// It skips the test when another trace is already running.
func Allocating(t testing.TB, d time.Duration, workers int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skipf("another execution trace is running: %v", err)
	}
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) {
				var head *node
				for range 1000 {
					head = &node{next: head}
				}
			}
		})
	}
	wg.Wait()
	runtime.GC()
	trace.Stop()
	return buf.Bytes()
}
