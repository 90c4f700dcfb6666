package gctrace

import "github.com/gcprobe/gcprobe/record"

// Format is a gctrace cycle-line format, named after the Go versions that
// print it (see the package documentation for an example of each).
type Format uint8

const (
	FormatUnknown Format = iota
	Go15                 // "gc #N", five clock phases and seven cpu values
	Go16                 // "gc N", five clock phases (Go 1.6)
	Go17                 // three clock phases (Go 1.7 to 1.17)
	Go118                // three phases, MB stacks and MB globals (Go 1.18 and later)
	Go126                // Go118 with "(checking for goroutine leaks)" (Go 1.26)
)

func (f Format) String() string {
	switch f {
	case Go15:
		return "Go 1.5"
	case Go16:
		return "Go 1.6"
	case Go17:
		return "Go 1.7-1.17"
	case Go118:
		return "Go 1.18 or later"
	case Go126:
		return "Go 1.26 or later"
	}
	return "unknown"
}

// Literals of the cycle line.
const (
	leakToken = " (checking for goroutine leaks)"
	forced    = " (forced)"
)

// parseCycle reads a cycle line that starts at b[0] ("gc ...") and returns
// the cycle and its end, for the caller's interval arithmetic. The
// combinations no runtime printed (five phases with stacks, "#" with three
// phases, the leak token before Go 1.18's fields) are rejected, so that a
// parsed line has exactly one Format.
func parseCycle(b []byte) (gc record.GC, end duration, f Format, ok bool) {
	i := lit(b, 0, "gc ")
	i, hash := opt(b, i, "#")
	gc.N, i = uintAt(b, i)
	i = lit(b, i, " @")
	var start duration
	start, i = durationAt(b, i, 0)
	i = lit(b, i, "s ")
	util, i := uintAt(b, i)
	i = lit(b, i, "%")
	i, gc.LeakCheck = opt(b, i, leakToken)
	i = lit(b, i, ": ")

	var clock [5]duration
	n := 0
	for i >= 0 {
		clock[n], i = durationAt(b, i, 3)
		n++
		var more bool
		if i, more = opt(b, i, "+"); !more || n == len(clock) {
			break
		}
	}
	if n != 3 && n != 5 {
		return gc, end, 0, false
	}
	i = lit(b, i, " ms clock, ")

	// The cpu values: sweep termination, (Go 1.5 and 1.6: scan, install
	// write barrier,) assist/background/idle, mark termination.
	seps := "+//+"
	if n == 5 {
		seps = "+++//+"
	}
	var cpu [7]duration
	cpu[0], i = durationAt(b, i, 3)
	for k := 0; k < len(seps); k++ {
		i = lit(b, i, seps[k:k+1])
		cpu[k+1], i = durationAt(b, i, 3)
	}
	i = lit(b, i, " ms cpu, ")

	h0, i := uintAt(b, i)
	i = lit(b, i, "->")
	h1, i := uintAt(b, i)
	i = lit(b, i, "->")
	h2, i := uintAt(b, i)
	i = lit(b, i, " MB, ")
	goal, i := uintAt(b, i)
	i = lit(b, i, " MB goal, ")
	var stacks, globals, procs uint64
	x, i := uintAt(b, i)
	i, withStacks := opt(b, i, " MB stacks, ")
	if withStacks {
		stacks = x
		globals, i = uintAt(b, i)
		i = lit(b, i, " MB globals, ")
		procs, i = uintAt(b, i)
	} else {
		procs = x
	}
	i = lit(b, i, " P")
	i, gc.Forced = opt(b, i, forced)
	if i < 0 || (i < len(b) && isWordByte(b[i])) {
		return gc, end, 0, false
	}

	switch {
	case n == 5 && !withStacks && !gc.LeakCheck && hash:
		f = Go15
	case n == 5 && !withStacks && !gc.LeakCheck:
		f = Go16
	case n == 3 && !hash && !withStacks && !gc.LeakCheck:
		f = Go17
	case n == 3 && !hash && withStacks && gc.LeakCheck:
		f = Go126
	case n == 3 && !hash && withStacks:
		f = Go118
	default:
		return gc, end, 0, false
	}
	for _, mb := range [...]uint64{h0, h1, h2, goal, stacks, globals} {
		if mb >= 1<<44 { // would overflow as bytes
			return gc, end, 0, false
		}
	}
	if procs >= 1<<31 { // an int on every platform
		return gc, end, 0, false
	}

	gc.StartSeconds = start.sec
	gc.CumulativeGCCPUFraction = float64(util) / 100
	total := sum(clock[:n]...)
	end = sum(start, total)
	gc.EndSeconds = end.seconds()
	concurrentZero := true
	for _, c := range clock[1 : n-1] {
		concurrentZero = concurrentZero && c.sec == 0
	}
	if gc.Forced && concurrentZero {
		// Go 1.5 to 1.8: runtime.GC stopped the world for the whole cycle.
		gc.PauseSeconds, gc.PauseMaxSeconds = total.seconds(), total.seconds()
	} else {
		sweepTerm, markTerm := clock[0], clock[n-1]
		gc.PauseSeconds = sum(sweepTerm, markTerm).seconds()
		gc.PauseMaxSeconds = max(sweepTerm.sec, markTerm.sec)
	}
	gc.GCCPUSeconds = sum(cpu[:len(seps)+1]...).seconds()
	mark := len(seps) - 3 // index of the assist time
	gc.AssistCPUSeconds, gc.BackgroundCPUSeconds, gc.IdleCPUSeconds = cpu[mark].sec, cpu[mark+1].sec, cpu[mark+2].sec

	// MB are 2^20 bytes, printed rounded down: precision is 1 MiB.
	gc.HeapStartBytes, gc.HeapEndBytes, gc.HeapLiveBytes = h0<<20, h1<<20, h2<<20
	gc.HeapGoalBytes, gc.StacksBytes, gc.GlobalsBytes = goal<<20, stacks<<20, globals<<20
	gc.Procs = int(procs)
	return gc, end, f, true
}

// isWordByte reports whether c would continue a word: a line whose " P" is
// followed by one ("4 Processes") is not a cycle line.
func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
