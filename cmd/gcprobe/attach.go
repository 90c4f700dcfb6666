package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/analyze/live"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/profiler/attach"
	"github.com/gcprobe/gcprobe/record"
)

const attachHelp = `Record the GC, heap, RSS and CPU of a Go program that is already running.

RSS, peak RSS and CPU come from the operating system (--pid). GC cycles,
pauses and heap come from what the program serves at --url, tried in this
order unless --source names one: the gcprobe agent (/debug/gcprobe/), expvar
(/debug/vars), Prometheus client_golang (/metrics). Profiles come from
net/http/pprof (/debug/pprof/) and are written beside the record.

With both --pid and --url, attach checks that the URL is served by that
process (the agent's PID, expvar's cmdline or Prometheus'
process_start_time_seconds, else pprof's main binary, against /proc/PID)
and refuses with exit status 2
when it is not; when the endpoint says nothing about its process, the record
says so.

Figures are over the session's window, never the program's lifetime: GC CPU
share is the change of the runtime's account between two cycle ends (no
cycle in the window, no figure), and pauses are only as fine as the source:
Prometheus gives their count and total exactly and a maximum over the last
256 cycles, no single pauses; so a --url ending in /metrics is read through
/debug/vars instead when the service serves that too.

Ctrl-C ends the session with a complete record. When the target exits, the
record ends with a note saying when.

` + loadHelp + ` The session ends with the load.

With --trace-on TRIGGERS (and --load) the program's execution trace is
taken when a trigger fires, from --url (or --trace-from): its flight
recorder through gcprobe's agent (the seconds before the trigger), else a
/debug/pprof/trace window of --trace-window (the seconds after), as gcprobe
run --trace-on does; see gcprobe run --help.

Examples:
  gcprobe attach --url http://127.0.0.1:8080 --duration 1m
  gcprobe attach --pid 4242 --url http://127.0.0.1:8080 --load http://127.0.0.1:8080/api --rate 500 --duration 1m
  gcprobe attach --pid 4242 --url http://127.0.0.1:8080 --profiles heap,allocs --cpu-profile 30s
  gcprobe attach --pid 4242 -o rss.jsonl
  gcprobe attach --url http://127.0.0.1:8080 --duration 10m --trace 5s,every=1m
  gcprobe attach --url http://127.0.0.1:8080 --load http://127.0.0.1:8080/api --rate 500 --duration 1m --trace-on 'p99>20ms'`

func cmdAttach(ctx context.Context, io stdio, args []string) error {
	return attachCommand(ctx, io, args, false)
}

