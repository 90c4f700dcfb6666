package gctrace

import "strconv"

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

// secondsAt reads a number as the runtime prints it, "12" or "0.218", and
// returns it times 10^-shift (shift 3 turns milliseconds into seconds).
//
// The digits are read as an integer mant and a count of decimals, so the
// value is mant/10^(decimals+shift), which one IEEE division rounds
// correctly when mant and the power of ten are both exact in a float64:
// the result is the float64 nearest to the printed number, as strconv would
// give. Anything else (never printed by the runtime) goes through strconv,
// which allocates.
func secondsAt(b []byte, i, shift int) (float64, int) {
	if i < 0 {
		return 0, -1
	}
	var mant uint64
	j := i
	for ; j < len(b) && isDigit(b[j]); j++ {
		mant = mant*10 + uint64(b[j]-'0')
	}
	if j == i {
		return 0, -1
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
		return 0, -1 // mant overflowed
	}
	if e := decimals + shift; mant <= 1<<53 && e < len(pow10) {
		return float64(mant) / pow10[e], j
	}
	f, _ := strconv.ParseFloat(string(b[i:j])+"e-"+strconv.Itoa(shift), 64)
	return f, j
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

// pow10 holds the powers of ten that float64 represents exactly (read-only).
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func isDigit(c byte) bool { return c-'0' < 10 }
