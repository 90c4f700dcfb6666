package trace

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/table"
)

// maxCycleRows bounds the cycle table: the worst cycles by wait, in time
// order.
const maxCycleRows = 20

// right is the alignment of n numeric columns.
func right(n int) []table.Align {
	al := make([]table.Align, n)
	for i := range al {
		al[i] = table.Right
	}
	return al
}

// Tables formats an Analysis as tables, in reading order: the shared table
// model that gcprobe analyze and gcprobe report render.
func Tables(a *Analysis) []*table.Table {
	var ts []*table.Table
	if len(a.MMU) > 0 {
		t := &table.Table{Caption: []string{"Minimum mutator utilization (stw, background, assist, sweep)"},
			Head: []string{"window", "MMU", "worst window at"}, Align: right(3)}
		for _, p := range a.MMU {
			t.Row(dur(p.WindowNs), fmt.Sprintf("%.3f", p.Util), at(p.WorstAtNs))
		}
		ts = append(ts, t)
	}
	if len(a.Cycles) > 0 {
		caption := fmt.Sprintf("GC cycles (%d)", len(a.Cycles))
		if len(a.Cycles) > maxCycleRows {
			caption = fmt.Sprintf("GC cycles (%d; the %d that kept goroutines waiting longest)", len(a.Cycles), maxCycleRows)
		}
		t := &table.Table{Caption: []string{caption},
			Head:  []string{"#", "at", "sweep term", "mark", "mark term", "dedicated", "fractional", "idle mark", "assists", "user", "waiting", "mean wait"},
			Align: right(12),
			Notes: []string{"Worker, assist and user times are summed over the Ps during the cycle's mark phase; * marks a cycle the trace cut."}}
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
			t.Row(n, at(c.StartAtNs), dur(c.SweepTermNs), dur(c.MarkNs), dur(c.MarkTermNs),
				dur(sum.DedicatedNs), dur(sum.FractionalNs), dur(sum.IdleMarkNs), dur(sum.AssistNs), dur(sum.UserNs),
				fmt.Sprint(c.Waiting), mean)
		}
		ts = append(ts, t)
	}
	if i := worstCycle(a.Cycles); i >= 0 && len(a.Cycles[i].Procs) > 0 {
		c := a.Cycles[i]
		t := &table.Table{Caption: []string{fmt.Sprintf("What each P ran in the mark phase of cycle %d (the worst: %s at t=%s)", i+1, dur(c.MarkNs), at(c.MarkAtNs))},
			Head:  []string{"P", "dedicated", "fractional", "idle mark", "assists", "user", "no goroutine"},
			Align: right(7)}
		for _, p := range c.Procs {
			t.Row(fmt.Sprint(p.Proc), dur(p.DedicatedNs), dur(p.FractionalNs), dur(p.IdleMarkNs), dur(p.AssistNs), dur(p.UserNs), dur(p.IdleNs))
		}
		ts = append(ts, t)
	}
	if a.DurationNs > 0 {
		ts = append(ts, exposureTable(a))
	}
	if len(a.Regions) > 0 {
		t := &table.Table{Caption: []string{"runtime/trace regions (such as requests) that overlapped a GC cycle against the others, means per region"},
			Head:  []string{"region", "class", "count", "mean", "max", "runnable", "STW", "assists"},
			Align: append([]table.Align{table.Code, table.Left}, right(6)...)}
		for _, g := range a.Regions {
			for _, c := range []struct {
				name string
				s    RegionStats
			}{{"in GC", g.InGC}, {"outside", g.OutsideGC}} {
				t.Row(g.Type, c.name, fmt.Sprint(c.s.Count), dur(c.s.MeanNs), dur(c.s.MaxNs),
					dur(c.s.MeanRunnableNs), dur(c.s.MeanSTWNs), dur(c.s.MeanAssistNs))
			}
		}
		ts = append(ts, t)
	}
	if len(a.Tasks) > 0 {
		t := &table.Table{Caption: []string{"runtime/trace tasks (such as requests, queue wait included) that overlapped a GC cycle against the others"},
			Head:  []string{"task", "class", "count", "mean", "max"},
			Align: append([]table.Align{table.Code, table.Left}, right(3)...)}
		for _, g := range a.Tasks {
			t.Row(g.Type, "in GC", fmt.Sprint(g.InGC.Count), dur(g.InGC.MeanNs), dur(g.InGC.MaxNs))
			t.Row(g.Type, "outside", fmt.Sprint(g.OutsideGC.Count), dur(g.OutsideGC.MeanNs), dur(g.OutsideGC.MaxNs))
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

func exposureTable(a *Analysis) *table.Table {
	t := &table.Table{Caption: []string{"Program goroutines during GC cycles against outside"},
		Head:  []string{"", "time", "waits", "mean wait", "max wait", "goroutines waiting", "runnable", "STW", "assists"},
		Align: append([]table.Align{table.Left}, right(8)...)}
	for _, c := range []struct {
		name string
		e    Exposure
	}{{"in GC", a.InGC}, {"outside", a.OutsideGC}} {
		t.Row(c.name, dur(c.e.SpanNs), fmt.Sprint(c.e.Waits), dur(c.e.MeanWaitNs), dur(c.e.MaxWaitNs),
			fmt.Sprint(c.e.WaitingGoroutines), dur(c.e.RunnableNs), dur(c.e.STWNs), dur(c.e.AssistNs))
	}
	return t
}

// noStack stands for the function of a goroutine the trace has no stack of.
const noStack = "(no stack in the trace)"

func goroutineTable(title string, gs []Goroutine) *table.Table {
	t := &table.Table{Caption: []string{title},
		Head:  []string{"goroutine", "function", "runnable in GC", "STW", "assists", "assist count", "runnable outside", "longest wait"},
		Align: append([]table.Align{table.Right, table.Code}, right(6)...)}
	for _, g := range gs {
		// A goroutine that existed before the trace began and never showed
		// a stack in it has no known function: say so, not a blank cell.
		fn := cmp.Or(g.Func, noStack)
		t.Row(fmt.Sprint(g.ID), fn, dur(g.RunnableInGCNs), dur(g.STWNs), dur(g.AssistNs),
			fmt.Sprint(g.Assists), dur(g.RunnableOutsideNs), dur(g.MaxWaitNs))
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
		b.WriteString("\n")
		if err := table.WriteText(&b, t, table.TextOptions{NotePrefix: "note: "}); err != nil {
			return err
		}
	}
	writeWarnings(&b, a, "\nWarning: ")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeWarnings(b *strings.Builder, a *Analysis, prefix string) {
	for _, w := range a.Warnings {
		b.WriteString(prefix + w + "\n")
	}
}

// WriteMarkdown renders a as Markdown.
func WriteMarkdown(w io.Writer, a *Analysis) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Trace:** %s\n\n%s\n", table.MarkdownEscape(heading(a)), table.MarkdownEscape(a.Verdict))
	for _, t := range Tables(a) {
		b.WriteString("\n")
		if err := table.WriteMarkdown(&b, t); err != nil {
			return err
		}
	}
	for _, w := range a.Warnings {
		b.WriteString("\n> **Warning:** " + table.MarkdownEscape(w) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON renders a as indented JSON.
func WriteJSON(w io.Writer, a *Analysis) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(a)
}