// attachCommand is gcprobe attach, and gcprobe top when top is set: the same
// session with the live view always on.
func attachCommand(ctx context.Context, io stdio, args []string, top bool) error {
	name, help := "attach", attachHelp
	if top {
		name, help = "top", topHelp
	}
	fs := newFlags(io, name, "--pid N | --url URL [flags]", help)
	pid := fs.Int("pid", 0, "process ID of the Go program (RSS, peak RSS, CPU)")
	url := fs.String("url", "", "base URL of the program's HTTP endpoints, such as http://127.0.0.1:8080")
	source := fs.String("source", attach.SourceAuto, "runtime data source: auto, agent, expvar or prometheus")
	duration := fs.Duration("duration", 0, "how long to record (0: until Ctrl-C or the target exits)")
	interval := fs.Duration("interval", time.Second, "time between polls")
	timeout := fs.Duration("timeout", 5*time.Second, "bound on each HTTP request")
	out := fs.StringP("output", "o", "", "write the record to `FILE` (- for stdout; default gcprobe-attach-TARGET-YYYYMMDD-HHMMSS.jsonl), profiles beside it")
	profiles := fs.StringSlice("profiles", nil, "pprof profiles to capture at the start and the end: "+strings.Join(attach.ProfileKinds, ","))
	cpuProfile := fs.Duration("cpu-profile", 0, "capture a CPU profile this long from the start (whole seconds)")
	traceFlag := fs.String("trace", "", "take execution trace windows from /debug/pprof/trace: `D[,every=E]` (5s: one window at the start; 5s,every=1m: one a minute), written beside the record for gcprobe analyze")
	lf := addLoadFlags(fs)
	tf := addTraceFlags(fs, true)
	view := addLiveFlags(fs, top)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := view.check(io, *out); err != nil {
		return err
	}
	o := attach.Options{PID: *pid, URL: *url, Source: *source, Interval: *interval, Duration: *duration,
		Timeout: *timeout, Profiles: *profiles, CPUProfile: *cpuProfile, Version: version(),
		Warn: func(msg string) { fmt.Fprintf(io.err, "gcprobe: warning: %s\n", msg) }}
	if *traceFlag != "" {
		var err error
		if o.Trace, o.TraceEvery, err = parseTraceWindows(*traceFlag); err != nil {
			return usageErrorf("--trace: %v", err)
		}
	}
	if err := checkAttachFlags(name, fs.Args(), o); err != nil {
		return err
	}
	load, err := lf.config(name, *duration)
	if err != nil {
		return err
	}
	fo, err := tf.options(name)
	if err != nil {
		return err
	}
	var traceFrom string
	if tf.set() {
		switch {
		case !lf.set():
			return usageErrorf("%s: --trace-on needs --load (or --load-cmd): the traces are taken while the load runs", name)
		case o.Trace > 0:
			return usageErrorf("%s: --trace and --trace-on: give one (a program takes one /debug/pprof/trace at a time)", name)
		case tf.from == "" && o.URL != "":
			traceFrom = o.URL
		default:
			if traceFrom, err = targetTraceURL(tf, load); err != nil {
				return err
			}
		}
	}
	if lf.set() {
		o.Load, o.Duration = lf.hook(load, io.err), 0
	}
	// The default name, also the prefix of the profiles when the record
	// goes to stdout.
	target := fmt.Sprintf("pid%d", o.PID)
	if o.PID == 0 {
		target = strings.NewReplacer(":", "-", "/", "-").Replace(strings.TrimPrefix(strings.TrimPrefix(o.URL, "http://"), "https://"))
	}
	// The record is opened first, so that a default name is unique (never
	// overwriting a record made in the same second) and the profiles can be
	// named after it.
	rec, err := openRecord(*out, name+"-"+strings.Trim(target, "-"), io.out)
	if err != nil {
		return err
	}
	path := rec.name
	o.ProfileBase = strings.TrimSuffix(path, filepath.Ext(path))
	if path == "-" {
		o.ProfileBase = fmt.Sprintf("gcprobe-%s-%s-%s", name, safeName(strings.Trim(target, "-")), time.Now().Format("20060102-150405"))
	}

	if tf.set() {
		ready := traceFrom
		if lf.loadCmd == "" {
			ready = lf.readyURL(load)
		}
		dir, prefix := traceFiles(path, "gcprobe-"+name+"-"+safeName(strings.Trim(target, "-")))
		o.Load = traceHook(name, o.Load, fo, traceFrom, ready, func() (string, string) { return dir, prefix }, lf, io.err)
	}
	s, err := attach.Open(ctx, o)
	if err != nil {
		rec.Close()
		rec.remove()
		if ctx.Err() != nil {
			return errors.New("interrupted while attaching: nothing was recorded")
		}
		if errors.Is(err, attach.ErrOtherProcess) {
			// The flags name two processes: a usage error.
			return usageErrorf("attach: %v", err)
		}
		return err
	}
	h := s.Header()
	via := "via " + h.Attach.Via
	if h.Attach.Via == attach.SourceNone {
		via = "(RSS and CPU only: no --url)"
	}
	where := path
	if path == "-" {
		where = "stdout"
	}
	fmt.Fprintf(io.err, "gcprobe: attached to %s %s; recording to %s\n", attachTarget(h), via, where)
	var res attach.Result
	lines := io.out
	if path == "-" {
		lines = io.err
	}
	err = view.watch(ctx, io, lines, "recording to "+where, func(ctx context.Context, m *live.Monitor) error {
		var err error
		res, err = s.Record(ctx, withMonitor(rec, m))
		return err
	})
	if cerr := rec.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	sumOut := io.out
	if path == "-" { // keep the record on stdout clean
		sumOut = io.err
	}
	if err := printAttachSummary(sumOut, rec, res); err != nil {
		return err
	}
	if errors.Is(res.LoadErr, errTraceUnavailable) {
		return errTraceUnavailable // said when it was found
	}
	if res.LoadErr != nil && !errors.Is(res.LoadErr, context.Canceled) {
		return fmt.Errorf("%s: --load: %v", name, res.LoadErr)
	}
	if n := o.Requested(); n > 0 && len(res.Profiles) == 0 {
		why := "the session ended before any was fetched"
		if len(res.ProfileErrors) > 0 {
			why = res.ProfileErrors[0]
		}
		// The user asked for profiles and has none: a script must not take
		// this for success. The record is kept: its GC data is still good.
		return fmt.Errorf("attach: none of the %d requested profiles was captured (%s); the record %s is kept", n, why, where)
	}
	return nil
}

