package compare

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/table"
)

// Limit is how much worse a metric may get before a check fails, as in
// --max 'pause.p99=+10%': 0.10 allows the median to get 10% worse.
// "Worse" is up for a lower-is-better metric and down for the others, so
// throughput=-5% and throughput=+5% both allow a 5% drop.
type Limit struct {
	Metric string
	Max    float64
}

// ParseLimits reads "metric=+10%,metric=5%".
func ParseLimits(s string) ([]Limit, error) {
	var ls []Limit
	err := eachMetricValue(s, func(part, name, val string) error {
		p, isPct := strings.CutSuffix(val, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if !isPct || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return entryErrorf("", "%q is not metric=+N%% (example: pause.p99=+10%%,rss.peak=+5%%)", part)
		}
		ls = append(ls, Limit{Metric: name, Max: math.Abs(f) / 100})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, entryErrorf("", "no limits given (example: pause.p99=+10%%,rss.peak=+5%%)")
	}
	return ls, nil
}

// eachMetricValue splits a "metric=value,metric=value" flag value and calls
// fn with each part, its metric's full name (aliases such as rss resolved,
// unknown metrics refused) and its value. Errors are *EntryError or
// *UnknownMetricError, for the command to name its flag (WithFlag).
func eachMetricValue(s string, fn func(part, name, val string) error) error {
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		if !ok || name == "" || val == "" {
			return entryErrorf("", "%q is not metric=value", part)
		}
		if full, ok := budgetAliases[strings.ToLower(name)]; ok {
			name = full
		}
		if err := knownMetric(name); err != nil {
			return err
		}
		if err := fn(part, name, val); err != nil {
			return err
		}
	}
	return nil
}

// CheckResult is the outcome of Check: one row per configuration and
// limit.
type CheckResult struct {
	Rows []CheckRow
	// Failed counts the rows that failed.
	Failed int
	// Notes are footnotes, numbered from 1 in CheckRow.Notes.
	Notes []string
	// Unmatched lists new configurations the baseline did not measure.
	Unmatched []string
}

// CheckRow is one metric of one configuration, old against new.
type CheckRow struct {
	Config   string
	Metric   MetricInfo
	Old, New Stat
	// Allowed is the limit; Worse how much worse the median got
	// (negative: better).
	Allowed, Worse float64
	// Fail: significantly worse by more than allowed.
	Fail  bool
	Notes []int
}

// ErrNotMeasured is returned, wrapped with the metric's name, when a limit
// names a metric that no run measured: a mistake in the limits (or in the
// runs chosen), not a regression.
var ErrNotMeasured = errors.New("no run measured this metric")

// ErrNoSharedConfig is returned when the new runs and the baseline share no
// configuration.
var ErrNoSharedConfig = fmt.Errorf("the new runs share no configuration (GOGC, GOMEMLIMIT, GOMAXPROCS, parameters, and the build when the baseline has several) with the baseline")

// Check compares the new runs with the baseline runs of the same
// configuration (the program itself may differ), and fails a metric when it
// got significantly worse (Mann–Whitney U, p <= alpha) by more than its
// limit.
func Check(old, new []Run, limits []Limit, alpha float64) (*CheckResult, error) {
	return CheckBy(old, new, limits, alpha, nil)
}

