package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/profiler/child"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

const runHelp = `Run a Go program and record its GC, heap and RSS.

CMD starts directly (no shell) with GODEBUG=gctrace=1 added to any GODEBUG
already set. Each GC cycle that gctrace prints is recorded and not shown;
every other line of the program's stderr and stdout passes through
unchanged. The program's RSS, peak RSS and CPU time are sampled every
--interval. A program that embeds gcprobe's probe also sends its events to
the record (through the descriptor named by GCPROBE_EVENTS_FD). Give run a
built program, not "go run": the go command's own GC cycles would be
recorded too.

The program reads gcprobe's stdin when that is a file or a pipe; a terminal
is not passed on.

The record is written as the run goes, so it survives a crash or kill -9 of
gcprobe or of the program. At the end gcprobe prints a summary to stderr and
exits with the program's exit status (128+N if signal N killed it), or 0
when --duration stopped it. Ctrl-C is passed to the program; a second one
kills it.

` + loadHelp + ` The program is then stopped.

With --trace-on TRIGGERS (and --load) gcprobe watches the latency of its
own load and the program's GC cycles, and when a trigger fires takes the
program's execution trace and writes it beside the record (run.jsonl:
run-trace-1.trace, ...), for gcprobe analyze and report. The trace comes
from the program, not from gcprobe: at --trace-from (default: the first
--load target's host) gcprobe first asks for gcprobe's agent with a flight
recorder (profiler.Options.FlightRecorder), whose snapshot holds the seconds
BEFORE the trigger; else for net/http/pprof's /debug/pprof/trace, whose
window of --trace-window can only hold the seconds AFTER it. A line at the
start and each trace event in the record say which. A program that serves
neither ends the run with one line (exit 2). --trace-max, --trace-total and
--trace-gap bound how many traces are taken, how large, how often.

Examples:
  gcprobe run -- ./server -port 8080
  gcprobe run --gogc 200 --memlimit 2GiB --duration 30s -o base.jsonl -- ./server
  gcprobe run --load http://127.0.0.1:8080/get --rate 2000 --duration 30s -- ./server -port 8080
  gcprobe run --load-targets targets.txt --rate 1000,2000,4000 --step 20s -- ./server
  gcprobe run --load http://127.0.0.1:8080/get --rate 2000 --trace-on 'p99>20ms' --trace-window 2s -- ./server -port 8080
  gcprobe run -o - -- ./batch > run.jsonl`

func cmdRun(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "run", "[flags] -- CMD [ARGS...]", runHelp)
	gogc := fs.String("gogc", "", "the program's GOGC: a percentage or off (default: inherited)")
	memLimit := fs.String("memlimit", "", "the program's GOMEMLIMIT: a size (512MiB, 2GiB, 1e9) or off (default: inherited)")
	duration := fs.Duration("duration", 0, "stop the program after this long (SIGTERM, then SIGKILL 10s later); 0 waits for it to exit")
	interval := fs.Duration("interval", 250*time.Millisecond, "how often to sample the program's RSS and CPU")
	output := fs.StringP("output", "o", "", "write the record to `FILE` (- for stdout; default gcprobe-CMD-YYYYMMDD-HHMMSS.jsonl)")
	quiet := fs.Bool("quiet", false, "print no summary at the end")
	showTrace := fs.Bool("show-gctrace", false, "also pass gctrace lines through to stderr")
	lf := addLoadFlags(fs)
	tf := addTraceFlags(fs, true)
	view := addLiveFlags(fs, false)
	fs.SetInterspersed(false) // flags after CMD are CMD's
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := view.check(io, *output); err != nil {
		return err
	}
	command := fs.Args()
	if len(command) == 0 {
		return usageErrorf("run: no command given after -- (see gcprobe run --help)")
	}
	if err := checkGCFlags("run", *gogc, *memLimit); err != nil {
		return err
	}
	if *duration < 0 {
		return usageErrorf("run: --duration must not be negative")
	}
	if *interval < 10*time.Millisecond {
		return usageErrorf("run: --interval must be at least 10ms")
	}
	load, err := lf.config("run", *duration)
	if err != nil {
		return err
	}
	fo, err := tf.options("run")
	if err != nil {
		return err
	}
	var traceFrom string
	if tf.set() {
		if !lf.set() {
			return usageErrorf("run: --trace-on needs --load (or --load-cmd): the traces are taken while the load runs")
		}
		if traceFrom, err = targetTraceURL(tf, load); err != nil {
			return err
		}
	}
	if _, err := child.LookPath(command[0]); err != nil {
		return fmt.Errorf("run: %w", err)
	}

	opts := child.Options{
		Command:     command,
		GOGC:        *gogc,
		MemLimit:    *memLimit,
		Duration:    *duration,
		Interval:    *interval,
		Header:      record.Header{GCProbeVersion: version()},
		Stdout:      io.out,
		Stderr:      io.err,
		Stdin:       pipedInput(io.in),
		ShowGCTrace: *showTrace,
	}
	var traceDir, tracePrefix string
	if lf.set() {
		opts.Load, opts.Duration = lf.hook(load, io.err), 0
	}
	if tf.set() {
		ready := traceFrom
		if lf.loadCmd == "" {
			ready = lf.readyURL(load)
		} else if lf.ready != "" {
			ready = lf.ready
		}
		opts.Load = traceHook("run", opts.Load, fo, traceFrom, ready, func() (string, string) { return traceDir, tracePrefix }, lf, io.err)
	}
	res, err := recordChildWith(ctx, io, opts, *output, command[0], *quiet, view, func(recordName string) []string {
		traceDir, tracePrefix = traceFiles(recordName, "gcprobe-"+safeName(filepath.Base(command[0])))
		return nil
	})
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if errors.Is(res.LoadErr, errTraceUnavailable) {
		return errTraceUnavailable
	}
	if err := loadFailed(res, command[0]); err != nil {
		return err
	}
	if res.Reason == record.EndDuration || res.ExitCode == 0 {
		return nil
	}
	return exitStatus(res.ExitCode)
}

// pipedInput returns gcprobe's stdin for the child when it is a file or a
// pipe, and nil for a terminal: the child runs in a process group of its own
// and would be stopped if it read the terminal.
func pipedInput(in io.Reader) io.Reader {
	if f, ok := in.(*os.File); ok {
		if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice != 0 {
			return nil
		}
	}
	return in
}

// safeName keeps a command's name usable in a file name.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
	if s == "" || s == "." || s == ".." {
		return "cmd"
	}
	return s
}

// checkGCFlags validates --gogc and --memlimit, which run and scenario run
// both take, naming the flag in the error.
func checkGCFlags(cmd, gogc, memLimit string) error {
	if gogc != "" {
		if _, err := units.ParseGOGC(gogc); err != nil {
			return usageErrorf("%s: --gogc: %v", cmd, err)
		}
	}
	if memLimit != "" {
		if _, err := units.ParseMemLimit(memLimit); err != nil {
			return usageErrorf("%s: --memlimit: %v", cmd, err)
		}
	}
	return nil
}
