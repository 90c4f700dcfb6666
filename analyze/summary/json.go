package summary

import (
	"encoding/json"
	"io"
)

// jsonSummary is a Summary with its metrics and verdict, as WriteJSON
// writes it.
type jsonSummary struct {
	Summary
	Metrics []Metric `json:"metrics"`
	Verdict []string `json:"verdict,omitempty"`
}

// WriteJSON writes the summaries as an indented JSON array, each with its
// metrics and verdict.
func WriteJSON(w io.Writer, sums []Summary) error {
	out := make([]jsonSummary, len(sums))
	for i, s := range sums {
		out[i] = jsonSummary{Summary: s.finite(), Metrics: s.Metrics(), Verdict: s.Verdict()}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// finite returns s with NaN and infinite figures set to 0, which JSON can
// hold.
func (s Summary) finite() Summary {
	for _, f := range []*float64{&s.DurationSeconds, &s.Cycles.PerMinute, &s.GCCPU.Share,
		&s.Pauses.P50, &s.Pauses.P99, &s.Pauses.Max, &s.Pauses.Longest, &s.Pauses.Total,
		&s.HeapLive.Min, &s.HeapLive.Median, &s.HeapLive.Max,
		&s.HeapGoal.Min, &s.HeapGoal.Median, &s.HeapGoal.Max,
		&s.Alloc.BytesPerSecond, &s.RSS.Min, &s.RSS.Median, &s.RSS.Max, &s.RSSPeak, &s.RSSOverLive} {
		*f = finite(*f)
	}
	if s.Latency != nil {
		l := *s.Latency
		for _, f := range []*float64{&l.Throughput, &l.P50, &l.P99, &l.P999, &l.Max,
			&l.InGC.P50, &l.InGC.P99, &l.InGC.Max, &l.OutGC.P50, &l.OutGC.P99, &l.OutGC.Max,
			&l.Slow.Threshold, &l.Slow.Estimated, &l.Slow.Share, &l.LongestPause} {
			*f = finite(*f)
		}
		s.Latency = &l
	}
	return s
}