// checkAttachFlags validates the flags, naming the one at fault.
func checkAttachFlags(name string, args []string, o attach.Options) error {
	switch {
	case len(args) > 0:
		return usageErrorf("%s takes no arguments (got %q): use --pid and --url", name, args[0])
	case o.PID == 0 && o.URL == "":
		return usageErrorf("%s needs --pid, --url or both", name)
	case o.PID < 0:
		return usageErrorf("--pid must be a positive process ID")
	case o.URL != "" && attach.CheckURL(o.URL) != nil:
		return usageErrorf("%v", attach.CheckURL(o.URL))
	case o.Source != attach.SourceAuto && !slices.Contains(attach.Sources, o.Source):
		return usageErrorf("--source must be auto, %s (got %q)", strings.Join(attach.Sources, ", "), o.Source)
	case o.Source != attach.SourceAuto && o.URL == "":
		return usageErrorf("--source needs --url")
	case o.Interval < 10*time.Millisecond:
		return usageErrorf("--interval must be at least 10ms")
	case o.Timeout <= 0:
		return usageErrorf("--timeout must be positive")
	case o.Duration < 0:
		return usageErrorf("--duration must not be negative")
	case (len(o.Profiles) > 0 || o.CPUProfile != 0) && o.URL == "":
		return usageErrorf("--profiles and --cpu-profile need --url (they come from net/http/pprof)")
	case o.CPUProfile != 0 && (o.CPUProfile < time.Second || o.CPUProfile%time.Second != 0):
		return usageErrorf("--cpu-profile must be a whole number of seconds, at least 1s")
	case o.Trace > 0 && o.URL == "":
		return usageErrorf("--trace needs --url (the windows come from net/http/pprof's /debug/pprof/trace)")
	case o.Trace > o.Duration && o.Duration > 0:
		return usageErrorf("--trace (%v) must not be longer than --duration (%v)", o.Trace, o.Duration)
	case o.CPUProfile > o.Duration && o.Duration > 0:
		return usageErrorf("--cpu-profile (%v) must not be longer than --duration (%v)", o.CPUProfile, o.Duration)
	}
	for _, k := range o.Profiles {
		if !slices.Contains(attach.ProfileKinds, k) {
			return usageErrorf("--profiles: unknown profile %q (want %s)", k, strings.Join(attach.ProfileKinds, ", "))
		}
	}
	return nil
}

func attachTarget(h record.Header) string {
	switch {
	case h.PID != 0 && h.Attach.URL != "":
		return fmt.Sprintf("PID %d at %s", h.PID, h.Attach.URL)
	case h.PID != 0:
		return fmt.Sprintf("PID %d", h.PID)
	}
	return h.Attach.URL
}

// printAttachSummary prints the record's summary and where its files are.
func printAttachSummary(w io.Writer, rec *recordOut, res attach.Result) error {
	var run *record.Run
	var err error
	name, dir := rec.name, filepath.Dir(rec.name)
	if rec.name == "-" {
		name, dir = "stdout", "."
		run, err = record.Read(bytes.NewReader(rec.copy.Bytes()), "<stdout>")
	} else {
		run, err = record.ReadFile(rec.name)
	}
	if err != nil {
		return err
	}
	if err := summary.WriteText(w, []summary.Summary{summary.Compute(run)}); err != nil {
		return err
	}
	fmt.Fprintf(w, "record: %s (ended: %s)\n", name, res.End.Reason)
	for _, p := range res.Profiles {
		fmt.Fprintf(w, "profile: %s\n", filepath.Join(dir, p))
	}
	for _, p := range res.Traces {
		fmt.Fprintf(w, "trace: %s (gcprobe analyze reads it)\n", filepath.Join(dir, p))
	}
	return nil
}

// parseTraceWindows reads --trace: a window length, and optionally
// ",every=" and the time between windows' starts.
func parseTraceWindows(s string) (window, every time.Duration, err error) {
	d, rest, hasEvery := strings.Cut(s, ",")
	window, err = time.ParseDuration(d)
	if err != nil || window < 100*time.Millisecond {
		return 0, 0, fmt.Errorf("%q: want a window of at least 100ms, such as 5s or 5s,every=1m", s)
	}
	if hasEvery {
		e, ok := strings.CutPrefix(rest, "every=")
		if every, err = time.ParseDuration(e); !ok || err != nil || every < window {
			return 0, 0, fmt.Errorf("%q: after the comma want every=E, E at least the window (5s,every=1m)", s)
		}
	}
	return window, every, nil
}
