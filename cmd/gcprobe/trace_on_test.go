package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// TestScenarioTraceOn runs a real scenario with a latency trigger its
// requests cross, and checks that a snapshot lands beside the record, the
// record's trace event says why, and gcprobe analyze reads the snapshot.
func TestScenarioTraceOn(t *testing.T) {
	bin := buildBinary(t, ".")
	dir := t.TempDir()
	out := filepath.Join(dir, "spike.jsonl")
	args := []string{"scenario", "run", "readstates", "--entries", "100000", "--rate", "3000", "--duration", "2s",
		"--warmup", "200ms", "--quiet", "-o", out, "--trace-on", "max>1us"}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcprobe %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	run, err := record.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var traces []record.Trace
	for _, e := range run.Events {
		if e.Trace != nil {
			traces = append(traces, *e.Trace)
		}
	}
	if len(traces) != 1 { // the default gap between snapshots is 10 s
		t.Fatalf("%d trace events, want 1: %+v", len(traces), traces)
	}
	tr := traces[0]
	if tr.Path != "spike-trace-1.trace" || tr.Trigger != record.TraceLatency || !strings.Contains(tr.Reason, "request latency max") {
		t.Errorf("trace event %+v", tr)
	}
	fi, err := os.Stat(filepath.Join(dir, tr.Path))
	if err != nil || fi.Size() != tr.Bytes {
		t.Fatalf("snapshot: %v (event says %d bytes)", err, tr.Bytes)
	}
	r := gcprobe(t, "analyze", filepath.Join(dir, tr.Path))
	if r.code != 0 || !strings.Contains(r.stdout, "Minimum mutator utilization") {
		t.Errorf("analyze the snapshot: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestScenarioTraceOnBadTrigger(t *testing.T) {
	r := gcprobe(t, "scenario", "run", "readstates", "--trace-on", "p99")
	if r.code != 2 || !strings.Contains(r.stderr, "--trace-on") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
