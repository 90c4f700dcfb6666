// Command gccpu allocates for a while and then reports the runtime's own
// account of its GC CPU time (runtime/metrics /cpu/classes), so that a test
// can hold a figure gcprobe derives from outside (gctrace, /proc) against it.
//
// The /cpu/classes values are a snapshot the runtime takes at the end of
// each GC cycle. gccpu keeps the first snapshot taken after cycle 1 ended
// and the last one at exit, and writes both, with their cycle numbers, as
// JSON to the file named by -out: the runtime's GC CPU over the window from
// the end of cycle First.Cycles to the end of cycle Last.Cycles, the same
// cycle-bounded window gcprobe sees in gctrace.
//
//	gccpu -live 200MiB -duration 3s -out report.json
//
// -live keeps that much pointer-heavy data reachable (a large heap to mark);
// with -live 0 the heap stays at a few MiB and cycles come hundreds of times
// a second.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Snapshot is the runtime's CPU account at the end of one GC cycle, in
// seconds since the program started.
type Snapshot struct {
	Cycles    uint64  `json:"cycles"`
	GCTotal   float64 `json:"gc_total_seconds"`
	Assist    float64 `json:"gc_assist_seconds"`
	Dedicated float64 `json:"gc_dedicated_seconds"`
	Idle      float64 `json:"gc_idle_seconds"`
	Pause     float64 `json:"gc_pause_seconds"`
	Total     float64 `json:"total_seconds"`
}

// Report is what gccpu writes at exit.
type Report struct {
	GOMAXPROCS int      `json:"gomaxprocs"`
	First      Snapshot `json:"first"`
	Last       Snapshot `json:"last"`
	// ProcessCPUSeconds is the process's own user+system CPU time
	// (getrusage) at exit.
	ProcessCPUSeconds float64 `json:"process_cpu_seconds"`
}

var names = []string{
	"/gc/cycles/total:gc-cycles",
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/gc/mark/assist:cpu-seconds",
	"/cpu/classes/gc/mark/dedicated:cpu-seconds",
	"/cpu/classes/gc/mark/idle:cpu-seconds",
	"/cpu/classes/gc/pause:cpu-seconds",
	"/cpu/classes/total:cpu-seconds",
}

type reader struct{ samples []metrics.Sample }

func newReader() *reader {
	r := &reader{samples: make([]metrics.Sample, len(names))}
	for i, n := range names {
		r.samples[i].Name = n
	}
	return r
}

func (r *reader) read() Snapshot {
	metrics.Read(r.samples)
	f := func(i int) float64 { return r.samples[i].Value.Float64() }
	return Snapshot{
		Cycles: r.samples[0].Value.Uint64(), GCTotal: f(1), Assist: f(2), Dedicated: f(3),
		Idle: f(4), Pause: f(5), Total: f(6),
	}
}

type node struct {
	next *node
	val  [6]int64
}

func main() {
	live := flag.String("live", "0", "bytes of pointer-heavy data kept reachable (4MiB, 200MiB)")
	duration := flag.Duration("duration", 2*time.Second, "how long to allocate")
	out := flag.String("out", "", "write the report to this file (required)")
	flag.Parse()
	liveBytes, err := parseSize(*live)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gccpu -live SIZE -duration D -out FILE")
		os.Exit(2)
	}
	r := newReader()
	var first Snapshot
	watch := func() {
		if first.Cycles == 0 {
			if s := r.read(); s.Cycles > 0 {
				first = s
			}
		}
	}

	// The live set: a slice of linked lists, so that marking chases
	// pointers. Each node is 64 bytes.
	const nodeBytes = 64
	keep := make([]*node, 0, liveBytes/nodeBytes/64+1)
	for n := int64(0); n < liveBytes/nodeBytes; n += 64 {
		var head *node
		for range 64 {
			head = &node{next: head}
		}
		keep = append(keep, head)
		if n%(1<<14) == 0 {
			watch()
		}
	}

	// Garbage: short lists dropped at once, with the live set's lists
	// replaced now and then so that the old ones become garbage too.
	var sink *node
	deadline := time.Now().Add(*duration)
	for i := 0; time.Now().Before(deadline); i++ {
		for range 1024 {
			var head *node
			for range 16 {
				head = &node{next: head}
			}
			sink = head
		}
		if len(keep) > 0 {
			j := i % len(keep)
			var head *node
			for range 64 {
				head = &node{next: head}
			}
			keep[j] = head
		}
		watch()
	}
	_ = sink
	runtime.KeepAlive(keep)

	rep := Report{GOMAXPROCS: runtime.GOMAXPROCS(0), First: first, Last: r.read()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		rep.ProcessCPUSeconds = tv(ru.Utime) + tv(ru.Stime)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gccpu:", err)
		os.Exit(1)
	}
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// parseSize reads "200MiB", "4KiB" or a plain byte count.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suffix) {
			s, mult = strings.TrimSuffix(s, suffix), m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}
