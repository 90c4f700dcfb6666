package gctrace

import (
	"math"
	"strconv"

	"github.com/gcprobe/gcprobe/record"
)

// AppendLine appends gc to dst as a cycle line of format f (Go17 if f is
// unknown), without a newline, and returns the extended slice. It is the
// inverse of Parse for tests and for tools that need gctrace input:
// Parse(AppendLine(gc)) gives back gc's fields, with two limits.
//
// A record.GC keeps less than the line held, so AppendLine chooses: the
// longer pause is written as sweep termination, the rest of PauseSeconds as
// mark termination, all concurrent time (EndSeconds-StartSeconds-
// PauseSeconds) as the mark phase, and the STW and scan cpu time
// (GCCPUSeconds less assist, background and idle) as sweep-termination cpu.
// A forced cycle whose only pause spans it all is written as Go 1.8 and
// older printed one, with the concurrent phases 0.
//
// Numbers are written with as many digits as they need, not rounded to the
// runtime's three decimals; sizes are truncated to whole MB. EndSeconds,
// PauseSeconds and GCCPUSeconds are sums, and come back within float64
// rounding of the sums; the other fields come back exactly.
func AppendLine(dst []byte, gc record.GC, f Format) []byte {
	if f == FormatUnknown || f > Go126 {
		f = Go17
	}
	dst = append(dst, "gc "...)
	if f == Go15 {
		dst = append(dst, '#')
	}
	dst = strconv.AppendUint(dst, gc.N, 10)
	dst = append(dst, " @"...)
	dst = appendSeconds(dst, gc.StartSeconds, 0)
	dst = append(dst, "s "...)
	dst = strconv.AppendInt(dst, int64(math.Round(nonNeg(gc.CumulativeGCCPUFraction)*100)), 10)
	dst = append(dst, '%')
	if f == Go126 && gc.LeakCheck {
		dst = append(dst, leakToken...)
	}
	dst = append(dst, ": "...)

	// Clock phases.
	total := nonNeg(gc.EndSeconds - gc.StartSeconds)
	pause, pauseMax := nonNeg(gc.PauseSeconds), nonNeg(gc.PauseMaxSeconds)
	sweepTerm, markTerm := pauseMax, nonNeg(pause-pauseMax)
	concurrent := nonNeg(total - pause)
	// Below half the runtime's 1 µs resolution the concurrent time is
	// rounding error of the sums, not a phase.
	if gc.Forced && pause == pauseMax && concurrent < 0.5e-6 {
		sweepTerm, markTerm, concurrent = 0, pause, 0
	}
	fiveClock := f == Go15 || f == Go16
	dst = appendMS(dst, sweepTerm)
	if fiveClock {
		dst = append(dst, "+0+0"...) // scan, install write barrier
	}
	dst = append(dst, '+')
	dst = appendMS(dst, concurrent)
	dst = append(dst, '+')
	dst = appendMS(dst, markTerm)
	dst = append(dst, " ms clock, "...)

	// Cpu values.
	assist, bg, idle := nonNeg(gc.AssistCPUSeconds), nonNeg(gc.BackgroundCPUSeconds), nonNeg(gc.IdleCPUSeconds)
	dst = appendMS(dst, nonNeg(gc.GCCPUSeconds-assist-bg-idle))
	if fiveClock {
		dst = append(dst, "+0+0"...)
	}
	dst = append(dst, '+')
	dst = appendMS(dst, assist)
	dst = append(dst, '/')
	dst = appendMS(dst, bg)
	dst = append(dst, '/')
	dst = appendMS(dst, idle)
	dst = append(dst, "+0 ms cpu, "...)

	dst = appendMB(dst, gc.HeapStartBytes)
	dst = append(dst, "->"...)
	dst = appendMB(dst, gc.HeapEndBytes)
	dst = append(dst, "->"...)
	dst = appendMB(dst, gc.HeapLiveBytes)
	dst = append(dst, " MB, "...)
	dst = appendMB(dst, gc.HeapGoalBytes)
	dst = append(dst, " MB goal, "...)
	if f >= Go118 {
		dst = appendMB(dst, gc.StacksBytes)
		dst = append(dst, " MB stacks, "...)
		dst = appendMB(dst, gc.GlobalsBytes)
		dst = append(dst, " MB globals, "...)
	}
	dst = strconv.AppendInt(dst, int64(max(gc.Procs, 0)), 10)
	dst = append(dst, " P"...)
	if gc.Forced {
		dst = append(dst, forced...)
	}
	return dst
}

func appendMB(dst []byte, b uint64) []byte { return strconv.AppendUint(dst, b>>20, 10) }

// appendMS writes seconds as milliseconds.
func appendMS(dst []byte, seconds float64) []byte { return appendSeconds(dst, seconds, 3) }

// appendSeconds writes x times 10^shift in decimal, by moving the decimal
// point of x's shortest representation: the text is exactly x's decimal
// value scaled, so the parser's exact conversion gives x back.
func appendSeconds(dst []byte, x float64, shift int) []byte {
	var buf [64]byte
	t := strconv.AppendFloat(buf[:0], nonNeg(x), 'f', -1, 64)
	intPart, frac := t, []byte(nil)
	for i, c := range t {
		if c == '.' {
			intPart, frac = t[:i], t[i+1:]
			break
		}
	}
	for ; shift > 0; shift-- {
		c := byte('0')
		if len(frac) > 0 {
			c, frac = frac[0], frac[1:]
		}
		intPart = append(intPart[:len(intPart):len(intPart)], c)
	}
	for len(intPart) > 1 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	dst = append(dst, intPart...)
	if len(frac) > 0 {
		dst = append(dst, '.')
		dst = append(dst, frac...)
	}
	return dst
}

// nonNeg maps negative, NaN and infinite values, which no line can hold, to 0.
func nonNeg(x float64) float64 {
	if x > 0 && !math.IsInf(x, 1) {
		return x
	}
	return 0
}
