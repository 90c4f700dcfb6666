// Package report builds ticket-ready reports from run records: what was
// run, a verdict in plain words, charts, the summary tables, top allocators
// and churn from attached profiles, and for several runs the comparison with
// confidence intervals and a Pareto chart.
//
// As elsewhere in gcprobe, [Build] computes a [Report] and the renderers
// write it: [WriteHTML] one self-contained page (inline SVG and CSS, nothing
// fetched from the network, every string escaped by html/template), and
// [WriteMarkdown] GitHub-flavoured Markdown with PNG charts beside it.
//
// The report computes no figure of its own: it renders the values of the
// packages that own them. Each figure is a cell of a [table.Table] from the
// package that computed it — summary.Table for the summaries side by side,
// profiles' View.Layout for a profile, compare's Comparison.Tables for a
// comparison — and the renderers lay out only those tables; verdicts come
// from summary, the recommendation and warnings from compare, and the
// comparison's input from compare.FromSummary, as gcprobe compare makes it.
// A new section (memory classes, trace analysis, a multi-run verdict) is a
// Table, or a field of Run or Report holding one, computed where its figures
// are, and a line in each renderer that writes it.
package report

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/analyze/profiles"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/analyze/table"
	"github.com/gcprobe/gcprobe/record"
)

// Options control Build.
type Options struct {
	// Title overrides the report's title.
	Title string
	// Budgets ask the comparison for a recommended configuration.
	Budgets []compare.Budget
	// TopN is the number of rows of profile tables (default 10).
	TopN int
	// MaxRunCharts is the number of runs up to which each run gets its own
	// charts (default 4); a sweep of more runs shows its comparison charts
	// and each run's verdict and facts only.
	MaxRunCharts int
	// By groups the runs of the comparison by these dimensions or labels
	// only (see compare.Options.By): a fleet's instances by version.
	By []string
}

// Report is a computed report, ready for a renderer.
type Report struct {
	Title string
	Runs  []*Run
	// Table is the summaries side by side, as summary lays them out, or
	// for more than summary.MaxSideBySide runs one row per run
	// (summary.Pivot); TableTitle says which, for a heading.
	Table      *table.Table
	TableTitle string
	// Verdict is the comparison's verdict, one line per metric (compare's
	// Verdict.Lines), shown first in a report of several runs.
	Verdict []string
	// Comparison is set for several runs; ComparisonNote says why it is
	// missing when it could not be computed.
	Comparison     *compare.Comparison
	ComparisonNote string
	// Figures are the charts of the comparison: a metric per configuration,
	// and memory against latency.
	Figures []Figure
	// Problems are inputs that could not be used, one line each.
	Problems []string
	// Notes tell the reader what the report leaves out.
	Notes []string
	// Fleet is set when the records are instances of a fleet (imported
	// from Prometheus): one row per instance and the outliers, in place of
	// the summaries side by side and the sections of single runs.
	Fleet      *summary.Fleet
	FleetTable *table.Table
}

// Run is the part of a report about one run.
type Run struct {
	Header   record.Header
	Summary  summary.Summary
	Verdict  string
	Figures  []Figure
	Profiles []Profile
	// Traces are the execution traces the record references, analysed.
	Traces []Trace
}

// Profile is the tables of one attached pprof profile.
type Profile struct {
	Kind, Path string
	Top        *profiles.Table
	Churn      *profiles.ChurnTable
	// Err says why the profile could not be read.
	Err string
}

// Tables are the profile's tables as profiles lays them out (what gcprobe
// analyze prints), each captioned first with the profile they come from.
func (p Profile) Tables() []*table.Table {
	var views []profiles.View
	if p.Top != nil {
		views = append(views, p.Top)
	}
	if p.Churn != nil {
		views = append(views, p.Churn)
	}
	var ts []*table.Table
	for _, v := range views {
		t := v.Layout()
		t.Caption = append([]string{fmt.Sprintf("%s profile %s", p.Kind, p.Path)}, t.Caption...)
		ts = append(ts, t)
	}
	return ts
}

// Build computes a report from run records.
func Build(ctx context.Context, runs []*record.Run, opts Options) *Report {
	in := make([]Input, len(runs))
	for i, run := range runs {
		in[i] = Input{File: run.File, Header: run.Header, Summary: summary.Compute(run)}
	}
	return BuildSummaries(ctx, in, opts)
}

// Input is what a report needs of one run: its header and its summary
// (whose Charts the report draws: from Compute's events, or read again as
// a stream for a summary from summary.ReadRunFile), not its events, so that
// a long record is read in the same memory as a short one.
type Input struct {
	File    string
	Header  record.Header
	Summary summary.Summary
}

