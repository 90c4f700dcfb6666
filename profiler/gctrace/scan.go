package gctrace

import (
	"math/bits"
	"strconv"
)

// The scanning functions read one field of a line at position i and return
// the position after it, or -1 on a mismatch; every function passes -1
// through. So a parse is a straight sequence of calls with one check at the
// end, keeps its state in registers, and a malformed line costs no
// allocation.

// lit consumes the literal x.
func lit(b []byte, i int, x string) int {
	if i < 0 || len(b)-i < len(x) || string(b[i:i+len(x)]) != x {
		return -1
	}
	return i + len(x)
}

// opt consumes the literal x if it comes next, and reports whether it did.
func opt(b []byte, i int, x string) (int, bool) {
	if i >= 0 && len(b)-i >= len(x) && string(b[i:i+len(x)]) == x {
		return i + len(x), true
	}
	return i, false
}

// maxDigits bounds every number so that it fits a uint64 without overflow
// checks; the runtime never prints numbers this long.
const maxDigits = 19

// uintAt reads an unsigned decimal integer.
func uintAt(b []byte, i int) (uint64, int) {
	if i < 0 {
		return 0, -1
	}
	var v uint64
	j := i
	for ; j < len(b) && isDigit(b[j]); j++ {
		if j-i == maxDigits {
			return 0, -1
		}
		v = v*10 + uint64(b[j]-'0')
	}
	if j == i {
		return 0, -1
	}
	return v, j
}

// duration is a time the runtime printed, in seconds and, when that is
// exact, in whole nanoseconds. Sums of durations are done in nanoseconds,
// so that 0.012+0.008 ms is 20 µs exactly rather than 19.999999999999998.
type duration struct {
	sec   float64 // correctly rounded
	ns    uint64  // valid if exact; at most maxExactNS, so sums do not overflow
	exact bool
}

// maxExactNS bounds a duration kept in nanoseconds (36 years), so that a sum
// of eight of them fits a uint64.
const maxExactNS = 1 << 60

// durationAt reads a number as the runtime prints it, "12" or "0.218", in
// units of 10^-shift seconds (shift 3 for milliseconds).
//
// The digits are read as an integer mant and a count of decimals, so the
// value is mant/10^(decimals+shift), which one IEEE division rounds
// correctly when mant and the power of ten are both exact in a float64:
// the result is the float64 nearest to the printed number, as strconv would
// give. Anything else (never printed by the runtime) goes through strconv,
// which allocates.
func durationAt(b []byte, i, shift int) (duration, int) {
	if i < 0 {
		return duration{}, -1
	}
	var mant uint64
	j := i
	for ; j < len(b) && isDigit(b[j]); j++ {
		mant = mant*10 + uint64(b[j]-'0')
	}
	if j == i {
		return duration{}, -1
	}
	digits, decimals := j-i, 0
	if j+1 < len(b) && b[j] == '.' && isDigit(b[j+1]) {
		k := j + 1
		for j = k; j < len(b) && isDigit(b[j]); j++ {
			mant = mant*10 + uint64(b[j]-'0')
		}
		decimals = j - k
		digits += decimals
	}
	if digits > maxDigits && significant(b[i:j]) > maxDigits {
		return duration{}, -1 // mant overflowed
	}
	var d duration
	if e := decimals + shift; mant <= 1<<53 && e < len(pow10) {
		d.sec = float64(mant) / pow10[e]
	} else {
		d.sec, _ = strconv.ParseFloat(string(b[i:j])+"e-"+strconv.Itoa(shift), 64)
	}
	if scale := 9 - shift - decimals; scale >= 0 {
		hi, ns := bits.Mul64(mant, pow10u[scale])
		d.ns, d.exact = ns, hi == 0 && ns <= maxExactNS
	}
	return d, j
}

// sum adds durations: in nanoseconds as well as in float64 while all are
// exact. At most eight durations may be summed (see maxExactNS).
func sum(ds ...duration) duration {
	t := duration{exact: true}
	for _, d := range ds {
		t.ns += d.ns
		t.sec += d.sec
		t.exact = t.exact && d.exact
	}
	return t
}

// seconds is a sum's value: exact sums are rounded once, in the conversion
// to seconds (exactly when under 2^53 ns, 104 days).
func (d duration) seconds() float64 {
	if d.exact {
		return float64(d.ns) / 1e9
	}
	return d.sec
}

// significant counts the digits of a number after its leading zeros, which
// do not grow the mantissa ("0.00012" has two).
func significant(num []byte) int {
	n, lead := 0, true
	for _, c := range num {
		if c == '.' || lead && c == '0' {
			continue
		}
		lead = false
		n++
	}
	return n
}

// pow10u holds the integer powers of ten that scale a number of seconds
// with 0 to 9 decimals to nanoseconds (read-only).
var pow10u = [...]uint64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// pow10 holds the powers of ten that float64 represents exactly (read-only).
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func isDigit(c byte) bool { return c-'0' < 10 }
