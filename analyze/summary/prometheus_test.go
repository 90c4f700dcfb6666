package summary

import (
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// TestPrometheusSamples: a record imported from Prometheus has samples with
// an exact cumulative pause total and a recent maximum, and no single
// pauses: the total is the counter's change, the longest pause the largest
// recent maximum, and no percentile is made up.
func TestPrometheusSamples(t *testing.T) {
	run := &record.Run{Header: record.Header{Source: record.SourcePrometheus}, Events: []record.Event{
		{T: 0, Sample: &record.Sample{GCCyclesTotal: 100, PauseSecondsTotal: 0.010, PauseMaxRecentSeconds: 0.0004}},
		{T: 15, Sample: &record.Sample{GCCyclesTotal: 130, PauseSecondsTotal: 0.013, PauseMaxRecentSeconds: 0.0009}},
		{T: 30, Sample: &record.Sample{GCCyclesTotal: 160, PauseSecondsTotal: 0.016, PauseMaxRecentSeconds: 0.0002}},
	}}
	s := Compute(run)
	p := s.Pauses
	if p.Method != PauseSamples || !near(p.Total, 0.006) || p.Longest != 0.0009 || p.P99 != 0 {
		t.Errorf("pauses %+v; want total 6ms, longest 0.9ms, no p99", p)
	}
	if s.Cycles.Total != 60 {
		t.Errorf("cycles %d, want 60", s.Cycles.Total)
	}
	if _, ok := s.Metric("pause.p99"); ok {
		t.Error("pause.p99 is reported without single pauses")
	}
	if m, ok := s.Metric("pause.total"); !ok || !near(m.Value, 0.006) {
		t.Errorf("pause.total %+v", m)
	}
	var b strings.Builder
	if err := WriteText(&b, []Summary{s}); err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(b.String(), "\n") {
		if f := strings.SplitN(strings.TrimSpace(l), "  ", 2); len(f) == 2 {
			rows[f[0]] = strings.TrimSpace(f[1])
		}
	}
	if !strings.HasPrefix(rows["longest pause"], "900 µs") || !strings.HasPrefix(rows["pause p50 / p99"], "-") {
		t.Errorf("want no percentiles and a longest pause of 900 µs:\n%s", b.String())
	}
}
