package gctrace

import "bytes"

// Legacy reports whether line holds a gctrace line of Go 1.4 or older:
//
//	gc12(4): 1+2+3+4 us, 8 -> 4 MB, 3 (41-38) objects, 5 goroutines, 27/0/0 sweeps, ...
//
// (Go 1.2 and 1.3 printed "ms" and fewer fields.) Parse does not read these
// lines: they carry no time stamp, so a cycle cannot be placed on a run
// record's clock. Legacy lets a caller say why a log gave no cycles.
func Legacy(line []byte) bool {
	for off := 0; ; {
		i := bytes.Index(line[off:], []byte("gc"))
		if i < 0 {
			return false
		}
		off += i
		if legacyAt(line[off:]) {
			return true
		}
		off++
	}
}

// legacyAt matches "gcN(P): A+B[+C...] us, " or "... ms, " at b[0].
func legacyAt(b []byte) bool {
	i := lit(b, 0, "gc")
	_, i = uintAt(b, i)
	i = lit(b, i, "(")
	_, i = uintAt(b, i)
	i = lit(b, i, "): ")
	_, i = uintAt(b, i)
	for more := true; more; {
		if i, more = opt(b, i, "+"); more {
			_, i = uintAt(b, i)
		}
	}
	if i < 0 {
		return false
	}
	_, us := opt(b, i, " us, ")
	_, ms := opt(b, i, " ms, ")
	return us || ms
}
