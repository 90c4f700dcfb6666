package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/internal/tracetest"
)

// inProcessTrace records an execution trace of this test process while
// goroutines allocate linked lists (so GC cycles run), for d.
func inProcessTrace(t *testing.T, d time.Duration) []byte {
	return tracetest.Allocating(t, d, 4)
}

func TestAnalyzeTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spike.trace")
	if err := os.WriteFile(path, inProcessTrace(t, 150*time.Millisecond), 0o644); err != nil {
		t.Fatal(err)
	}

	r := gcprobe(t, "analyze", path)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Trace: " + path, "mark phase at t=", "Minimum mutator utilization", "1.00 ms", "GC cycles (", "during GC cycles against outside"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text lacks %q:\n%s", want, r.stdout)
		}
	}

	r = gcprobe(t, "analyze", "--json", path)
	var a struct {
		MMU []struct {
			WindowNs int64   `json:"window_ns"`
			Util     float64 `json:"util"`
		} `json:"mmu"`
		Cycles  []json.RawMessage `json:"cycles"`
		Verdict string            `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil || r.code != 0 {
		t.Fatalf("--json: exit %d, %v: %s", r.code, err, r.stderr)
	}
	if len(a.MMU) < 5 || a.MMU[0].WindowNs != 100e3 || len(a.Cycles) == 0 || a.Verdict == "" {
		t.Errorf("--json: %d MMU points (first %+v), %d cycles, verdict %q", len(a.MMU), a.MMU, len(a.Cycles), a.Verdict)
	}
	for i := 1; i < len(a.MMU); i++ {
		if a.MMU[i].Util+1e-9 < a.MMU[i-1].Util {
			t.Errorf("MMU falls from %v to %v as the window grows", a.MMU[i-1], a.MMU[i])
		}
	}

	r = gcprobe(t, "analyze", "--markdown", path)
	if r.code != 0 || !strings.Contains(r.stdout, "**Trace:**") || !strings.Contains(r.stdout, "|---:|") {
		t.Errorf("--markdown: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = gcprobeIn(t, string(mustRead(t, path)), "analyze", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Trace: stdin") {
		t.Errorf("stdin: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAnalyzeTraceBadInput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spike.trace")
	data := inProcessTrace(t, 20*time.Millisecond)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.trace")
	if err := os.WriteFile(cut, data[:min(len(data)/2, 3000)], 0o644); err != nil { // inside the first generation
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"profile flag on a trace", []string{"analyze", "--churn", path}, 2, "--churn applies to profiles"},
		{"trace as a base profile", []string{"analyze", "--base", path, profilesTestdata + "heap.pb.gz"}, 1, "a Go execution trace, not a profile"},
		{"cut in its only generation", []string{"analyze", cut}, 1, "cut short before the end of its first generation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := gcprobe(t, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("exit %d (want %d), stderr %q (want one line with %q)", r.code, c.code, r.stderr, c.want)
			}
		})
	}
}
