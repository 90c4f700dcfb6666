package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// tmux drives a real terminal: a tmux server of the test's own (-L), so that
// nothing of a user's tmux is touched.
type tmux struct {
	t      *testing.T
	socket string
}

func newTmux(t *testing.T) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("GCPROBE_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required (GCPROBE_REQUIRE_TMUX is set) but not installed")
		}
		t.Skip("tmux not installed (apt-get install tmux): the live view's terminal test needs it")
	}
	x := &tmux{t: t, socket: fmt.Sprintf("gcprobe-test-%d", os.Getpid())}
	t.Cleanup(func() { exec.Command("tmux", "-L", x.socket, "kill-server").Run() })
	return x
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var (
	cyclesRow = regexp.MustCompile(`cycles\s+(\d+) total`)
	rssRow    = regexp.MustCompile(`RSS\s+([0-9.]+ [KMG]iB)`)
)

// TestTopInTerminal runs gcprobe top in a real terminal against the test
// service under load: the screen must show GC cycles rising and the
// service's RSS as /proc gives it, and q must end it with a complete record.
func TestTopInTerminal(t *testing.T) {
	x := newTmux(t)
	svc := startService(t, "agent,pprof")
	exe, err := os.Executable() // the test binary acts as gcprobe (TestMain)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "top.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			svc.load(500*time.Millisecond, 200)
		}
	}()
	// gcprobe's own messages (and any error) go to a file, the view to the
	// terminal; the pane stays after gcprobe exits so that a failure shows.
	stderr := filepath.Join(t.TempDir(), "stderr")
	cmd := fmt.Sprintf("%s top --pid %d --url %s --timeout 20s --refresh 250ms --window 5s -o %s 2>%s", exe, svc.cmd.Process.Pid, svc.url, out, stderr)
	x.run("new-session", "-d", "-s", "top", "-x", "120", "-y", "40", cmd+"; echo gcprobe exited $?; sleep 60")
	failed := func(format string, args ...any) {
		t.Helper()
		b, _ := os.ReadFile(stderr)
		t.Fatalf(format+"\ngcprobe's stderr:\n%s", append(args, b)...)
	}

	var cycles []int
	var screen string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && len(cycles) < 3; time.Sleep(300 * time.Millisecond) {
		screen = x.run("capture-pane", "-p", "-t", "top")
		if strings.Contains(screen, "gcprobe exited") {
			failed("gcprobe top ended by itself; screen:\n%s", screen)
		}
		m := cyclesRow.FindStringSubmatch(screen)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if len(cycles) == 0 || n > cycles[len(cycles)-1] {
			cycles = append(cycles, n)
		}
	}
	if len(cycles) < 3 {
		failed("the cycle count did not rise three times (saw %v); last screen:\n%s", cycles, screen)
	}
	if !strings.Contains(screen, fmt.Sprintf("pid %d", svc.cmd.Process.Pid)) || !strings.Contains(screen, "via agent") ||
		!strings.Contains(screen, filepath.Base(svc.cmd.Path)) {
		t.Errorf("the title does not name the program, its pid and the source:\n%s", screen)
	}
	m := rssRow.FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no RSS on the screen:\n%s", screen)
	}
	shown, err := units.ParseSize(strings.ReplaceAll(m[1], " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	actual := vmRSS(t, svc.cmd.Process.Pid)
	if r := float64(shown) / float64(actual); r < 0.75 || r > 1.33 {
		t.Errorf("screen RSS %s, /proc VmRSS %d bytes: ratio %.2f", m[1], actual, r)
	}

	x.run("send-keys", "-t", "top", "q")
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		screen = x.run("capture-pane", "-p", "-t", "top")
		if strings.Contains(screen, "gcprobe exited 0") {
			break
		}
		if time.Now().After(deadline) || strings.Contains(screen, "gcprobe exited") {
			failed("gcprobe top did not end well after q; screen:\n%s", screen)
		}
	}
	run, err := record.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	end := run.End()
	if end == nil || end.Reason != record.EndInterrupted {
		t.Fatalf("the record does not end as interrupted: %+v", end)
	}
	var gcs int
	for _, e := range run.Events {
		if e.GC != nil {
			gcs++
		}
	}
	if gcs < cycles[len(cycles)-1] {
		t.Errorf("the record holds %d GC events, the screen showed %d cycles", gcs, cycles[len(cycles)-1])
	}
}

