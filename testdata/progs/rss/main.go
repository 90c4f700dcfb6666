// Command rss is a known answer for gcprobe's reconciliation of the RSS with
// the heap: a pure-Go program whose memory goes through phases a test can
// predict, observed by the embedded probe (a record written to -o), or from
// outside through the gcprobe agent and expvar it serves with -serve.
//
//	rss -mode free [-o rec.jsonl] [-serve] [-release] [-linger]
//	rss -mode frag [-o rec.jsonl]
//	rss -mode leak -serve [-linger]
//
// free: allocates and touches -mib MiB (in 64 KiB chunks, paced over -ramp,
// so that readings a moment apart agree), holds it, drops it and
// runs a GC: the freed heap is then free but not yet returned to the OS,
// until the scavenger returns it. -release calls debug.FreeOSMemory after
// the GC, which under GODEBUG=madvdontneed=0 leaves the pages in the RSS as
// LazyFree.
//
// frag: allocates -mib MiB of 64-byte objects and keeps every 16th: the
// live heap is a sixteenth, the rest is free space in spans that each still
// hold live objects (fragmentation), which no GC returns.
//
// leak: for -ramp, keeps 4 MiB a second in a map it never deletes from
// (in keepForever, the site a heap profile diff must name), among 50 MiB a
// second of garbage.
//
// With -serve it listens on 127.0.0.1, prints "listening on URL" and waits
// -delay before the phases, so that an attach can start; -linger keeps it
// running after them until it is killed.
package main

import (
	"context"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/record"
)

func main() {
	mode := flag.String("mode", "free", "free or frag")
	out := flag.String("o", "", "write the probe's record here")
	serve := flag.Bool("serve", false, "serve the gcprobe agent and expvar on 127.0.0.1")
	release := flag.Bool("release", false, "debug.FreeOSMemory after the free")
	linger := flag.Bool("linger", false, "keep running after the phases")
	delay := flag.Duration("delay", 0, "wait before the phases")
	mib := flag.Int("mib", 200, "MiB to allocate")
	ramp := flag.Duration("ramp", time.Second, "how long the free mode takes to allocate -mib")
	flag.Parse()
	if *mode == "leak" {
		// Sample the heap profile finely, so that a short leak shows in
		// it; set before anything is allocated, as the runtime asks.
		runtime.MemProfileRate = 4096
	}
	if err := run(*mode, *out, *serve, *release, *linger, *delay, *ramp, *mib); err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err)
		os.Exit(1)
	}
}

func run(mode, out string, serve, release, linger bool, delay, ramp time.Duration, mib int) error {
	ctx := context.Background()
	opts := profiler.Options{Interval: 50 * time.Millisecond}
	var w *record.Writer
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		// The header describes this process; a probe without a record
		// makes it.
		first, err := profiler.New(profiler.Options{})
		if err != nil {
			return err
		}
		h := first.Header()
		first.Close()
		if w, err = record.NewWriter(f, h); err != nil {
			return err
		}
		opts.Record = w
	}
	p, err := profiler.New(opts)
	if err != nil {
		return err
	}
	p.Start(ctx)
	if serve {
		mux := http.NewServeMux()
		mux.Handle("/debug/gcprobe/", p.Handler())
		mux.Handle("/debug/vars", expvar.Handler())
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		fmt.Printf("listening on http://%s\n", ln.Addr())
		go http.Serve(ln, mux)
	}
	time.Sleep(delay)
	switch mode {
	case "free":
		free(mib, ramp, release)
	case "frag":
		frag(mib)
	case "leak":
		leak(ramp)
	default:
		return fmt.Errorf("unknown -mode %q", mode)
	}
	for linger {
		time.Sleep(time.Hour)
	}
	if err := p.Close(); err != nil {
		return err
	}
	if w != nil {
		return w.Write(record.Event{End: &record.End{Reason: record.EndExit}})
	}
	return nil
}

// sink keeps what a phase holds reachable from a global, so that the
// compiler cannot drop it early.
var sink [][]byte

func free(mib int, ramp time.Duration, release bool) {
	const chunk = 64 << 10
	n := mib << 20 / chunk
	for i := range n {
		b := make([]byte, chunk)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1 // touch every page
		}
		sink = append(sink, b)
		if i%64 == 63 { // 4 MiB
			time.Sleep(ramp * 4 / time.Duration(mib))
		}
	}
	time.Sleep(500 * time.Millisecond)
	sink = nil
	runtime.GC()
	if release {
		debug.FreeOSMemory()
	}
	// Long enough for the probe's budgeted smaps_rollup reads (a read of
	// a 400 MiB process's page tables buys a pause of 100x its CPU time)
	// to see the freed state: one second gave none once, on a busy machine
	// (LazyFree 0 after a release, in a CI run), as it did in frag.
	time.Sleep(2 * time.Second)
}

type small struct{ b [64]byte }

var kept []*small

func frag(mib int) {
	// The heap grows to its peak before a cycle runs, as it does when a
	// burst of work allocates faster than the GC's pace; then most of it
	// dies at once.
	old := debug.SetGCPercent(-1)
	n := mib << 20 / 64
	for i := range n {
		s := &small{}
		s.b[0] = byte(i)
		if i%16 == 0 {
			kept = append(kept, s)
		}
	}
	debug.SetGCPercent(old)
	runtime.GC()
	// Long enough for the probe's budgeted smaps_rollup reads to give the
	// summary several complete samples on a busy machine (one second gave
	// fewer than five once).
	time.Sleep(2 * time.Second)
}

var (
	forever = map[int][]byte{}
	garbage []byte
)

// keepForever is the leak: what it keeps is never deleted.
func keepForever(i int) {
	forever[i] = make([]byte, 4096)
}

func leak(d time.Duration) {
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		keepForever(i)
		if i%10 == 9 {
			// Garbage beside the leak, as a service makes: the GC
			// runs often enough for the live heap to be seen growing.
			garbage = make([]byte, 512<<10)
			time.Sleep(10 * time.Millisecond) // 4 MiB a second
		}
	}
}
