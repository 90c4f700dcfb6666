package compare

import (
	"strings"
	"testing"
)

// TestVerdict checks the verdict of the known grid: GOGC=200 is best on GC
// CPU and GOGC=50 on memory, each significantly; pause p99 has GOGC=100 as
// best and only the limited configuration differs (worse).
func TestVerdict(t *testing.T) {
	c, err := Compute(sweep(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := c.Verdict()
	byName := map[string]MetricVerdict{}
	for _, mv := range v.Metrics {
		byName[mv.Metric.Name] = mv
	}
	cpu, rss, pause := byName["gc.cpu"], byName["rss.peak"], byName["pause.p99"]
	if cpu.Best == nil || cpu.Best.Config.GOGC != "200" || !cpu.BestStat.Significant || cpu.BestStat.Delta >= 0 {
		t.Errorf("gc.cpu: best %+v (%+v), want GOGC=200, significantly lower", cpu.Best, cpu.BestStat)
	}
	if rss.Best == nil || rss.Best.Config.GOGC != "50" || !rss.BestStat.Significant {
		t.Errorf("rss.peak: best %+v, want GOGC=50, significant", rss.Best)
	}
	if cpu.Compared != 3 || len(cpu.Better) != 1 || len(cpu.Worse) != 2 || cpu.Worse[0].Config.GOGC != "50" {
		t.Errorf("gc.cpu: compared %d, better %d, worse %d (first %v); want 3, 1, 2 with GOGC=50 the worst", cpu.Compared, len(cpu.Better), len(cpu.Worse), cpu.Worse)
	}
	if pause.Best == nil || !pause.Best.IsBaseline() || len(pause.Better) != 0 || len(pause.Worse) != 1 || pause.Worse[0].Config.MemLimit == "off" {
		t.Errorf("pause.p99: best %v, better %d, worse %v; want the baseline, none better, the limited one worse", pause.Best, len(pause.Better), pause.Worse)
	}
	lines := strings.Join(v.Lines(), "\n")
	for _, want := range []string{
		"gc.cpu: best gogc=200 memlimit=off, 4.05% (-49.69% vs its baseline, p=0.002); 3 of 3 configurations differ significantly from their baseline: 1 better (gogc=200 memlimit=off), 2 worse (gogc=50 memlimit=off, gogc=100 memlimit=512MiB)",
		"pause.p99: best gogc=100 memlimit=off, 302 µs (a baseline); 1 of 3 configurations differs significantly from its baseline: 1 worse (gogc=100 memlimit=512MiB)",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("the verdict lacks\n%s\nin\n%s", want, lines)
		}
	}
}
