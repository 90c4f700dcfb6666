package crosscheck

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/internal/testservice"
	"github.com/gcprobe/gcprobe/profiler/child"
	"github.com/gcprobe/gcprobe/record"
)

// progs builds the test programs once per test binary.
var progs struct {
	once sync.Once
	dir  string
	err  error
}

// prog returns the path of testdata/progs/name, built.
func prog(t *testing.T, name string) string {
	t.Helper()
	progs.once.Do(func() {
		progs.dir, progs.err = os.MkdirTemp("", "gcprobe-crosscheck")
		if progs.err != nil {
			return
		}
		for _, n := range []string{"gccpu", "spin", "cycleshare"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(progs.dir, n), "../../testdata/progs/"+n).CombinedOutput()
			if err != nil {
				progs.err = &buildError{n, string(out)}
				return
			}
		}
	})
	if progs.err != nil {
		t.Fatal(progs.err)
	}
	return filepath.Join(progs.dir, name)
}

type buildError struct{ name, out string }

func (e *buildError) Error() string { return "building " + e.name + ": " + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	if progs.dir != "" {
		os.RemoveAll(progs.dir)
	}
	os.Exit(code)
}

// snapshot and report mirror testdata/progs/gccpu's output.
type snapshot struct {
	Cycles  uint64  `json:"cycles"`
	GCTotal float64 `json:"gc_total_seconds"`
	Idle    float64 `json:"gc_idle_seconds"`
	Total   float64 `json:"total_seconds"`
}

type report struct {
	GOMAXPROCS int      `json:"gomaxprocs"`
	Last       snapshot `json:"last"`
}

// contend keeps the machine's CPUs busy with other processes for d, with
// the GC environment removed so that they add no gctrace of their own.
func contend(t *testing.T, procs int, d time.Duration) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(prog(t, "spin"), "-procs", itoa(procs), "-duration", d.String())
	cmd.Env = testservice.WithoutGCEnv(os.Environ())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestRunGCCPUAgainstRuntime runs gccpu under gcprobe run (the child
// package, which is all that gcprobe run is) while spinners contend for the
// CPU, and holds the summary's GC CPU share against the share gccpu read
// from its own /cpu/classes at its last cycle end: within 15% relative, and
// the runtime's figure within the summary's bounds. Idle-priority marking
// comes from the same runtime counter in both, so it must agree closely too.
func TestRunGCCPUAgainstRuntime(t *testing.T) {
	cases := []struct {
		name, live, duration string
	}{
		{"small heap, many cycles", "0", "1500ms"},
		{"large heap", "100MiB", "1500ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gccpu := prog(t, "gccpu")
			out := filepath.Join(t.TempDir(), "report.json")
			contend(t, 2, 6*time.Second)
			var rec bytes.Buffer
			_, err := child.Run(context.Background(), child.Options{
				Command: []string{gccpu, "-live", tc.live, "-duration", tc.duration, "-out", out},
				Env:     []string{"GOMAXPROCS=2"},
				Record:  &rec,
			})
			if err != nil {
				t.Fatal(err)
			}
			var rep report
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			run, err := record.Read(&rec, "run.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			// The same window on both sides: gccpu's last snapshot is
			// at the end of cycle Last.Cycles; a cycle that ended after
			// gccpu read it is not in the runtime's figure.
			var kept []record.Event
			for _, e := range run.Events {
				if e.GC == nil || e.GC.N <= rep.Last.Cycles {
					kept = append(kept, e)
				}
			}
			run.Events = kept
			s := summary.Compute(run)
			l := rep.Last
			want := (l.GCTotal - l.Idle) / l.Total
			wantIdle := l.Idle / l.Total
			c := s.GCCPU
			// What summing gctrace's cpu fields said before (idle
			// included, stop-the-world at its printed cpu), for the
			// record of what this test fixed.
			var sumCPU, sumAvail float64
			for _, e := range run.Events {
				if e.GC != nil && e.GC.IntervalCPUSeconds > 0 {
					sumCPU, sumAvail = sumCPU+e.GC.GCCPUSeconds, sumAvail+e.GC.IntervalCPUSeconds
				}
			}
			t.Logf("%s: summed gctrace cpu fields %.2f%% of CPU, the runtime's GC total with idle %.2f%%", tc.name, 100*sumCPU/sumAvail, 100*l.GCTotal/l.Total)
			t.Logf("%s: %d cycles; gcprobe %.2f%% [%.2f%%, %.2f%%] (%s), runtime %.2f%%, ratio %.3f; idle %.2f%% vs %.2f%%; GC %.2fs, process CPU %.2fs",
				tc.name, l.Cycles, 100*c.Share, 100*c.Low, 100*c.High, c.Method, 100*want, c.Share/want, 100*c.IdleShare, 100*wantIdle, c.GCSeconds, c.ProcessSeconds)
			if l.Cycles < 3 {
				t.Fatalf("only %d cycles: not a test of anything", l.Cycles)
			}
			if c.Method != summary.CPUGCTraceBound {
				t.Fatalf("GC CPU method %q, want the gctrace bound", c.Method)
			}
			// The runtime's account starts at its schedinit, gctrace's
			// clock at runtime.main: a few ms apart, but on a starved
			// machine the new process may wait long in between, and the
			// runtime's share then has a larger denominator over the same
			// GC work. The GC CPU seconds are compared always, the shares
			// when the two available CPU times agree.
			wantSec := l.GCTotal - l.Idle
			if math.Abs(c.GCSeconds-wantSec) > 0.15*wantSec {
				t.Errorf("GC CPU %.4fs, the runtime's %.4fs: more than 15%% apart", c.GCSeconds, wantSec)
			}
			if slack := 0.001 * l.Total; wantSec < c.Low*c.AvailableSeconds-slack || wantSec > c.High*c.AvailableSeconds+slack {
				t.Errorf("the runtime's %.4fs is outside gcprobe's bounds [%.4fs, %.4fs]", wantSec, c.Low*c.AvailableSeconds, c.High*c.AvailableSeconds)
			}
			if gap := l.Total - c.AvailableSeconds; gap > 0.05*l.Total {
				t.Logf("the runtime's account started %.3fs of wall time before gctrace's clock: shares not compared", gap/float64(rep.GOMAXPROCS))
			} else if math.Abs(c.Share-want) > 0.15*want {
				t.Errorf("GC CPU share %.2f%%, the runtime's %.2f%%: more than 15%% apart", 100*c.Share, 100*want)
			}
			if wantIdleSec := l.Idle; math.Abs(c.IdleSeconds-wantIdleSec) > 0.15*wantIdleSec+0.002 {
				t.Errorf("idle marking %.4fs, the runtime's %.4fs", c.IdleSeconds, wantIdleSec)
			}
			if c.AvailableSeconds > l.Total*1.001 {
				t.Errorf("available CPU %.3fs, more than the runtime's %.3fs", c.AvailableSeconds, l.Total)
			}
			warned := false
			for _, w := range s.Warnings {
				warned = warned || strings.Contains(w.Error(), "exceeds the process's own CPU time")
			}
			if over := c.ProcessSeconds > 0 && c.GCSeconds > c.ProcessSeconds; over != warned {
				t.Errorf("GC %.2fs, process %.2fs: warning shown = %v", c.GCSeconds, c.ProcessSeconds, warned)
			}
		})
	}
}
