package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/internal/testservice"
	"github.com/gcprobe/gcprobe/record"
)

// service is the test service running as a real process on 127.0.0.1.
type service struct {
	url string
	cmd *exec.Cmd
	svc *testservice.Service
}

// startService starts the test service with the given endpoints mounted,
// and stops it when the test ends.
func startService(t *testing.T, endpoints string) *service {
	t.Helper()
	svc := testservice.Start(t, endpoints)
	return &service{url: svc.URL, cmd: svc.Cmd, svc: svc}
}

// load sends allocating requests from two clients until d has passed or max
// requests were sent, and returns how many were.
func (s *service) load(d time.Duration, max int64) int64 {
	return int64(s.svc.Load(d, int(max), 256, 2))
}

// gcprobeCtx is gcprobe with a context, for interrupting a command.
func gcprobeCtx(ctx context.Context, args ...string) result {
	var out, errb bytes.Buffer
	err := run(ctx, stdio{in: strings.NewReader(""), out: &out, err: &errb}, args)
	code := exitCode(&errb, err)
	return result{out.String(), errb.String(), code}
}

func readRun(t *testing.T, path string) (*record.Run, map[string][]record.Event) {
	t.Helper()
	run, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]record.Event{}
	for _, e := range run.Events {
		by[e.Kind()] = append(by[e.Kind()], e)
	}
	if run.End() == nil {
		t.Fatalf("%s has no end event", path)
	}
	return run, by
}