// vmRSS reads a process's resident set size from /proc, as an independent
// source for what the view shows.
func vmRSS(t *testing.T, pid int) uint64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

var lineCycles = regexp.MustCompile(`(?m)^t=\S+ cycles=(\d+) .*rss=(\S+)`)

// TestTopPlainLines: with stdout not a terminal, top prints a key=value
// line whenever the record has moved at a refresh (the agent is polled once
// a second, so a 300 ms refresh has news about every third time), with the
// count rising under load, and a summary at the end.
func TestTopPlainLines(t *testing.T) {
	svc := startService(t, "agent")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			svc.load(300*time.Millisecond, 100)
		}
	}()
	out := filepath.Join(t.TempDir(), "top.jsonl")
	r := gcprobe(t, "top", "--pid", strconv.Itoa(svc.cmd.Process.Pid), "--url", svc.url, "--refresh", "300ms",
		"--duration", "3s", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	ms := lineCycles.FindAllStringSubmatch(r.stdout, -1)
	if len(ms) < 3 {
		t.Fatalf("want a line per agent poll for 3s, got %d:\n%s", len(ms), r.stdout)
	}
	var prev string
	for l := range strings.Lines(r.stdout) {
		if strings.HasPrefix(l, "t=") && l == prev {
			t.Errorf("a line repeats the one before it: %s", l)
		}
		prev = l
	}
	first, _ := strconv.Atoi(ms[0][1])
	last, _ := strconv.Atoi(ms[len(ms)-1][1])
	if last <= first {
		t.Errorf("cycles did not rise under load: %d then %d", first, last)
	}
	if ms[len(ms)-1][2] == "-" {
		t.Errorf("no RSS with --pid: %s", ms[len(ms)-1][0])
	}
	if !strings.Contains(r.stdout, "verdict:") {
		t.Errorf("no summary after the lines:\n%s", r.stdout)
	}
}

// TestRunLivePlain: gcprobe run --live shows lines on stderr while the
// program's own output still passes through.
func TestRunLivePlain(t *testing.T) {
	alloc := buildBinary(t, allocatorPkg)
	r := gcprobe(t, "run", "--live", "--live-refresh", "200ms", "-o", filepath.Join(t.TempDir(), "r.jsonl"), "--", alloc, "-for", "1500ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	ms := lineCycles.FindAllStringSubmatch(r.stderr, -1)
	if len(ms) < 4 {
		t.Fatalf("want live lines on stderr, got %d:\n%s", len(ms), r.stderr)
	}
	if !strings.Contains(r.stdout, "allocator: stdout line") {
		t.Errorf("the program's own output did not pass through:\n%s", r.stdout)
	}
	if last := ms[len(ms)-1][0]; strings.Contains(last, "heap_live=- ") {
		t.Errorf("no heap live from gctrace's cycles: %s", last)
	}
}

// TestRunLivePlainAlone: --live-plain without --live still shows the lines
// (it showed nothing, silently).
func TestRunLivePlainAlone(t *testing.T) {
	alloc := buildBinary(t, allocatorPkg)
	r := gcprobe(t, "run", "--live-plain", "--live-refresh", "200ms", "-o", filepath.Join(t.TempDir(), "r.jsonl"), "--", alloc, "-for", "600ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if ms := lineCycles.FindAllStringSubmatch(r.stderr, -1); len(ms) < 2 {
		t.Fatalf("want live lines on stderr, got %d:\n%s", len(ms), r.stderr)
	}
}

func TestLiveFlagsRefused(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"top"}, "top needs --pid, --url or both"},
		{[]string{"top", "--pid", "1", "extra"}, "top takes no arguments"},
		{[]string{"top", "--pid", "1", "--window", "10ms"}, "--window must be at least 1s"},
		{[]string{"top", "--pid", "1", "--refresh", "1ms"}, "--refresh must be at least 100ms"},
		{[]string{"run", "--live", "--live-window", "0s", "--", "true"}, "--live-window must be at least 1s"},
	} {
		r := gcprobe(t, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
