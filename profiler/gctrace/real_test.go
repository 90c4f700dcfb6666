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
	out := runTraced(t, "./testdata/alloc", "", "gctrace=1,gcpacertrace=1,scavtrace=1")
	p := NewParser()
	var cycles, forced, pacers int
	var lastN uint64
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		gc, kind := p.Parse(sc.Bytes())
		// The runtime prints a trace line in pieces, and its GC, pacer and
		// scavenger traces come from different threads, so a line can be
		// cut by another (as in real logs). Whole lines must be recognised;
		// a cut one must never pass for a cycle.
		wholeCycle := strings.HasPrefix(line, "gc ") &&
			(strings.HasSuffix(line, " P") || strings.HasSuffix(line, "(forced)") || strings.HasSuffix(line, "leaks)"))
		switch {
		case wholeCycle && kind != Cycle:
			t.Errorf("%q: %v, want cycle", line, kind)
		case !wholeCycle && kind == Cycle:
			t.Errorf("%q: parsed as a cycle, but it is not a whole gctrace line", line)
		case strings.HasPrefix(line, "pacer: ") && (strings.HasSuffix(line, ")") || strings.HasSuffix(line, "pages/byte")) && kind != Pacer:
			t.Errorf("%q: %v, want pacer", line, kind)
		case strings.HasPrefix(line, "scav ") && (strings.HasSuffix(line, "% util") || strings.HasSuffix(line, "util (forced)")) && kind != Scavenger:
			t.Errorf("%q: %v, want scavenger", line, kind)
		}
		if kind == Pacer {
			pacers++
		}
		if kind != Cycle {
			continue
		}
		cycles++
		if gc.N <= lastN || gc.Procs <= 0 || gc.HeapGoalBytes == 0 || gc.EndSeconds <= gc.StartSeconds ||
			gc.PauseSeconds <= 0 || gc.PauseMaxSeconds > gc.PauseSeconds || gc.GCCPUSeconds <= 0 {
			t.Errorf("%q: implausible %+v", line, gc)
		}
		lastN = gc.N
		if gc.Forced {
			forced++
		}
	}
	if pacers == 0 {
		t.Errorf("no pacer line recognised in:\n%s", out)
	}
	if cycles < 3 || forced < 2 {
		t.Errorf("%d cycles, %d forced; want at least 3, and at least 2 forced (see testdata/alloc)\n%s", cycles, forced, out)
	}
	if p.Format() < Go118 {
		t.Errorf("format %v for the runtime of today", p.Format())
	}
}

// TestRealLeakCheck runs testdata/leak, whose goroutine leak check makes
// the Go 1.26 runtime print "(checking for goroutine leaks)".
func TestRealLeakCheck(t *testing.T) {
	out := runTraced(t, "./testdata/leak", "GOEXPERIMENT=goroutineleakprofile", "gctrace=1")
	p := NewParser()
	var leak int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if gc, kind := p.Parse(sc.Bytes()); kind == Cycle && gc.LeakCheck {
			leak++
			if !gc.Forced || p.Format() != Go126 {
				t.Errorf("%q: forced %v, format %v; want true, %v", sc.Text(), gc.Forced, p.Format(), Go126)
			}
		}
	}
	if leak != 1 {
		t.Errorf("%d leak-checking cycles, want 1:\n%s", leak, out)
	}
}

// runTraced builds the program pkg (with buildEnv added to the build's
// environment), runs it with GODEBUG=godebug and returns its stderr.
func runTraced(t *testing.T, pkg, buildEnv, godebug string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a program; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	build := exec.Command("go", "build", "-o", bin, pkg)
	build.Env = os.Environ()
	if buildEnv != "" {
		build.Env = append(build.Env, buildEnv)
	}
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", pkg, err, stderr.Bytes())
	}
	return stderr.Bytes()
}