// TestAttachSources attaches to the service through each source while the
// test loads it, and checks the cycles and pauses against the service's own
// count over the same window.
func TestAttachSources(t *testing.T) {
	for _, tc := range []struct {
		name, source, endpoints string
		// pauseTol is how far the recorded pause total may be from the
		// service's, relative: expvar and Prometheus carry exact
		// nanoseconds; the agent has bucket midpoints of runtime/metrics'
		// pause histogram, whose buckets are a quarter of a power of two
		// wide: a midpoint is within 12.5% of the pause it stands for.
		pauseTol float64
		extra    []string
	}{
		{"agent", "agent", "agent,pprof", 0.125, []string{"--profiles", "heap,allocs", "--cpu-profile", "1s"}},
		{"expvar", "expvar", "expvar", 1e-6, nil},
		{"prometheus", "prometheus", "prometheus", 1e-6, nil},
		{"prometheus with runtime metrics", "prometheus", "prometheus-runtime", 1e-6, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := startService(t, tc.endpoints)
			out := filepath.Join(t.TempDir(), "run.jsonl")
			before := svc.svc.GCStats(t)
			done := make(chan result, 1)
			go func() {
				args := append([]string{"attach", "--pid", fmt.Sprint(svc.cmd.Process.Pid), "--url", svc.url,
					"--source", tc.source, "--duration", "2500ms", "--interval", "100ms", "-o", out}, tc.extra...)
				done <- gcprobe(t, args...)
			}()
			// Load only once attach has its baseline (its first sample
			// is in the record): on a busy machine attach can take more
			// than a fixed sleep to start, and cycles run before its
			// baseline would be missed.
			waitForRecord(t, out, `"sample":`, 10*time.Second)
			sent := svc.load(1500*time.Millisecond, 20000)
			r := <-done
			after := svc.svc.GCStats(t)
			if r.code != 0 {
				t.Fatalf("attach: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			run, by := readRun(t, out)
			if h := run.Header; h.Source != record.SourceAttach || h.Attach == nil || h.Attach.Via != tc.source ||
				h.PID != svc.cmd.Process.Pid || h.GoVersion == "" {
				t.Errorf("header: %+v %+v", h, h.Attach)
			}
			if e := run.End(); e.Reason != record.EndDuration {
				t.Errorf("end: %+v", e)
			}
			checkProgram(t, run.Header.Program, record.ProgramFromProc, svc)
			if n := len(by[record.KindSample]); n < 5 {
				t.Errorf("%d samples", n)
			}
			for _, e := range by[record.KindSample] {
				if s := e.Sample; s.RSSBytes == 0 || s.RSSPeakBytes < s.RSSBytes {
					t.Fatalf("sample without RSS: %+v", s)
				}
			}
			if s := by[record.KindSample][len(by[record.KindSample])-1].Sample; s.CPUSecondsTotal <= 0 || s.GCCyclesTotal == 0 {
				t.Errorf("last sample without CPU or GC count: %+v", s)
			}
			gcs := by[record.KindGC]
			var pause, maxPause float64
			for _, e := range gcs {
				pause += e.GC.PauseSeconds
				maxPause = max(maxPause, e.GC.PauseSeconds)
			}
			if tc.source == "prometheus" {
				// Prometheus gives each poll's count and sum, not
				// each cycle's pause (see TestAttachPrometheusPauses).
				pause = 0
				for _, e := range by[record.KindPauses] {
					pause += e.Pauses.SumSeconds
					maxPause = max(maxPause, e.Pauses.MaxSeconds)
				}
			}
			wantN := after.NumGC - before.NumGC
			wantPause := float64(after.PauseTotalNs-before.PauseTotalNs) / 1e9
			t.Logf("%s: %d requests; service: %d cycles, pauses %.6fs; attach: %d cycles, pauses %.6fs (%+.2f%%)",
				tc.name, sent, wantN, wantPause, len(gcs), pause, 100*(pause-wantPause)/wantPause)
			if wantN < 5 {
				t.Fatalf("the load caused only %d GC cycles", wantN)
			}
			if d := int64(len(gcs)) - wantN; d < -1 || d > 1 {
				t.Errorf("attach recorded %d cycles, the service counted %d", len(gcs), wantN)
			}
			tol := tc.pauseTol * wantPause
			if int64(len(gcs)) != wantN {
				tol += maxPause // one cycle more or less
			}
			if math.Abs(pause-wantPause) > tol+1e-6 {
				t.Errorf("pause total %.6fs, the service's %.6fs: off by more than %.6fs", pause, wantPause, tol)
			}
			for i, e := range gcs {
				if i > 0 && e.GC.N != gcs[i-1].GC.N+1 {
					t.Errorf("cycle %d follows %d", e.GC.N, gcs[i-1].GC.N)
				}
			}
			if (tc.source == "agent" || tc.endpoints == "prometheus-runtime") && len(by[record.KindPauses]) == 0 {
				t.Errorf("no pause histogram events from %s", tc.endpoints)
			}
			if len(tc.extra) > 0 {
				checkProfiles(t, out, by[record.KindProfile], "heap.start", "allocs.start", "heap.end", "allocs.end", "cpu")
			}
		})
	}
}

// waitForRecord waits until the record at path holds a line containing
// substr, for at most d.
func waitForRecord(t *testing.T, path, substr string, d time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(substr)) {
			return
		}
	}
	t.Fatalf("%s has no %s line after %v", path, substr, d)
}

// checkProgram checks that a header names the service by its command
// line, from the given source.
func checkProgram(t *testing.T, p *record.Program, from string, svc *service) {
	t.Helper()
	if p == nil {
		t.Fatal("the header does not name the program")
	}
	if p.From != from || p.Name != filepath.Base(svc.cmd.Path) || len(p.Args) != len(svc.cmd.Args) || p.Args[0] != svc.cmd.Path || p.Args[1] != "-endpoints" {
		t.Errorf("program %+v, want %s from %s with args %q", p, filepath.Base(svc.cmd.Path), from, svc.cmd.Args)
	}
}

