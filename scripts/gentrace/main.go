// Command gentrace writes a large execution trace for benchmarks: pairs of
// goroutines that hand a freshly allocated list back and forth over
// channels (many scheduling events, steady GC cycles with assists), until
// the trace holds about -size bytes.
//
//	go run ./scripts/gentrace -size 100MiB -o big.trace
package main

import (
	"flag"
	"log"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gcprobe/gcprobe/units"
)

type node struct {
	next *node
	pad  [6]int64
}

// countingWriter counts what the tracer wrote.
type countingWriter struct {
	f *os.File
	n atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func main() {
	size := flag.String("size", "100MiB", "stop once the trace is about this large")
	out := flag.String("o", "big.trace", "trace file to write")
	pairs := flag.Int("pairs", 8, "goroutine pairs")
	flag.Parse()
	want, err := units.ParseSize(*size)
	if err != nil {
		log.Fatalf("-size: %v", err)
	}
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := &countingWriter{f: f}
	if err := trace.Start(w); err != nil {
		log.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range *pairs {
		ping, pong := make(chan *node), make(chan *node)
		wg.Go(func() {
			defer close(ping)
			for !stop.Load() {
				var head *node
				for range 50 {
					head = &node{next: head}
				}
				ping <- head
				<-pong
			}
		})
		wg.Go(func() {
			for l := range ping {
				n := 0
				for ; l != nil; l = l.next {
					n++
				}
				pong <- &node{pad: [6]int64{int64(n)}}
			}
		})
	}
	for w.n.Load() < int64(want) {
		time.Sleep(50 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
