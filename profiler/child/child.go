// Package child runs a program as a child process and records its GC, heap
// and RSS: gcprobe run, and every command that re-runs a program (sweeps,
// scenarios).
//
// Run starts the command directly (no shell) with GODEBUG=gctrace=1 merged
// into the user's GODEBUG and with GOGC/GOMEMLIMIT set from the start, then,
// until the child exits:
//
//  1. reads the child's stderr line by line: each gctrace cycle becomes a
//     record.GC event placed on the record's clock, other gctrace output is
//     consumed, and every other line passes through unchanged;
//  2. reads the child's event stream (fd 3, named by record.EventsFDEnv),
//     where a program that embeds gcprobe's probe writes events, and copies
//     them into the record on the record's clock (gc events only when
//     gctrace is silent, since gctrace gives exact cycle bounds);
//  3. samples the child's RSS, peak RSS (VmHWM) and CPU time through one
//     gopsutil *process.Process;
//  4. forwards an interrupt (ctx cancelled) to the child, and stops it after
//     Options.Duration: SIGTERM, then SIGKILL after a grace period;
//  5. runs Options.Load beside it (gcprobe run --load), writing to the same
//     record, and stops the child when the load is done.
//
// It refuses gctrace lines from more than one process (a wrapper that
// starts several Go programs), and when the command is not a Go binary it
// samples the Go program the command starts instead.
//
// The record ends with an End event saying how the child ended. Every event
// is flushed as written, so a record cut short by a crash or kill -9 of
// gcprobe still reads; on Linux the child is killed with gcprobe.
package child

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
)

// Options says what to run and where its record and output go.
type Options struct {
	Command []string // argv; run directly, no shell
	Env     []string // extra KEY=VALUE on top of os.Environ()
	// GOGC and MemLimit set the child's GOGC and GOMEMLIMIT ("" inherits);
	// they take the syntax of units.ParseGOGC and units.ParseMemLimit.
	GOGC     string
	MemLimit string
	// Duration stops the child after this long (0: wait until it exits).
	Duration time.Duration
	// Interval is the RSS/CPU sampling period; default 250ms.
	Interval time.Duration
	// StopGrace is how long the child has to exit after SIGTERM (from
	// Duration) or a forwarded interrupt before it is killed; default 10s.
	StopGrace time.Duration
	// Header is merged into the header Run writes: Source (default
	// record.SourceRun), Command (default Command), Scenario, Params,
	// GCProbeVersion are kept; PID, Env, GoVersion, GC, Host and Start are
	// filled in.
	Header record.Header
	// Record receives the run record (a file, or stdout).
	Record io.Writer
	// Stdin is the child's input (nil: empty). The child runs in a process
	// group of its own, so a terminal must not be given here: reading it
	// would stop the child (SIGTTIN).
	Stdin io.Reader
	// Stdout and Stderr receive the child's output (nil discards it).
	// Every stderr line that is not gctrace output passes through unchanged.
	Stdout, Stderr io.Writer
	// ShowGCTrace passes gctrace lines through to Stderr too.
	ShowGCTrace bool
	// Load, when set, runs once the child has started, writing to the
	// child's record (a load generator: wait for the service, load it).
	// When it returns the child is stopped as after Duration; when the
	// child exits first, Load's ctx is cancelled and Run waits for it.
	Load func(ctx context.Context, w *record.Writer) error
}

// Result is how the child ended.
type Result struct {
	// ExitCode is the child's exit status; for a death by signal N it is
	// 128+N, as shells report it.
	ExitCode int
	// Signal names the signal that killed the child ("SIGKILL"), or "".
	Signal string
	// Reason is one of record.EndExit, EndSignal, EndDuration,
	// EndInterrupted, or EndError when Options.Load failed.
	Reason string
	// LoadErr is Options.Load's error; ErrExitedDuringLoad when the child
	// exited before Load returned.
	LoadErr error
	// MixedGCTrace, when set, says why gctrace came from more than one
	// process; the record has a note and no GC cycle after the mixing.
	MixedGCTrace string
}

// ErrExitedDuringLoad is Result.LoadErr when the child exited while
// Options.Load was still running.
var ErrExitedDuringLoad = errors.New("the program exited before the load ended")

// ErrNotFound is returned, wrapped with the command's name, when the command
// does not exist.
var ErrNotFound = errors.New("command not found")

const (
	defaultInterval  = 250 * time.Millisecond
	defaultStopGrace = 10 * time.Second
	// streamGCWait is how long gc events from the child's event stream are
	// held waiting for gctrace to show a cycle.
	streamGCWait = 3 * time.Second
	// drainWait bounds the wait for the child's pipes to close after it
	// exited (a grandchild may hold them open).
	drainWait = 2 * time.Second
)

// LookPath resolves a command's name to the executable Run would start, with
// ErrNotFound for a command that does not exist.
func LookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", name, ErrNotFound)
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	return "", fmt.Errorf("%s: %w", name, err)
}

