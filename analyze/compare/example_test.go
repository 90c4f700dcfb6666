package compare_test

import (
	"fmt"
	"os"

	"github.com/gcprobe/gcprobe/analyze/compare"
)

// Compute takes one Run per record (compare.Load or compare.FromRecord
// make them from files) and returns a Comparison for any renderer.
func Example() {
	var runs []compare.Run
	add := func(gogc string, cpu ...float64) {
		for i, v := range cpu {
			runs = append(runs, compare.Run{
				File:    fmt.Sprintf("gogc%s-%d.jsonl", gogc, i),
				Config:  compare.Config{GOGC: gogc, MemLimit: "off"},
				Metrics: []compare.Metric{{Name: "gc.cpu", Unit: compare.UnitFraction, Value: v, LowerIsBetter: true}},
			})
		}
	}
	add("100", 0.081, 0.079, 0.080, 0.082, 0.080, 0.081)
	add("200", 0.041, 0.040, 0.042, 0.039, 0.040, 0.041)
	c, err := compare.Compute(runs, compare.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	compare.WriteText(os.Stdout, c)
	// Output:
	// 2 configurations, 6 runs each; baseline: gogc=100 memlimit=off
	//
	// Verdict (the best configuration per metric, and what differs significantly from its baseline):
	//   gc.cpu: best gogc=200 memlimit=off, 4.05% (-49.69% vs its baseline, p=0.002); 1 of 1 configuration differs significantly from its baseline: 1 better (gogc=200 memlimit=off)
	//
	// gc.cpu (lower is better)
	//   gogc=100 memlimit=off  8.05%  ± 2%  baseline
	//   gogc=200 memlimit=off  4.05%  ± 4%  -49.69% (p=0.002 n=6)
}
