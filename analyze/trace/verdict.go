package trace

import (
	"fmt"
	"strings"
)

// verdict says in plain words what the worst GC cycle (the one whose mark
// phase kept goroutines waiting longest) did to the program, and how
// goroutines' waits compared inside and outside GC.
func verdict(a *Analysis) string {
	if len(a.Cycles) == 0 {
		return "No GC cycle ran during the trace: the GC delayed nothing here."
	}
	c := a.Cycles[worstCycle(a.Cycles)]
	var b strings.Builder
	var workers, dedicated, fractional, idle int64
	for _, p := range c.Procs {
		workers += p.WorkerNs()
		dedicated += p.DedicatedNs
		fractional += p.FractionalNs
		idle += p.IdleMarkNs
	}
	fmt.Fprintf(&b, "During the %s mark phase at t=%s", dur(c.MarkNs), at(c.MarkAtNs))
	if len(c.Procs) > 0 {
		fmt.Fprintf(&b, " the %d Ps ran mark workers for %s in all (dedicated %s, fractional %s, idle %s)",
			len(c.Procs), dur(workers), dur(dedicated), dur(fractional), dur(idle))
	}
	b.WriteString("; ")
	if c.Waiting > 0 {
		fmt.Fprintf(&b, "%d goroutines waited runnable for %s on average", c.Waiting, dur(c.WaitNs/int64(c.Waiting)))
	} else {
		b.WriteString("no goroutine waited runnable")
	}
	stw := c.SweepTermNs + c.MarkTermNs
	fmt.Fprintf(&b, "; goroutines spent %s in assists (running or queued); STW %s: ", dur(c.AssistNs), dur(stw))
	switch {
	case c.WaitNs == 0 && c.AssistNs == 0:
		b.WriteString("the GC delayed no goroutine noticeably.")
	case c.AssistNs > c.WaitNs && c.AssistNs > stw:
		b.WriteString("the goroutines paid for the GC in assists, not in pauses.")
	case stw*int64(max(c.Waiting, 1)) >= c.WaitNs:
		b.WriteString("the goroutines were mostly paused by the world.")
	default:
		b.WriteString("the goroutines were starved of CPU, not paused.")
	}
	for _, g := range a.Tasks {
		in, out := g.InGC, g.OutsideGC
		if in.Count == 0 || out.Count == 0 {
			continue
		}
		fmt.Fprintf(&b, " The %d %q tasks (queue wait included) that overlapped a GC cycle took %s on average against %s for the %d outside.",
			in.Count, g.Type, dur(in.MeanNs), dur(out.MeanNs), out.Count)
		break // the first task type the trace met: usually its requests
	}
	for _, g := range a.Regions {
		in, out := g.InGC, g.OutsideGC
		if in.Count == 0 || out.Count == 0 {
			continue
		}
		fmt.Fprintf(&b, " The %d %q regions that overlapped a GC cycle took %s on average (%s of it runnable without a P, %s in assists, %s stopped) against %s for the %d outside.",
			in.Count, g.Type, dur(in.MeanNs), dur(in.MeanRunnableNs), dur(in.MeanAssistNs), dur(in.MeanSTWNs), dur(out.MeanNs), out.Count)
		break // the first region type the trace met: usually its requests
	}
	in, out := a.InGC, a.OutsideGC
	if in.Waits > 0 && out.Waits > 0 {
		fmt.Fprintf(&b, " Over the whole trace goroutines waited %s on average to run during GC against %s outside.",
			dur(in.MeanWaitNs), dur(out.MeanWaitNs))
	}
	return b.String()
}

// dur formats nanoseconds with 2-3 significant digits.
func dur(ns int64) string {
	f := float64(ns)
	switch {
	case ns == 0:
		return "0"
	case ns < 1e3:
		return fmt.Sprintf("%d ns", ns)
	case ns < 1e6:
		return trimUnit(f/1e3, "µs")
	case ns < 1e9:
		return trimUnit(f/1e6, "ms")
	}
	return trimUnit(f/1e9, "s")
}

func trimUnit(v float64, unit string) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, unit)
	}
	return fmt.Sprintf("%.2f %s", v, unit)
}

// at formats an offset in the trace as seconds.
func at(ns int64) string { return fmt.Sprintf("%.3f s", float64(ns)/1e9) }

// worstCycle is the index of the cycle whose mark phase kept goroutines
// waiting or in assists longest (the first of equals), or -1.
func worstCycle(cs []Cycle) int {
	worst := -1
	for i, c := range cs {
		if worst < 0 || c.WaitNs+c.AssistNs > cs[worst].WaitNs+cs[worst].AssistNs {
			worst = i
		}
	}
	return worst
}
