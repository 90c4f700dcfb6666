package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/analyze/report"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// The accuracy of "where the RSS goes", against programs whose memory is
// known (testdata/progs/rss and cgomalloc). The RSS they are checked against
// is VmRSS (/proc/PID/statm), read apart from the runtime's classes and
// smaps_rollup that make the parts.

const (
	rssPkg    = "../../testdata/progs/rss"
	cgoPkg    = "../../testdata/progs/cgomalloc"
	rssMiB    = 400
	mib       = 1 << 20
	tolerance = 0.03
)

func summarize(t *testing.T, path string) summary.Summary {
	t.Helper()
	run, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := summary.Compute(run)
	if s.Memory == nil || len(s.MemoryOver()) < 5 {
		t.Fatalf("%s: no reconciliation over at least 5 samples: %+v", path, s.Memory)
	}
	return s
}

// checkAddsUp asserts that the parts of a pure-Go program explain its RSS.
// What they leave (the residual and what they would put outside the Go
// runtime) must be within 3% of the RSS at every sample after start-up,
// which ends when the RSS first reaches 90% of its peak (the program's
// working set is in place; the large free comes after it), and within 3% of
// the peak RSS at every sample but the first. The runtime counts about 5 MiB
// it has mapped for profiling buckets and metadata as in use before it
// touches those pages: against a start-up RSS of 20 MiB that is a quarter.
func checkAddsUp(t *testing.T, s summary.Summary) {
	t.Helper()
	m := s.Memory
	peak := m.AtPeak.RSSBytes
	worst, started := 0.0, false
	over := s.MemoryOver()
	for i, b := range over {
		u := b.Unexplained()
		started = started || b.RSSBytes >= 0.9*peak
		if (i > 0 && u > tolerance*peak) || (started && u > tolerance*b.RSSBytes) {
			t.Errorf("t=%.2fs: RSS %.1f MiB, %.1f MiB unexplained (residual %.1f MiB, outside Go %.1f MiB)",
				b.T, b.RSSBytes/mib, u/mib, b.ResidualBytes/mib, b.Part(summary.PartOutsideGo).Bytes/mib)
		}
		if started {
			worst = max(worst, u/b.RSSBytes)
		}
	}
	t.Logf("%d samples, peak RSS %.1f MiB; unexplained at most %.2f MiB (%.2f%% of the peak), at most %.2f%% of the RSS after start-up",
		len(over), peak/mib, m.MaxUnexplainedBytes/mib, 100*m.MaxUnexplainedBytes/peak, 100*worst)
}

// maxPart is the largest a part got over the run.
func maxPart(s summary.Summary, name string) float64 {
	v := 0.0
	for _, b := range s.MemoryOver() {
		v = max(v, b.Part(name).Bytes)
	}
	return v
}

func TestRSSReconciledProbe(t *testing.T) {
	bin := buildBinary(t, rssPkg)
	for _, tc := range []struct {
		name    string
		godebug string
		args    []string
		part    string // the part the freed heap must show as
	}{
		// After the free the heap is free but not returned: the
		// scavenger's lag, shown.
		{"after a large free", "", nil, summary.PartFree},
		// Released with MADV_FREE: still in the RSS, as LazyFree.
		{"madvdontneed=0", "madvdontneed=0", []string{"-release"}, summary.PartLazyFree},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rss.jsonl")
			cmd := exec.Command(bin, append([]string{"-mode", "free", "-mib", fmt.Sprint(rssMiB), "-o", out}, tc.args...)...)
			cmd.Env = append(os.Environ(), "GODEBUG="+tc.godebug)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, b)
			}
			s := summarize(t, out)
			checkAddsUp(t, s)
			if got := maxPart(s, tc.part); got < 0.8*rssMiB*mib {
				t.Errorf("%s at most %.1f MiB after freeing %d MiB", tc.part, got/mib, rssMiB)
			}
		})
	}
}

// TestRSSReconciledAttach observes the same program from outside, through
// the agent and through expvar, with --pid for RSS and smaps_rollup.
func TestRSSReconciledAttach(t *testing.T) {
	bin := buildBinary(t, rssPkg)
	for _, source := range []string{"agent", "expvar"} {
		t.Run(source, func(t *testing.T) {
			t.Parallel() // each is mostly waiting: 7s of attach
			// A slower ramp than the probe's: a poll over HTTP and the
			// /proc reads after it are tens of ms apart on a busy machine.
			cmd := exec.Command(bin, "-mode", "free", "-mib", fmt.Sprint(rssMiB), "-ramp", "3s", "-serve", "-delay", "600ms", "-linger")
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
			if !ok {
				t.Fatalf("rss said %q", line)
			}
			out := filepath.Join(t.TempDir(), source+".jsonl")
			r := gcprobe(t, "attach", "--pid", fmt.Sprint(cmd.Process.Pid), "--url", url, "--source", source,
				"--interval", "100ms", "--duration", "6.5s", "-o", out)
			if r.code != 0 {
				t.Fatalf("attach: %+v", r)
			}
			s := summarize(t, out)
			checkAddsUp(t, s)
			if got := maxPart(s, summary.PartFree); got < 0.8*rssMiB*mib {
				t.Errorf("free heap at most %.1f MiB after freeing %d MiB", got/mib, rssMiB)
			}
		})
	}
}

