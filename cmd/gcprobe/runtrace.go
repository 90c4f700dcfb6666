package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gcprobe/gcprobe/loadgen/httpload"
	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/profiler/attach"
	"github.com/gcprobe/gcprobe/record"
)

// errTraceUnavailable ends a run whose --trace-on cannot work: the target
// serves no trace. The line saying why is printed when it is found, so the
// command exits 2 without another.
var errTraceUnavailable = exitStatus(2)

// targetTraceURL is where run --trace-on asks the target for its traces:
// --trace-from, else the first --load target's host.
func targetTraceURL(tf *traceFlags, load httpload.Config) (string, error) {
	switch {
	case tf.from != "":
		if err := httpload.CheckURL(tf.from); err != nil {
			return "", usageErrorf("%s: --trace-from %v", tf.fs.Name(), err)
		}
		return tf.from, nil
	case len(load.Targets) > 0:
		return load.Targets[0].URL, nil
	}
	return "", usageErrorf("%s: --trace-on with --load-cmd needs --trace-from URL: where the program serves gcprobe's agent or net/http/pprof", tf.fs.Name())
}

// traceHook wraps a run's load: once the program answers at from, it finds
// how the program serves its execution trace (its flight recorder through
// gcprobe's agent, else /debug/pprof/trace windows), says which in the
// record and on status, and watches the record with a Flight that takes
// the program's trace when a trigger fires, until the load ends. A program
// that serves no trace ends the run (one line on status, exit 2).
// where returns the snapshots' directory and name prefix, known once the
// record is opened.
func traceHook(cmd string, load func(context.Context, *record.Writer) error, fo profiler.FlightOptions, from, ready string,
	where func() (string, string), lf *loadFlags, status io.Writer) func(context.Context, *record.Writer) error {
	return func(ctx context.Context, w *record.Writer) error {
		if err := httpload.WaitReady(ctx, ready, lf.readyWait); err != nil {
			return err
		}
		src, err := attach.FindTargetTrace(ctx, from, fo.MinAge)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			w.Note(record.NoteWarning, "--trace-on: %v", err)
			fmt.Fprintf(status, "gcprobe: %s: --trace-on: %v\n", cmd, err)
			return errTraceUnavailable
		}
		msg := fmt.Sprintf("--trace-on: when a trigger fires, the trace comes from %s and holds %s", src.URL(), src.Covers())
		w.Note(record.NoteInfo, "%s", msg)
		fmt.Fprintf(status, "gcprobe: %s\n", msg)
		fo.Source = src
		fo.Dir, fo.Prefix = where()
		flight, err := profiler.StartFlight(w, fo)
		if err != nil {
			return err
		}
		err = load(ctx, w)
		if ferr := flight.Stop(); err == nil {
			err = ferr
		}
		return err
	}
}
