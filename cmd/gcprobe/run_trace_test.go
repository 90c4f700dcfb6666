package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/exp/trace"

	"github.com/gcprobe/gcprobe/record"
)

// traceHasFile reports whether the execution trace at path has a stack
// frame in a file whose path contains part: whose process it traced.
func traceHasFile(t *testing.T, path, part string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for fr := range ev.Stack().Frames() {
			if strings.Contains(fr.File, part) {
				return true
			}
		}
	}
}

// runTraces runs gcprobe run --load --trace-on against the load server
// with serverFlags, stalling its requests 30 ms every 300 ms for 2 s, and returns
// the result, the record's trace events and the record's directory.
func runTraces(t *testing.T, serverFlags []string, traceFlags ...string) (result, []record.Trace, string) {
	t.Helper()
	bin := buildBinary(t, loadServerPkg)
	addr := freeAddr(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "svc.jsonl")
	args := append([]string{"run", "--load", "http://" + addr + "/", "--rate", "200", "--duration", "2s", "--quiet", "-o", out,
		"--trace-on", "p99>5ms"}, traceFlags...)
	args = append(append(args, "--", bin, "-addr", addr, "-kib", "16", "-stall", "30ms", "-every", "300ms"), serverFlags...)
	r := gcprobe(t, args...)
	if r.code != 0 {
		return r, nil, dir
	}
	var traces []record.Trace
	for _, e := range readRecord(t, out).Events {
		if e.Trace != nil {
			traces = append(traces, *e.Trace)
		}
	}
	return r, traces, dir
}

// TestRunTraceOnPprof: the target serves net/http/pprof only, so each
// trigger takes a /debug/pprof/trace window from it: the trace is the
// target's (its own source files are in its stacks), and the record says
// it holds the seconds after the trigger.
func TestRunTraceOnPprof(t *testing.T) {
	r, traces, dir := runTraces(t, []string{"-pprof"}, "--trace-window", "300ms", "--trace-gap", "1s")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if len(traces) < 1 || len(traces) > 3 {
		t.Fatalf("%d traces, want 1 to 3 (2s, at least 1s apart): %+v", len(traces), traces)
	}
	if !strings.Contains(r.stderr, "/debug/pprof/trace?seconds=0.3 and holds the 300ms after the trigger, not the seconds before") {
		t.Errorf("no line at the start says where the traces come from:\n%s", r.stderr)
	}
	for i, tr := range traces {
		if tr.Source != record.TraceFromPprof || tr.Trigger != record.TraceLatency || tr.DurationSeconds != 0.3 ||
			!strings.Contains(tr.Reason, "request latency p99") || !strings.Contains(tr.Reason, "the 300ms after the trigger") {
			t.Errorf("trace %d: %+v", i, tr)
		}
		path := filepath.Join(dir, tr.Path)
		if fi, err := os.Stat(path); err != nil || fi.Size() != tr.Bytes {
			t.Fatalf("trace %d: %v (event says %d bytes)", i, err, tr.Bytes)
		}
		if !traceHasFile(t, path, "progs/loadserver") {
			t.Errorf("trace %d holds no frame of the load server: not the target's trace", i)
		}
	}
}

// TestRunTraceOnAgent: the target runs gcprobe's agent with a flight
// recorder, so each trigger takes a snapshot of the target's own recent
// past; with a 1s gap a 2s run under stalls every 300ms gets 2.
func TestRunTraceOnAgent(t *testing.T) {
	r, traces, dir := runTraces(t, []string{"-agent-flight"}, "--trace-gap", "1s", "--trace-max", "2")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if len(traces) != 2 {
		t.Fatalf("%d traces, want 2 (--trace-max 2): %+v", len(traces), traces)
	}
	for i, tr := range traces {
		if tr.Source != record.TraceFromAgent || !strings.Contains(tr.Reason, "the seconds before the trigger") || tr.DurationSeconds != 0 {
			t.Errorf("trace %d: %+v", i, tr)
		}
		if !traceHasFile(t, filepath.Join(dir, tr.Path), "progs/loadserver") {
			t.Errorf("trace %d holds no frame of the load server: not the target's trace", i)
		}
	}
}

