package gctrace

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealRuntime checks the parser against the runtime of the Go that runs
// the test: it builds testdata/alloc, runs it with gctrace, pacer and
// scavenger traces on, and classifies every line it printed.
func TestRealRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "alloc")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/alloc").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1,gcpacertrace=1,scavtrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.Bytes())
	}

	out := stderr.Bytes()
	p := NewParser()
	var cycles, forced int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		gc, kind := p.Parse(sc.Bytes())
		var want Kind
		switch {
		case strings.HasPrefix(line, "gc "):
			want = Cycle
		case strings.HasPrefix(line, "pacer: "):
			want = Pacer
		case strings.HasPrefix(line, "scav "):
			want = Scavenger
		}
		if kind != want {
			t.Errorf("%q: %v, want %v", line, kind, want)
		}
		if kind != Cycle {
			continue
		}
		cycles++
		if gc.N != uint64(cycles) || gc.Procs <= 0 || gc.HeapGoalBytes == 0 || gc.EndSeconds <= gc.StartSeconds ||
			gc.PauseSeconds <= 0 || gc.PauseMaxSeconds > gc.PauseSeconds || gc.GCCPUSeconds <= 0 {
			t.Errorf("%q: implausible %+v", line, gc)
		}
		if gc.Forced {
			forced++
		}
	}
	if cycles < 3 || forced != 2 {
		t.Errorf("%d cycles, %d forced; want at least 3, and 2 forced (runtime.GC, FreeOSMemory)\n%s", cycles, forced, out)
	}
	if p.Format() < Go118 {
		t.Errorf("format %v for the runtime of today", p.Format())
	}
}