// CheckBy is Check with runs matched on the by dimensions only (see
// Config.Only); by nil matches on the whole configuration. An empty,
// non-nil by pools every run of each side: a fleet before and after a
// deploy, its instances as repeats.
func CheckBy(old, new []Run, limits []Limit, alpha float64, by []string) (*CheckResult, error) {
	if len(old) == 0 || len(new) == 0 {
		return nil, ErrNoRuns
	}
	var runs []Run
	for _, set := range []struct {
		name string
		runs []Run
	}{{"old", old}, {"new", new}} {
		for _, r := range set.runs {
			if by != nil {
				r.Config = r.Config.Only(by)
			}
			r.Config.Workload = set.name
			runs = append(runs, r)
		}
	}
	sel := Selector{{DimWorkload, "old"}}
	if b, ok := oneBuild(old); ok && by == nil {
		// The baseline was measured with one build: the new runs are
		// checked against it whatever Go release or GC made them (an
		// upgrade is what a check is for). With several, builds pair up.
		// With by, the runs are matched on those dimensions alone.
		sel = append(sel, Term{DimGo, b.GoVersion}, Term{DimGC, b.GC})
	}
	var names []string
	for _, l := range limits {
		if err := knownMetric(l.Metric); err != nil {
			return nil, err
		}
		names = append(names, l.Metric)
	}
	c, err := Compute(runs, Options{Baseline: sel, Alpha: alpha, Metrics: names})
	if err != nil {
		return nil, err
	}
	var idx []int
	for _, l := range limits {
		i := c.Metric(l.Metric)
		if i < 0 {
			return nil, &EntryError{Metric: l.Metric, Err: ErrNotMeasured}
		}
		idx = append(idx, i)
	}
	var dims []string
	labelBy := c.Dims
	if len(by) > 0 {
		labelBy = by // what the runs were matched on; the rest is empty
	}
	for _, d := range labelBy {
		if d != DimWorkload {
			dims = append(dims, d)
		}
	}
	res := &CheckResult{Notes: c.Notes}
	matched := 0
	for _, g := range c.Groups {
		if g.IsBaseline() && !g.NoBaseline {
			continue
		}
		label := g.Config.Label(dims)
		if base := g.Baseline.Config.Build(); !g.NoBaseline && base != g.Config.Build() {
			label += " (baseline " + base + ")"
		}
		if g.NoBaseline || !agrees(g.Config, g.Baseline.Config, sel) {
			res.Unmatched = append(res.Unmatched, label)
			continue
		}
		matched++
		for j, l := range limits {
			i := idx[j]
			m := c.Metrics[i]
			row := CheckRow{Config: label, Metric: m, Old: g.Baseline.Stats[i], New: g.Stats[i], Allowed: l.Max, Worse: math.NaN()}
			if !math.IsNaN(row.New.Delta) {
				row.Worse = row.New.Delta
				if !m.LowerIsBetter {
					row.Worse = -row.Worse
				}
				row.Fail = row.New.Significant && row.Worse > l.Max
			}
			row.Notes = append(append(row.Notes, row.Old.Notes...), row.New.Notes...)
			if row.Fail {
				res.Failed++
			}
			res.Rows = append(res.Rows, row)
		}
	}
	if matched == 0 {
		var base []string
		for _, g := range c.Groups {
			if g.IsBaseline() && !g.NoBaseline {
				base = append(base, g.Config.Label(dims))
			}
		}
		return nil, fmt.Errorf("%w (baseline: %s; new: %s)", ErrNoSharedConfig, strings.Join(base, "; "), strings.Join(res.Unmatched, "; "))
	}
	return res, nil
}

// oneBuild reports the build of the runs when they all share one.
func oneBuild(runs []Run) (Config, bool) {
	b := runs[0].Config
	for _, r := range runs[1:] {
		if r.Config.GoVersion != b.GoVersion || r.Config.GC != b.GC {
			return Config{}, false
		}
	}
	return b, true
}

// Table lays the check out: a row per configuration and limit, with the
// baseline's and the new median, the change, the limit, the U-test's p and
// the verdict (with the marks of its footnotes, r.Notes).
func (r *CheckResult) Table() *table.Table {
	t := &table.Table{
		Head:  []string{"configuration", "metric", "baseline", "new", "change", "allowed", "p", "verdict"},
		Align: []table.Align{table.Left, table.Left, table.Right, table.Right, table.Right, table.Right},
	}
	for _, row := range r.Rows {
		verdict := "ok"
		switch {
		case row.Fail:
			verdict = "FAIL"
		case !row.New.Significant && !math.IsNaN(row.New.P):
			verdict = "ok (~)"
		case math.IsNaN(row.Worse):
			verdict = "not measured"
		}
		p := "-"
		if !math.IsNaN(row.New.P) {
			p = fmt.Sprintf("%.3f", row.New.P)
		}
		marks := ""
		for _, n := range uniq(row.Notes) {
			marks += " " + superscript(n)
		}
		t.Row(row.Config, row.Metric.Name,
			FormatValue(row.Metric.Unit, row.Old.Center), FormatValue(row.Metric.Unit, row.New.Center),
			FormatDelta(row.New.Delta), worseWord(row), p, verdict+marks)
	}
	return t
}

// WriteCheck writes the check as a table, a verdict line and footnotes.
func WriteCheck(w io.Writer, r *CheckResult) error {
	if err := table.WriteText(w, r.Table(), table.TextOptions{}); err != nil {
		return err
	}
	var b strings.Builder
	for _, u := range r.Unmatched {
		fmt.Fprintf(&b, "\nwarning: %s is not in the baseline; not checked\n", u)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
		for i, n := range r.Notes {
			fmt.Fprintf(&b, "%s %s\n", superscript(i+1), n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// worseWord is the limit with its direction: "+10%" for a metric where up
// is worse, "-5%" for one where down is.
func worseWord(row CheckRow) string {
	sign := "+"
	if !row.Metric.LowerIsBetter {
		sign = "-"
	}
	return sign + strconv.FormatFloat(row.Allowed*100, 'f', -1, 64) + "%"
}

func uniq(ns []int) []int {
	var out []int
	seen := map[int]bool{}
	for _, n := range ns {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