// TestRunTraceOnNoSource: a target with neither the agent's recorder nor
// pprof gets one line and exit 2.
func TestRunTraceOnNoSource(t *testing.T) {
	r, _, _ := runTraces(t, nil)
	if r.code != 2 || strings.Count(r.stderr, "serves no execution trace") != 1 || !strings.Contains(r.stderr, "gcprobe: run: --trace-on: http://127.0.0.1:") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestTraceFlagsBad(t *testing.T) {
	load := []string{"run", "--load", "http://127.0.0.1:1/", "--duration", "1s"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{append(load, "--trace-on", "p99>1ms", "--trace-max", "0", "--", "true"), "run: --trace-max must be between 1 and 1000"},
		{append(load, "--trace-on", "p99>1ms", "--trace-gap", "10ms", "--", "true"), "run: --trace-gap must be at least 1s"},
		{append(load, "--trace-on", "p99>1ms", "--trace-window", "1ms", "--", "true"), "run: --trace-window must be between 100ms and 1m"},
		{append(load, "--trace-on", "p99>1ms", "--trace-total", "lots", "--", "true"), "run: --trace-total: "},
		{append(load, "--trace-on", "p99>1ms", "--trace-total", "1KiB", "--", "true"), "run: --trace-total must be at least 1MiB"},
		{append(load, "--trace-on", "p99>1ms", "--trace-from", "ftp://x", "--", "true"), "run: --trace-from "},
		{append(load, "--trace-gap", "2s", "--", "true"), "run: --trace-gap needs --trace-on"},
		{append(load, "--trace-on", "p99", "--", "true"), "run: --trace-on: "},
		{[]string{"run", "--trace-on", "p99>1ms", "--", "true"}, "run: --trace-on needs --load"},
		{[]string{"run", "--load-cmd", "true", "--trace-on", "p99>1ms", "--", "true"}, "run: --trace-on with --load-cmd needs --trace-from URL"},
		{[]string{"scenario", "run", "readstates", "--trace-on", "p99>1ms", "--trace-window-bytes", "1KiB"}, "scenario run: --trace-window-bytes must be at least 1MiB"},
		{[]string{"scenario", "run", "readstates", "--trace-max", "3"}, "scenario run: --trace-max needs --trace-on"},
	} {
		r := gcprobe(t, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("gcprobe %s: exit %d, stderr %q, want %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
}

// TestAttachTraceOn: attach --load --trace-on to the running test service,
// whose agent has no flight recorder but which serves net/http/pprof: the
// trace is a pprof window of the service's own.
func TestAttachTraceOn(t *testing.T) {
	svc := startService(t, "agent,pprof,trace")
	dir := t.TempDir()
	out := filepath.Join(dir, "svc.jsonl")
	r := gcprobe(t, "attach", "--url", svc.url, "--load", svc.url+"/work?kib=64", "--rate", "100", "--duration", "1s",
		"--interval", "100ms", "--trace-on", "max>1us", "--trace-window", "200ms", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var traces []record.Trace
	for _, e := range readRecord(t, out).Events {
		if e.Trace != nil {
			traces = append(traces, *e.Trace)
		}
	}
	if len(traces) != 1 || traces[0].Source != record.TraceFromPprof || traces[0].Path != "svc-trace-1.trace" {
		t.Fatalf("traces %+v, want one pprof window (the default gap is 10s)", traces)
	}
	if !traceHasFile(t, filepath.Join(dir, traces[0].Path), "progs/service") {
		t.Error("the trace holds no frame of the test service: not the target's trace")
	}
	r = gcprobe(t, "attach", "--url", svc.url, "--load", svc.url+"/work", "--trace", "1s", "--trace-on", "p99>1ms")
	if r.code != 2 || !strings.Contains(r.stderr, "--trace and --trace-on: give one") {
		t.Errorf("--trace with --trace-on: exit %d, %s", r.code, r.stderr)
	}
}
