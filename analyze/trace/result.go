package trace

import (
	"fmt"
	"slices"
	"sort"
)

// topList keeps the n rows with the largest key (ties: lower ID first).
type topList struct {
	n    int
	key  func(Goroutine) int64
	rows []Goroutine
}

func (t *topList) less(x, y Goroutine) bool {
	kx, ky := t.key(x), t.key(y)
	if kx != ky {
		return kx > ky
	}
	return x.ID < y.ID
}

func (t *topList) push(g Goroutine) {
	if t.key(g) <= 0 {
		return
	}
	i := sort.Search(len(t.rows), func(i int) bool { return t.less(g, t.rows[i]) })
	if i >= t.n {
		return
	}
	t.rows = slices.Insert(t.rows, i, g)
	if len(t.rows) > t.n {
		t.rows = t.rows[:t.n]
	}
}

// result closes what is still open at the last event and builds the
// Analysis.
func (a *analyzer) result() *Analysis {
	end := a.last
	out := &Analysis{Source: a.opts.Source, Events: a.events, GOMAXPROCS: a.gomaxprocs}
	if a.failure != nil {
		// x/exp/trace delivers a generation (about a second of trace,
		// whose string and stack tables come at its end) only whole.
		out.Truncated = true
		if a.events <= 1 {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the trace is damaged or cut short before the end of its first generation "+
				"(about a second of trace, read whole or not at all), so there is nothing to analyse: %v", a.failure))
		} else {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the trace is damaged or cut short: analysed up to %.3f s (%d events), "+
				"the end of its last whole generation: %v", float64(end-a.first)/1e9, a.events, a.failure))
		}
	}
	if a.events <= 1 { // at most the Sync the reader starts with
		if a.failure == nil {
			out.Warnings = append(out.Warnings, "the trace holds no events")
		}
		out.Verdict = "Nothing to analyse: the trace holds no complete generation of events."
		return out
	}
	out.DurationNs = end - a.first

	live := a.gs.all()
	for _, g := range live {
		if g.state == runnable {
			a.waited(g, g.since, end)
		}
		if g.assist {
			a.assistEnd(g, end)
		}
	}
	for _, c := range a.cycles {
		a.markEnds(c, end) // a mark phase still running when the trace ends
	}
	for _, g := range live {
		if !g.gcWorker && !g.system {
			if g.row.Func == "" {
				g.row.Func = g.startFunc
			}
			a.delayed.push(g.row)
			a.payers.push(g.row)
		}
	}
	out.Delayed = a.delayed.rows
	out.Payers = a.payers.rows
	out.MMU = a.mmu.finish(end, a.first)
	out.Cycles = a.cycleList(end)
	out.InGC, out.OutsideGC = a.in, a.out
	for _, c := range out.Cycles {
		out.InGC.SpanNs += c.EndAtNs - c.StartAtNs
	}
	out.OutsideGC.SpanNs = out.DurationNs - out.InGC.SpanNs
	out.InGC.WaitingGoroutines, out.OutsideGC.WaitingGoroutines = a.waitingIn, a.waitingOut
	if a.in.Waits > 0 {
		out.InGC.MeanWaitNs = a.inWaitSum / a.in.Waits
	}
	if a.out.Waits > 0 {
		out.OutsideGC.MeanWaitNs = a.outWaitSum / a.out.Waits
	}
	for _, typ := range a.regionList {
		acc := a.regions[typ]
		out.Regions = append(out.Regions, RegionGroup{Type: typ, InGC: acc.in.stats(), OutsideGC: acc.out.stats()})
	}
	out.Tasks = a.tasks.groups()
	if n := a.tasks.dropped; n > 0 {
		out.Warnings = append(out.Warnings, fmt.Sprintf("%d tasks began while %d were open: not counted", n, maxOpenTasks))
	}
	if a.gomaxprocs == 0 {
		out.Warnings = append(out.Warnings, "the trace never says GOMAXPROCS: no MMU")
	}
	if len(out.Cycles) == 0 {
		out.Warnings = append(out.Warnings, "no GC cycle ran during the trace")
	}
	out.Verdict = verdict(out)
	return out
}

func (s regionSums) stats() RegionStats {
	if s.count == 0 {
		return RegionStats{}
	}
	return RegionStats{
		Count: s.count, MeanNs: s.total / s.count, MaxNs: s.max,
		MeanRunnableNs: s.runnable / s.count, MeanSTWNs: s.stw / s.count, MeanAssistNs: s.assist / s.count,
	}
}

func (a *analyzer) cycleList(end int64) []Cycle {
	var out []Cycle
	for _, c := range a.cycles {
		cend, mark := c.end, c.mark
		if cend == open {
			cend = end
		}
		if mark.start != 0 && mark.end == open {
			mark.end = end
		}
		cy := Cycle{
			StartAtNs: c.start - a.first, EndAtNs: cend - a.first,
			SweepTermNs: c.sweepTermNs, MarkTermNs: c.markTermNs,
			Complete: c.sawSweep && c.sawMarkTerm && mark.start != 0 && c.end != open,
			Procs:    c.procs, Waiting: c.waiting, WaitNs: c.waitNs, AssistNs: c.assistNs,
		}
		if mark.start != 0 {
			cy.MarkAtNs, cy.MarkNs = mark.start-a.first, mark.end-mark.start
		}
		if cy.Procs == nil {
			cy.Procs = []ProcTime{}
		}
		out = append(out, cy)
	}
	return out
}

func sortBy(s []int, less func(i, j int) bool) {
	sort.SliceStable(s, func(x, y int) bool { return less(s[x], s[y]) })
}
