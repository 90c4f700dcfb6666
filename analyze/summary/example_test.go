package summary_test

import (
	"fmt"
	"log"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/record"
)

// Compute a run's summary, then read its named metrics, as gcprobe compare
// and check do.
func ExampleSummary_Metrics() {
	run, err := record.ReadFile("testdata/gctrace.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	s := summary.Compute(run)
	for _, name := range []string{"gc.cycles", "gc.cpu", "pause.longest", "heap.live", "rss.peak"} {
		m, _ := s.Metric(name)
		fmt.Printf("%-13s %s\n", m.Name, m.Format())
	}
	fmt.Println(summary.CyclesLine(s.Cycles))
	// Output:
	// gc.cycles     8
	// gc.cpu        8.50%
	// pause.longest 240 µs
	// heap.live     11.5 MiB
	// rss.peak      29.0 MiB
	// 8: 7 automatic (1 periodic 2-minute), 1 forced
}
