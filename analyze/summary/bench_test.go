package summary

import (
	"bytes"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// BenchmarkCompute summarizes the generated scenario record whole, and
// BenchmarkTimeline times the part of it that computes the charts' series,
// so that the timeline's share of Compute is measured in the same run.
func BenchmarkCompute(b *testing.B) {
	run, err := record.Read(bytes.NewReader(encode(b, genScenario())), "scenario.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("compute", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Compute(run)
		}
	})
	b.Run("timeline", func(b *testing.B) {
		s := Compute(run)
		b.ReportAllocs()
		for b.Loop() {
			s.Charts(350)
		}
	})
}
