package gctrace

import "strconv"

// scanner reads the fields of one gctrace line left to right. The first
// mismatch clears ok and every later call is a no-op, so a parse is a
// straight sequence of calls with one check at the end, and a malformed line
// costs no allocation.
type scanner struct {
	b  []byte
	i  int
	ok bool
}

// lit consumes the literal x or fails.
func (s *scanner) lit(x string) {
	if !s.ok {
		return
	}
	if len(s.b)-s.i < len(x) || string(s.b[s.i:s.i+len(x)]) != x {
		s.ok = false
		return
	}
	s.i += len(x)
}

// opt consumes the literal x if it comes next and reports whether it did.
func (s *scanner) opt(x string) bool {
	if s.ok && len(s.b)-s.i >= len(x) && string(s.b[s.i:s.i+len(x)]) == x {
		s.i += len(x)
		return true
	}
	return false
}

// maxDigits bounds every number so that it fits a uint64 without overflow
// checks; the runtime never prints numbers this long.
const maxDigits = 19

// uint reads an unsigned decimal integer.
func (s *scanner) uint() uint64 {
	if !s.ok {
		return 0
	}
	var v uint64
	j := s.i
	for j < len(s.b) && j-s.i < maxDigits && isDigit(s.b[j]) {
		v = v*10 + uint64(s.b[j]-'0')
		j++
	}
	if j == s.i || (j < len(s.b) && isDigit(s.b[j])) {
		s.ok = false
		return 0
	}
	s.i = j
	return v
}

// decimal is a number as printed, "12" or "0.218": mant/10^frac. Keeping the
// digits rather than a float lets the conversion to seconds be exact.
type decimal struct {
	mant       uint64
	frac       int
	start, end int // the text, for the rare slow path
}

// decimal reads digits with an optional fraction.
func (s *scanner) decimal() decimal {
	if !s.ok {
		return decimal{}
	}
	d := decimal{start: s.i}
	j, digits, dot := s.i, 0, false
	for j < len(s.b) {
		c := s.b[j]
		switch {
		case isDigit(c):
			if digits == maxDigits {
				s.ok = false
				return decimal{}
			}
			d.mant = d.mant*10 + uint64(c-'0')
			digits++
			if dot {
				d.frac++
			}
		case c == '.' && !dot && digits > 0 && j+1 < len(s.b) && isDigit(s.b[j+1]):
			dot = true
		default:
			goto done
		}
		j++
	}
done:
	if digits == 0 {
		s.ok = false
		return decimal{}
	}
	s.i, d.end = j, j
	return d
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// float returns d/10^shift (shift 3 turns milliseconds into seconds),
// correctly rounded: when the mantissa and the power of ten are both exact
// in a float64, one IEEE division rounds correctly. Anything else (never
// printed by the runtime) goes through strconv, which allocates.
func (d decimal) float(b []byte, shift int) float64 {
	e := d.frac + shift
	if d.mant <= 1<<53 && e < len(pow10) {
		return float64(d.mant) / pow10[e]
	}
	f, _ := strconv.ParseFloat(string(b[d.start:d.end])+"e-"+strconv.Itoa(shift), 64)
	return f
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
