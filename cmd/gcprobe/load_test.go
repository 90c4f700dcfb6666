package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/summary"
)

const loadServerPkg = "../../testdata/progs/loadserver"

// freeAddr returns a 127.0.0.1 address nothing listens on (a moment ago).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRunLoad: gcprobe run --load starts the server, waits for it, loads
// it and stops it; the record's summary has the server's GC cycles and the
// load's latency, throughput and responses on one clock.
func TestRunLoad(t *testing.T) {
	bin := buildBinary(t, loadServerPkg)
	addr := freeAddr(t)
	out := filepath.Join(t.TempDir(), "load.jsonl")
	r := gcprobe(t, "run", "--load", "http://"+addr+"/", "--load", "http://"+addr+"/status/503", "--header", "X-A: 1",
		"--rate", "400", "--duration", "1500ms", "--warmup", "300ms", "--quiet", "-o", out, "--", bin, "-addr", addr, "-kib", "256")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	s := summary.Compute(readRecord(t, out))
	l := s.Latency
	if l == nil || !l.HTTP {
		t.Fatalf("no HTTP latency in the summary: %+v", s)
	}
	if l.Requests < 500 || l.Requests > 600 || l.Throughput < 350 || l.Throughput > 420 {
		t.Errorf("%d requests at %.0f/s, want about 600 at 400/s", l.Requests, l.Throughput)
	}
	if l.Status["5xx"] < l.Requests/2-5 || l.Status["2xx"] < l.Requests/2-5 || l.Errors != 0 {
		t.Errorf("responses %v, errors %d: want half 2xx, half 5xx", l.Status, l.Errors)
	}
	if s.Cycles.Total == 0 || !l.Split {
		t.Errorf("%d GC cycles, split %v: the server's gctrace is missing", s.Cycles.Total, l.Split)
	}
	if s.Ended != "stopped after --duration" {
		t.Errorf("ended %q", s.Ended)
	}
}

func TestRunLoadBadInput(t *testing.T) {
	bin := buildBinary(t, loadServerPkg)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.txt")
	os.WriteFile(targets, []byte("GET http://127.0.0.1:1/\nX-A: 1\nnot a header\n"), 0o644)
	addr := freeAddr(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad targets line", []string{"--load-targets", targets}, 2, "targets.txt:3: \"not a header\" is not a header"},
		{"bad load", []string{"--load", "127.0.0.1:8080"}, 2, "--load \"127.0.0.1:8080\" is not a URL"},
		{"bad rate", []string{"--load", "http://" + addr + "/", "--rate", "fast"}, 2, "--rate: \"fast\" is not a rate"},
		{"steps without --step", []string{"--load", "http://" + addr + "/", "--rate", "100,200"}, 2, "give each one's length with --step"},
		{"load flag without load", []string{"--rate", "100"}, 2, "--rate needs --load URL"},
		{"bad header", []string{"--load", "http://" + addr + "/", "--header", "nocolon"}, 2, "--header \"nocolon\" is not a header"},
		{"never ready", []string{"--load", "http://" + freeAddr(t) + "/", "--ready-wait", "300ms", "--duration", "1s"}, 1, "did not answer within 300ms"},
		{"exits at once", []string{"--load", "http://" + addr + "/", "--duration", "1s"}, 1, "exited (exit status 1) before the load ended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".jsonl")
			prog := []string{bin, "-addr", addr}
			if tc.name == "exits at once" {
				prog = []string{bin, "-addr", "nonsense"}
			}
			args := append(append([]string{"run", "--quiet", "-o", out}, tc.args...), append([]string{"--"}, prog...)...)
			r := gcprobe(t, args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 3 {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant %q", r.code, tc.code, r.stderr, tc.want)
			}
			if tc.code == 1 {
				readRecord(t, out) // still a readable record
			}
		})
	}
}

