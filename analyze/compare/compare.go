package compare

import (
	"errors"

	"fmt"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/analyze/table"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Units of a Metric that compare parses and scales (the summary's).
const (
	UnitBytes    = summary.UnitBytes
	UnitSeconds  = summary.UnitSeconds
	UnitFraction = summary.UnitRatio // 0.25 shows as 25%
)

// Metric is one measured quantity of one run, as the summary names it.
type Metric = summary.Metric

// DefaultMetrics are the metrics Compute compares when Options.Metrics is
// nil: those that do not grow with a run's length.
var DefaultMetrics = []string{
	"gc.cpu", "gc.cycles_per_min", "pause.p99", "pause.max",
	"heap.goal", "rss.peak", "rss.median",
	"throughput", "errors.rate", "latency.p50", "latency.p99", "latency.p999", "latency.p99_in_gc",
}

// Run is the input of Compute: one run's configuration and metrics.
type Run struct {
	// File names the run in messages.
	File    string
	Config  Config
	Metrics []Metric
	// Ended says how a run that did not end normally ended ("interrupted",
	// "cut short"); "" for a run that exited or ran its --duration.
	Ended string
}

// Options control Compute.
type Options struct {
	// Baseline selects the configuration every other one is compared
	// with; nil means DefaultBaseline, and falls back to the first
	// configuration (with a warning) when no run has Go's defaults.
	Baseline Selector
	// Metrics are the metrics to compare, in order; nil means
	// DefaultMetrics. A metric no run measured is left out. Use
	// CheckMetrics to validate names from a user.
	Metrics []string
	// Budgets, when set, ask for a recommended configuration.
	Budgets []Budget
	// Alpha is the significance level of the U-test (default 0.05);
	// Confidence the level of confidence intervals (default 0.95).
	Alpha, Confidence float64
	// By, when set, groups runs by these dimensions only (see Config.Only):
	// every run equal on them is a repeat, as a fleet's instances are when
	// grouped by a label. The default baseline is then the first group.
	By []string
}

// Comparison is the result of Compute, ready for a renderer.
type Comparison struct {
	// Dims are the dimensions labels show: gogc and memlimit always, any
	// other one when it differs between runs.
	Dims []string
	// Groups are the configurations, the baseline first, then in order.
	Groups []*Group
	// Metrics are the compared metrics, in the order the runs listed them.
	Metrics []MetricInfo
	// Notes are the footnotes: statistical doubts, numbered from 1 in
	// Stat.Notes.
	Notes table.Footnotes
	// Warnings concern the whole comparison (the baseline had to be
	// guessed, a metric is missing from some runs).
	Warnings []error
	// Frontier is the Pareto frontier (see Pareto).
	Frontier *Frontier
	// Builds compare each build of the program (Go release, GC) with the
	// baseline build at the same settings; nil when all runs come from
	// one build.
	Builds []BuildVerdict
	// Recommendation answers --budget; nil without budgets.
	Recommendation *Recommendation
	Alpha          float64
	Confidence     float64
}

// MetricInfo describes one row of the comparison.
type MetricInfo struct {
	Name          string
	Unit          string
	LowerIsBetter bool
}

// Group is the runs of one configuration and their statistics.
type Group struct {
	Config Config
	Label  string
	Files  []string
	// Baseline is the group this one is compared with (itself for a
	// baseline).
	Baseline *Group
	// Stats has one entry per Comparison.Metrics.
	Stats []Stat
	// NoBaseline marks a group that no baseline run shares a workload and
	// parameters with: it is its own Baseline, compared with nothing.
	NoBaseline bool
	runs       []Run
}

// IsBaseline reports whether g is a baseline (or has none; see NoBaseline).
func (g *Group) IsBaseline() bool { return g.Baseline == g }

// BaselineWord is what a table says in a baseline's "vs baseline" cell:
// "baseline", or "no baseline" for a group compared with nothing.
func (g *Group) BaselineWord() string {
	if g.NoBaseline {
		return "no baseline"
	}
	return "baseline"
}

// Stat is one metric of one configuration.
type Stat struct {
	// N is the number of runs that measured the metric (0: none did).
	N      int
	Values []float64
	// Center is the median; Lo and Hi bound its confidence interval, and
	// are infinite when there are too few runs for one.
	Center, Lo, Hi float64
	// Delta is Center/baseline's Center - 1; P is the U-test's p-value
	// against the baseline; Significant is P <= Alpha. Delta and P are
	// NaN for the baseline itself and when either side has no runs.
	Delta, P    float64
	Significant bool
	// Notes are 1-based indexes into Comparison.Notes.
	Notes []int
}

// Spread is the half-width of the confidence interval relative to the
// median (0.04 for ±4%), +Inf when the interval is not finite.
func (s Stat) Spread() float64 {
	if math.IsInf(s.Lo, 0) || math.IsInf(s.Hi, 0) {
		return math.Inf(1)
	}
	if s.Center == 0 {
		return 0
	}
	return math.Max(s.Hi/s.Center-1, 1-s.Lo/s.Center)
}

// Better reports whether a significant change made the metric better.
func (s Stat) Better(m MetricInfo) bool {
	return s.Significant && (s.Delta < 0) == m.LowerIsBetter && s.Delta != 0
}

// CheckMetrics returns an *UnknownMetricError for the first name that is
// not a summary metric, its message naming the flag the names came from.
func CheckMetrics(flag string, names []string) error {
	for _, n := range names {
		if err := knownMetric(n); err != nil {
			return WithFlag(flag, err)
		}
	}
	return nil
}

// ErrNoRuns is returned by Compute for an empty input.
var ErrNoRuns = errors.New("no runs to compare")

// errMissing is the footnote of a median over fewer runs than its
// configuration has.
var errMissing = errors.New("some runs of the configuration could not measure this metric (too short a run, too few GC cycles, or a source without it): the median and n count only those that did")

// highSpread is the relative range of a configuration's runs above which a
// footnote warns that the machine was noisy.
const highSpread = 0.25

// Compute groups runs by configuration, summarizes every metric with its
// median and confidence interval, and tests every configuration against its
// baseline with the Mann–Whitney U test (benchmath.AssumeNothing, as
// benchstat does by default).
func Compute(runs []Run, opts Options) (*Comparison, error) {
	if len(runs) == 0 {
		return nil, ErrNoRuns
	}
	if opts.Alpha == 0 {
		opts.Alpha = benchmath.DefaultThresholds.CompareAlpha
	}
	if opts.Confidence == 0 {
		opts.Confidence = 0.95
	}
	c := &Comparison{Alpha: opts.Alpha, Confidence: opts.Confidence}
	if len(opts.By) > 0 {
		runs = slices.Clone(runs)
		for i := range runs {
			runs[i].Config = runs[i].Config.Only(opts.By)
		}
	}
	c.group(runs)
	for _, r := range runs {
		if r.Ended != "" {
			c.Warnings = append(c.Warnings, fmt.Errorf("%s did not end normally (%s): its figures cover only part of a run", r.File, r.Ended))
		}
	}
	c.Dims = labelDims(c.Groups)
	if len(opts.By) > 0 {
		c.Dims = opts.By
		if opts.Baseline == nil {
			opts.Baseline = c.firstGroup(opts.By)
		}
	}
	for _, g := range c.Groups {
		g.Label = g.Config.Label(c.Dims)
	}
	want := opts.Metrics
	if want == nil {
		want = slices.Clone(DefaultMetrics)
	}
	for _, b := range opts.Budgets {
		if !slices.Contains(want, b.Metric) {
			want = append(want, b.Metric)
		}
	}
	c.catalogue(runs, want)
	if err := c.pickBaselines(opts.Baseline); err != nil {
		return nil, err
	}
	c.stats(opts)
	c.Builds = buildVerdicts(c, opts.Baseline)
	c.Frontier = Pareto(c)
	if len(opts.Budgets) > 0 {
		r, err := Recommend(c, opts.Budgets)
		if err != nil {
			return nil, err
		}
		c.Recommendation = r
	}
	return c, nil
}

// firstGroup selects the first group in table order by the by dimensions.
func (c *Comparison) firstGroup(by []string) Selector {
	var sel Selector
	for _, d := range by {
		sel = append(sel, Term{d, c.Groups[0].Config.Get(d)})
	}
	return sel
}

// group puts runs of equal configurations together, in table order.
func (c *Comparison) group(runs []Run) {
	byKey := map[string]*Group{}
	for _, r := range runs {
		k := r.Config.key()
		g := byKey[k]
		if g == nil {
			g = &Group{Config: r.Config}
			byKey[k] = g
			c.Groups = append(c.Groups, g)
		}
		g.Files = append(g.Files, r.File)
		g.runs = append(g.runs, r)
	}
	slices.SortStableFunc(c.Groups, func(a, b *Group) int { return less(a.Config, b.Config) })
}

// labelDims is gogc and memlimit, then every other dimension whose value
// differs between groups.
func labelDims(groups []*Group) []string {
	dims := []string{DimGOGC, DimMemLimit}
	seen := map[string]bool{DimGOGC: true, DimMemLimit: true}
	for _, g := range groups {
		for _, d := range g.Config.dims() {
			if seen[d] {
				continue
			}
			seen[d] = true
			for _, h := range groups {
				if h.Config.Get(d) != g.Config.Get(d) {
					dims = append(dims, d)
					break
				}
			}
		}
	}
	// A build is named whole ("go1.26.8 classic") when either part differs.
	if slices.ContainsFunc(dims, func(d string) bool { return slices.Contains(buildDims, d) }) {
		dims = slices.DeleteFunc(dims, func(d string) bool { return slices.Contains(buildDims, d) })
		dims = append(dims, buildDims...)
	}
	return dims
}

// catalogue lists the wanted metrics that some run measured.
func (c *Comparison) catalogue(runs []Run, want []string) {
	for _, name := range want {
		for _, r := range runs {
			if k := slices.IndexFunc(r.Metrics, func(m Metric) bool { return m.Name == name }); k >= 0 {
				m := r.Metrics[k]
				c.Metrics = append(c.Metrics, MetricInfo{m.Name, m.Unit, m.LowerIsBetter})
				break
			}
		}
	}
}

// pickBaselines finds each group's baseline: the group the selector matches
// that agrees with it on every dimension the selector does not name (so with
// two data layouts, each layout is compared with its own GOGC=100).
func (c *Comparison) pickBaselines(sel Selector) error {
	explicit := sel != nil
	if !explicit {
		sel = append(slices.Clone(DefaultBaseline), c.baselineBuild()...)
	}
	var bases []*Group
	for _, g := range c.Groups {
		if sel.Match(g.Config) {
			bases = append(bases, g)
		}
	}
	if len(bases) == 0 {
		if explicit {
			return fmt.Errorf("no run matches --baseline %s; the configurations are: %s", sel, c.labels())
		}
		bases = []*Group{c.Groups[0]}
		if len(c.Groups) > 1 {
			c.Warnings = append(c.Warnings, fmt.Errorf("no run has Go's defaults (%s): comparing with %s", sel, c.Groups[0].Label))
		}
		sel = nil
	}
	for _, g := range c.Groups {
		g.Baseline = bases[0]
		matched := sel == nil
		for _, b := range bases {
			if agrees(g.Config, b.Config, sel) {
				g.Baseline, matched = b, true
				break
			}
		}
		if !matched && !slices.Contains(bases, g) {
			// Comparing it with another workload's or other parameters'
			// baseline would test the workloads, not the settings.
			g.NoBaseline = true
			bases = append(bases, g)
			c.Warnings = append(c.Warnings, fmt.Errorf("%s shares its workload and parameters with no baseline run (%s): it is compared with nothing", g.Label, sel))
		}
	}
	for _, b := range bases {
		b.Baseline = b
	}
	// Baselines first, each followed by the groups compared with it.
	var order []*Group
	for _, b := range bases {
		order = append(order, b)
		for _, g := range c.Groups {
			if g.Baseline == b && g != b {
				order = append(order, g)
			}
		}
	}
	c.Groups = order
	return nil
}

// baselineBuild is what the default baseline adds when the runs come from
// several builds: the oldest Go release and the classic GC before Green
// Tea, each only when the runs differ in it, so that a newer release or
// another GC is compared with the one a user upgrades from.
func (c *Comparison) baselineBuild() Selector {
	first := c.Groups[0].Config
	for _, g := range c.Groups[1:] {
		if compareBuild(g.Config, first) < 0 {
			first = g.Config
		}
	}
	var sel Selector
	for _, d := range buildDims {
		for _, g := range c.Groups {
			if g.Config.Get(d) != first.Get(d) {
				sel = append(sel, Term{d, first.Get(d)})
				break
			}
		}
	}
	return sel
}

// agrees reports whether a and b are equal on every dimension sel leaves
// free.
func agrees(a, b Config, sel Selector) bool {
	for _, d := range append(a.dims(), b.dims()...) {
		if !sel.names(d) && a.Get(d) != b.Get(d) {
			return false
		}
	}
	return true
}

func (c *Comparison) labels() string {
	l := make([]string, len(c.Groups))
	for i, g := range c.Groups {
		l[i] = g.Label
	}
	return strings.Join(l, "; ")
}

// stats fills every group's Stats.
func (c *Comparison) stats(opts Options) {
	th := &benchmath.Thresholds{CompareAlpha: opts.Alpha}
	values := map[*Group]map[string][]float64{}
	for _, g := range c.Groups {
		values[g] = map[string][]float64{}
	}
	for _, g := range c.Groups {
		for _, r := range g.runs {
			for _, m := range r.Metrics {
				if !math.IsNaN(m.Value) && !math.IsInf(m.Value, 0) {
					values[g][m.Name] = append(values[g][m.Name], m.Value)
				}
			}
		}
	}
	samples := map[*Group][]*benchmath.Sample{}
	for _, g := range c.Groups {
		g.Stats = make([]Stat, len(c.Metrics))
		samples[g] = make([]*benchmath.Sample, len(c.Metrics))
		for i, m := range c.Metrics {
			st := &g.Stats[i]
			st.Delta, st.P = math.NaN(), math.NaN()
			st.Center, st.Lo, st.Hi = math.NaN(), math.NaN(), math.NaN()
			v := values[g][m.Name]
			if len(v) == 0 {
				continue
			}
			s := benchmath.NewSample(slices.Clone(v), th)
			samples[g][i] = s
			sum := benchmath.AssumeNothing.Summary(s, opts.Confidence)
			st.N, st.Values = len(s.Values), s.Values
			st.Center, st.Lo, st.Hi = sum.Center, sum.Lo, sum.Hi
			c.note(st, sum.Warnings...)
			if len(v) < len(g.runs) {
				c.note(st, errMissing)
			}
			if r := rangeSpread(s.Values, sum.Center); r > highSpread {
				c.note(st, fmt.Errorf("runs differ by more than ±%.0f%% from their median: a noisy machine, or a workload that is not steady", highSpread*100))
			}
		}
	}
	for _, g := range c.Groups {
		if g.IsBaseline() {
			continue
		}
		for i := range c.Metrics {
			old, new := samples[g.Baseline][i], samples[g][i]
			if old == nil || new == nil {
				continue
			}
			st := &g.Stats[i]
			cmp := benchmath.AssumeNothing.Compare(old, new)
			st.P = cmp.P
			st.Significant = cmp.P <= cmp.Alpha
			base := g.Baseline.Stats[i].Center
			switch {
			case st.Center == base:
				st.Delta = 0
			case base != 0:
				st.Delta = st.Center/base - 1
			}
			c.note(st, cmp.Warnings...)
		}
	}
}

// rangeSpread is how far the extreme values lie from the median, relative
// to it.
func rangeSpread(sorted []float64, median float64) float64 {
	if len(sorted) < 2 || median == 0 {
		return 0
	}
	return math.Max(sorted[len(sorted)-1]/median-1, 1-sorted[0]/median)
}

// note attaches warnings to a stat as footnotes, numbering each distinct
// message once.
func (c *Comparison) note(st *Stat, warnings ...error) {
	for _, w := range warnings {
		if n := c.Notes.Cite(w.Error()); !slices.Contains(st.Notes, n) {
			st.Notes = append(st.Notes, n)
			slices.Sort(st.Notes)
		}
	}
}

// Metric returns the index of the named metric, or -1.
func (c *Comparison) Metric(name string) int {
	return slices.IndexFunc(c.Metrics, func(m MetricInfo) bool { return m.Name == name })
}

// MetricNames lists the compared metrics' names.
func (c *Comparison) MetricNames() []string {
	n := make([]string, len(c.Metrics))
	for i, m := range c.Metrics {
		n[i] = m.Name
	}
	return n
}