// TestAttachNamesProgram attaches by URL only: the agent and expvar name
// the program (its os.Args), and the report's title shows it.
func TestAttachNamesProgram(t *testing.T) {
	for _, tc := range []struct{ endpoints, from string }{
		{"agent", record.ProgramFromAgent},
		{"expvar", record.ProgramFromExpvar},
	} {
		t.Run(tc.endpoints, func(t *testing.T) {
			t.Parallel()
			svc := startService(t, tc.endpoints)
			out := filepath.Join(t.TempDir(), "run.jsonl")
			if r := gcprobe(t, "attach", "--url", svc.url, "--duration", "300ms", "--interval", "100ms", "-o", out); r.code != 0 {
				t.Fatalf("attach: exit %d\n%s", r.code, r.stderr)
			}
			run, _ := readRun(t, out)
			checkProgram(t, run.Header.Program, tc.from, svc)
			html := filepath.Join(t.TempDir(), "r.html")
			if r := gcprobe(t, "report", out, "-o", html); r.code != 0 {
				t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
			}
			b, _ := os.ReadFile(html)
			if want := "<title>GC report: " + svc.cmd.Path + " -endpoints " + tc.endpoints; !strings.Contains(string(b), want) {
				t.Errorf("the report's title does not name the program: want %q in\n%.400s", want, b)
			}
		})
	}
}

// TestAttachOtherProcess gives --pid of one service and --url of another:
// each source's endpoint says which process it is (the agent its PID,
// expvar its cmdline, Prometheus its start time), and attach refuses with
// exit status 2 rather than record one process's RSS beside the other's GC.
func TestAttachOtherProcess(t *testing.T) {
	for _, tc := range []struct{ source, endpoints string }{
		{"agent", "agent"}, {"expvar", "expvar"}, {"prometheus", "prometheus"},
	} {
		t.Run(tc.source, func(t *testing.T) {
			t.Parallel()
			a := startService(t, tc.endpoints)
			// Another command line, and a start time apart by more
			// than the boot time's whole-second rounding.
			time.Sleep(1600 * time.Millisecond)
			b := startService(t, tc.endpoints+",pprof")
			out := filepath.Join(t.TempDir(), "x.jsonl")
			r := gcprobe(t, "attach", "--pid", fmt.Sprint(a.cmd.Process.Pid), "--url", b.url, "--source", tc.source,
				"--duration", "100ms", "-o", out)
			if r.code != 2 || !strings.Contains(r.stderr, "different processes") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line saying the processes differ", r.code, r.stderr)
			}
			if b, err := os.ReadFile(out); err == nil {
				t.Errorf("a record was written for two different processes:\n%s", b)
			}
		})
	}
}

// checkProfiles checks that the record references the profiles and that
// each file beside it is a gzipped profile.
func checkProfiles(t *testing.T, out string, evs []record.Event, want ...string) {
	t.Helper()
	got := map[string]bool{}
	for _, e := range evs {
		p := e.Profile
		name := p.Kind
		if p.When != "" {
			name += "." + p.When
		}
		got[name] = true
		b, err := os.ReadFile(filepath.Join(filepath.Dir(out), p.Path))
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("profile %s: %v, %d bytes", p.Path, err, len(b))
		}
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("no %s profile in %v", w, got)
		}
	}
}

// TestAttachTargetKilled kills the service in the middle of an attach: the
// record must end (reason lost) with a note, keeping what was captured.
func TestAttachTargetKilled(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  bool
		want string
	}{
		{"pid and url", true, "exited between"},
		{"url only", false, "stopped accepting connections"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := startService(t, "expvar")
			out := filepath.Join(t.TempDir(), "run.jsonl")
			args := []string{"attach", "--url", svc.url, "--duration", "20s", "--interval", "100ms", "-o", out}
			if tc.pid {
				args = append(args, "--pid", fmt.Sprint(svc.cmd.Process.Pid))
			}
			done := make(chan result, 1)
			go func() { done <- gcprobe(t, args...) }()
			time.Sleep(time.Second)
			svc.cmd.Process.Kill() // not reaped yet: a zombie, for the pid case
			var r result
			select {
			case r = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("attach did not notice the target was gone within 5s")
			}
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			run, by := readRun(t, out)
			if e := run.End(); e.Reason != record.EndLost {
				t.Errorf("end %+v, want lost", e)
			}
			if len(by[record.KindSample]) < 3 {
				t.Errorf("only %d samples kept", len(by[record.KindSample]))
			}
			notes := ""
			for _, e := range by[record.KindNote] {
				notes += e.Note.Message + "\n"
			}
			if !strings.Contains(notes, tc.want) {
				t.Errorf("notes do not say %q:\n%s", tc.want, notes)
			}
		})
	}
}

