package profiles

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/texttab"
	"github.com/gcprobe/gcprobe/units"
)

// A View is a computed value that the renderers write: *Table,
// *ChurnTable or SampleTypes.
type View interface {
	layout() layout
}

// layout is a view as a titled grid of cells, for the text and Markdown
// renderers. The last column is the name and is aligned left.
type layout struct {
	title  []string // lines above the table
	header []string
	rows   [][]string
	notes  []string
}

// WriteText writes v as aligned text.
func WriteText(w io.Writer, v View) error {
	l := v.layout()
	var t texttab.Table
	for _, line := range l.title {
		t.Title(line)
	}
	for i := range len(l.header) - 1 {
		t.Align(i, texttab.Right)
	}
	t.Row(l.header...)
	for _, r := range l.rows {
		t.Row(r...)
	}
	for _, n := range l.notes {
		t.Title("note: " + n)
	}
	_, err := t.WriteTo(w)
	return err
}

// WriteMarkdown writes v as a Markdown table, to paste into a ticket.
func WriteMarkdown(w io.Writer, v View) error {
	l := v.layout()
	var b strings.Builder
	for _, t := range l.title {
		b.WriteString(mdEscape(t) + "  \n")
	}
	b.WriteString("\n")
	cells := func(r []string, code bool) {
		b.WriteString("|")
		for i, c := range r {
			c = mdEscape(c)
			if code && i == len(r)-1 && !strings.Contains(c, "`") {
				c = "`" + c + "`"
			}
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	cells(l.header, false)
	b.WriteString("|")
	for i := range l.header {
		if i == len(l.header)-1 {
			b.WriteString(":---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, r := range l.rows {
		cells(r, true)
	}
	if len(l.notes) > 0 {
		b.WriteString("\n")
		for _, n := range l.notes {
			b.WriteString("- " + mdEscape(n) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v View) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// formatValue formats a sample value in its unit.
func formatValue(v int64, unit string) string {
	f := float64(v)
	switch unit {
	case "bytes":
		return units.Bytes(f)
	case "nanoseconds":
		return units.Seconds(f / 1e9)
	case "microseconds":
		return units.Seconds(f / 1e6)
	case "milliseconds":
		return units.Seconds(f / 1e3)
	case "seconds":
		return units.Seconds(f)
	}
	return strconv.FormatInt(v, 10)
}

func signed(v int64, unit string, diff bool) string {
	s := formatValue(v, unit)
	if diff && v > 0 {
		return "+" + s
	}
	return s
}

func (t *Table) layout() layout {
	what := "values"
	if t.Diff {
		what = "change"
	}
	l := layout{
		title: []string{
			fmt.Sprintf("Sample: %s (%s, index %d), %s by %s, sorted by %s", t.SampleType, t.Unit, t.SampleIndex, what, t.By, t.Sort),
			fmt.Sprintf("Total: %s in %d %s; showing %d of %d %s", signed(t.Net, t.Unit, t.Diff), t.Samples, plural("sample", t.Samples), len(t.Rows), t.Keys, plural(string(t.By), t.Keys)),
		},
		header: []string{"flat", "flat%", "sum%", "cum", "cum%", string(t.By)},
		notes:  t.Notes,
	}
	for _, r := range t.Rows {
		l.rows = append(l.rows, []string{
			signed(r.Flat, t.Unit, t.Diff), units.Percent(r.FlatShare), units.Percent(r.SumShare),
			signed(r.Cum, t.Unit, t.Diff), units.Percent(r.CumShare), r.Name,
		})
	}
	return l
}

func plural(s string, n int) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func (t *ChurnTable) layout() layout {
	l := layout{
		title: []string{
			fmt.Sprintf("Churn: %s against %s (%s) per site, by %s, sorted by garbage", t.AllocType, t.InuseType, t.Unit, t.By),
			fmt.Sprintf("Total: %s allocated, %s in use, in %d %s; showing %d of %d %s",
				formatValue(t.AllocTotal, t.Unit), formatValue(t.InuseTotal, t.Unit), t.Samples, plural("sample", t.Samples), len(t.Rows), t.Keys, plural(string(t.By), t.Keys)),
		},
		header: []string{"alloc", "inuse", "garbage", "garbage%", "alloc/inuse", string(t.By)},
		notes:  t.Notes,
	}
	for _, r := range t.Rows {
		ratio := "all garbage"
		if r.Ratio != nil {
			ratio = formatRatio(*r.Ratio)
		}
		l.rows = append(l.rows, []string{
			formatValue(r.Alloc, t.Unit), formatValue(r.Inuse, t.Unit), formatValue(r.Garbage, t.Unit),
			units.Percent(r.GarbageShare), ratio, r.Name,
		})
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

func (st SampleTypes) layout() layout {
	l := layout{
		title:  []string{fmt.Sprintf("%d %s, period %d %s", st.Samples, plural("sample", st.Samples), st.Period, st.PeriodType)},
		header: []string{"index", "total", "default", "type/unit"},
	}
	for _, t := range st.Types {
		def := ""
		if t.Default {
			def = "*"
		}
		l.rows = append(l.rows, []string{strconv.Itoa(t.Index), formatValue(t.Total, t.Unit), def, t.Type + "/" + t.Unit})
	}
	return l
}
