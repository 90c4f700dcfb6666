package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/table"
	"github.com/gcprobe/gcprobe/analyze/texttab"
)

// direction is "lower is better" or "higher is better".
func direction(m MetricInfo) string {
	if m.LowerIsBetter {
		return "lower is better"
	}
	return "higher is better"
}

// Tables lays the comparison out, one table per metric: a row per
// configuration with its median, confidence interval (with the marks of its
// footnotes, c.Notes) and the change against its baseline. Every renderer,
// compare's and the report's, shows these tables.
func (c *Comparison) Tables() []*table.Table {
	var ts []*table.Table
	for i, m := range c.Metrics {
		t := &table.Table{
			Caption: []string{fmt.Sprintf("%s (%s)", m.Name, direction(m))},
			Head:    []string{"configuration", "median", fmt.Sprintf("%.0f%% CI", c.Confidence*100), "vs baseline"},
			Align:   []table.Align{table.Left, table.Right, table.Left, table.Left},
		}
		for _, g := range c.Groups {
			st := g.Stats[i]
			if st.N == 0 {
				t.Row(g.Label, "-", "", "")
				continue
			}
			vs := g.BaselineWord()
			if !g.IsBaseline() {
				vs = FormatVsBase(st, g.Baseline.Stats[i])
			}
			t.Row(g.Label, FormatValue(m.Unit, st.Center), FormatSpread(st)+noteMarks(st), vs)
		}
		ts = append(ts, t)
	}
	return ts
}

// FrontierTable lays out the Pareto frontier: the medians of each
// configuration on it, or nil when there is none.
func (c *Comparison) FrontierTable() *table.Table {
	f := c.Frontier
	if f == nil {
		return nil
	}
	t := &table.Table{
		Caption: []string{fmt.Sprintf("Pareto frontier (medians; no other configuration has lower %s at once)", strings.Join(f.Axes, ", "))},
		Head:    append([]string{"configuration"}, f.Axes...),
		Align:   []table.Align{table.Left},
	}
	for range f.Axes {
		t.Align = append(t.Align, table.Right)
	}
	for _, g := range f.Groups {
		cells := []string{g.Label}
		for _, a := range f.Axes {
			i := c.Metric(a)
			cells = append(cells, FormatValue(c.Metrics[i].Unit, g.Stats[i].Center))
		}
		t.Row(cells...)
	}
	return t
}

// WriteText writes the comparison as plain-text tables, one per metric,
// then the Pareto frontier, the recommendation, warnings and footnotes.
func WriteText(w io.Writer, c *Comparison) error {
	var t texttab.Table
	t.Title(runsLine(c))
	if lines := c.Verdict().Lines(); len(lines) > 0 {
		t.Title("")
		t.Title("Verdict (" + VerdictScope + "):")
		for _, l := range lines {
			t.Title("  " + l)
		}
	}
	for _, mt := range c.Tables() {
		t.Title("")
		table.AddText(&t, mt, table.TextOptions{NoHead: true, Indent: "  "})
	}
	if _, err := t.WriteTo(w); err != nil {
		return err
	}
	if ft := c.FrontierTable(); ft != nil {
		var p texttab.Table
		p.Title("")
		ft.Caption[0] += ":"
		ft.Head[0] = ""
		table.AddText(&p, ft, table.TextOptions{Indent: "  "})
		if _, err := p.WriteTo(w); err != nil {
			return err
		}
	}
	return writeEnd(w, c, "")
}

