// Command cycleshare allocates at a low GOGC for -duration while reading
// runtime/metrics every -every, and computes each cycle's GC CPU share as
// gcprobe's probe does: the change of /cpu/classes/gc/total (idle marking
// left out) over the change of /cpu/classes/total between two reads that saw
// a cycle end. For each such read it also tells whether the next cycle had
// already begun (the GC pause count, two a cycle, is odd), and it computes
// the share over the windows between reads at which no cycle was in
// progress. It prints one JSON object.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/metrics"
	"time"
)

type reading struct {
	cycles, pauses  uint64
	gc, idle, total float64
}

type result struct {
	// CycleReads counts reads that saw a cycle end; Begun those at which
	// the next cycle had already begun.
	CycleReads, Begun int
	// Over counts per-cycle shares above 100%, OverBegun those among them
	// read after the next cycle had begun; Max is the largest share.
	Over, OverBegun int
	Max             float64
	// CleanWindows counts windows between reads with no cycle in
	// progress; CleanMax is their largest share.
	CleanWindows int
	CleanMax     float64
	// Stalled counts reads that saw a cycle end while /cpu/classes/total
	// had not moved since the last: their share would be infinite, and is
	// left out of the figures above (it cannot be written as JSON either).
	Stalled int
}

func main() {
	duration := flag.Duration("duration", 3*time.Second, "how long to allocate")
	every := flag.Duration("every", 10*time.Millisecond, "how often to read runtime/metrics")
	flag.Parse()
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/sched/pauses/total/gc:seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/gc/mark/idle:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}}
	read := func() reading {
		metrics.Read(s)
		var n uint64
		for _, c := range s[1].Value.Float64Histogram().Counts {
			n += c
		}
		return reading{s[0].Value.Uint64(), n, s[2].Value.Float64(), s[3].Value.Float64(), s[4].Value.Float64()}
	}
	share := func(a, b reading) float64 { return (b.gc - b.idle - (a.gc - a.idle)) / (b.total - a.total) }

	done := make(chan struct{})
	for range 3 {
		go allocate(done)
	}
	var r result
	last := read()
	var clean *reading
	tick := time.NewTicker(*every)
	for end := time.Now().Add(*duration); time.Now().Before(end); {
		<-tick.C
		x := read()
		if x.pauses == 2*x.cycles { // no cycle in progress: the account is whole
			if clean != nil && x.cycles > clean.cycles && x.total > clean.total {
				r.CleanWindows++
				r.CleanMax = max(r.CleanMax, share(*clean, x))
			}
			clean = &x
		}
		if x.cycles == last.cycles {
			continue
		}
		if x.total <= last.total {
			r.Stalled++
			continue // the same cycle end is counted at the next read
		}
		begun := x.pauses > 2*x.cycles
		r.CycleReads++
		sh := share(last, x)
		r.Max = max(r.Max, sh)
		if begun {
			r.Begun++
		}
		if sh > 1 {
			r.Over++
			if begun {
				r.OverBegun++
			}
		}
		last = x
	}
	close(done)
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "cycleshare:", err)
		os.Exit(1)
	}
}

// allocate makes short-lived garbage over a small live set until done.
func allocate(done chan struct{}) {
	keep := make([][]byte, 20000) // 80 MB live: marking that takes a while
	for i := 0; ; i++ {
		select {
		case <-done:
			return
		default:
		}
		keep[i%len(keep)] = make([]byte, 4096)
	}
}
