package report

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// fleetRuns are instances as gcprobe import prometheus writes them: labels,
// samples with the cumulative counters, an end.
func fleetRuns(n int) []*record.Run {
	var runs []*record.Run
	for i := range n {
		v := []string{"v1", "v2"}[i%2]
		h := record.Header{Source: record.SourcePrometheus, Env: map[string]string{"GOGC": "100", "GOMEMLIMIT": "off"},
			Labels: map[string]string{"job": "api", "instance": fmt.Sprintf("api-%d", i), "version": v}}
		run := &record.Run{File: h.Labels["instance"] + ".jsonl", Header: h}
		for k := range 10 {
			run.Events = append(run.Events, record.Event{T: float64(k * 15), Sample: &record.Sample{
				GCCyclesTotal: uint64(100 + k*30*(1+i%2)), PauseSecondsTotal: 0.01 + float64(k)*0.001, PauseMaxRecentSeconds: 0.0004,
				RSSBytes: uint64(90+i) << 20, HeapGoalBytes: 80 << 20}})
		}
		run.Events = append(run.Events, record.Event{T: 135, End: &record.End{Reason: record.EndImported}})
		runs = append(runs, run)
	}
	return runs
}

func TestFleetReport(t *testing.T) {
	r := Build(context.Background(), fleetRuns(6), Options{})
	if r.Fleet == nil || len(r.Fleet.Rows) != 6 || r.Comparison != nil || !strings.Contains(r.ComparisonNote, "--by") {
		t.Fatalf("fleet %v, comparison %v, note %q", r.Fleet, r.Comparison, r.ComparisonNote)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, r, t.TempDir(), "charts"); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.Contains(md, "## Fleet") || !strings.Contains(md, "| api-5 | v2 |") || strings.Contains(md, "Summaries side by side") {
		t.Errorf("markdown:\n%s", md)
	}
	b.Reset()
	if err := WriteHTML(&b, r); err != nil || !strings.Contains(b.String(), `<section id="fleet">`) {
		t.Errorf("html: %v", err)
	}

	by := Build(context.Background(), fleetRuns(6), Options{By: []string{"version"}})
	if c := by.Comparison; c == nil || len(c.Groups) != 2 || len(c.Groups[0].Files) != 3 {
		t.Fatalf("--by version: %+v", by.Comparison)
	}
}