// Run runs the command and writes its record to opts.Record. It returns when
// the child has exited and the record's End is written. An error means the
// child could not be started (nothing was written) or the record could not
// be written.
func Run(ctx context.Context, opts Options) (Result, error) {
	if len(opts.Command) == 0 {
		return Result{}, errors.New("no command to run")
	}
	if opts.Record == nil {
		return Result{}, errors.New("no writer for the record")
	}
	if opts.Interval <= 0 {
		opts.Interval = defaultInterval
	}
	if opts.StopGrace <= 0 {
		opts.StopGrace = defaultStopGrace
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if sameWriter(opts.Stdout, opts.Stderr) {
		// Both streams are copied by goroutines of their own.
		lw := &lockedWriter{w: opts.Stderr}
		opts.Stdout, opts.Stderr = lw, lw
	}
	path, err := LookPath(opts.Command[0])
	if err != nil {
		return Result{}, err
	}
	env, err := childEnv(os.Environ(), opts.Env, opts.GOGC, opts.MemLimit)
	if err != nil {
		return Result{}, err
	}
	c, err := start(path, env, opts)
	if err != nil {
		return Result{}, err
	}
	return c.observe(ctx, opts)
}

// running is a started child and the record being written about it.
type running struct {
	cmd      *exec.Cmd
	stderr   *os.File // read end of the child's stderr
	events   *os.File // read end of the child's event stream
	w        *record.Writer
	gcs      *gcSource
	classify classifier
	notGo    bool // the command is not a Go binary (a wrapper?)
	// offset is the child's start in seconds on the record's clock: the
	// record starts just before the fork, the child's runtime just after
	// the exec, which Start waits for.
	offset float64
}

// start starts the child and writes the record's header.
func start(path string, env []string, opts Options) (*running, error) {
	build, buildErr := host.ReadBuild(path)
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	eventsR, eventsW, err := os.Pipe()
	if err != nil {
		stderrR.Close()
		stderrW.Close()
		return nil, err
	}
	cmd := exec.Command(path, opts.Command[1:]...)
	cmd.Args[0] = opts.Command[0]
	cmd.Env = env
	cmd.Stdin = opts.Stdin
	cmd.Stdout = opts.Stdout
	cmd.Stderr = stderrW
	cmd.ExtraFiles = []*os.File{eventsW} // fd 3 = eventsFD
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = drainWait
	t0 := time.Now()
	err = cmd.Start()
	t1 := time.Now()
	stderrW.Close()
	eventsW.Close()
	if err != nil {
		stderrR.Close()
		eventsR.Close()
		return nil, fmt.Errorf("starting %s: %w", opts.Command[0], err)
	}

	h := opts.Header
	h.Schema = ""
	if h.Source == "" {
		h.Source = record.SourceRun
	}
	if h.Command == nil {
		h.Command = opts.Command
	}
	h.PID = cmd.Process.Pid
	h.Env = host.GCEnv(env)
	h.GoVersion, h.GC = build.GoVersion, build.GC
	h.Host = host.Describe()
	h.Start = t0
	w, err := record.NewWriter(opts.Record, h)
	if err != nil {
		signalGroup(cmd.Process, syscall.SIGKILL)
		cmd.Wait()
		stderrR.Close()
		eventsR.Close()
		return nil, err
	}
	if buildErr != nil {
		w.Note(record.NoteInfo, "no Go version or GC in the header: %s is not a Go binary gcprobe can read (%v)", path, buildErr)
	}
	godebug := h.Env["GODEBUG"]
	return &running{
		cmd: cmd, stderr: stderrR, events: eventsR, w: w,
		gcs:      newGCSource(w, streamGCWait),
		classify: newClassifier(godebugHas(godebug, "scavtrace")),
		notGo:    buildErr != nil,
		offset:   t1.Sub(t0).Seconds(),
	}, nil
}

// observe reads the child's streams and samples it until it exits, stopping
// it on ctx's cancellation or after opts.Duration, then writes the End.
func (c *running) observe(ctx context.Context, opts Options) (Result, error) {
	var readers sync.WaitGroup
	readers.Go(func() { readStderr(c.stderr, opts.Stderr, c.classify, opts.ShowGCTrace, c.offset, c.gcs) })
	readers.Go(func() { readEvents(c.events, c.offset, c.w, c.gcs) })

	sctx, stopSampling := context.WithCancel(context.Background())
	var sampling sync.WaitGroup
	s, err := newSampler(c.cmd.Process.Pid)
	if err == nil {
		s.follow = c.notGo
	}
	if err != nil {
		c.w.Note(record.NoteWarning, "cannot sample the child's RSS and CPU: %v", err)
	} else {
		sampling.Go(func() {
			defer s.close()
			sampleLoop(sctx, s, opts.Interval, c.w)
		})
	}

	load := startLoad(opts.Load, c.w)
	reason, waitErr := c.wait(ctx, opts, load)
	loadErr := load.finish()
	stopSampling()
	sampling.Wait()
	c.drain(&readers)
	c.gcs.finish()

	if c.cmd.ProcessState == nil {
		c.w.Write(record.Event{End: &record.End{Reason: record.EndError, Error: waitErr.Error()}})
		return Result{Reason: record.EndError}, fmt.Errorf("waiting for %s: %w", opts.Command[0], waitErr)
	}
	if peak, cpu, ok := finalUsage(c.cmd.ProcessState); ok {
		// ru_maxrss can be a little below the last VmHWM read.
		if s != nil {
			peak = max(peak, s.peak)
		}
		c.w.Write(record.Event{Sample: &record.Sample{RSSPeakBytes: peak, CPUSecondsTotal: cpu}})
	}
	code, sig := exitInfo(c.cmd.ProcessState)
	if reason == "" {
		reason = record.EndExit
		if sig != "" {
			reason = record.EndSignal
		}
	}
	if errors.Is(loadErr, ErrExitedDuringLoad) && reason != record.EndInterrupted {
		c.w.Note(record.NoteWarning, "the program exited while under load; the load stopped with it")
	}
	res := Result{ExitCode: code, Signal: sig, Reason: reason, LoadErr: loadErr, MixedGCTrace: c.gcs.mixedWhy()}
	end := record.End{Reason: reason, ExitCode: code, Signal: sig}
	if loadErr != nil && !errors.Is(loadErr, ErrExitedDuringLoad) {
		res.Reason, end.Reason, end.Error = record.EndError, record.EndError, "load: "+loadErr.Error()
	}
	err = c.w.Write(record.Event{End: &end})
	return res, err
}

// wait waits for the child to exit. On ctx's cancellation it forwards the
// signal (SIGINT, or SIGTERM when that was the cause) to the child's process
// group, and any further SIGINT or SIGTERM gcprobe gets becomes SIGKILL;
// after opts.Duration it sends SIGTERM. A child still running StopGrace
// after either is killed. reason is "" when the child exited by itself.
func (c *running) wait(ctx context.Context, opts Options, load *loadRun) (reason string, err error) {
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()

	var durC, killC <-chan time.Time
	if opts.Duration > 0 {
		t := time.NewTimer(opts.Duration)
		defer t.Stop()
		durC = t.C
	}
	check := time.NewTicker(time.Second)
	defer check.Stop()
	ctxDone := ctx.Done()
	var again chan os.Signal
	for {
		select {
		case err := <-done:
			return reason, err
		case <-durC:
			durC = nil
			reason = record.EndDuration
			signalGroup(c.cmd.Process, syscall.SIGTERM)
			killC = time.After(opts.StopGrace)
		case <-load.doneC():
			load = nil
			if reason == "" {
				reason = record.EndDuration
				signalGroup(c.cmd.Process, syscall.SIGTERM)
				killC = time.After(opts.StopGrace)
			}
		case <-ctxDone:
			ctxDone, durC = nil, nil
			if reason == "" {
				reason = record.EndInterrupted
			}
			again = make(chan os.Signal, 1)
			signal.Notify(again, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(again)
			signalGroup(c.cmd.Process, causeSignal(ctx))
			killC = time.After(opts.StopGrace)
		case <-again:
			signalGroup(c.cmd.Process, syscall.SIGKILL)
		case <-killC:
			killC = nil
			c.w.Note(record.NoteWarning, "the child did not exit within %v of being asked to; killed it", opts.StopGrace)
			signalGroup(c.cmd.Process, syscall.SIGKILL)
		case now := <-check.C:
			c.gcs.check(now)
		}
	}
}

// causeSignal is the signal to forward for ctx's cancellation: SIGTERM when
// signal.NotifyContext cancelled it for a SIGTERM, SIGINT otherwise.
func causeSignal(ctx context.Context) syscall.Signal {
	if cause := context.Cause(ctx); cause != nil && strings.Contains(cause.Error(), syscall.SIGTERM.String()) {
		return syscall.SIGTERM
	}
	return syscall.SIGINT
}

// drain waits for the readers of the child's pipes to reach their end; if a
// grandchild keeps a pipe open, it closes the pipes after drainWait.
func (c *running) drain(readers *sync.WaitGroup) {
	finished := make(chan struct{})
	go func() { readers.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(drainWait):
		c.stderr.Close()
		c.events.Close()
		<-finished
		c.w.Note(record.NoteWarning, "the child's output stayed open after it exited (a process it started?); stopped reading it")
	}
	c.stderr.Close()
	c.events.Close()
}

// sameWriter reports whether a and b are one writer, without panicking on
// writers of uncomparable types.
func sameWriter(a, b io.Writer) bool {
	if a == nil || b == nil {
		return false
	}
	ta := reflect.TypeOf(a)
	return ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

// lockedWriter serialises writes from the child's stdout and stderr copiers
// when both go to one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
