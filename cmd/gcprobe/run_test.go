//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

const allocatorPkg = "../../testdata/progs/allocator"

func readRecord(t *testing.T, path string) *record.Run {
	t.Helper()
	run, err := record.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the record: %v", err)
	}
	return run
}

func countKind(run *record.Run, kind string) int {
	n := 0
	for _, e := range run.Events {
		if e.Kind() == kind {
			n++
		}
	}
	return n
}

func TestRunAllocator(t *testing.T) {
	bin := buildBinary(t, allocatorPkg)
	for _, code := range []int{0, 3} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.jsonl")
			r := gcprobe(t, "run", "-o", path, "--interval", "50ms", "--gogc", "50", "--", bin, "-for", "500ms", "-exit", strconv.Itoa(code))
			if r.code != code {
				t.Fatalf("exit %d, want %d\nstderr: %s", r.code, code, r.stderr)
			}
			run := readRecord(t, path)
			if n := countKind(run, record.KindGC); n < 1 {
				t.Errorf("%d GC cycles in the record", n)
			}
			rss := 0
			for _, e := range run.Events {
				if e.Sample != nil && e.Sample.RSSBytes > 0 && e.Sample.RSSPeakBytes > 0 {
					rss++
				}
			}
			if rss == 0 {
				t.Errorf("no samples with RSS and peak RSS")
			}
			if end := run.End(); end == nil || *end != (record.End{Reason: record.EndExit, ExitCode: code}) {
				t.Errorf("end = %+v", end)
			}
			if run.Header.GCProbeVersion == "" || run.Header.Env["GOGC"] != "50" {
				t.Errorf("header: %+v", run.Header)
			}
			if !strings.Contains(r.stdout, "allocator: stdout line") || !strings.Contains(r.stderr, "allocator: starting") {
				t.Errorf("output not passed through\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
			}
			if strings.Contains(r.stderr, " MB goal") {
				t.Errorf("gctrace lines were shown:\n%s", r.stderr)
			}
			if !strings.Contains(r.stderr, "record written to "+path) {
				t.Errorf("no summary on stderr:\n%s", r.stderr)
			}
			// gcprobe summary of the file says what run printed.
			s := gcprobe(t, "summary", path)
			if s.code != 0 || !strings.Contains(r.stderr, s.stdout) {
				t.Errorf("gcprobe summary (exit %d) disagrees with run's summary\nsummary:\n%s\nrun:\n%s", s.code, s.stdout, r.stderr)
			}
		})
	}
}

func TestRunStdoutRecord(t *testing.T) {
	bin := buildBinary(t, allocatorPkg)
	r := gcprobe(t, "run", "-o", "-", "--quiet", "--", bin, "-for", "100ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	run, err := record.Read(strings.NewReader(r.stdout), "stdout")
	if err != nil {
		t.Fatalf("stdout is not a clean record: %v\n%s", err, r.stdout)
	}
	if run.End() == nil {
		t.Errorf("no end")
	}
	if !strings.Contains(r.stderr, "allocator: stdout line") {
		t.Errorf("the program's stdout did not go to stderr: %q", r.stderr)
	}
}

func TestRunDefaultName(t *testing.T) {
	bin := buildBinary(t, allocatorPkg)
	dir := t.TempDir()
	t.Chdir(dir)
	r := gcprobe(t, "run", "--quiet", "--", bin, "-for", "50ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "gcprobe-"+filepath.Base(bin)+"-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("records in %s: %v", dir, files)
	}
	readRecord(t, files[0])
}

func TestRunDuration(t *testing.T) {
	bin := buildBinary(t, allocatorPkg)
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r := gcprobe(t, "run", "-o", path, "--quiet", "--duration", "300ms", "--", bin, "-hang")
	if r.code != 0 {
		t.Errorf("exit %d after --duration, want 0: %s", r.code, r.stderr)
	}
	if end := readRecord(t, path).End(); end == nil || end.Reason != record.EndDuration {
		t.Errorf("end = %+v", end)
	}
}

func TestRunSignalExit(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r := gcprobe(t, "run", "-o", path, "--quiet", "--", "sh", "-c", "kill -9 $$")
	if r.code != 128+9 {
		t.Errorf("exit %d, want %d: %s", r.code, 128+9, r.stderr)
	}
	want := record.End{Reason: record.EndSignal, ExitCode: 137, Signal: "SIGKILL"}
	if end := readRecord(t, path).End(); end == nil || *end != want {
		t.Errorf("end = %+v, want %+v", end, want)
	}
}

func TestRunStdin(t *testing.T) {
	if _, err := exec.LookPath("cat"); err != nil {
		t.Skip("no cat")
	}
	path := filepath.Join(t.TempDir(), "r.jsonl")
	r := gcprobeIn(t, "line 1\nline 2\n", "run", "--quiet", "-o", path, "--", "cat")
	if r.code != 0 || r.stdout != "line 1\nline 2\n" {
		t.Errorf("exit %d, stdout %q: stdin did not reach the program", r.code, r.stdout)
	}
}

func TestRunHelp(t *testing.T) {
	r := gcprobe(t, "run", "--help")
	if r.code != 0 || strings.Count(r.stdout, "Usage: gcprobe run") != 1 || !strings.Contains(r.stdout, "--memlimit") {
		t.Errorf("run --help: exit %d, want the usage once:\n%s", r.code, r.stdout)
	}
}

func TestRunBadInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", []string{"run", "--"}, 2, "no command"},
		{"no command no dash", []string{"run"}, 2, "no command"},
		{"gogc", []string{"run", "--gogc", "lots", "--", "true"}, 2, "--gogc"},
		{"memlimit", []string{"run", "--memlimit", "much", "--", "true"}, 2, "--memlimit"},
		{"memlimit zero", []string{"run", "--memlimit", "0", "--", "true"}, 2, "--memlimit"},
		{"memlimit above the runtime's", []string{"run", "--memlimit", "1e19", "--", "true"}, 2, "--memlimit: \"1e19\" is above the largest memory limit"},
		{"interval", []string{"run", "--interval", "1ms", "--", "true"}, 2, "--interval"},
		{"unknown flag", []string{"run", "--bogus", "--", "true"}, 2, "bogus"},
		{"not found", []string{"run", "--", "gcprobe-no-such-command", "x"}, 1, "gcprobe-no-such-command: command not found"},
		{"unwritable output", []string{"run", "-o", filepath.Join(dir, "no", "such", "dir.jsonl"), "--", "true"}, 1, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := gcprobe(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
			if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 {
				t.Errorf("%d lines of error, want 1: %q", lines, r.stderr)
			}
		})
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("failed runs left files: %v", files)
	}
}

