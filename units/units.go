// Package units parses and formats the quantities gcprobe shows a person:
// byte sizes (512MiB, 2GiB, 1e9), durations, percentages, and the GOGC and
// GOMEMLIMIT settings. Every number a user reads is formatted here, so that
// reports agree with each other.
package units

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Off is the spelling of a disabled GOGC or GOMEMLIMIT.
const Off = "off"

var sizeSuffixes = []struct {
	suffix string
	mult   float64
}{
	// Longest first, so "KiB" is not read as "B".
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40},
	{"B", 1},
}

// ParseSize reads a byte size: a plain or scientific number of bytes ("1e9",
// "1048576"), or a number with a unit (512MiB, 2GiB, 1.5GB, 64K; K, M, G
// and T are binary, as in GOMEMLIMIT).
func ParseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	for _, u := range sizeSuffixes {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	// A whole number is read exactly: a float64 rounds the last digits of
	// sizes above 2^53 (MaxInt64 would become 2^63).
	if n, err := strconv.ParseUint(t, 10, 64); err == nil && float64(n)*mult < math.MaxUint64 {
		if m := uint64(mult); n <= math.MaxUint64/m {
			return n * m, nil
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a size (examples: 512MiB, 2GiB, 1e9)", s)
	}
	b := f * mult
	if b < 0 || b >= math.MaxUint64 {
		return 0, fmt.Errorf("size %q is out of range", s)
	}
	return uint64(b), nil
}

// ParseMemLimit reads a GOMEMLIMIT setting for a flag: "off" or a size. It
// returns the value to put in the GOMEMLIMIT environment variable, in the
// runtime's own syntax (bytes with a unit it accepts).
func ParseMemLimit(s string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(s), Off) {
		return Off, nil
	}
	n, err := ParseSize(s)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", errors.New("a memory limit of 0 would make the GC run constantly; use off for none")
	}
	if n > math.MaxInt64 {
		// The runtime reads GOMEMLIMIT as an int64 and throws at start-up
		// on a larger value.
		return "", fmt.Errorf("%q is above the largest memory limit Go accepts (%d bytes); use off for none", s, int64(math.MaxInt64))
	}
	return strconv.FormatUint(n, 10), nil
}

// ParseGOGC reads a GOGC setting: "off" or a non-negative integer percentage.
func ParseGOGC(s string) (string, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, Off) {
		return Off, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return "", fmt.Errorf("%q is neither a non-negative integer nor off", s)
	}
	return strconv.Itoa(n), nil
}

// Bytes formats a byte count with a binary unit and three significant
// digits: "512 B", "1.50 KiB", "23.4 MiB", "1.00 GiB".
func Bytes(b float64) string {
	if math.IsNaN(b) {
		return "-"
	}
	neg := b < 0
	a := math.Abs(b)
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for a >= 1024 && i < len(units)-1 {
		a /= 1024
		i++
	}
	s := sig3(a) + " " + units[i]
	if i == 0 {
		s = strconv.FormatFloat(a, 'f', 0, 64) + " B"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Seconds formats a duration given in seconds with three significant digits
// and the unit a person would pick: "850 ns", "12.3 µs", "1.05 ms", "4.20 s",
// "2m05s".
func Seconds(s float64) string {
	if math.IsNaN(s) {
		return "-"
	}
	if s < 0 {
		return "-" + Seconds(-s)
	}
	switch {
	case s == 0:
		return "0 s"
	case s < 1e-6:
		return sig3(s*1e9) + " ns"
	case s < 1e-3:
		return sig3(s*1e6) + " µs"
	case s < 1:
		return sig3(s*1e3) + " ms"
	case s < 100:
		return sig3(s) + " s"
	}
	return time.Duration(math.Round(s) * float64(time.Second)).String()
}

// Percent formats a fraction (0.231) as a percentage ("23.1%").
func Percent(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return sig3(f*100) + "%"
}

// sig3 formats v with three significant digits, at most.
// The precision is chosen on the value as it will be rounded, so that 99.96
// prints as "100", not "100.0".
func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0 || roundTo(a, 1) >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case roundTo(a, 2) >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// roundTo rounds v to n decimals.
func roundTo(v float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(v*p) / p
}

// Number formats a plain count or rate with three significant digits and an
// SI suffix past a thousand: "12", "3.50", "20.0k", "1.25M".
func Number(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	a := math.Abs(v)
	for _, u := range []struct {
		suffix string
		div    float64
	}{{"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if a >= u.div {
			return sig3(v/u.div) + u.suffix
		}
	}
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return sig3(v)
}

// Sample formats a profile's sample value in the unit pprof names for it:
// bytes as Bytes, nanoseconds to seconds as Seconds, anything else (counts)
// as the integer it is.
func Sample(v int64, unit string) string {
	f := float64(v)
	switch unit {
	case "bytes":
		return Bytes(f)
	case "nanoseconds":
		return Seconds(f / 1e9)
	case "microseconds":
		return Seconds(f / 1e6)
	case "milliseconds":
		return Seconds(f / 1e3)
	case "seconds":
		return Seconds(f)
	}
	return strconv.FormatInt(v, 10)
}

// ExactBytes spells a byte count given in decimal (a normalized
// GOMEMLIMIT) with the largest binary unit that divides it exactly:
// "536870912" is "512MiB", "1000" is "1000B". Text that is not a count is
// returned as it is.
func ExactBytes(s string) string {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return s
	}
	for _, u := range []struct {
		s string
		m uint64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.m && n%u.m == 0 { // 0 is "0B", not "0TiB"
			return strconv.FormatUint(n/u.m, 10) + u.s
		}
	}
	return s + "B"
}

// Steps125 are the 1-2-5 steps from 1 µs to 500 s (1e-6, 2e-6, 5e-6, 1e-5,
// ...): the edges durations are counted between in histograms, so that a
// chart and the summary that bins for it agree on them.
func Steps125() []float64 {
	var e []float64
	for d := 1e-6; d < 1000; d *= 10 {
		e = append(e, d, 2*d, 5*d)
	}
	return e
}