func TestRSSFragmentation(t *testing.T) {
	bin := buildBinary(t, rssPkg)
	out := filepath.Join(t.TempDir(), "frag.jsonl")
	if b, err := exec.Command(bin, "-mode", "frag", "-mib", "128", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	s := summarize(t, out)
	if s.Memory.Dominant != summary.PartUnused {
		t.Errorf("dominant part %q, want %q; verdict %q", s.Memory.Dominant, summary.PartUnused, s.Verdict())
	}
	if v := strings.Join(s.Verdict(), "; "); !strings.Contains(v, "fragmentation") {
		t.Errorf("verdict does not name fragmentation: %s", v)
	}
	b := s.Memory.AtPeak
	// The known answer: 15 of every 16 slots of 128 MiB of 64-byte objects.
	if got, want := b.Part(summary.PartUnused).Bytes, 15.0/16*128*mib; got < 0.9*want || got > 1.1*want {
		t.Errorf("fragmentation %.1f MiB, want %.1f MiB within 10%%", got/mib, want/mib)
	}
	t.Logf("peak RSS %.1f MiB: live heap %.1f MiB, fragmentation %.1f MiB, free %.1f MiB",
		b.RSSBytes/mib, b.Part(summary.PartLive).Bytes/mib, b.Part(summary.PartUnused).Bytes/mib, b.Part(summary.PartFree).Bytes/mib)
}

// TestRSSOutsideGo: memory malloc'd through cgo is outside the Go runtime.
func TestRSSOutsideGo(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("GCPROBE_REQUIRE_GCC") != "" {
			t.Fatal("gcc is required (GCPROBE_REQUIRE_GCC is set) but not found")
		}
		t.Skip("needs gcc for cgo: apt-get install gcc")
	}
	t.Setenv("CGO_ENABLED", "1")
	bin := buildBinary(t, cgoPkg)
	out := filepath.Join(t.TempDir(), "cgo.jsonl")
	if b, err := exec.Command(bin, "-mib", "200", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	s := summarize(t, out)
	got := s.Memory.AtPeak.Part(summary.PartOutsideGo).Bytes
	if got < 0.9*200*mib || got > 1.1*200*mib {
		t.Errorf("outside the Go runtime %.1f MiB at the peak, want 200 MiB within 10%%", got/mib)
	}
	if s.Memory.Dominant != summary.PartOutsideGo {
		t.Errorf("dominant part %q", s.Memory.Dominant)
	}
	t.Logf("outside the Go runtime at the peak: %.1f MiB of 200 MiB malloc'd (%.1f%%)", got/mib, 100*(got/(200*mib)-1))
}

// TestLeakAndSteady runs the two known answers: the leak's slope within 10%
// of the rate it keeps, and no growth claimed for the steady service.
func TestLeakAndSteady(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two 8-second scenarios")
	}
	const rate = 4 << 20
	for _, name := range []string{"leak", "steady"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each uses well under a core for 8s
			out := filepath.Join(t.TempDir(), name+".jsonl")
			args := []string{"scenario", "run", name, "--duration", "8s", "--garbage", "64KiB", "--gogc", "50", "--quiet", "-o", out}
			if name == "leak" {
				args = append(args, "--leak", "4MiB")
			}
			start := time.Now()
			if r := gcprobe(t, args...); r.code != 0 {
				t.Fatalf("%+v", r)
			}
			run, err := record.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			tr := summary.Compute(run).LiveTrend
			if tr == nil {
				t.Fatal("no live heap trend")
			}
			t.Logf("%s in %v: %s, %.3f of %d B/s", name, time.Since(start).Round(time.Second), tr.Words(), tr.BytesPerSecond/rate, rate)
			switch name {
			case "leak":
				if tr.Verdict != summary.TrendGrows || tr.BytesPerSecond < 0.9*rate || tr.BytesPerSecond > 1.1*rate {
					t.Errorf("leak: %s, %.0f B/s, want grows at %d B/s within 10%%", tr.Verdict, tr.BytesPerSecond, rate)
				}
			case "steady":
				if tr.Verdict != summary.TrendSteady {
					t.Errorf("steady: %s", tr.Words())
				}
			}
		})
	}
}

// TestHeapGrowthNamesTheLeak attaches with --profiles heap to a program that
// leaks in one function: the report's heap growth (the end's inuse_space
// minus the start's) names it first, and the live heap's trend grows.
func TestHeapGrowthNamesTheLeak(t *testing.T) {
	bin := buildBinary(t, rssPkg)
	cmd := exec.Command(bin, "-mode", "leak", "-ramp", "3s", "-serve", "-delay", "800ms", "-linger")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("rss said %q", line)
	}
	out := filepath.Join(t.TempDir(), "leak.jsonl")
	r := gcprobe(t, "attach", "--pid", fmt.Sprint(cmd.Process.Pid), "--url", url, "--source", "agent",
		"--profiles", "heap", "--interval", "100ms", "--duration", "4.5s", "-o", out)
	if r.code != 0 {
		t.Fatalf("attach: %+v", r)
	}
	run, err := record.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rep := report.Build(context.Background(), []*record.Run{run}, report.Options{})
	var growth *report.Profile
	for i, p := range rep.Runs[0].Profiles {
		if strings.HasPrefix(p.Kind, "heap growth") {
			growth = &rep.Runs[0].Profiles[i]
		}
	}
	if growth == nil || growth.Err != "" || growth.Top == nil || len(growth.Top.Rows) == 0 {
		t.Fatalf("no heap growth table: %+v", growth)
	}
	if top := growth.Top.Rows[0]; !strings.Contains(top.Name, "keepForever") || top.Flat <= 0 {
		t.Errorf("heap growth's first site is %q (%d bytes), want main.keepForever growing", top.Name, top.Flat)
	}
	if tr := rep.Runs[0].Summary.LiveTrend; tr == nil || tr.Verdict != summary.TrendGrows {
		t.Errorf("live heap trend %+v, want grows", tr)
	}
}