// TestRunKill9 kills gcprobe with SIGKILL in the middle of a run: the record
// must read up to the last event, and the child must die with gcprobe.
func TestRunKill9(t *testing.T) {
	gcprobeBin := buildBinary(t, ".")
	bin := buildBinary(t, allocatorPkg)
	path := filepath.Join(t.TempDir(), "r.jsonl")
	cmd := exec.Command(gcprobeBin, "run", "-o", path, "--interval", "20ms", "--", bin, "-hang")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	var run *record.Run
	deadline := time.Now().Add(30 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no samples and GC cycles in the record after 30s; stderr: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
		r, err := record.ReadFile(path)
		if err == nil && countKind(r, record.KindSample) >= 3 && countKind(r, record.KindGC) >= 1 {
			run = r
			break
		}
	}
	childPID := run.Header.PID
	t.Cleanup(func() { syscall.Kill(childPID, syscall.SIGKILL) })
	cmd.Process.Kill()
	cmd.Wait()

	run = readRecord(t, path)
	if run.End() != nil {
		t.Errorf("a killed gcprobe wrote an end: %+v", run.End())
	}
	if countKind(run, record.KindSample) < 3 {
		t.Errorf("record lost its samples")
	}
	if s := gcprobe(t, "summary", path); s.code != 0 {
		t.Errorf("gcprobe summary of the cut record: exit %d: %s", s.code, s.stderr)
	}
	// The child dies with gcprobe (Pdeathsig).
	for i := 0; ; i++ {
		if !alive(childPID) {
			break
		}
		if i == 300 {
			t.Fatalf("child %d still running 15s after gcprobe was killed", childPID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// "pid (comm) S ..."
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// TestRunForwardsInterrupt sends SIGINT to a gcprobe binary, as a terminal's
// Ctrl-C would: the child gets it once, through gcprobe, and gcprobe exits
// as the child did, with an End saying the run was interrupted.
func TestRunForwardsInterrupt(t *testing.T) {
	gcprobeBin := buildBinary(t, ".")
	bin := buildBinary(t, allocatorPkg)
	path := filepath.Join(t.TempDir(), "r.jsonl")
	cmd := exec.Command(gcprobeBin, "run", "-o", path, "--quiet", "--", bin, "-hang")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for i := 0; ; i++ {
		if r, err := record.ReadFile(path); err == nil && countKind(r, record.KindSample) > 0 {
			break
		}
		if i == 600 {
			t.Fatal("no sample after 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 128+2 {
		t.Errorf("gcprobe exited with %d (%v), want 130", code, err)
	}
	want := record.End{Reason: record.EndInterrupted, ExitCode: 130, Signal: "SIGINT"}
	if end := readRecord(t, path).End(); end == nil || *end != want {
		t.Errorf("end = %+v, want %+v", end, want)
	}
}
