package compare

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// fleet makes n instances per version, each a run whose header carries its
// labels, with pause.p99 from p99(version, i).
func fleet(n int, p99 func(version string, i int) float64, versions ...string) []Run {
	var runs []Run
	for _, v := range versions {
		for i := range n {
			h := record.Header{Source: record.SourcePrometheus, Env: map[string]string{"GOGC": "100"},
				Labels: map[string]string{"job": "api", "instance": fmt.Sprintf("api-%s-%d", v, i), "version": v}}
			runs = append(runs, Run{File: h.Labels["instance"], Config: ConfigOf(h),
				Metrics: []Metric{{Name: "pause.p99", Unit: "s", Value: p99(v, i), LowerIsBetter: true}}})
		}
	}
	return runs
}

func TestCompareBy(t *testing.T) {
	runs := fleet(8, func(v string, i int) float64 {
		if v == "v2" {
			return 0.002 + float64(i)*1e-5
		}
		return 0.001 + float64(i)*1e-5
	}, "v1", "v2")

	t.Run("without --by every instance is a row", func(t *testing.T) {
		c, err := Compute(runs, Options{Metrics: []string{"pause.p99"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Groups) != 16 {
			t.Errorf("%d groups, want one per instance (16)", len(c.Groups))
		}
	})
	t.Run("--by version: instances are repeats", func(t *testing.T) {
		c, err := Compute(runs, Options{Metrics: []string{"pause.p99"}, By: []string{"version"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Groups) != 2 || c.Groups[0].Label != "version=v1" || len(c.Groups[1].Files) != 8 {
			t.Fatalf("groups %d, first %q", len(c.Groups), c.Groups[0].Label)
		}
		st := c.Groups[1].Stats[0]
		if !st.Significant || st.Delta < 0.9 || st.Delta > 1.1 {
			t.Errorf("v2 against v1: delta %g, significant %v; want about +100%%, significant", st.Delta, st.Significant)
		}
	})
	t.Run("check --by job pools each side", func(t *testing.T) {
		old, new := runs[:8], runs[8:]
		res, err := CheckBy(old, new, []Limit{{Metric: "pause.p99", Max: 0.10}}, 0.05, []string{"job"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed != 1 {
			t.Errorf("failed %d, want 1: p99 doubled across the fleet", res.Failed)
		}
		// The row names what the runs were matched on, not the GOGC and
		// GOMEMLIMIT that --by left out ("gogc=- memlimit=").
		if len(res.Rows) != 1 || res.Rows[0].Config != "job=api" {
			t.Errorf("rows %+v, want one for job=api", res.Rows)
		}
	})
	t.Run("a label no run has is refused", func(t *testing.T) {
		if err := CheckByKnown(runs, []string{"versoin"}); err == nil || !strings.Contains(err.Error(), `"versoin"`) || !strings.Contains(err.Error(), "version") {
			t.Errorf("misspelt label: %v, want an error naming it and the labels there are", err)
		}
		if err := CheckByKnown(runs, []string{"version", "gogc"}); err != nil {
			t.Errorf("a label the runs have, and a setting: %v", err)
		}
	})
	t.Run("ParseBy", func(t *testing.T) {
		by, err := ParseBy("GOGC, version,GOMEMLIMIT")
		if err != nil || fmt.Sprint(by) != "[gogc version memlimit]" {
			t.Errorf("ParseBy = %v, %v", by, err)
		}
		if _, err := ParseBy(" , "); err == nil {
			t.Error("empty --by accepted")
		}
	})
}