// BuildSummaries computes a report from runs already summarised.
func BuildSummaries(ctx context.Context, runs []Input, opts Options) *Report {
	if opts.TopN == 0 {
		opts.TopN = 10
	}
	if opts.MaxRunCharts == 0 {
		opts.MaxRunCharts = 4
	}
	r := &Report{Title: opts.Title}
	var sums []summary.Summary
	for i, run := range runs {
		s := run.Summary
		sums = append(sums, s)
		prefix := ""
		if len(runs) > 1 {
			prefix = fmt.Sprintf("run%d-", i+1)
		}
		rr := &Run{Header: run.Header, Summary: s, Verdict: Sentence(s.Verdict()), Profiles: runProfiles(ctx, s, opts.TopN)}
		if len(runs) <= opts.MaxRunCharts {
			figs, err := runFigures(s, prefix)
			if err != nil {
				r.Notes = append(r.Notes, fmt.Sprintf("The charts of %s are left out: %v.", s.File, err))
			}
			rr.Figures = figs
		}
		var notes []string
		rr.Traces, notes = runTraces(s.Traces(), s.File, prefix, len(runs) <= opts.MaxRunCharts)
		r.Notes = append(r.Notes, notes...)
		r.Runs = append(r.Runs, rr)
	}
	if len(runs) > opts.MaxRunCharts {
		r.Notes = append(r.Notes, fmt.Sprintf("Charts of single runs are left out for more than %d runs: run gcprobe report on one record to see its charts.", opts.MaxRunCharts))
	}
	r.Table, r.TableTitle = summary.Table(sums), "Summaries side by side"
	fleet := summary.IsFleet(sums)
	if fleet {
		f := summary.ComputeFleet(sums)
		r.Fleet, r.FleetTable = &f, f.Table()
		r.Notes = append(r.Notes, fmt.Sprintf("A fleet of %d instances: one row each; gcprobe report on one record shows it alone.", len(runs)))
	} else if len(sums) > summary.MaxSideBySide {
		r.Table, r.TableTitle = summary.Pivot(sums), "Runs by configuration"
	}
	switch {
	case fleet && len(opts.By) == 0:
		r.ComparisonNote = "a fleet: gcprobe report --by LABEL (version, gogc, zone) compares groups of its instances, as a sweep's repeats"
	case len(runs) > 1:
		r.compare(runs, sums, opts)
	}
	if r.Title == "" {
		r.Title = "GC report"
		if len(runs) == 1 {
			r.Title = "GC report: " + shorten(summary.What(sums[0]), 100)
		} else if fleet {
			r.Title = fmt.Sprintf("GC report: a fleet of %d instances", len(runs))
		} else if len(runs) > 1 {
			r.Title = "GC report: " + severalRuns(r.Comparison, len(runs))
		}
	}
	return r
}

// Sentence joins verdict clauses into one sentence.
func Sentence(clauses []string) string {
	if len(clauses) == 0 {
		return ""
	}
	s := strings.Join(clauses, "; ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// runProfiles reads the profiles the summary lists (paths relative to the
// record's directory) and lays out their tables.
func runProfiles(ctx context.Context, s summary.Summary, n int) []Profile {
	// The last profile of each kind (the one taken at the end).
	last := map[string]record.Profile{}
	var kinds []string
	for _, p := range s.Profiles {
		if _, ok := last[p.Kind]; !ok {
			kinds = append(kinds, p.Kind)
		}
		last[p.Kind] = p
	}
	var out []Profile
	for _, k := range kinds {
		rp := last[k]
		path := rp.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(s.File), path)
		}
		pv := Profile{Kind: rp.Kind, Path: rp.Path}
		prof, err := profiles.Load(ctx, path, profiles.LoadOptions{})
		if err != nil {
			pv.Err = err.Error()
			out = append(out, pv)
			continue
		}
		// heap and allocs profiles hold the same samples: show what holds
		// memory from the heap profile and what allocates from the allocs
		// one, and churn once, rather than one table twice.
		opts := profiles.TopOptions{N: n}
		switch {
		case k == "heap" && last["allocs"].Path != "":
			opts.SampleIndex = "inuse_space"
		case k == "heap" || k == "allocs":
			opts.SampleIndex = "alloc_space"
		}
		if k == "heap" || k == "allocs" && last["heap"].Path == "" {
			if ch, err := profiles.Churn(prof, profiles.ChurnOptions{N: n}); err == nil {
				pv.Churn = ch
			}
		}
		top, err := profiles.Top(prof, opts)
		if err != nil {
			top, err = profiles.Top(prof, profiles.TopOptions{N: n})
		}
		if err != nil {
			pv.Err = err.Error()
		}
		pv.Top = top
		out = append(out, pv)
	}
	if g, ok := heapGrowth(ctx, s, n); ok {
		out = append(out, g)
	}
	return out
}

