package compare

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/units"
	"golang.org/x/perf/benchmath"
)

// Frontier is the Pareto frontier of a comparison: the configurations no
// other one beats on every axis at once (memory, latency, GC CPU), judged by
// their medians.
type Frontier struct {
	// Axes are the metrics used, one per axis that the runs measured:
	// rss.peak (else heap.goal), latency.p99 (else pause.p99), gc.cpu.
	Axes []string
	// Groups are the configurations on the frontier, in table order.
	Groups []*Group
}

var axisChoices = [][]string{
	{"rss.peak", "rss.median", "heap.goal"},
	{"latency.p99", "pause.p99"},
	{"gc.cpu"},
}

// Pareto computes the frontier; nil when the runs measured fewer than two
// axes or there is only one configuration.
func Pareto(c *Comparison) *Frontier {
	var axes []int
	f := &Frontier{}
	for _, choice := range axisChoices {
		for _, name := range choice {
			if i := c.Metric(name); i >= 0 && c.Metrics[i].LowerIsBetter {
				axes = append(axes, i)
				f.Axes = append(f.Axes, name)
				break
			}
		}
	}
	if len(axes) < 2 || len(c.Groups) < 2 {
		return nil
	}
	point := func(g *Group) ([]float64, bool) {
		p := make([]float64, len(axes))
		for j, i := range axes {
			p[j] = g.Stats[i].Center
			if math.IsNaN(p[j]) {
				return nil, false
			}
		}
		return p, true
	}
	for _, g := range c.Groups {
		pg, ok := point(g)
		if !ok {
			continue
		}
		dominated := false
		for _, h := range c.Groups {
			if ph, ok := point(h); ok && h != g && dominates(ph, pg) {
				dominated = true
				break
			}
		}
		if !dominated {
			f.Groups = append(f.Groups, g)
		}
	}
	return f
}

// dominates reports whether a is no worse than b everywhere and better
// somewhere (lower is better on every axis).
func dominates(a, b []float64) bool {
	better := false
	for i := range a {
		if a[i] > b[i] {
			return false
		}
		if a[i] < b[i] {
			better = true
		}
	}
	return better
}

// Budget is a limit a recommended configuration must respect, as in
// --budget rss=1GiB or --budget gc-cpu=10%.
type Budget struct {
	// Metric is the metric's full name (aliases resolved).
	Metric string
	// Value is the limit as written; it is read in the metric's unit
	// when the comparison is known.
	Value string
}

// budgetAliases are the short names --budget accepts besides metric names.
var budgetAliases = map[string]string{
	"rss":     "rss.peak",
	"memory":  "rss.peak",
	"gc-cpu":  "gc.cpu",
	"gccpu":   "gc.cpu",
	"latency": "latency.p99",
	"pause":   "pause.p99",
}

