package main

import (
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/units"
)

// traceFlags are the flags of the triggered execution traces (--trace-on
// and its bounds), shared by scenario run and run.
type traceFlags struct {
	fs          *pflag.FlagSet
	on          string
	max         int
	total       string
	gap         time.Duration
	window      time.Duration
	windowBytes string
	from        string // run only: where the target serves its trace
}

// traceBoundNames are the flags that only mean something with --trace-on.
var traceBoundNames = []string{"trace-max", "trace-total", "trace-gap", "trace-window", "trace-window-bytes", "trace-from"}

// addTraceFlags defines --trace-on and its bounds; remote adds --trace-from
// (the trace comes from another process).
func addTraceFlags(fs *pflag.FlagSet, remote bool) *traceFlags {
	f := &traceFlags{fs: fs}
	fs.StringVar(&f.on, "trace-on", "", "write an execution trace beside the record when `TRIGGERS` fire: p99>20ms, max>100ms (a 100ms latency interval), pause>2ms (a GC pause), gccpu>25% (GC CPU over a cycle); comma-separated")
	fs.IntVar(&f.max, "trace-max", profiler.DefaultFlightSnapshots, "with --trace-on: write at most `N` traces")
	fs.StringVar(&f.total, "trace-total", "128MiB", "with --trace-on: write at most `SIZE` of traces in all (the last one is cut)")
	fs.DurationVar(&f.gap, "trace-gap", profiler.DefaultFlightGap, "with --trace-on: at least `D` between two traces (later triggers are counted in a note)")
	window := "with --trace-on: the flight recorder keeps at least the last `D` of trace"
	if remote {
		window += " (the target's agent: its own recorder's setting); a /debug/pprof/trace window lasts D"
	}
	fs.DurationVar(&f.window, "trace-window", profiler.DefaultFlightMinAge, window)
	if !remote {
		fs.StringVar(&f.windowBytes, "trace-window-bytes", "16MiB", "with --trace-on: the flight recorder keeps at most about `SIZE` of trace (it wins over --trace-window)")
	} else {
		fs.StringVar(&f.from, "trace-from", "", "with --trace-on: the target's `URL` (http://HOST:PORT) serving gcprobe's agent with a flight recorder or net/http/pprof (default: the first --load target's)")
	}
	return f
}

// set reports whether --trace-on was given.
func (f *traceFlags) set() bool { return f.on != "" }

// options validates the flags (usage errors name the flag) and returns
// the flight recorder's options, without Dir and Prefix.
func (f *traceFlags) options(cmd string) (profiler.FlightOptions, error) {
	var o profiler.FlightOptions
	if !f.set() {
		for _, name := range traceBoundNames {
			if fl := f.fs.Lookup(name); fl != nil && fl.Changed {
				return o, usageErrorf("%s: --%s needs --trace-on", cmd, name)
			}
		}
		return o, nil
	}
	triggers, err := profiler.ParseTriggers(f.on)
	if err != nil {
		return o, usageErrorf("%s: --trace-on: %v", cmd, err)
	}
	total, err := units.ParseSize(f.total)
	switch {
	case err != nil:
		return o, usageErrorf("%s: --trace-total: %v", cmd, err)
	case total < 1<<20:
		return o, usageErrorf("%s: --trace-total must be at least 1MiB", cmd)
	case f.max < 1 || f.max > 1000:
		return o, usageErrorf("%s: --trace-max must be between 1 and 1000", cmd)
	case f.gap < time.Second:
		return o, usageErrorf("%s: --trace-gap must be at least 1s", cmd)
	case f.window < 100*time.Millisecond || f.window > time.Minute:
		return o, usageErrorf("%s: --trace-window must be between 100ms and 1m", cmd)
	}
	o = profiler.FlightOptions{Triggers: triggers, MinAge: f.window, MaxSnapshots: f.max, MaxTotalBytes: int64(total), MinGap: f.gap}
	if f.fs.Lookup("trace-window-bytes") != nil {
		wb, err := units.ParseSize(f.windowBytes)
		switch {
		case err != nil:
			return o, usageErrorf("%s: --trace-window-bytes: %v", cmd, err)
		case wb < 1<<20:
			return o, usageErrorf("%s: --trace-window-bytes must be at least 1MiB", cmd)
		}
		o.MaxBytes = wb
	}
	return o, nil
}

// flightArgs passes validated options on to scenario exec.
func flightArgs(o profiler.FlightOptions, on string) []string {
	return []string{"--trace-on=" + on, "--trace-max=" + strconv.Itoa(o.MaxSnapshots),
		"--trace-total=" + strconv.FormatInt(o.MaxTotalBytes, 10), "--trace-gap=" + o.MinGap.String(),
		"--trace-window=" + o.MinAge.String(), "--trace-window-bytes=" + strconv.FormatUint(o.MaxBytes, 10)}
}