// TestAttachPIDOnly records RSS and CPU of a process with no endpoint.
func TestAttachPIDOnly(t *testing.T) {
	svc := startService(t, "")
	out := filepath.Join(t.TempDir(), "run.jsonl")
	r := gcprobe(t, "attach", "--pid", fmt.Sprint(svc.cmd.Process.Pid), "--duration", "700ms", "--interval", "100ms", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	run, by := readRun(t, out)
	if run.Header.Attach.Via != "none" || run.Header.GoVersion == "" {
		t.Errorf("header: %+v %+v", run.Header, run.Header.Attach)
	}
	if len(by[record.KindSample]) < 4 || len(by[record.KindGC]) != 0 {
		t.Errorf("%d samples, %d cycles", len(by[record.KindSample]), len(by[record.KindGC]))
	}
	for _, e := range by[record.KindSample] {
		if s := e.Sample; s.RSSBytes == 0 || s.RSSPeakBytes < s.RSSBytes || s.GCCyclesTotal != 0 {
			t.Errorf("sample %+v", s)
		}
	}
	if n := by[record.KindNote]; len(n) == 0 || !strings.Contains(n[0].Note.Message, "gctrace") || !strings.Contains(n[0].Note.Message, "agent") {
		t.Errorf("notes: %+v", n)
	}
	if !strings.Contains(r.stderr, "(RSS and CPU only: no --url)") {
		t.Errorf("stderr does not say what is recorded: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "record: "+out+" (ended: duration)") {
		t.Errorf("no summary: %q", r.stdout)
	}
}

// TestAttachInterrupted cancels an attach (Ctrl-C): complete record, end
// profiles taken.
func TestAttachInterrupted(t *testing.T) {
	svc := startService(t, "prometheus,pprof")
	out := filepath.Join(t.TempDir(), "run.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	r := gcprobeCtx(ctx, "attach", "--url", svc.url, "--interval", "100ms", "--profiles", "heap", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	run, by := readRun(t, out)
	if e := run.End(); e.Reason != record.EndInterrupted {
		t.Errorf("end %+v", e)
	}
	checkProfiles(t, out, by[record.KindProfile], "heap.start", "heap.end")
}

// TestAttachBadInput checks that each mistake gives one clear line and the
// right exit status.
func TestAttachBadInput(t *testing.T) {
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		return "http://" + ln.Addr().String()
	}()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"nothing to attach to", nil, 2, "needs --pid, --url or both"},
		{"argument", []string{"--pid", "1", "extra"}, 2, "takes no arguments"},
		{"interval", []string{"--url", refused, "--interval", "1ms"}, 2, "--interval must be at least 10ms"},
		{"source", []string{"--url", refused, "--source", "statsd"}, 2, "--source must be"},
		{"profile kind", []string{"--url", refused, "--profiles", "cpu"}, 2, `unknown profile "cpu"`},
		{"profiles without url", []string{"--pid", "1", "--profiles", "heap"}, 2, "need --url"},
		{"cpu profile too long", []string{"--url", refused, "--duration", "1s", "--cpu-profile", "2s"}, 2, "must not be longer than --duration"},
		{"no such PID", []string{"--pid", fmt.Sprint(1 << 30)}, 1, "no such process"},
		{"refused", []string{"--url", refused}, 1, "connection refused"},
		{"URL without scheme", []string{"--url", "127.0.0.1:8080"}, 2, `want http://HOST:PORT (the scheme is needed: "http://127.0.0.1:8080")`},
		{"URL of another scheme", []string{"--url", "ftp://127.0.0.1"}, 2, "want http://HOST:PORT"},
	}
	if sleep, err := exec.LookPath("sleep"); err == nil {
		cmd := exec.Command(sleep, "30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		cases = append(cases, struct {
			name string
			args []string
			code int
			want string
		}{"not a Go program", []string{"--pid", fmt.Sprint(cmd.Process.Pid)}, 1, "is not a Go program"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"attach", "-o", filepath.Join(t.TempDir(), "x.jsonl")}, tc.args...)
			r := gcprobe(t, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d (want %d), stderr %q (want one line with %q)", r.code, tc.code, r.stderr, tc.want)
			}
		})
	}
}

