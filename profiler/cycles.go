package profiler

import "github.com/gcprobe/gcprobe/record"

// addCycles adds one GC event per cycle that ended since the previous read.
//
// Pauses and CPU time are counted from the previous read that saw a cycle
// end, so that every pause and every CPU second of the GC lands in exactly
// one GC event (but those after the last cycle). runtime/metrics only tells
// that cycles ended, not when: when several ended within one interval, the
// figures they share (pauses, GC and interval CPU, heap live) are attached
// to the last of them, and the earlier ones carry only their number and
// whether they were forced (the first of them are marked forced, as the
// order is unknown). A note says so the first time.
func (p *Probe) addCycles(t float64, r reading, pauses []uint64) {
	n := r.cycles - p.prev.cycles
	forced := r.forced - min(r.forced, p.prev.forced)
	_, pauseSum, pauseMax := pauseDelta(p.pauseBounds, p.lastEnd.pauses, pauses)
	for i := uint64(1); i <= n; i++ {
		g := record.GC{N: p.prev.cycles + i, Forced: i <= forced}
		if i == n {
			g.HeapLiveBytes = r.heapLive
			if n == 1 {
				// The goal this cycle was paced against: the one
				// in force at the previous read.
				g.HeapGoalBytes = p.prev.heapGoal
			}
			g.PauseSeconds = pauseSum
			g.PauseMaxSeconds = pauseMax
			g.GCCPUSeconds = r.gcCPU - p.lastEnd.gcCPU
			g.IdleCPUSeconds = r.gcIdleCPU - p.lastEnd.gcIdleCPU
			g.IntervalCPUSeconds = r.totalCPU - p.lastEnd.totalCPU
		}
		sl := p.ring.add(t, record.KindGC)
		sl.gc = g
		p.publish(sl)
	}
	p.lastEnd.gcCPU, p.lastEnd.gcIdleCPU, p.lastEnd.totalCPU = r.gcCPU, r.gcIdleCPU, r.totalCPU
	copy(p.lastEnd.pauses, pauses)
	if n > 1 && !p.notedMerge {
		p.notedMerge = true
		sl := p.ring.add(t, record.KindNote)
		sl.note = record.Note{Level: record.NoteInfo, Message: mergedCyclesNote}
		p.publish(sl)
	}
}

const mergedCyclesNote = "several GC cycles ended within one sample interval: " +
	"their pauses, GC CPU time and heap live figures are attached to the last of them " +
	"(runtime/metrics does not tell the cycles apart); a shorter probe interval separates them " +
	"(profiler.Options.Interval in the program; gcprobe scenario run --interval)"

// addPauses adds a Pauses event with the non-empty buckets of the pause
// histogram's change since the previous read, if it changed.
func (p *Probe) addPauses(t float64, counts []uint64) {
	var sl *slot
	for i, c := range counts {
		d := c - p.pauseCounts[i]
		if d == 0 {
			continue
		}
		if sl == nil {
			sl = p.ring.add(t, record.KindPauses)
		}
		sl.pauses = append(sl.pauses, record.Bucket{Lo: p.pauseBounds[i], Hi: p.pauseBounds[i+1], Count: d})
	}
	if sl != nil {
		p.publish(sl)
	}
}