// heapGrowth is the heap profile at the end minus the one at the start
// (gcprobe attach --profiles heap takes both): by inuse_space, the sites
// that hold more memory at the end, largest change first; what a growing
// live heap grew in.
func heapGrowth(ctx context.Context, s summary.Summary, n int) (Profile, bool) {
	var start, end string
	for _, p := range s.Profiles {
		if p.Kind == "heap" {
			switch p.When {
			case "start":
				if start == "" {
					start = p.Path
				}
			case "end":
				end = p.Path
			}
		}
	}
	if start == "" || end == "" {
		return Profile{}, false
	}
	pv := Profile{Kind: "heap growth (inuse_space at the end minus at the start)", Path: end}
	load := func(path string) (*profile.Profile, error) {
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(s.File), path)
		}
		return profiles.Load(ctx, path, profiles.LoadOptions{})
	}
	base, err := load(start)
	if err != nil {
		pv.Err = err.Error()
		return pv, true
	}
	last, err := load(end)
	if err != nil {
		pv.Err = err.Error()
		return pv, true
	}
	d, err := profiles.Diff(base, last, false)
	if err == nil {
		pv.Top, err = profiles.Top(d, profiles.TopOptions{N: n, SampleIndex: "inuse_space"})
	}
	if err != nil {
		pv.Err = err.Error()
	}
	return pv, true
}

// compareMetrics are the metrics drawn per configuration, when measured.
var compareMetrics = []string{"gc.cpu", "rss.peak", "heap.goal", "pause.p99", "latency.p99", "latency.p99_in_gc"}

func (r *Report) compare(runs []Input, sums []summary.Summary, opts Options) {
	in := make([]compare.Run, len(runs))
	for i, run := range runs {
		in[i] = compare.FromSummary(&record.Run{File: run.File, Header: run.Header}, sums[i])
	}
	c, err := compare.Compute(in, compare.Options{Budgets: opts.Budgets, By: opts.By})
	if err != nil && opts.Budgets != nil {
		// A budget these runs cannot answer (a metric they did not
		// measure, a value in the wrong unit) costs the recommendation,
		// not the comparison.
		// The note speaks to the reader of gcprobe report --budget,
		// whose budgets Options.Budgets are.
		r.ComparisonNote = "no recommendation: " + compare.WithFlag("--budget", err).Error()
		c, err = compare.Compute(in, compare.Options{By: opts.By})
	}
	if err != nil {
		r.ComparisonNote = "no comparison: " + err.Error()
		return
	}
	r.Comparison = c
	r.Verdict = c.Verdict().Lines()
	if len(c.Groups) < 2 {
		r.ComparisonNote = strings.TrimPrefix(r.ComparisonNote+"; every run has the same configuration: the comparison has one row per metric", "; ")
	}
	var labels []string
	for _, g := range c.Groups {
		labels = append(labels, g.Label)
	}
	for _, name := range compareMetrics {
		i := c.Metric(name)
		if i < 0 {
			continue
		}
		m := c.Metrics[i]
		b := chart.Bars{Title: metricTitle(name) + " by configuration", Y: metricTitle(name), Unit: chartUnit(m.Unit), Labels: labels}
		for _, g := range c.Groups {
			st := g.Stats[i]
			b.Center, b.Lo, b.Hi = append(b.Center, st.Center), append(b.Lo, st.Lo), append(b.Hi, st.Hi)
		}
		r.Figures = append(r.Figures, Figure{
			Name: "metric-" + strings.ReplaceAll(name, ".", "-"), Title: metricTitle(name) + " by configuration", Chart: b, Half: len(labels) <= chart.MaxColumnBars,
			Caption: fmt.Sprintf("Median of each configuration's runs, with its %.0f%% confidence interval where there are enough runs for one. %s.",
				c.Confidence*100, direction(m)),
		})
	}
	if f := c.Frontier; f != nil && len(f.Axes) >= 2 {
		// The Pareto chart answers the question of a sweep: it comes first.
		r.Figures = append([]Figure{r.pareto(c, f)}, r.Figures...)
	}
}

