package trace

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/texttab"
)

// Table is one titled table of formatted cells, the shape both the text and
// the Markdown renderers (and gcprobe report) lay out.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	// Right says which columns hold numbers (right-aligned).
	Right []bool
}

// maxCycleRows bounds the cycle table: the worst cycles by wait, in time
// order.
const maxCycleRows = 20

// Tables formats an Analysis as tables, in reading order.
func Tables(a *Analysis) []Table {
	var ts []Table
	if len(a.MMU) > 0 {
		t := Table{Title: "Minimum mutator utilization (stw, background, assist, sweep)",
			Header: []string{"window", "MMU", "worst window at"}, Right: []bool{true, true, true}}
		for _, p := range a.MMU {
			t.Rows = append(t.Rows, []string{dur(p.WindowNs), fmt.Sprintf("%.3f", p.Util), at(p.WorstAtNs)})
		}
		ts = append(ts, t)
	}
	if len(a.Cycles) > 0 {
		t := Table{Title: fmt.Sprintf("GC cycles (%d)", len(a.Cycles)),
			Header: []string{"#", "at", "sweep term", "mark", "mark term", "dedicated", "fractional", "idle mark", "assists", "user", "waiting", "mean wait"},
			Right:  []bool{true, true, true, true, true, true, true, true, true, true, true, true}}
		for _, i := range cycleRows(a.Cycles) {
			c := a.Cycles[i]
			var sum ProcTime
			for _, p := range c.Procs {
				sum.DedicatedNs += p.DedicatedNs
				sum.FractionalNs += p.FractionalNs
				sum.IdleMarkNs += p.IdleMarkNs
				sum.AssistNs += p.AssistNs
				sum.UserNs += p.UserNs
			}
			mean := "-"
			if c.Waiting > 0 {
				mean = dur(c.WaitNs / int64(c.Waiting))
			}
			n := fmt.Sprint(i + 1)
			if !c.Complete {
				n += "*"
			}
			t.Rows = append(t.Rows, []string{n, at(c.StartAtNs), dur(c.SweepTermNs), dur(c.MarkNs), dur(c.MarkTermNs),
				dur(sum.DedicatedNs), dur(sum.FractionalNs), dur(sum.IdleMarkNs), dur(sum.AssistNs), dur(sum.UserNs),
				fmt.Sprint(c.Waiting), mean})
		}
		ts = append(ts, t)
	}
	if a.DurationNs > 0 {
		ts = append(ts, exposureTable(a))
	}
	if len(a.Regions) > 0 {
		t := Table{Title: "Regions (requests) overlapping a GC cycle against the others",
			Header: []string{"region", "class", "count", "mean", "max", "runnable", "STW", "assists"},
			Right:  []bool{false, false, true, true, true, true, true, true}}
		for _, g := range a.Regions {
			for _, c := range []struct {
				name string
				s    RegionStats
			}{{"in GC", g.InGC}, {"outside", g.OutsideGC}} {
				t.Rows = append(t.Rows, []string{g.Type, c.name, fmt.Sprint(c.s.Count), dur(c.s.MeanNs), dur(c.s.MaxNs),
					dur(c.s.MeanRunnableNs), dur(c.s.MeanSTWNs), dur(c.s.MeanAssistNs)})
			}
		}
		ts = append(ts, t)
	}
	if len(a.Delayed) > 0 {
		ts = append(ts, goroutineTable("Goroutines the GC delayed most", a.Delayed))
	}
	if len(a.Payers) > 0 {
		ts = append(ts, goroutineTable("Top assist payers", a.Payers))
	}
	return ts
}

// cycleRows picks the cycles to show: all of them, or the maxCycleRows
// with the longest waits, in time order.
func cycleRows(cs []Cycle) []int {
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	if len(cs) <= maxCycleRows {
		return idx
	}
	worst := append([]int(nil), idx...)
	sortBy(worst, func(i, j int) bool { return cs[i].WaitNs+cs[i].AssistNs > cs[j].WaitNs+cs[j].AssistNs })
	worst = worst[:maxCycleRows]
	sortBy(worst, func(i, j int) bool { return i < j })
	return worst
}