// TestAttachInterruptedWhileOpening cancels an attach whose target does not
// answer yet: one line that says nothing was recorded, and no record file.
func TestAttachInterruptedWhileOpening(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	defer srv.Close()
	defer close(stop)
	out := filepath.Join(t.TempDir(), "run.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r := gcprobeCtx(ctx, "attach", "--url", srv.URL, "--timeout", "10s", "-o", out)
	if r.code != 1 || r.stderr != "gcprobe: interrupted while attaching: nothing was recorded\n" {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a record was left: %v", err)
	}
}

// TestAttachToStdout writes the record to stdout (-o -), as run and import
// do: stdout is the record alone, the summary goes to stderr.
func TestAttachToStdout(t *testing.T) {
	svc := startService(t, "")
	r := gcprobe(t, "attach", "--pid", fmt.Sprint(svc.cmd.Process.Pid), "--duration", "300ms", "--interval", "100ms", "-o", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	run, err := record.Read(strings.NewReader(r.stdout), "stdout")
	if err != nil {
		t.Fatalf("stdout is not a record: %v\n%s", err, r.stdout)
	}
	if run.End() == nil || run.Header.PID != svc.cmd.Process.Pid {
		t.Errorf("record: header %+v, end %+v", run.Header, run.End())
	}
	if !strings.Contains(r.stderr, "recording to stdout") || !strings.Contains(r.stderr, "record: stdout (ended: duration)") {
		t.Errorf("stderr: %q", r.stderr)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Error("a file named - was created")
	}
}

// stampedWriter keeps what is written and when it was first written.
type stampedWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	first time.Time
}

func (w *stampedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.first.IsZero() && bytes.Contains(p, []byte("warning")) {
		w.first = time.Now()
	}
	return w.b.Write(p)
}

// TestAttachProfilesMissing asks a service without net/http/pprof for a
// heap profile: the warning comes at once, not after --duration, and a
// session whose every requested profile is missing exits 1 with its record
// kept.
func TestAttachProfilesMissing(t *testing.T) {
	svc := startService(t, "expvar")
	out := filepath.Join(t.TempDir(), "run.jsonl")
	var stdout bytes.Buffer
	stderr := &stampedWriter{}
	begin := time.Now()
	err := run(context.Background(), stdio{in: strings.NewReader(""), out: &stdout, err: stderr},
		[]string{"attach", "--url", svc.url, "--duration", "2s", "--interval", "100ms", "--profiles", "heap", "-o", out})
	took := time.Since(begin)
	code := exitCode(&stderr.b, err)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr.b.String())
	}
	if stderr.first.IsZero() || stderr.first.Sub(begin) > took/2 {
		t.Errorf("the warning came %v after the start of a %v session, not at once:\n%s", stderr.first.Sub(begin), took, stderr.b.String())
	}
	for _, want := range []string{"gcprobe: warning: heap profile: GET " + svc.url + "/debug/pprof/heap", "404",
		"none of the 2 requested profiles was captured", "the record " + out + " is kept"} {
		if !strings.Contains(stderr.b.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.b.String())
		}
	}
	run, _ := readRun(t, out) // kept, and complete
	if e := run.End(); e.Reason != record.EndDuration {
		t.Errorf("end %+v", e)
	}
	// One requested profile captured is a success.
	svc2 := startService(t, "expvar,pprof")
	r := gcprobe(t, "attach", "--url", svc2.url, "--duration", "300ms", "--interval", "100ms", "--profiles", "heap,mutex", "-o", filepath.Join(t.TempDir(), "ok.jsonl"))
	if r.code != 0 {
		t.Errorf("attach with profiles captured: exit %d\n%s", r.code, r.stderr)
	}
}
