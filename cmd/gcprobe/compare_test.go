package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/cmd/gcprobe/internal/sweep"
	"github.com/gcprobe/gcprobe/record"
)

// writeRun writes a synthetic record: GOGC in the environment, 20 GC cycles
// whose pauses are around pause seconds, and samples whose RSS is around
// rss bytes. k varies the run a little (a repeat).
func writeRun(t *testing.T, path, gogc string, pause, rss float64, k int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := record.Header{Source: record.SourceRun, Command: []string{"./app"}, Env: map[string]string{"GOGC": gogc},
		Start: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	w, err := record.NewWriter(f, h)
	if err != nil {
		t.Fatal(err)
	}
	jitter := 1 + float64(k%6)*0.004
	for i := 1; i <= 20; i++ {
		ts := float64(i) * 0.5
		w.Write(record.Event{T: ts, Sample: &record.Sample{RSSBytes: uint64(rss * jitter), RSSPeakBytes: uint64(rss * jitter * 1.1)}})
		w.Write(record.Event{T: ts + 0.01, GC: &record.GC{N: uint64(i), StartSeconds: ts, EndSeconds: ts + 0.01,
			PauseSeconds: pause * jitter, PauseMaxSeconds: pause * jitter / 2, HeapGoalBytes: uint64(rss / 2),
			GCCPUSeconds: 0.01 * jitter, IntervalCPUSeconds: 1}})
	}
	w.Write(record.Event{T: 10.5, End: &record.End{Reason: record.EndExit}})
}

// runSet writes n runs of one configuration into dir.
func runSet(t *testing.T, dir, gogc string, pause, rss float64, n, offset int) {
	for k := 0; k < n; k++ {
		writeRun(t, filepath.Join(dir, fmt.Sprintf("gogc%s-%d.jsonl", gogc, k)), gogc, pause, rss, k+offset)
	}
}

func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	runSet(t, filepath.Join(dir, "sweep"), "100", 300e-6, 400<<20, 6, 0)
	runSet(t, filepath.Join(dir, "sweep"), "50", 300e-6, 250<<20, 6, 0)
	os.WriteFile(filepath.Join(dir, "sweep", "broken.jsonl"), []byte("not a record\n"), 0o644)

	r := gcprobe(t, "compare", "--budget", "rss=300MiB", filepath.Join(dir, "sweep"))
	if r.code != 0 {
		t.Fatalf("compare: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"2 configurations, 6 runs each; baseline: gogc=100 memlimit=off", "rss.peak (lower is better)", "-37.", "(p=0.002 n=6)", "Run gogc=50 memlimit=off"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("compare output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "skipping") || !strings.Contains(r.stderr, "broken.jsonl") {
		t.Errorf("unreadable record not named: %q", r.stderr)
	}

	r = gcprobe(t, "compare", "--json", filepath.Join(dir, "sweep"))
	var j struct {
		Configurations []struct{ Label string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil || len(j.Configurations) != 2 {
		t.Errorf("--json: %v\n%s", err, r.stdout)
	}
	if r := gcprobe(t, "compare", "--metrics", "pause.p99", filepath.Join(dir, "sweep")); r.code != 0 || !strings.Contains(r.stdout, "pause.p99") || strings.Contains(r.stdout, "rss.peak") {
		t.Errorf("--metrics pause.p99:\n%s", r.stdout)
	}
	if r := gcprobe(t, "compare", "--markdown", filepath.Join(dir, "sweep")); !strings.Contains(r.stdout, "| gogc=50 memlimit=off |") {
		t.Errorf("--markdown:\n%s", r.stdout)
	}
	if r := gcprobe(t, "compare", "--format", "bench", filepath.Join(dir, "sweep")); !strings.Contains(r.stdout, "BenchmarkGC/gogc=50/memlimit=off 1 ") {
		t.Errorf("--format bench:\n%s", r.stdout)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--budget", "ram=1GiB", "x"}, 2, "known: duration"},
		{[]string{"--budget", "rss=lots", "x"}, 2, `--budget rss.peak: "lots" is not a size`},
		{[]string{"--metrics", "gc.cpu,heap.size", "x"}, 2, `unknown metric "heap.size" (known: duration`},
		{[]string{"--baseline", "gogc=75", filepath.Join(dir, "sweep")}, 1, "no run matches --baseline gogc=75"},
		{[]string{"--format", "csv", "x"}, 2, "--format"},
		{[]string{}, 2, "no runs given"},
		{[]string{filepath.Join(dir, "nothing")}, 1, "no readable run records"},
	} {
		r := gcprobe(t, append([]string{"compare"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("compare %q: exit %d, stderr %q; want %d and %q on a line", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	dir := t.TempDir()
	runSet(t, filepath.Join(dir, "old"), "100", 300e-6, 400<<20, 6, 0)
	runSet(t, filepath.Join(dir, "same"), "100", 300e-6, 400<<20, 6, 3) // the same configuration, other repeats
	runSet(t, filepath.Join(dir, "worse"), "100", 390e-6, 400<<20, 6, 0)
	runSet(t, filepath.Join(dir, "other"), "50", 300e-6, 400<<20, 6, 0)
	limits := "pause.p99=+10%,rss.peak=+5%"

	r := gcprobe(t, "check", "--baseline", filepath.Join(dir, "old"), "--max", limits, filepath.Join(dir, "same"))
	if r.code != 0 || !strings.Contains(r.stdout, "pause.p99") {
		t.Errorf("same configuration: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = gcprobe(t, "check", "--baseline", filepath.Join(dir, "old"), "--max", limits, filepath.Join(dir, "worse"))
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL") || !strings.Contains(r.stdout, "+30.00%") || !strings.Contains(r.stderr, "1 of 2 checks failed") {
		t.Errorf("injected regression: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = gcprobe(t, "check", "--baseline", filepath.Join(dir, "old"), "--max", limits, filepath.Join(dir, "other"))
	if r.code != 1 || !strings.Contains(r.stderr, "share no configuration") {
		t.Errorf("no shared configuration: exit %d %q", r.code, r.stderr)
	}
	r = gcprobe(t, "check", "--baseline", filepath.Join(dir, "old"), "--max", "pause.p98=+10%", filepath.Join(dir, "same"))
	if r.code != 2 || !strings.Contains(r.stderr, `unknown metric "pause.p98" (known: `) {
		t.Errorf("unknown metric: exit %d %q", r.code, r.stderr)
	}
	// A known metric that these runs do not have (no latency): a mistake in
	// the limits, not a regression, so a usage error.
	r = gcprobe(t, "check", "--baseline", filepath.Join(dir, "old"), "--max", "latency.p99=+10%", filepath.Join(dir, "same"))
	if r.code != 2 || !strings.Contains(r.stderr, "latency.p99: no run measured this metric") {
		t.Errorf("unmeasured metric: exit %d %q", r.code, r.stderr)
	}
	if r := gcprobe(t, "check", "--max", limits, "x"); r.code != 2 || !strings.Contains(r.stderr, "--baseline is required") {
		t.Errorf("no baseline: exit %d %q", r.code, r.stderr)
	}
}

func TestSweepCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--gogc", "", "--", "true"}, "--gogc: empty grid"},
		{[]string{"--memlimit", ",", "--", "true"}, "--memlimit: empty grid"},
		{[]string{"--gogc", "fast", "--", "true"}, "--gogc:"},
		{[]string{"--repeat", "0", "--", "true"}, "--repeat must be at least 1"},
		{[]string{"--out", "x"}, "nothing to run"},
		{[]string{"--resume"}, "--resume needs --out"},
		{[]string{"scenario"}, "scenario needs a NAME"},
		// Targets that would fail every run are refused before the first
		// (--repeat 1 and --out in a temporary directory bound the damage
		// if they are not).
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "scenario", "nope"}, `unknown scenario "nope" (known: binarytrees`},
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "scenario", "readstates", "--entires", "5"}, "unknown flag: --entires"},
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "scenario", "readstates", "--layout", "flat"}, "--layout"},
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "--duration", "1s", "scenario", "readstates", "--entries", "1000", "--gogc", "50"}, "--gogc: the sweep sets it for each run"},
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "--duration", "1s", "scenario", "steady", "--trace-on", "p99>20ms"}, "--trace-on: a sweep takes no execution traces"},
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "--duration", "1s", "scenario", "steady", "--trace-max", "2"}, "--trace-max: a sweep takes no execution traces"},
		{[]string{"--repeat", "1", "--out", filepath.Join(t.TempDir(), "s"), "--", filepath.Join(t.TempDir(), "no-such-program")}, "no-such-program"},
		{[]string{"--resume", "--out", filepath.Join(t.TempDir(), "none")}, "holds no sweep to resume"},
	} {
		r := gcprobe(t, append([]string{"sweep"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("sweep %q: exit %d %q, want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestSweepResumeCompare runs the real gcprobe binary on the allocator test
// program: a 2x2 grid repeated twice, interrupted with SIGINT after two
// runs, resumed, then compared.
func TestSweepResumeCompare(t *testing.T) {
	exe := buildBinary(t, ".")
	alloc := buildBinary(t, "../../testdata/progs/allocator")
	out := filepath.Join(t.TempDir(), "sweep")
	args := []string{"sweep", "--gogc", "50,100", "--memlimit", "off,64MiB", "--repeat", "2", "--out", out, "--", alloc, "-for", "300ms"}

	cmd := exec.Command(exe, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m, _ := filepath.Glob(filepath.Join(out, "*.jsonl")); len(m) >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err == nil {
		t.Fatalf("interrupted sweep exited 0:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "--resume") {
		t.Errorf("interrupted sweep does not say how to resume:\n%s", stderr.String())
	}
	m, err := sweep.LoadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, e := range m.Runs {
		if e.Status == sweep.StatusDone {
			done++
		}
	}
	if done < 2 || done == len(m.Runs) {
		t.Fatalf("%d of %d runs done after the interrupt", done, len(m.Runs))
	}
	if parts, _ := filepath.Glob(filepath.Join(out, "*.part")); len(parts) != 0 {
		t.Errorf("partial records left: %v", parts)
	}

	b, err := exec.Command(exe, append([]string{args[0], "--resume"}, args[1:]...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(b), fmt.Sprintf("%d already done", done)) || !strings.Contains(string(b), "8 of 8 runs") {
		t.Fatalf("resume: %v\n%s", err, b)
	}
	b, err = exec.Command(exe, "compare", out).CombinedOutput()
	if err != nil || !strings.Contains(string(b), "4 configurations, 2 runs each") || !strings.Contains(string(b), "gc.cycles_per_min") {
		t.Fatalf("compare: %v\n%s", err, b)
	}
}

// TestCompareVerdictAsReport checks that compare opens with the verdict the
// report opens with, in every format and with or without --budget: one
// computation, rendered by both.
func TestCompareVerdictAsReport(t *testing.T) {
	sweepDir := reportData + "sweep"
	r := gcprobe(t, "compare", "--json", sweepDir)
	var j struct {
		Verdict []struct{ Metric, Best, Sentence string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil || len(j.Verdict) < 3 {
		t.Fatalf("--json verdict: %v (%d lines)\n%s", err, len(j.Verdict), r.stderr)
	}
	md := filepath.Join(t.TempDir(), "r.md")
	if r := gcprobe(t, "report", sweepDir, "-o", md); r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	page, _ := os.ReadFile(md)
	outputs := map[string]string{"report -o r.md": string(page)}
	for _, args := range [][]string{{}, {"--budget", "rss=700MiB"}, {"--markdown"}} {
		r := gcprobe(t, append(append([]string{"compare"}, args...), sweepDir)...)
		if r.code != 0 {
			t.Fatalf("compare %q: exit %d: %s", args, r.code, r.stderr)
		}
		outputs[strings.Join(append([]string{"compare"}, args...), " ")] = r.stdout
	}
	for name, out := range outputs {
		isMD := strings.Contains(name, "md") || strings.Contains(name, "markdown")
		head := "Verdict (the best configuration per metric"
		if isMD {
			head = "**Verdict** (the best configuration per metric"
		}
		at := strings.Index(out, head)
		// The verdict comes before the tables of every metric.
		if at < 0 || at > strings.Index(out, "gc.cpu (lower is better)") || strings.Count(out, head) != 1 {
			t.Errorf("%s does not open with the verdict:\n%.800s", name, out)
		}
		for _, v := range j.Verdict {
			want := v.Sentence
			if isMD {
				want = strings.ReplaceAll(want, "_", `\_`)
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks the verdict line\n%s", name, want)
			}
		}
	}
	if j.Verdict[0].Metric != "gc.cpu" || j.Verdict[0].Best != "gogc=200 memlimit=off" {
		t.Errorf("verdict on %s: best %s; want gc.cpu, gogc=200 (the sweep's least GC CPU)", j.Verdict[0].Metric, j.Verdict[0].Best)
	}
}