// TestAttachLoad: attach --load loads a running service while recording
// it; the session ends with the load.
func TestAttachLoad(t *testing.T) {
	svc := startService(t, "expvar")
	out := filepath.Join(t.TempDir(), "attach.jsonl")
	r := gcprobe(t, "attach", "--pid", strconv.Itoa(svc.cmd.Process.Pid), "--url", svc.url, "--interval", "100ms",
		"--load", svc.url+"/work?kib=64", "--rate", "300", "--duration", "1s", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s := summary.Compute(readRecord(t, out))
	if l := s.Latency; l == nil || l.Status["2xx"] < 270 || l.Status["2xx"] > 300 {
		t.Fatalf("latency %+v: want about 300 answered requests", s.Latency)
	}
	if s.Ended != "stopped after --duration" || s.Cycles.Total == 0 {
		t.Errorf("ended %q, %d cycles", s.Ended, s.Cycles.Total)
	}
}

// TestRunRefusesWrapperOfTwo: a wrapper script whose two Go programs share
// the gctrace stream is refused in one line, and its record still reads.
func TestRunRefusesWrapperOfTwo(t *testing.T) {
	bin := buildBinary(t, "../../testdata/progs/allocator")
	out := filepath.Join(t.TempDir(), "mixed.jsonl")
	r := gcprobe(t, "run", "--quiet", "-o", out, "--", "sh", "-c", bin+" -for 400ms & "+bin+" -for 400ms; wait")
	if r.code != 1 || !strings.Contains(r.stderr, "gctrace came from more than one process") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	readRecord(t, out)
}

// TestRunLoadCmd: an external load command runs without the program's GC
// settings, its output goes to stderr prefixed, and the run ends with it.
func TestRunLoadCmd(t *testing.T) {
	bin := buildBinary(t, loadServerPkg)
	addr := freeAddr(t)
	out := filepath.Join(t.TempDir(), "cmd.jsonl")
	r := gcprobe(t, "run", "--quiet", "--gogc", "50", "-o", out, "--ready", "http://"+addr+"/",
		"--load-cmd", `echo "gogc=$GOGC godebug=$GODEBUG"; sleep 0.3`, "--", bin, "-addr", addr)
	if r.code != 0 || !strings.Contains(r.stderr, "load-cmd: gogc= godebug=\n") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	run := readRecord(t, out)
	if run.Header.Env["GOGC"] != "50" {
		t.Errorf("the program's GOGC is %q, want 50", run.Header.Env["GOGC"])
	}
	if s := summary.Compute(run); s.Ended != "stopped after --duration" || s.DurationSeconds > 5 {
		t.Errorf("ended %q after %vs: the run did not end with the load command", s.Ended, s.DurationSeconds)
	}

	r = gcprobe(t, "run", "--load-cmd", "true", "--rate", "10", "--", bin)
	if r.code != 2 || !strings.Contains(r.stderr, "--rate applies to --load; a --load-cmd sets its own") {
		t.Errorf("--load-cmd with --rate: exit %d, %s", r.code, r.stderr)
	}
	r = gcprobe(t, "run", "--quiet", "-o", filepath.Join(t.TempDir(), "f.jsonl"), "--load-cmd", "exit 3", "--", bin, "-addr", freeAddr(t))
	if r.code != 1 || !strings.Contains(r.stderr, "--load-cmd failed: exit status 3") {
		t.Errorf("failing --load-cmd: exit %d, %s", r.code, r.stderr)
	}
}

// TestRunLoadSteps: --rate N1,N2 --step prints each step's latency.
func TestRunLoadSteps(t *testing.T) {
	bin := buildBinary(t, loadServerPkg)
	addr := freeAddr(t)
	r := gcprobe(t, "run", "--quiet", "-o", filepath.Join(t.TempDir(), "s.jsonl"), "--load", "http://"+addr+"/",
		"--rate", "100,300", "--step", "400ms", "--", bin, "-addr", addr)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(r.stderr, "\n") {
		if f := strings.Fields(line); len(f) >= 6 {
			rows[f[0]] = f[1]
		}
	}
	if rows["rate"] != "step" || rows["100/s"] != "40" || rows["300/s"] != "120" {
		t.Errorf("steps table %v, want 40 requests at 100/s then 120 at 300/s:\n%s", rows, r.stderr)
	}
}

func TestSweepLoadBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--load", "http://127.0.0.1:1/", "--out", t.TempDir() + "/s", "scenario", "readstates"}, "--load loads a command's service (-- CMD), not a scenario"},
		{[]string{"--rate", "100", "--out", t.TempDir() + "/s", "--", "true"}, "--rate needs --load URL"},
		{[]string{"--load", "http://127.0.0.1:1/", "--rate", "0", "--out", t.TempDir() + "/s", "--", "true"}, "--rate: \"0\" is not a rate"},
	} {
		r := gcprobe(t, append([]string{"sweep"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("sweep %v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}
