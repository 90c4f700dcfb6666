package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/internal/tracetest"
	"github.com/gcprobe/gcprobe/record"
)

// tracedRecord writes, in dir, a record whose trace events name a real
// execution trace of this process (allocating goroutines, so GC cycles
// run) and one that is missing, and reads it back.
func tracedRecord(t *testing.T, dir string) *record.Run {
	t.Helper()
	tb := tracetest.Allocating(t, 60*time.Millisecond, 3)
	if err := os.WriteFile(filepath.Join(dir, "run-trace-1.trace"), tb, 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "run.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := record.NewWriter(f, record.Header{Source: record.SourceScenario, Scenario: "readstates"})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(record.Event{T: 1, Trace: &record.Trace{Path: "run-trace-1.trace", Trigger: record.TraceLatency,
		Reason: "request latency p99 25 ms over 100 ms > 20 ms", Bytes: int64(len(tb))}})
	w.Write(record.Event{T: 2, Trace: &record.Trace{Path: "run-trace-2.trace", Trigger: record.TracePause, Reason: "GC pause"}})
	w.Write(record.Event{T: 3, End: &record.End{Reason: record.EndExit}})
	f.Close()
	run, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestTraceSection(t *testing.T) {
	dir := t.TempDir()
	rep := Build(context.Background(), []*record.Run{tracedRecord(t, dir)}, Options{})
	trs := rep.Runs[0].Traces
	if len(trs) != 2 || trs[0].Analysis == nil || len(trs[0].Figures) != 2 || !strings.Contains(trs[1].Err, "run-trace-2.trace") {
		t.Fatalf("traces: %+v", trs)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rep, filepath.Join(dir, "charts"), "charts"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Execution trace: run-trace-1.trace", "request latency p99 25 ms", "**Trace verdict:** During the",
		"Minimum mutator utilization", "| 1.00 ms |", "GC cycles (", "charts/trace1-mmu.png", "charts/trace1-timeline.png",
		"Execution trace: run-trace-2.trace", "no such file"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	for _, png := range []string{"trace1-mmu.png", "trace1-timeline.png"} {
		if fi, err := os.Stat(filepath.Join(dir, "charts", png)); err != nil || fi.Size() < 1000 {
			t.Errorf("chart %s: %v", png, err)
		}
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Execution trace: run-trace-1.trace", "Taken at 1.0 s of the run", "Trace verdict:", "<svg", "Minimum mutator utilization"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}
