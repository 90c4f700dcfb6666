package profiles

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/gcprobe/gcprobe/analyze/table"
	"github.com/gcprobe/gcprobe/units"
)

// A View is a computed value that the renderers write: *Table,
// *ChurnTable or SampleTypes.
type View interface {
	// Layout is the view as a table: caption lines, a head, rows whose
	// last column is the name (Code), and notes. The report shows the
	// same table.
	Layout() *table.Table
}

// newLayout starts a view's table: every column but the last, the name,
// holds numbers.
func newLayout(caption []string, head ...string) *table.Table {
	t := &table.Table{Caption: caption, Head: head, Align: make([]table.Align, len(head))}
	for i := range head {
		t.Align[i] = table.Right
	}
	t.Align[len(head)-1] = table.Code
	return t
}

// WriteText writes v as aligned text.
func WriteText(w io.Writer, v View) error {
	return table.WriteText(w, v.Layout(), table.TextOptions{NotePrefix: "note: "})
}

// WriteMarkdown writes v as a Markdown table, to paste into a ticket.
func WriteMarkdown(w io.Writer, v View) error {
	return table.WriteMarkdown(w, v.Layout())
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v View) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// formatValue formats a sample value in its unit.
func formatValue(v int64, unit string) string { return units.Sample(v, unit) }

func signed(v int64, unit string, diff bool) string {
	s := formatValue(v, unit)
	if diff && v > 0 {
		return "+" + s
	}
	return s
}

// Layout is the top table.
func (t *Table) Layout() *table.Table {
	what := "values"
	if t.Diff {
		what = "change"
	}
	l := newLayout([]string{
		fmt.Sprintf("Sample: %s (%s, index %d), %s by %s, sorted by %s", t.SampleType, t.Unit, t.SampleIndex, what, t.By, t.Sort),
		fmt.Sprintf("Total: %s in %d %s; showing %d of %d %s", signed(t.Net, t.Unit, t.Diff), t.Samples, plural("sample", t.Samples), len(t.Rows), t.Keys, plural(string(t.By), t.Keys)),
	}, "flat", "flat%", "sum%", "cum", "cum%", string(t.By))
	l.Notes = t.Notes
	for _, r := range t.Rows {
		l.Row(
			signed(r.Flat, t.Unit, t.Diff), units.Percent(r.FlatShare), units.Percent(r.SumShare),
			signed(r.Cum, t.Unit, t.Diff), units.Percent(r.CumShare), r.Name,
		)
	}
	return l
}

func plural(s string, n int) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// Layout is the churn table.
func (t *ChurnTable) Layout() *table.Table {
	l := newLayout([]string{
		fmt.Sprintf("Churn: %s against %s (%s) per site, by %s, sorted by garbage", t.AllocType, t.InuseType, t.Unit, t.By),
		fmt.Sprintf("Total: %s allocated, %s in use, in %d %s; showing %d of %d %s",
			formatValue(t.AllocTotal, t.Unit), formatValue(t.InuseTotal, t.Unit), t.Samples, plural("sample", t.Samples), len(t.Rows), t.Keys, plural(string(t.By), t.Keys)),
	}, "alloc", "inuse", "garbage", "garbage%", "alloc/inuse", string(t.By))
	l.Notes = t.Notes
	for _, r := range t.Rows {
		ratio := "all garbage"
		if r.Ratio != nil {
			ratio = formatRatio(*r.Ratio)
		}
		l.Row(formatValue(r.Alloc, t.Unit), formatValue(r.Inuse, t.Unit), formatValue(r.Garbage, t.Unit),
			units.Percent(r.GarbageShare), ratio, r.Name)
	}
	return l
}

func formatRatio(r float64) string {
	switch a := math.Abs(r); {
	case a >= 100:
		return strconv.FormatFloat(r, 'f', 0, 64) + "x"
	case a >= 10:
		return strconv.FormatFloat(r, 'f', 1, 64) + "x"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "x"
}

// Layout is the table of sample types.
func (st SampleTypes) Layout() *table.Table {
	l := newLayout([]string{fmt.Sprintf("%d %s, period %d %s", st.Samples, plural("sample", st.Samples), st.Period, st.PeriodType)},
		"index", "total", "default", "type/unit")
	for _, t := range st.Types {
		def := ""
		if t.Default {
			def = "*"
		}
		l.Row(strconv.Itoa(t.Index), formatValue(t.Total, t.Unit), def, t.Type+"/"+t.Unit)
	}
	return l
}
