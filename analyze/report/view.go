package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/units"
)

// Facts lists what was run, when and where, as label and value pairs, for
// both renderers.
func (r *Run) Facts() [][2]string {
	s, h := r.Summary, r.Header
	facts := [][2]string{
		{"record", s.File},
		{"what", summary.What(s)},
		{"source", s.Source},
	}
	if len(h.Command) > 0 && s.Scenario != "" {
		facts = append(facts, [2]string{"command", strings.Join(h.Command, " ")})
	}
	if p := h.Program; p != nil && p.Name != "" {
		facts = append(facts, [2]string{"program", p.Name + " (from " + p.From + ")"})
	}
	if h.Attach != nil {
		facts = append(facts, [2]string{"attached", strings.TrimSpace(h.Attach.URL + " via " + h.Attach.Via)})
	}
	if h.PID != 0 {
		facts = append(facts, [2]string{"PID", fmt.Sprint(h.PID)})
	}
	facts = append(facts,
		[2]string{"started", summary.StartedLine(s)},
		[2]string{"duration", units.Seconds(s.DurationSeconds)},
		[2]string{"ended", s.Ended},
		[2]string{"Go", summary.GoLine(s)},
		[2]string{"settings", summary.SettingsLine(s)},
		[2]string{"host", summary.HostLine(s)},
	)
	if h.Host.Hostname != "" {
		facts = append(facts, [2]string{"hostname", h.Host.Hostname})
	}
	if h.GCProbeVersion != "" {
		facts = append(facts, [2]string{"gcprobe", h.GCProbeVersion})
	}
	return facts
}

// grid is a table as cells: a header row and body rows, with each column's
// alignment ("r" right, "" left).
type grid struct {
	Caption string
	Head    []string
	Align   []string
	Rows    [][]string
	Notes   []string
}

// topGrid lays out a profile's top table.
func topGrid(p Profile) *grid {
	t := p.Top
	if t == nil {
		return nil
	}
	g := &grid{
		Caption: fmt.Sprintf("Top %s by %s (%s profile %s)", t.By, t.SampleType, p.Kind, p.Path),
		Head:    []string{"flat", "flat%", "sum%", "cum", "cum%", "name"},
		Align:   []string{"r", "r", "r", "r", "r", ""},
		Notes:   t.Notes,
	}
	for _, r := range t.Rows {
		g.Rows = append(g.Rows, []string{value(r.Flat, t.Unit), units.Percent(r.FlatShare), units.Percent(r.SumShare),
			value(r.Cum, t.Unit), units.Percent(r.CumShare), r.Name})
	}
	return g
}

// churnGrid lays out a heap profile's churn table.
func churnGrid(p Profile) *grid {
	c := p.Churn
	if c == nil {
		return nil
	}
	g := &grid{
		Caption: fmt.Sprintf("Churn by %s: allocated against still in use (%s profile %s)", c.By, p.Kind, p.Path),
		Head:    []string{"allocated", "in use", "garbage", "garbage%", "name"},
		Align:   []string{"r", "r", "r", "r", ""},
		Notes:   c.Notes,
	}
	for _, r := range c.Rows {
		g.Rows = append(g.Rows, []string{value(r.Alloc, c.Unit), value(r.Inuse, c.Unit), value(r.Garbage, c.Unit),
			units.Percent(r.GarbageShare), r.Name})
	}
	return g
}

// value formats a profile sample value in its unit.
func value(v int64, unit string) string {
	switch unit {
	case "bytes":
		return units.Bytes(float64(v))
	case "nanoseconds":
		return units.Seconds(float64(v) / 1e9)
	}
	return units.Number(float64(v))
}

// comparisonGrids lays out the comparison, one table per metric, as
// compare's Markdown renderer does.
func comparisonGrids(c *compare.Comparison) []*grid {
	var gs []*grid
	for i, m := range c.Metrics {
		g := &grid{
			Caption: fmt.Sprintf("%s (%s)", m.Name, strings.ToLower(direction(m))),
			Head:    []string{"configuration", "median", fmt.Sprintf("%.0f%% CI", c.Confidence*100), "vs baseline", "runs"},
			Align:   []string{"", "r", "r", "", "r"},
		}
		for _, grp := range c.Groups {
			st := grp.Stats[i]
			vs := grp.BaselineWord()
			if !grp.IsBaseline() {
				vs = compare.FormatVsBase(st, grp.Baseline.Stats[i])
			}
			if st.N == 0 {
				vs = ""
			}
			g.Rows = append(g.Rows, []string{grp.Label, compare.FormatValue(m.Unit, st.Center), spread(st), vs, fmt.Sprint(st.N)})
		}
		gs = append(gs, g)
	}
	return gs
}

func spread(st compare.Stat) string {
	if st.N == 0 || math.IsNaN(st.Center) {
		return ""
	}
	if !finite(st.Lo) || !finite(st.Hi) {
		return "± ∞ (too few runs)"
	}
	return compare.FormatSpread(st)
}
