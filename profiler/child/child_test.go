//go:build linux

package child

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

var allocatorBin struct {
	once sync.Once
	path string
	err  error
	dir  string
}

// allocator builds testdata/progs/allocator once and returns its path.
func allocator(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary; skipped with -short")
	}
	allocatorBin.once.Do(func() {
		allocatorBin.dir, allocatorBin.err = os.MkdirTemp("", "gcprobe-child-test")
		if allocatorBin.err != nil {
			return
		}
		p := filepath.Join(allocatorBin.dir, "allocator")
		out, err := exec.Command("go", "build", "-o", p, "../../testdata/progs/allocator").CombinedOutput()
		if err != nil {
			allocatorBin.err = errors.New(string(out))
		}
		allocatorBin.path = p
	})
	if allocatorBin.err != nil {
		t.Fatalf("building the allocator: %v", allocatorBin.err)
	}
	return allocatorBin.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if allocatorBin.dir != "" {
		os.RemoveAll(allocatorBin.dir)
	}
	os.Exit(code)
}

// runResult is one Run with everything it wrote.
type runResult struct {
	res            Result
	rec            *record.Run
	stdout, stderr string
}

func runChild(t *testing.T, ctx context.Context, opts Options) runResult {
	t.Helper()
	var rec, stdout, stderr bytes.Buffer
	opts.Record, opts.Stdout, opts.Stderr = &rec, &stdout, &stderr
	res, err := Run(ctx, opts)
	if err != nil {
		t.Fatalf("Run: %v\nstderr: %s", err, stderr.String())
	}
	run, err := record.Read(&rec, "record")
	if err != nil {
		t.Fatalf("reading the record: %v\n%s", err, rec.String())
	}
	return runResult{res, run, stdout.String(), stderr.String()}
}

func count(run *record.Run, kind string) int {
	n := 0
	for _, e := range run.Events {
		if e.Kind() == kind {
			n++
		}
	}
	return n
}

func checkEnd(t *testing.T, run *record.Run, want record.End) {
	t.Helper()
	end := run.End()
	if end == nil {
		t.Fatalf("no end event")
	}
	if *end != want {
		t.Errorf("end = %+v, want %+v", *end, want)
	}
	if last := run.Events[len(run.Events)-1]; last.End == nil {
		t.Errorf("last event is %q, not the end", last.Kind())
	}
}

func TestRunExit(t *testing.T) {
	bin := allocator(t)
	for _, code := range []int{0, 3} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			r := runChild(t, context.Background(), Options{
				Command:  []string{bin, "-for", "600ms", "-exit", strconv.Itoa(code)},
				Interval: 50 * time.Millisecond,
				GOGC:     "50",
				MemLimit: "1GiB",
			})
			if r.res != (Result{ExitCode: code, Reason: record.EndExit}) {
				t.Errorf("result = %+v", r.res)
			}
			checkEnd(t, r.rec, record.End{Reason: record.EndExit, ExitCode: code})
			h := r.rec.Header
			if h.Source != record.SourceRun || h.PID == 0 || h.GoVersion == "" || h.GC == "" || h.Host.CPUs == 0 {
				t.Errorf("header incomplete: %+v", h)
			}
			if h.Env["GOGC"] != "50" || h.Env["GOMEMLIMIT"] != "1073741824" || !strings.Contains(h.Env["GODEBUG"], "gctrace=1") {
				t.Errorf("header env = %v", h.Env)
			}
			var rss, peak, cpu bool
			for _, e := range r.rec.Events {
				if s := e.Sample; s != nil && s.RSSBytes > 0 {
					rss = true
					peak = peak || s.RSSPeakBytes >= s.RSSBytes
					cpu = cpu || s.CPUSecondsTotal > 0
				}
			}
			if !rss || !peak || !cpu {
				t.Errorf("samples: rss %v, peak >= rss %v, cpu %v", rss, peak, cpu)
			}
			// The last sample is the kernel's account at exit: the
			// highest peak and the most CPU.
			var maxPeak uint64
			var last record.Sample
			for _, e := range r.rec.Events {
				if e.Sample != nil {
					maxPeak = max(maxPeak, e.Sample.RSSPeakBytes)
					last = *e.Sample
				}
			}
			if last.RSSBytes != 0 || last.RSSPeakBytes != maxPeak || last.CPUSecondsTotal <= 0 {
				t.Errorf("final sample %+v, highest peak %d", last, maxPeak)
			}
			if !strings.Contains(r.stdout, "allocator: stdout line\n") {
				t.Errorf("stdout not passed through: %q", r.stdout)
			}
			if !strings.Contains(r.stderr, "allocator: starting\n") || !strings.Contains(r.stderr, "allocator: done allocating") {
				t.Errorf("stderr not passed through: %q", r.stderr)
			}
		})
	}
}

