// Command flightcost measures what gcprobe's flight recorder costs a
// scenario: binarytrees (a fixed amount of allocation-heavy work, by
// default), or readstates (a cache fill, then a fixed number of requests at
// a fixed rate, each a trace task while the recorder is on), runs -pairs
// times with the recorder off and -pairs times with it on
// (a trigger that never fires: the cost of keeping the trace, not of writing
// it), in one process, the two runs of each pair back to back in a random
// order, so that both see the same machine. Each run is timed in wall time
// and in the process's CPU time (getrusage RUSAGE_SELF, user + system, all
// threads): on a shared machine the CPU time of a fixed piece of work moves
// far less than its wall time, since time spent waiting for a core another
// process holds is not counted.
//
// The recorder's ring of trace data lives in the Go heap and raises the
// heap goal, so a program with a small live heap runs fewer GC cycles with
// it on (the GC cycles per run are printed): its whole effect on the
// program can be a gain. -gogc off takes the GC out of the runs (each
// starts and ends with a runtime.GC, none runs inside), leaving the
// tracing's own cost: the events the program's goroutines write and the
// reader that keeps the ring. (/cpu/classes/user cannot stand in for that:
// it counts the time Ps run, including the time another process holds
// the core.)
//
// It prints every run in Go benchmark format (to -o, for benchstat) and, on
// stdout, the median over the pairs of each pair's on/off ratio, with its 95%
// confidence interval (golang.org/x/perf/benchmath, the way benchstat
// summarises a sample: distribution-free).
//
//	go run ./scripts/flightcost -pairs 20 -params depth=16 -o flightcost.txt
//	go run ./scripts/flightcost -scenario readstates -params entries=100000,rate=4000,duration=1s,warmup=0s
//	go run golang.org/x/perf/cmd/benchstat -col /recorder flightcost.txt
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/perf/benchmath"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/scenarios"
)

func main() {
	pairs := flag.Int("pairs", 20, "pairs of runs (off, on), at least 10")
	name := flag.String("scenario", "binarytrees", "the scenario to run")
	paramList := flag.String("params", "depth=15", "its parameters: `K=V,...` (readstates: entries=100000,rate=4000,duration=1s,warmup=0s)")
	out := flag.String("o", "", "also write each run in Go benchmark format to `FILE`")
	seed := flag.Uint64("seed", 1, "seed of the order within each pair")
	gogc := flag.String("gogc", "100", "the GC setting during the runs: a percentage, or off (no GC inside a run)")
	flag.Parse()
	if *pairs < 10 {
		log.Fatal("flightcost: -pairs must be at least 10")
	}
	pct := 0
	if *gogc == "off" {
		pct = -1
	} else if p, err := strconv.Atoi(*gogc); err == nil && p > 0 {
		pct = p
	} else {
		log.Fatal("flightcost: -gogc must be a positive percentage or off")
	}
	debug.SetGCPercent(pct)
	params := map[string]string{}
	for _, kv := range strings.Split(*paramList, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			params[k] = v
		} else if kv != "" {
			log.Fatalf("flightcost: -params: %q is not K=V", kv)
		}
	}
	if err := measure(*name, params, *paramList, *pairs, *out, *seed, *gogc); err != nil {
		log.Fatal("flightcost: ", err)
	}
}

// cost is one run's wall and process CPU time and its GC cycles.
type cost struct {
	wall, cpu time.Duration
	cycles    uint64
}