// ParseBudgets reads "name=value,name=value".
func ParseBudgets(s string) ([]Budget, error) {
	var bs []Budget
	err := eachMetricValue(s, func(part, name, val string) error {
		if !parsesInSomeUnit(val) {
			return entryErrorf(name, "%q is not a size, a duration, a percentage or a number (examples: rss=1GiB, gc-cpu=10%%, latency.p99=50ms)", val)
		}
		bs = append(bs, Budget{Metric: name, Value: val})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, entryErrorf("", "empty budget (examples: rss=1GiB, gc-cpu=10%%)")
	}
	return bs, nil
}

// parsesInSomeUnit reports whether a budget's value reads in one of the
// units a metric can have: the unit itself is known only once the runs are,
// but a typo can be refused with the flag.
func parsesInSomeUnit(s string) bool {
	for _, u := range []string{UnitBytes, UnitSeconds, UnitFraction} {
		if v, err := ParseValue(u, s); err == nil && !math.IsNaN(v) {
			return true
		}
	}
	return false
}

// ParseValue reads a number in a metric's unit: a size for bytes, a
// duration or seconds for seconds, a percentage or fraction for fractions.
func ParseValue(unit, s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch unit {
	case UnitBytes:
		n, err := units.ParseSize(s)
		return float64(n), err
	case UnitSeconds:
		if d, err := time.ParseDuration(s); err == nil {
			return d.Seconds(), nil
		}
	case UnitFraction:
		if p, ok := strings.CutSuffix(s, "%"); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil {
				return 0, fmt.Errorf("%q is not a percentage", s)
			}
			return f / 100, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number in %s", s, unit)
	}
	return f, nil
}

// Recommendation is the configuration to run under a budget, with why.
type Recommendation struct {
	// Group is nil when no configuration fits the budget.
	Group *Group
	// Objective is the metric the choice minimized among those in budget.
	Objective string
	// Fits counts the configurations within budget.
	Fits int
	// Sentence says what to run and why, in one sentence.
	Sentence string
}

// objectives are the metrics a recommendation minimizes, in order of
// preference: the first one the runs measured and no budget limits. Under
// a memory budget the choice is the one that costs the least GC CPU; under a
// GC CPU budget, the one that needs the least memory.
var objectives = []string{"gc.cpu", "rss.peak", "latency.p99", "pause.p99", "heap.goal"}

// UnknownMetricError names a metric no summary has, and lists the ones a
// summary can have.
type UnknownMetricError struct {
	Metric string
	Known  []string
}

func (e *UnknownMetricError) Error() string {
	return fmt.Sprintf("unknown metric %q (known: %s)", e.Metric, strings.Join(e.Known, ", "))
}

// EntryError is an error in a metric=value list (budgets, a check's
// limits): in the entry of Metric, or in the list itself when Metric is
// empty. The command that took the list names its flag (see WithFlag).
type EntryError struct {
	Metric string
	Err    error
}

func (e *EntryError) Error() string {
	if e.Metric == "" {
		return e.Err.Error()
	}
	return e.Metric + ": " + e.Err.Error()
}

func (e *EntryError) Unwrap() error { return e.Err }

func entryErrorf(metric, format string, args ...any) error {
	return &EntryError{Metric: metric, Err: fmt.Errorf(format, args...)}
}

// WithFlag names the flag a metric=value list came from in an error about
// it: "--budget rss.peak: ...", "--budget: unknown metric ...". Other errors
// are returned as they are.
func WithFlag(flag string, err error) error {
	var entry *EntryError
	var unknown *UnknownMetricError
	switch {
	case errors.As(err, &entry) && entry.Metric != "":
		return fmt.Errorf("%s %w", flag, err)
	case errors.As(err, &entry), errors.As(err, &unknown):
		return fmt.Errorf("%s: %w", flag, err)
	}
	return err
}

// knownMetric checks a metric name against every metric a summary can
// have.
func knownMetric(name string) error {
	if slices.Contains(summary.MetricNames, name) {
		return nil
	}
	return &UnknownMetricError{name, summary.MetricNames}
}

// Recommend picks, among the configurations whose medians are within every
// budget, the one with the best median of the objective metric.
func Recommend(c *Comparison, budgets []Budget) (*Recommendation, error) {
	type limit struct {
		i    int
		max  float64
		text string
	}
	var lims []limit
	budgeted := map[string]bool{}
	for _, b := range budgets {
		if err := knownMetric(b.Metric); err != nil {
			return nil, err
		}
		i := c.Metric(b.Metric)
		if i < 0 {
			return nil, entryErrorf("", "%s is not among the compared metrics (%s)", b.Metric, strings.Join(c.MetricNames(), ", "))
		}
		v, err := ParseValue(c.Metrics[i].Unit, b.Value)
		if err != nil {
			return nil, &EntryError{Metric: b.Metric, Err: err}
		}
		op := "≤"
		if !c.Metrics[i].LowerIsBetter {
			op = "≥"
		}
		lims = append(lims, limit{i, v, fmt.Sprintf("%s %s %s", b.Metric, op, FormatValue(c.Metrics[i].Unit, v))})
		budgeted[b.Metric] = true
	}
	obj := -1
	for _, name := range objectives {
		if i := c.Metric(name); i >= 0 && !budgeted[name] {
			obj = i
			break
		}
	}
	within := func(g *Group, l limit) bool {
		v := g.Stats[l.i].Center
		if c.Metrics[l.i].LowerIsBetter {
			return v <= l.max
		}
		return v >= l.max
	}
	var texts []string
	for _, l := range lims {
		texts = append(texts, l.text)
	}
	budgetText := strings.Join(texts, " and ")
	r := &Recommendation{}
	var fit []*Group
	for _, g := range c.Groups {
		if !slices.ContainsFunc(lims, func(l limit) bool { return !within(g, l) }) {
			fit = append(fit, g)
		}
	}
	r.Fits = len(fit)
	if len(fit) == 0 {
		l := lims[0]
		best := c.Groups[0]
		for _, g := range c.Groups {
			if better(c.Metrics[l.i], g.Stats[l.i].Center, best.Stats[l.i].Center) {
				best = g
			}
		}
		r.Sentence = fmt.Sprintf("No configuration fits %s: the best median of %s is %s, with %s.",
			budgetText, c.Metrics[l.i].Name, FormatValue(c.Metrics[l.i].Unit, best.Stats[l.i].Center), best.Label)
		return r, nil
	}
	if obj < 0 {
		r.Group = fit[0]
		r.Sentence = fmt.Sprintf("Run %s: it fits %s, and the budget leaves no other metric to choose by.", r.Group.Label, budgetText)
		return r, nil
	}
	m := c.Metrics[obj]
	r.Objective = m.Name
	best := fit[0]
	for _, g := range fit[1:] {
		if better(m, g.Stats[obj].Center, best.Stats[obj].Center) {
			best = g
		}
	}
	r.Group = best
	r.Sentence = sentence(c, best, fit, obj, budgetText, func(g *Group) string {
		for _, l := range lims {
			if !within(g, l) {
				return fmt.Sprintf("%s %s", c.Metrics[l.i].Name, FormatValue(c.Metrics[l.i].Unit, g.Stats[l.i].Center))
			}
		}
		return ""
	})
	return r, nil
}

// sentence says why best is recommended: its objective against the
// runner-up within budget, and against its baseline (or why the baseline
// is not an option). over returns what puts a group over budget, "" if
// nothing does.
func sentence(c *Comparison, best *Group, fit []*Group, obj int, budget string, over func(*Group) string) string {
	m := c.Metrics[obj]
	val := func(g *Group) string { return FormatValue(m.Unit, g.Stats[obj].Center) }
	word := "lowest"
	if !m.LowerIsBetter {
		word = "highest"
	}
	var b strings.Builder
	var runner *Group
	fmt.Fprintf(&b, "Run %s: ", best.Label)
	if len(fit) == 1 {
		fmt.Fprintf(&b, "it is the only configuration within %s (%s %s)", budget, m.Name, val(best))
	} else {
		fmt.Fprintf(&b, "of the %d configurations within %s, it has the %s %s (%s)", len(fit), budget, word, m.Name, val(best))
		for _, g := range fit {
			if g != best && (runner == nil || better(m, g.Stats[obj].Center, runner.Stats[obj].Center)) {
				runner = g
			}
		}
		p := uTest(c, best.Stats[obj], runner.Stats[obj])
		name := runner.Label
		if runner == best.Baseline {
			name = "the baseline " + name
		}
		if p <= c.Alpha {
			fmt.Fprintf(&b, ", significantly better than the next, %s (%s, p=%.3f)", name, val(runner), p)
		} else {
			fmt.Fprintf(&b, ", though not significantly better than the next, %s (%s, p=%.3f)", name, val(runner), p)
		}
	}
	base := best.Baseline
	st := best.Stats[obj]
	switch {
	case best.IsBaseline():
		b.WriteString("; keep it")
	case runner == base:
		// Already compared.
	case over(base) != "":
		fmt.Fprintf(&b, "; the baseline %s is over budget (%s)", base.Label, over(base))
	case st.Significant:
		fmt.Fprintf(&b, "; against the baseline %s (%s) that is %s (p=%.3f)", base.Label, val(base), FormatDelta(st.Delta), st.P)
	case !math.IsNaN(st.P):
		fmt.Fprintf(&b, "; against the baseline %s (%s) the difference is not significant (p=%.3f)", base.Label, val(base), st.P)
	}
	b.WriteString(".")
	return b.String()
}

// uTest is the U-test's p-value for two stats' values (NaN when one has
// none).
func uTest(c *Comparison, a, b Stat) float64 {
	if a.N == 0 || b.N == 0 {
		return math.NaN()
	}
	th := &benchmath.Thresholds{CompareAlpha: c.Alpha}
	return benchmath.AssumeNothing.Compare(benchmath.NewSample(slices.Clone(a.Values), th), benchmath.NewSample(slices.Clone(b.Values), th)).P
}

// better reports whether a is a better median than b for metric m.
func better(m MetricInfo, a, b float64) bool {
	if math.IsNaN(b) {
		return !math.IsNaN(a)
	}
	if m.LowerIsBetter {
		return a < b
	}
	return a > b
}