func TestRunEventStream(t *testing.T) {
	bin := allocator(t)
	r := runChild(t, context.Background(), Options{Command: []string{bin, "-for", "100ms", "-bad-events"}})
	var note, sample, warning bool
	for _, e := range r.rec.Events {
		switch {
		case e.Note != nil && e.Note.Message == "allocator started":
			note = true
		case e.Note != nil && e.Note.Level == record.NoteWarning && strings.Contains(e.Note.Message, "event stream line 2"):
			warning = true
		case e.Sample != nil && e.Sample.Goroutines == 1:
			sample = true
			if e.T <= 0 || e.T > 60 {
				t.Errorf("stream sample at t=%v", e.T)
			}
		}
	}
	if !note || !sample || !warning {
		t.Errorf("from the event stream: note %v, sample %v, warning for the bad line %v\n%+v", note, sample, warning, r.rec.Events)
	}
}

func TestRunSignal(t *testing.T) {
	bin := allocator(t)
	f, err := os.CreateTemp(t.TempDir(), "rec")
	if err != nil {
		t.Fatal(err)
	}
	// Kill the child from outside once the record names its PID.
	go func() {
		for range 1500 {
			time.Sleep(20 * time.Millisecond)
			if run, err := record.ReadFile(f.Name()); err == nil && run.Header.PID > 0 {
				syscall.Kill(run.Header.PID, syscall.SIGKILL)
				return
			}
		}
	}()
	res, err := Run(context.Background(), Options{Command: []string{bin, "-hang"}, Record: f})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := Result{ExitCode: 128 + 9, Signal: "SIGKILL", Reason: record.EndSignal}
	if res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	run, err := record.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	checkEnd(t, run, record.End{Reason: record.EndSignal, ExitCode: 137, Signal: "SIGKILL"})
}

func TestRunPanic(t *testing.T) {
	bin := allocator(t)
	r := runChild(t, context.Background(), Options{Command: []string{bin, "-for", "50ms", "-panic"}})
	checkEnd(t, r.rec, record.End{Reason: record.EndExit, ExitCode: 2})
	if !strings.Contains(r.stderr, "panic: allocator: asked to panic") || !strings.Contains(r.stderr, "goroutine 1") {
		t.Errorf("the panic's stack did not pass through: %q", r.stderr)
	}
}

func TestRunDuration(t *testing.T) {
	bin := allocator(t)
	t0 := time.Now()
	r := runChild(t, context.Background(), Options{Command: []string{bin, "-hang"}, Duration: 400 * time.Millisecond})
	if d := time.Since(t0); d > 15*time.Second {
		t.Errorf("took %v", d)
	}
	checkEnd(t, r.rec, record.End{Reason: record.EndDuration, ExitCode: 128 + 15, Signal: "SIGTERM"})
}

// signalWriter passes writes to w and closes ready once it has seen mark.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	mark  string
	ready chan struct{}
}

func (s *signalWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if s.ready != nil && strings.Contains(s.buf.String(), s.mark) {
		close(s.ready)
		s.ready = nil
	}
	return len(p), nil
}