// gcCycles is the number of GC cycles so far.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func measure(name string, values map[string]string, paramText string, pairs int, out string, seed uint64, gogc string) error {
	s, ok := scenarios.Lookup(name)
	if !ok {
		return fmt.Errorf("no scenario %q", name)
	}
	params, err := s.NewParams(values, host.Describe())
	if err != nil {
		return err
	}
	work, err := s.Prepare(params)
	if err != nil {
		return err
	}
	bench := io.Discard
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		bench = f
	}
	// The probe runs throughout, as in gcprobe scenario run, so that the
	// recorder is the only difference between the two halves.
	w := record.NewEventWriter(io.Discard, time.Now())
	probe, err := profiler.New(profiler.Options{Interval: 100 * time.Millisecond, Record: w})
	if err != nil {
		return err
	}
	if err := probe.Start(context.Background()); err != nil {
		return err
	}
	defer probe.Close()
	never, _ := profiler.ParseTriggers("pause>1h")
	dir, err := os.MkdirTemp("", "flightcost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	runOnce := func(on bool) (cost, error) {
		// A writer of its own per run: a Flight watches its writer for
		// good, and the runs' recorders must not pile up.
		rw := record.NewEventWriter(io.Discard, time.Now())
		var fl *profiler.Flight
		if on {
			if fl, err = profiler.StartFlight(rw, profiler.FlightOptions{Triggers: never, Dir: dir}); err != nil {
				return cost{}, err
			}
		}
		// Each run starts from a collected heap, so that where its GC
		// cycles fall does not depend on what the run before it left.
		runtime.GC()
		n0 := gcCycles()
		cpu0, t0 := cpuTime(), time.Now()
		err := work(context.Background(), scenarios.Env{Record: rw, Out: io.Discard})
		c := cost{wall: time.Since(t0), cpu: cpuTime() - cpu0, cycles: gcCycles() - n0}
		if fl != nil {
			if ferr := fl.Stop(); err == nil {
				err = ferr
			}
		}
		return c, err
	}

	fmt.Fprintf(bench, "goos: %s\ngoarch: %s\npkg: github.com/gcprobe/gcprobe/scripts/flightcost\ncpu: %d CPUs, GOMAXPROCS %d\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if _, err := runOnce(false); err != nil { // warm the heap and the caches
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	var wallRatio, cpuRatio []float64
	var cyclesOff, cyclesOn uint64
	for i := range pairs {
		onFirst := rng.IntN(2) == 1
		var c [2]cost // off, on
		for _, on := range []bool{onFirst, !onFirst} {
			r, err := runOnce(on)
			if err != nil {
				return err
			}
			idx := 0
			if on {
				idx = 1
			}
			c[idx] = r
		}
		for i, r := range c { // off, then on: benchstat's base column is the first it reads
			fmt.Fprintf(bench, "BenchmarkScenario/%s/%s/gogc=%s/recorder=%s 1 %d ns/op %d cpu-ns/op %d gc-cycles/op\n",
				name, strings.ReplaceAll(paramText, ",", "/"), gogc, [2]string{"off", "on"}[i], r.wall.Nanoseconds(), r.cpu.Nanoseconds(), r.cycles)
		}
		wallRatio = append(wallRatio, float64(c[1].wall)/float64(c[0].wall))
		cpuRatio = append(cpuRatio, float64(c[1].cpu)/float64(c[0].cpu))
		cyclesOff += c[0].cycles
		cyclesOn += c[1].cycles
		fmt.Fprintf(os.Stderr, "pair %2d (%s first): off %v wall %v cpu %d GCs; on %v wall %v cpu %d GCs\n", i+1,
			map[bool]string{false: "off", true: "on"}[onFirst],
			c[0].wall.Round(time.Millisecond), c[0].cpu.Round(time.Millisecond), c[0].cycles,
			c[1].wall.Round(time.Millisecond), c[1].cpu.Round(time.Millisecond), c[1].cycles)
	}
	fmt.Printf("%s %s, GOMAXPROCS %d, GOGC %s, %d pairs; GC cycles per run: off %.1f, on %.1f\n", name, paramText, runtime.GOMAXPROCS(0), gogc, pairs,
		float64(cyclesOff)/float64(pairs), float64(cyclesOn)/float64(pairs))
	if stat, err := procCPU(); err == nil {
		// An independent account of the process's CPU time, in clock
		// ticks, against getrusage's at the same moment.
		fmt.Printf("process CPU time so far: getrusage %.2fs, /proc/self/stat %.2fs\n", cpuTime().Seconds(), stat.Seconds())
	}
	report("wall time       ", wallRatio)
	report("process CPU time", cpuRatio)
	return nil
}

// report prints the median of the pairs' on/off ratios and its 95%
// confidence interval.
func report(what string, ratios []float64) {
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(ratios, &benchmath.DefaultThresholds), 0.95)
	fmt.Printf("%s on/off: median %.4f, 95%% CI [%.4f, %.4f] over %d pairs", what, sum.Center, sum.Lo, sum.Hi, len(ratios))
	for _, w := range sum.Warnings {
		fmt.Printf(" (%v)", w)
	}
	fmt.Println()
}

// cpuTime is the process's CPU time so far, user and system, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal("flightcost: getrusage: ", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the process's user + system time from /proc/self/stat
// (Linux), in clock ticks of 10 ms (USER_HZ 100, the usual value).
func procCPU() (time.Duration, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	// The fields after the command (in parentheses, which may hold spaces):
	// state is field 3, utime 14, stime 15.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/self/stat: unexpected format")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/self/stat: unexpected format")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}