func exposureTable(a *Analysis) Table {
	t := Table{Title: "Program goroutines during GC cycles against outside",
		Header: []string{"", "time", "waits", "mean wait", "max wait", "goroutines waiting", "runnable", "STW", "assists"},
		Right:  []bool{false, true, true, true, true, true, true, true, true}}
	for _, c := range []struct {
		name string
		e    Exposure
	}{{"in GC", a.InGC}, {"outside", a.OutsideGC}} {
		t.Rows = append(t.Rows, []string{c.name, dur(c.e.SpanNs), fmt.Sprint(c.e.Waits), dur(c.e.MeanWaitNs), dur(c.e.MaxWaitNs),
			fmt.Sprint(c.e.WaitingGoroutines), dur(c.e.RunnableNs), dur(c.e.STWNs), dur(c.e.AssistNs)})
	}
	return t
}

func goroutineTable(title string, gs []Goroutine) Table {
	t := Table{Title: title,
		Header: []string{"goroutine", "function", "runnable in GC", "STW", "assists", "assist count", "runnable outside", "longest wait"},
		Right:  []bool{true, false, true, true, true, true, true, true}}
	for _, g := range gs {
		t.Rows = append(t.Rows, []string{fmt.Sprint(g.ID), g.Func, dur(g.RunnableInGCNs), dur(g.STWNs), dur(g.AssistNs),
			fmt.Sprint(g.Assists), dur(g.RunnableOutsideNs), dur(g.MaxWaitNs)})
	}
	return t
}

func heading(a *Analysis) string {
	s := fmt.Sprintf("%s: %s of trace, %d events, GOMAXPROCS %d", a.Source, dur(a.DurationNs), a.Events, a.GOMAXPROCS)
	if a.Truncated {
		s += " (truncated)"
	}
	return s
}

// WriteText renders a as plain text.
func WriteText(w io.Writer, a *Analysis) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Trace: %s\n\n%s\n", heading(a), a.Verdict)
	for _, t := range Tables(a) {
		fmt.Fprintf(&b, "\n%s\n", t.Title)
		var tt texttab.Table
		tt.Indent = "  "
		for i, r := range t.Right {
			if r {
				tt.Align(i, texttab.Right)
			}
		}
		tt.Row(t.Header...)
		for _, r := range t.Rows {
			tt.Row(r...)
		}
		if _, err := tt.WriteTo(&b); err != nil {
			return err
		}
	}
	writeNotes(&b, a, "")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeNotes(b *strings.Builder, a *Analysis, bullet string) {
	if len(a.Cycles) > 0 {
		fmt.Fprintf(b, "\n%sTimes per cycle are summed over the Ps during its mark phase; * marks a cycle the trace cut.\n", bullet)
	}
	for _, w := range a.Warnings {
		fmt.Fprintf(b, "%sWarning: %s\n", bullet, w)
	}
}

// WriteMarkdown renders a as Markdown.
func WriteMarkdown(w io.Writer, a *Analysis) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Trace:** %s\n\n%s\n", mdEscape(heading(a)), mdEscape(a.Verdict))
	for _, t := range Tables(a) {
		fmt.Fprintf(&b, "\n**%s**\n\n", mdEscape(t.Title))
		WriteMarkdownTable(&b, t)
	}
	writeNotes(&b, a, "- ")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdownTable writes t as a Markdown table.
func WriteMarkdownTable(b *strings.Builder, t Table) {
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			fmt.Fprintf(b, " %s |", mdEscape(c))
		}
		b.WriteString("\n")
	}
	row(t.Header)
	b.WriteString("|")
	for i := range t.Header {
		if i < len(t.Right) && t.Right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		row(r)
	}
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", "\n", " ").Replace(s)
}

// WriteJSON renders a as indented JSON.
func WriteJSON(w io.Writer, a *Analysis) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(a)
}