func TestRunKillsAfterGrace(t *testing.T) {
	bin := allocator(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Interrupt once the child ignores signals (it says so on stderr).
	ready := make(chan struct{})
	stderr := &signalWriter{mark: "allocator: starting", ready: ready}
	go func() {
		<-ready
		cancel()
	}()
	var rec bytes.Buffer
	res, err := Run(ctx, Options{
		Command:   []string{bin, "-hang", "-ignore-signals"},
		StopGrace: 300 * time.Millisecond,
		Record:    &rec,
		Stderr:    stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Result{ExitCode: 128 + 9, Signal: "SIGKILL", Reason: record.EndInterrupted}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if !strings.Contains(rec.String(), "did not exit within 300ms") {
		t.Errorf("no note about the kill:\n%s", rec.String())
	}
}

func TestRunInterrupt(t *testing.T) {
	bin := allocator(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	r := runChild(t, ctx, Options{Command: []string{bin, "-hang"}})
	checkEnd(t, r.rec, record.End{Reason: record.EndInterrupted, ExitCode: 128 + 2, Signal: "SIGINT"})
}

func TestRunBadInput(t *testing.T) {
	var rec bytes.Buffer
	_, err := Run(context.Background(), Options{Command: []string{"gcprobe-no-such-command"}, Record: &rec})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "gcprobe-no-such-command") {
		t.Errorf("missing command: %v", err)
	}
	if _, err := Run(context.Background(), Options{Record: &rec}); err == nil {
		t.Errorf("no command: no error")
	}
	if _, err := Run(context.Background(), Options{Command: []string{"true"}, GOGC: "lots", Record: &rec}); err == nil || !strings.Contains(err.Error(), "GOGC") {
		t.Errorf("bad GOGC: %v", err)
	}
	if rec.Len() != 0 {
		t.Errorf("a failed start wrote a record: %q", rec.String())
	}
}

func TestRunNotGo(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	r := runChild(t, context.Background(), Options{Command: []string{"sh", "-c", "echo out; echo err >&2; exit 4"}})
	checkEnd(t, r.rec, record.End{Reason: record.EndExit, ExitCode: 4})
	if r.stdout != "out\n" || r.stderr != "err\n" {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	if r.rec.Header.GoVersion != "" {
		t.Errorf("go version %q for sh", r.rec.Header.GoVersion)
	}
	if count(r.rec, record.KindNote) == 0 {
		t.Errorf("no note saying sh is not a Go binary")
	}
}

// TestRunRefusesMixedGCTrace: a wrapper script that starts two Go programs
// gets both their gctrace lines on one stderr; gcprobe must see that the
// cycle numbers restart or interleave, say so, and record no mixed cycles.
func TestRunRefusesMixedGCTrace(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	bin := allocator(t)
	script := bin + " -for 400ms & " + bin + " -for 400ms; wait"
	r := runChild(t, context.Background(), Options{Command: []string{"sh", "-c", script}})
	if r.res.MixedGCTrace == "" {
		t.Fatalf("two Go programs' gctrace not detected; %d gc events", count(r.rec, record.KindGC))
	}
	var ns []uint64
	for _, e := range r.rec.Events {
		if e.GC != nil {
			ns = append(ns, e.GC.N)
		}
	}
	for i := 1; i < len(ns); i++ {
		if ns[i] <= ns[i-1] {
			t.Errorf("recorded cycles %v: numbers from two processes", ns)
			break
		}
	}
	var note bool
	for _, e := range r.rec.Events {
		note = note || e.Note != nil && strings.Contains(e.Note.Message, "more than one process")
	}
	if !note {
		t.Error("no note saying gctrace came from more than one process")
	}
}

func TestInterleaved(t *testing.T) {
	for _, tc := range []struct {
		prev, g record.GC
		mixed   bool
	}{
		{record.GC{}, record.GC{N: 1, StartSeconds: 0.1}, false},
		{record.GC{N: 1, StartSeconds: 0.1}, record.GC{N: 2, StartSeconds: 0.2}, false},
		{record.GC{N: 1, StartSeconds: 0.1}, record.GC{N: 3, StartSeconds: 0.2}, false}, // a line lost: still one process
		{record.GC{N: 5, StartSeconds: 1}, record.GC{N: 1, StartSeconds: 1.1}, true},    // restarts
		{record.GC{N: 5, StartSeconds: 1}, record.GC{N: 5, StartSeconds: 1.1}, true},    // twice the same number
		{record.GC{N: 5, StartSeconds: 1}, record.GC{N: 6, StartSeconds: 0.5}, true},    // time goes back
	} {
		if got := interleaved(tc.prev, tc.g) != ""; got != tc.mixed {
			t.Errorf("gc %v after %v: mixed %v, want %v", tc.g, tc.prev, got, tc.mixed)
		}
	}
}

// TestRunSamplesTheGoProgram: under a wrapper script, the RSS sampled is
// that of the Go program the script starts (the one gctrace comes from),
// not the shell's.
func TestRunSamplesTheGoProgram(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	bin := allocator(t)
	r := runChild(t, context.Background(), Options{Interval: 20 * time.Millisecond,
		Command: []string{"sh", "-c", bin + " -for 800ms; echo done"}})
	var note bool
	var maxRSS uint64
	for _, e := range r.rec.Events {
		note = note || e.Note != nil && strings.Contains(e.Note.Message, "the Go program the command started")
		if e.Sample != nil {
			maxRSS = max(maxRSS, e.Sample.RSSBytes)
		}
	}
	if !note {
		t.Error("no note saying which process is sampled")
	}
	// Measured here: the shell's RSS is 1.7 MiB, the allocator's 9-15 MiB.
	if maxRSS < 6<<20 {
		t.Errorf("largest RSS sampled %d MiB: the shell's, not the Go program's", maxRSS>>20)
	}
}
