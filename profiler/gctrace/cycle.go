package gctrace

import "github.com/gcprobe/gcprobe/profiler/record"

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

// parseCycle reads a cycle line that starts at b[0] ("gc ..."). The
// combinations no runtime printed (five phases with stacks, "#" with three
// phases, the leak token before Go 1.18's fields) are rejected, so that a
// parsed line has exactly one Format.
func parseCycle(b []byte) (gc record.GC, f Format, ok bool) {
	s := scanner{b: b, ok: true}
	s.lit("gc ")
	hash := s.opt("#")
	gc.N = s.uint()
	s.lit(" @")
	start := s.decimal()
	s.lit("s ")
	util := s.uint()
	s.lit("%")
	gc.LeakCheck = s.opt(leakToken)
	s.lit(": ")

	var clock [5]decimal
	n := 0
	for s.ok {
		clock[n] = s.decimal()
		n++
		if n == len(clock) || !s.opt("+") {
			break
		}
	}
	if n != 3 && n != 5 {
		return gc, 0, false
	}
	s.lit(" ms clock, ")

	// The cpu values: sweep termination, (Go 1.5/1.6: scan, install
	// write barrier,) assist/background/idle, mark termination.
	seps := "+//+"
	if n == 5 {
		seps = "++" + "+//+"
	}
	var cpu [7]decimal
	for i := 0; i <= len(seps); i++ {
		if i > 0 {
			s.lit(seps[i-1 : i])
		}
		cpu[i] = s.decimal()
	}
	s.lit(" ms cpu, ")

	h0 := s.uint()
	s.lit("->")
	h1 := s.uint()
	s.lit("->")
	h2 := s.uint()
	s.lit(" MB, ")
	goal := s.uint()
	s.lit(" MB goal, ")
	var stacks, globals, procs uint64
	x := s.uint()
	withStacks := s.opt(" MB stacks, ")
	if withStacks {
		stacks = x
		globals = s.uint()
		s.lit(" MB globals, ")
		procs = s.uint()
	} else {
		procs = x
	}
	s.lit(" P")
	gc.Forced = s.opt(forced)
	if !s.ok || (s.i < len(b) && isWordByte(b[s.i])) {
		return gc, 0, false
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
		return gc, 0, false
	}
	for _, mb := range [...]uint64{h0, h1, h2, goal, stacks, globals} {
		if mb >= 1<<44 { // would overflow as bytes
			return gc, 0, false
		}
	}
	if procs > 1<<31 {
		return gc, 0, false
	}

	gc.StartSeconds = start.float(b, 0)
	gc.CumulativeGCCPUFraction = float64(util) / 100
	var total float64
	concurrentZero := true
	for i := 0; i < n; i++ {
		total += clock[i].float(b, 3)
		if i > 0 && i < n-1 && clock[i].mant != 0 {
			concurrentZero = false
		}
	}
	gc.EndSeconds = gc.StartSeconds + total
	if gc.Forced && concurrentZero {
		// Go 1.5 to 1.8: runtime.GC stopped the world for the whole cycle.
		gc.PauseSeconds, gc.PauseMaxSeconds = total, total
	} else {
		sweepTerm, markTerm := clock[0].float(b, 3), clock[n-1].float(b, 3)
		gc.PauseSeconds = sweepTerm + markTerm
		gc.PauseMaxSeconds = max(sweepTerm, markTerm)
	}
	for i := 0; i <= len(seps); i++ {
		gc.GCCPUSeconds += cpu[i].float(b, 3)
	}
	mark := len(seps) - 3 // index of the assist time
	gc.AssistCPUSeconds = cpu[mark].float(b, 3)
	gc.BackgroundCPUSeconds = cpu[mark+1].float(b, 3)
	gc.IdleCPUSeconds = cpu[mark+2].float(b, 3)

	// MB are 2^20 bytes, printed rounded down: precision is 1 MiB.
	gc.HeapStartBytes, gc.HeapEndBytes, gc.HeapLiveBytes = h0<<20, h1<<20, h2<<20
	gc.HeapGoalBytes, gc.StacksBytes, gc.GlobalsBytes = goal<<20, stacks<<20, globals<<20
	gc.Procs = int(procs)
	return gc, f, true
}

// isWordByte reports whether c would continue a word: a line whose " P" is
// followed by one ("4 Processes") is not a cycle line.
func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
