package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// TestAttachTraceWindows attaches to the real test service with
// /debug/pprof/trace mounted and checks the windows land beside the record,
// with trace events, and read in gcprobe analyze.
func TestAttachTraceWindows(t *testing.T) {
	svc := startService(t, "agent,pprof,trace")
	out := filepath.Join(t.TempDir(), "svc.jsonl")
	done := make(chan result, 1)
	go func() {
		done <- gcprobe(t, "attach", "--url", svc.url, "--duration", "1500ms", "--interval", "100ms",
			"--trace", "300ms,every=600ms", "-o", out)
	}()
	svc.load(1200*time.Millisecond, 400)
	r := <-done
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	_, kinds := readRun(t, out)
	traces := kinds[record.KindTrace]
	if len(traces) < 2 {
		t.Fatalf("%d trace windows, want 2 or 3:\n%s", len(traces), r.stdout)
	}
	for i, e := range traces {
		tr := e.Trace
		want := "svc-trace-" + string(rune('1'+i)) + ".trace"
		if tr.Path != want || tr.Trigger != record.TraceWindow || tr.DurationSeconds != 0.3 || tr.Reason != "window of 300ms, every 600ms" {
			t.Errorf("window %d: %+v", i, tr)
		}
		path := filepath.Join(filepath.Dir(out), tr.Path)
		if fi, err := os.Stat(path); err != nil || fi.Size() != tr.Bytes {
			t.Errorf("window %d: %v", i, err)
		}
		if !strings.Contains(r.stdout, "trace: "+path) {
			t.Errorf("the summary does not list %s:\n%s", path, r.stdout)
		}
	}
	a := gcprobe(t, "analyze", filepath.Join(filepath.Dir(out), traces[0].Trace.Path))
	if a.code != 0 || !strings.Contains(a.stdout, "Trace: ") {
		t.Errorf("analyze a window: exit %d\n%s%s", a.code, a.stdout, a.stderr)
	}
}

// TestAttachTraceNotServed: a service without /debug/pprof/trace (pprof's
// index answers 404) gets one line in the record, and the session goes on.
func TestAttachTraceNotServed(t *testing.T) {
	svc := startService(t, "agent,pprof")
	out := filepath.Join(t.TempDir(), "svc.jsonl")
	r := gcprobe(t, "attach", "--url", svc.url, "--duration", "500ms", "--interval", "100ms", "--trace", "200ms", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	_, kinds := readRun(t, out)
	if len(kinds[record.KindTrace]) != 0 {
		t.Errorf("trace events from a service that serves no trace: %+v", kinds[record.KindTrace])
	}
	found := false
	for _, e := range kinds[record.KindNote] {
		if m := e.Note.Message; strings.HasPrefix(m, "execution trace window: GET ") && strings.Contains(m, "404") && !strings.Contains(m, "\n") {
			found = true
		}
	}
	if !found || len(kinds[record.KindSample]) == 0 {
		t.Errorf("no one-line note on the 404 (or no samples): %+v", kinds[record.KindNote])
	}
}

func TestAttachTraceFlag(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"--url http://127.0.0.1:1 --trace 5", "--trace: \"5\": want a window of at least 100ms"},
		{"--url http://127.0.0.1:1 --trace 5s,often", "after the comma want every=E"},
		{"--url http://127.0.0.1:1 --trace 5s,every=1s", "E at least the window"},
		{"--pid 1 --trace 5s", "--trace needs --url"},
		{"--url http://127.0.0.1:1 --duration 2s --trace 5s", "must not be longer than --duration"},
	} {
		r := gcprobe(t, append([]string{"attach"}, strings.Fields(c.args)...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("attach %s: exit %d, stderr %q, want %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
