// Package extload runs a user's own load generator (k6, vegeta, wrk2, a
// script) beside a measured program: in a shell, without the GC settings
// gcprobe gives the program, stopped with the measured window, its output
// kept in gcprobe's log. When its stdout is vegeta's JSON results (vegeta
// attack ... | vegeta encode), each result's latency goes to the run record
// as Latency events, as gcprobe's own load generator writes them.
package extload

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
)

// Config says what to run.
type Config struct {
	// Command is run by sh -c.
	Command string
	// Env is the environment to clean and give it (os.Environ() if nil).
	Env []string
	// Duration stops it (SIGTERM to its process group, SIGKILL after
	// StopGrace) if it is still running; 0 waits for it to exit.
	Duration  time.Duration
	StopGrace time.Duration
	// Log receives its stderr, and the stdout lines that are not vegeta
	// results, each line prefixed with "load-cmd: ".
	Log io.Writer
	// Record receives Latency events from vegeta results; Interval is
	// their length (default 100ms).
	Record   *record.Writer
	Interval time.Duration
}

// Result is what the command did.
type Result struct {
	// Results counts the vegeta results read from its stdout.
	Results uint64
	// Stopped is set when Duration (or ctx) stopped it.
	Stopped bool
	// Err is how it ended when it failed by itself (exit status N).
	Err error
}

// gcEnv are the variables gcprobe sets for the measured program and must
// not leak into a load generator written in Go: its GC would then follow
// the program's settings, and with gctrace on, its cycles would mix with
// the program's in one trace.
var gcEnv = []string{"GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS", "GCPROBE_EVENTS_FD"}

// CleanEnv returns env without the GC settings gcprobe gives the program.
func CleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, g := range gcEnv {
			drop = drop || k == g
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}

// Run runs the command until it exits, Duration passes or ctx is done.
// The error is one of starting it or of writing the record.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Env == nil {
		cfg.Env = os.Environ()
	}
	if cfg.StopGrace <= 0 {
		cfg.StopGrace = 5 * time.Second
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	cmd := exec.Command("sh", "-c", cfg.Command)
	cmd.Env = CleanEnv(cfg.Env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return Result{}, err
	}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("starting --load-cmd: %w", err)
	}
	log := &lineLog{w: cfg.Log}
	hist, outcomes := new(loadgen.Histogram), new(loadgen.Outcomes)
	var res Result
	var readers sync.WaitGroup
	readers.Go(func() { copyLines(stderr, log) })
	readers.Go(func() { res.Results = readResults(stdout, log, cfg.Record, hist, outcomes) })

	stop := make(chan struct{})
	reported := make(chan error, 1)
	if cfg.Record != nil {
		go func() { reported <- loadgen.ReportOutcomes(cfg.Record, hist, outcomes, "", cfg.Interval, stop) }()
	} else {
		reported <- nil
	}

	done := make(chan error, 1)
	go func() { readers.Wait(); done <- cmd.Wait() }()
	var timeout <-chan time.Time
	if cfg.Duration > 0 {
		t := time.NewTimer(cfg.Duration)
		defer t.Stop()
		timeout = t.C
	}
	var kill <-chan time.Time
	ctxDone := ctx.Done()
	for waiting := true; waiting; {
		select {
		case err := <-done:
			if !res.Stopped && err != nil {
				res.Err = err
			}
			waiting = false
		case <-timeout:
			timeout, res.Stopped = nil, true
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			kill = time.After(cfg.StopGrace)
		case <-ctxDone:
			ctxDone, res.Stopped = nil, true
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			kill = time.After(cfg.StopGrace)
		case <-kill:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	close(stop)
	return res, <-reported
}

// vegetaResult is the part of vegeta's JSON result that gcprobe reads
// (vegeta encode's default format, one object a line).
type vegetaResult struct {
	Code      *int      `json:"code"`
	Timestamp time.Time `json:"timestamp"`
	Latency   *int64    `json:"latency"` // nanoseconds
	Error     string    `json:"error"`
}

// readResults reads the command's stdout: vegeta results go to the
// histogram and outcomes, any other line to the log.
func readResults(r io.Reader, log *lineLog, w *record.Writer, h *loadgen.Histogram, o *loadgen.Outcomes) uint64 {
	br := bufio.NewReaderSize(r, 64<<10)
	var n uint64
	var epoch time.Time
	if w != nil {
		epoch = w.Start()
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if v, ok := parseVegeta(line); ok {
				n++
				count(v, epoch, h, o)
			} else {
				log.write(line)
			}
		}
		if err != nil {
			return n
		}
	}
}

// parseVegeta reads one line of vegeta's JSON results.
func parseVegeta(line []byte) (vegetaResult, bool) {
	var v vegetaResult
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &v) != nil {
		return v, false
	}
	return v, v.Code != nil && v.Latency != nil && !v.Timestamp.IsZero()
}

// count puts one vegeta result in the histogram (latency from the time
// vegeta sent it, on the record's clock) and the outcomes.
func count(v vegetaResult, epoch time.Time, h *loadgen.Histogram, o *loadgen.Outcomes) {
	lat := time.Duration(*v.Latency)
	switch {
	case *v.Code != 0:
		o.Status(*v.Code)
	case isTimeout(v.Error):
		o.Timeout()
	default:
		o.Error(vegetaError(v.Error))
		return // no response: not the service's latency
	}
	h.Record(v.Timestamp.Sub(epoch), lat)
}

func isTimeout(msg string) bool {
	return strings.Contains(msg, "Timeout") || strings.Contains(msg, "timeout") || strings.Contains(msg, "deadline exceeded")
}

// vegetaError wraps a vegeta error message so that its last part
// ("connect: connection refused") is its cause: messages that differ only
// in a connection's port count as one in the record's notes.
func vegetaError(msg string) error {
	if msg == "" {
		msg = "no response"
	}
	i := strings.LastIndex(msg, ": ")
	if i < 0 {
		return errors.New(msg)
	}
	return fmt.Errorf("%s: %w", msg[:i], errors.New(msg[i+2:]))
}

// lineLog writes whole lines, prefixed, from two readers at once.
type lineLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineLog) write(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "load-cmd: %s", line)
	if line[len(line)-1] != '\n' {
		io.WriteString(l.w, "\n")
	}
}

func copyLines(r io.Reader, log *lineLog) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			log.write(line)
		}
		if err != nil {
			return
		}
	}
}