// runsLine says how many runs each configuration has and which is the
// baseline: "6 configurations, 5 runs each; baseline: gogc=100
// memlimit=off" when every configuration has as many runs, else each
// configuration with its count.
func runsLine(c *Comparison) string {
	each := len(c.Groups[0].Files)
	var bases, none []string
	for _, g := range c.Groups {
		if len(g.Files) != each {
			each = 0
		}
		switch {
		case g.NoBaseline:
			none = append(none, g.Label)
		case g.IsBaseline():
			bases = append(bases, g.Label)
		}
	}
	if each > 0 && len(c.Groups) > 1 {
		s := fmt.Sprintf("%d configurations, %d run%s each; baseline%s: %s", len(c.Groups), each, plural(each), plural(len(bases)), strings.Join(bases, "; "))
		if len(none) > 0 {
			s += "; no baseline: " + strings.Join(none, "; ")
		}
		return s
	}
	var parts []string
	for _, g := range c.Groups {
		s := fmt.Sprintf("%s: %d run%s", g.Label, len(g.Files), plural(len(g.Files)))
		if g.IsBaseline() {
			s += " (" + g.BaselineWord() + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// writeEnd writes the recommendation, warnings and footnotes; prefix starts
// each line (Markdown needs none, but a blank line before lists).
func writeEnd(w io.Writer, c *Comparison, prefix string) error {
	var b strings.Builder
	if len(c.Builds) > 0 {
		b.WriteString("\n")
		for _, v := range c.Builds {
			fmt.Fprintf(&b, "%sverdict: %s.\n", prefix, v.Sentence())
		}
	}
	if r := c.Recommendation; r != nil {
		fmt.Fprintf(&b, "\n%s%s\n", prefix, r.Sentence)
	}
	if len(c.Warnings) > 0 {
		b.WriteString("\n")
		for _, wr := range c.Warnings {
			fmt.Fprintf(&b, "%swarning: %s\n", prefix, wr)
		}
	}
	if len(c.Notes) > 0 {
		b.WriteString("\n")
		for i, n := range c.Notes {
			fmt.Fprintf(&b, "%s%s %s\n", prefix, superscript(i+1), n)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the comparison as GitHub-flavoured Markdown: its
// verdict, then a table per metric.
func WriteMarkdown(w io.Writer, c *Comparison) error {
	return writeMarkdown(w, c, true)
}

// WriteMarkdownTables writes the comparison as WriteMarkdown does, without
// the verdict: for a document that opens with it (gcprobe report), through
// WriteVerdictMarkdown.
func WriteMarkdownTables(w io.Writer, c *Comparison) error {
	return writeMarkdown(w, c, false)
}

// WriteVerdictMarkdown writes the verdict as a Markdown list under its
// heading, nothing when it has no line.
func WriteVerdictMarkdown(w io.Writer, v Verdict) error {
	lines := v.Lines()
	if len(lines) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Verdict** (%s):\n\n", table.MarkdownText(VerdictScope))
	for _, l := range lines {
		fmt.Fprintf(&b, "- %s\n", table.MarkdownText(l))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdown(w io.Writer, c *Comparison, verdict bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", runsLine(c))
	if verdict {
		b.WriteString("\n")
		if err := WriteVerdictMarkdown(&b, c.Verdict()); err != nil {
			return err
		}
	}
	for _, t := range c.Tables() {
		fmt.Fprintf(&b, "\n### %s\n\n", t.Caption[0])
		t.Caption = nil
		table.WriteMarkdown(&b, t)
	}
	if ft := c.FrontierTable(); ft != nil {
		fmt.Fprintf(&b, "\n### Pareto frontier\n\nMedians; no other configuration has lower %s at once.\n\n", strings.Join(c.Frontier.Axes, ", "))
		ft.Caption = nil
		table.WriteMarkdown(&b, ft)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return writeEnd(w, c, "")
}

// jsonComparison is the JSON form of a Comparison. Infinite or missing
// numbers are null.
type jsonComparison struct {
	Baseline       []string            `json:"baselines"`
	Dims           []string            `json:"dimensions"`
	Alpha          float64             `json:"alpha"`
	Confidence     float64             `json:"confidence"`
	Configurations []jsonGroup         `json:"configurations"`
	Metrics        []jsonMetric        `json:"metrics"`
	Verdict        []jsonMetricVerdict `json:"verdict"`
	Frontier       *jsonFrontier       `json:"pareto_frontier,omitempty"`
	Builds         []jsonVerdict       `json:"build_verdicts,omitempty"`
	Recommendation *jsonRecommended    `json:"recommendation,omitempty"`
	Warnings       []string            `json:"warnings,omitempty"`
	Notes          []string            `json:"notes,omitempty"`
}

type jsonGroup struct {
	Label    string            `json:"label"`
	Config   map[string]string `json:"config"`
	Baseline string            `json:"baseline"`
	// NoBaseline: no baseline run shares the workload and parameters.
	NoBaseline bool       `json:"no_baseline,omitempty"`
	Files      []string   `json:"files"`
	Stats      []jsonStat `json:"stats"`
}

// jsonMetricVerdict is a MetricVerdict of a measured metric; Sentence is
// its line of the text verdict.
type jsonMetricVerdict struct {
	Metric   string   `json:"metric"`
	Best     string   `json:"best"`
	Median   *float64 `json:"best_median"`
	Delta    *float64 `json:"best_delta,omitempty"`
	P        *float64 `json:"best_p,omitempty"`
	Compared int      `json:"compared"`
	// Better and Worse: labels of the configurations significantly better
	// or worse than their baseline, the largest change first.
	Better   []string `json:"better"`
	Worse    []string `json:"worse"`
	Sentence string   `json:"sentence"`
}

type jsonMetric struct {
	Name          string `json:"name"`
	Unit          string `json:"unit"`
	LowerIsBetter bool   `json:"lower_is_better"`
}

type jsonStat struct {
	Metric      string    `json:"metric"`
	N           int       `json:"n"`
	Values      []float64 `json:"values,omitempty"`
	Median      *float64  `json:"median"`
	Lo          *float64  `json:"ci_lo"`
	Hi          *float64  `json:"ci_hi"`
	Delta       *float64  `json:"delta,omitempty"`
	P           *float64  `json:"p,omitempty"`
	Significant bool      `json:"significant,omitempty"`
	Notes       []int     `json:"notes,omitempty"`
}

// jsonVerdict is a BuildVerdict; Sentence is its text.
type jsonVerdict struct {
	New      string       `json:"build"`
	Base     string       `json:"baseline_build"`
	Settings string       `json:"settings"`
	N        int          `json:"n"`
	BaseN    int          `json:"baseline_n"`
	Better   []jsonChange `json:"better"`
	Worse    []jsonChange `json:"worse"`
	Same     []jsonChange `json:"no_difference"`
	Sentence string       `json:"sentence"`
}

type jsonChange struct {
	Metric string   `json:"metric"`
	Delta  *float64 `json:"delta"`
	P      *float64 `json:"p"`
}

func jsonChanges(cs []Change) []jsonChange {
	out := []jsonChange{}
	for _, ch := range cs {
		out = append(out, jsonChange{ch.Metric, num(ch.Delta), num(ch.P)})
	}
	return out
}

type jsonFrontier struct {
	Axes           []string `json:"axes"`
	Configurations []string `json:"configurations"`
}

type jsonRecommended struct {
	Configuration string `json:"configuration,omitempty"`
	Objective     string `json:"objective,omitempty"`
	Fits          int    `json:"fits"`
	Sentence      string `json:"sentence"`
}

func groupLabels(gs []*Group) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.Label)
	}
	return out
}

// ciNum is one bound of a stat's confidence interval, null when the
// interval is not finite: with too few runs benchmath gives (-Inf, max),
// and a finite upper bound alone would read as an interval.
func ciNum(st Stat, v float64) *float64 {
	if math.IsInf(st.Spread(), 1) {
		return nil
	}
	return num(v)
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// WriteJSON writes the comparison as one indented JSON object.
func WriteJSON(w io.Writer, c *Comparison) error {
	j := jsonComparison{Dims: c.Dims, Alpha: c.Alpha, Confidence: c.Confidence, Notes: c.Notes}
	for _, w := range c.Warnings {
		j.Warnings = append(j.Warnings, w.Error())
	}
	for _, m := range c.Metrics {
		j.Metrics = append(j.Metrics, jsonMetric(m))
	}
	for _, g := range c.Groups {
		if g.IsBaseline() {
			j.Baseline = append(j.Baseline, g.Label)
		}
		jg := jsonGroup{Label: g.Label, Config: map[string]string{}, Baseline: g.Baseline.Label, NoBaseline: g.NoBaseline, Files: g.Files}
		for _, d := range g.Config.dims() {
			if v := g.Config.Get(d); v != "" {
				jg.Config[d] = v
			}
		}
		for i, st := range g.Stats {
			jg.Stats = append(jg.Stats, jsonStat{
				Metric: c.Metrics[i].Name, N: st.N, Values: st.Values,
				Median: num(st.Center), Lo: ciNum(st, st.Lo), Hi: ciNum(st, st.Hi),
				Delta: num(st.Delta), P: num(st.P), Significant: st.Significant, Notes: st.Notes,
			})
		}
		j.Configurations = append(j.Configurations, jg)
	}
	j.Verdict = []jsonMetricVerdict{}
	for _, mv := range c.Verdict().Metrics {
		if mv.Best == nil {
			continue
		}
		jv := jsonMetricVerdict{Metric: mv.Metric.Name, Best: mv.Best.Label, Median: num(mv.BestStat.Center),
			Compared: mv.Compared, Better: groupLabels(mv.Better), Worse: groupLabels(mv.Worse), Sentence: mv.Sentence()}
		if !mv.Best.IsBaseline() {
			jv.Delta, jv.P = num(mv.BestStat.Delta), num(mv.BestStat.P)
		}
		j.Verdict = append(j.Verdict, jv)
	}
	for _, v := range c.Builds {
		j.Builds = append(j.Builds, jsonVerdict{
			New: v.New, Base: v.Base, Settings: v.Settings, N: v.N, BaseN: v.BaseN,
			Better: jsonChanges(v.Better), Worse: jsonChanges(v.Worse), Same: jsonChanges(v.Same), Sentence: v.Sentence(),
		})
	}
	if f := c.Frontier; f != nil {
		jf := &jsonFrontier{Axes: f.Axes, Configurations: []string{}}
		for _, g := range f.Groups {
			jf.Configurations = append(jf.Configurations, g.Label)
		}
		j.Frontier = jf
	}
	if r := c.Recommendation; r != nil {
		jr := &jsonRecommended{Objective: r.Objective, Fits: r.Fits, Sentence: r.Sentence}
		if r.Group != nil {
			jr.Configuration = r.Group.Label
		}
		j.Recommendation = jr
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}