func (r *Report) pareto(c *compare.Comparison, f *compare.Frontier) Figure {
	xi, yi := c.Metric(f.Axes[0]), c.Metric(f.Axes[1])
	// The title names what the axes plot: "peak RSS against p99 pause",
	// not "memory against latency" over a pause.
	title := metricTitle(f.Axes[0]) + " against " + metricTitle(f.Axes[1])
	// An axis is noise when the verdict finds no configuration that differs
	// significantly from its baseline on it: the verdict's own test, so
	// that the chart never stretches what the verdict calls the same.
	v := c.Verdict()
	pc := chart.Pareto{Title: strings.ToUpper(title[:1]) + title[1:], X: metricTitle(f.Axes[0]), Y: metricTitle(f.Axes[1]),
		XUnit: chartUnit(c.Metrics[xi].Unit), YUnit: chartUnit(c.Metrics[yi].Unit),
		XNoise: !v.Metrics[xi].Differs(), YNoise: !v.Metrics[yi].Differs()}
	on := map[*compare.Group]bool{}
	for _, g := range f.Groups {
		on[g] = true
	}
	var rec *compare.Group
	if c.Recommendation != nil {
		rec = c.Recommendation.Group
	}
	for _, g := range c.Groups {
		pc.Points = append(pc.Points, chart.Point{Label: g.Label, X: g.Stats[xi].Center, Y: g.Stats[yi].Center,
			Frontier: on[g], Recommended: g == rec})
	}
	caption := fmt.Sprintf("Medians per configuration; green: the Pareto frontier, the configurations no other one beats on all of %s at once.", strings.Join(f.Axes, ", "))
	if len(c.Groups) > chart.MaxLabelledPoints {
		caption += " Only the frontier's points are named, where their names fit; the comparison's tables name every configuration."
	}
	for _, a := range []struct {
		noise bool
		name  string
	}{{pc.XNoise, f.Axes[0]}, {pc.YNoise, f.Axes[1]}} {
		if a.noise {
			caption += fmt.Sprintf(" No configuration differs significantly from its baseline on %s: its axis starts at zero, so that the spread is shown at its size.", a.name)
		}
	}
	if rec != nil {
		caption += " Circled: the recommended configuration."
	} else {
		caption += " Give --budget (for example rss=1GiB) to have one recommended."
	}
	return Figure{Name: "pareto", Title: pc.Title, Caption: caption, Chart: pc}
}

// metricTitles name metrics on charts in words ("p99 latency"); the
// tables keep the metric names that gcprobe check takes.
var metricTitles = map[string]string{
	"gc.cpu": "GC CPU", "gc.cycles_per_min": "GC cycles per minute", "rss.peak": "peak RSS", "rss.median": "median RSS",
	"heap.goal": "heap goal", "pause.p99": "p99 pause", "pause.max": "longest pause",
	"latency.p50": "p50 latency", "latency.p99": "p99 latency", "latency.p999": "p99.9 latency",
	"latency.p99_in_gc": "p99 latency inside GC", "throughput": "throughput", "errors.rate": "error rate",
}

func metricTitle(name string) string {
	if t, ok := metricTitles[name]; ok {
		return t
	}
	return name
}

func chartUnit(u string) chart.Unit {
	switch u {
	case summary.UnitBytes:
		return chart.Bytes
	case summary.UnitSeconds:
		return chart.Seconds
	case summary.UnitRatio:
		return chart.Ratio
	}
	return chart.Count
}

func direction(m compare.MetricInfo) string {
	if m.LowerIsBetter {
		return "Lower is better"
	}
	return "Higher is better"
}

// severalRuns names a comparison for a title: "readstates, 6 configurations
// × 5 runs" for a sweep of one workload, "3 configurations, 7 runs"
// otherwise.
func severalRuns(c *compare.Comparison, n int) string {
	if c == nil || len(c.Groups) < 2 {
		return fmt.Sprintf("%d runs", n)
	}
	workload, each := c.Groups[0].Config.Workload, len(c.Groups[0].Files)
	for _, g := range c.Groups {
		if g.Config.Workload != workload {
			workload = ""
		}
		if len(g.Files) != each {
			each = 0
		}
	}
	s := fmt.Sprintf("%d configurations, %d runs", len(c.Groups), n)
	if each > 0 {
		s = fmt.Sprintf("%d configurations × %d runs", len(c.Groups), each)
	}
	if workload != "" {
		s = workload + ", " + s
	}
	return s
}

// shorten cuts s to at most n characters, ending in "…" when cut: a
// command line of a hundred flags is no title.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
