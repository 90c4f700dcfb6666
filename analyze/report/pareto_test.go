package report

import (
	"fmt"
	"testing"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/compare"
)

// TestParetoAxisFollowsVerdict: peak RSS whose U-test is significant for
// one configuration but whose median is the baseline's, and another within
// noise 0.06 MiB above. The verdict says no configuration differs on it,
// so the chart must not zoom its axis onto those 0.06 MiB: it starts at
// zero and says there is no significant difference. Latency differs: its
// axis keeps the zoom.
func TestParetoAxisFollowsVerdict(t *testing.T) {
	const MiB = 1 << 20
	rss := map[string][]float64{
		"100": {9.9, 9.9, 9.9, 10, 10, 10, 10},
		"200": {10, 10, 10, 10, 10.1, 10.1, 10.1},
		"50":  {9.96, 10.1, 10.0, 10.06, 10.12, 9.94, 10.08},
	}
	lat := map[string]float64{"100": 20e-3, "200": 15e-3, "50": 30e-3}
	var runs []compare.Run
	for _, gogc := range []string{"100", "200", "50"} {
		for i, v := range rss[gogc] {
			runs = append(runs, compare.Run{
				File:   fmt.Sprintf("gogc%s-%d.jsonl", gogc, i),
				Config: compare.Config{GOGC: gogc, MemLimit: "off", Workload: "app"},
				Metrics: []compare.Metric{
					{Name: "rss.peak", Unit: compare.UnitBytes, Value: v * MiB, LowerIsBetter: true},
					{Name: "latency.p99", Unit: compare.UnitSeconds, Value: lat[gogc] * (1 + float64(i)/100), LowerIsBetter: true},
					{Name: "gc.cpu", Unit: compare.UnitFraction, Value: 0.05, LowerIsBetter: true},
				},
			})
		}
	}
	c, err := compare.Compute(runs, compare.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ri := c.Metric("rss.peak")
	var sig bool
	for _, g := range c.Groups {
		sig = sig || (!g.IsBaseline() && g.Stats[ri].Significant)
	}
	v := c.Verdict().Metrics[ri]
	if !sig || v.Differs() {
		t.Fatalf("the test's premise: a U-test significant on rss.peak (%v) that the verdict does not count (differs %v)", sig, v.Differs())
	}
	if c.Frontier == nil || c.Frontier.Axes[0] != "rss.peak" || c.Frontier.Axes[1] != "latency.p99" {
		t.Fatalf("frontier %+v: want rss.peak against latency.p99", c.Frontier)
	}
	fig := (&Report{}).pareto(c, c.Frontier)
	pc := fig.Chart.(chart.Pareto)
	if !pc.XNoise || pc.YNoise {
		t.Errorf("x noise %v, y noise %v: want the RSS axis marked as noise and latency not", pc.XNoise, pc.YNoise)
	}
	p, err := pc.Plot()
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Min != 0 {
		t.Errorf("the RSS axis starts at %.2f MiB: a difference the verdict calls none is stretched across the plot", p.X.Min)
	}
}
