package compare

import (
	"fmt"
	"math"

	"github.com/gcprobe/gcprobe/analyze/table"
)

// FormatValue formats a value in a metric's unit, as the summary does.
func FormatValue(unit string, v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return Metric{Unit: unit, Value: v}.Format()
}

// FormatDelta formats a relative change: "+12.3%", "-4.05%", "0.00%".
func FormatDelta(d float64) string {
	switch {
	case math.IsNaN(d):
		return "?"
	case d == 0:
		return "0.00%"
	}
	return fmt.Sprintf("%+.2f%%", d*100)
}

// FormatSpread is the confidence interval as benchstat shows it: "± 4%",
// "± ∞" when there were too few runs for one.
func FormatSpread(s Stat) string {
	sp := s.Spread()
	if math.IsInf(sp, 0) {
		return "± ∞"
	}
	return fmt.Sprintf("± %.0f%%", sp*100)
}

// FormatVsBase is the comparison cell: "+12.30% (p=0.008 n=5)", or
// "~ (p=0.310 n=5)" when the difference is not significant; "" for a
// baseline or a metric one side did not measure.
func FormatVsBase(s, base Stat) string {
	if math.IsNaN(s.P) {
		return ""
	}
	n := fmt.Sprintf("n=%d", s.N)
	if s.N != base.N {
		n = fmt.Sprintf("n=%d+%d", base.N, s.N)
	}
	if !s.Significant {
		return fmt.Sprintf("~ (p=%.3f %s)", s.P, n)
	}
	return fmt.Sprintf("%s (p=%.3f %s)", FormatDelta(s.Delta), s.P, n)
}

// superscript writes n as superscript digits, as benchstat marks footnotes.
func superscript(n int) string { return table.Superscript(n) }

// noteMarks is a stat's footnote marks, " ¹ ²", or "".
func noteMarks(s Stat) string {
	m := ""
	for _, n := range s.Notes {
		m += " " + superscript(n)
	}
	return m
}
