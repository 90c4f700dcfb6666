package host

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// SmapsBudget is the share of one CPU that reading smaps_rollup may take.
// The kernel computes the rollup by walking the page tables of the whole
// address space (CPU time of the reading thread, measured: the wall time
// would count waits for the lock and the scheduler on a busy machine) (0.1 to 0.4ms for a small process on the 2-core machine
// this was written on, 30 to 100 times a read of /proc/self/statm; more for
// gigabytes; see BenchmarkSmapsRollup), holding the target's mmap lock while it does: a
// reading that took d is therefore followed by none for d/SmapsBudget.
const SmapsBudget = 0.01

// Smaps reads a process's /proc/PID/smaps_rollup, kept open and re-read
// from offset 0 into a reused buffer, without allocating.
type Smaps struct {
	f    *os.File
	buf  [4096]byte
	next time.Time // no reading before this (the budget)
}

// OpenSmaps opens the rollup of process pid (0: this process). It fails on
// kernels before 4.14, which have no smaps_rollup, and without /proc.
func OpenSmaps(pid int) (*Smaps, error) {
	name := "/proc/self/smaps_rollup"
	if pid != 0 {
		name = "/proc/" + strconv.Itoa(pid) + "/smaps_rollup"
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return &Smaps{f: f}, nil
}

// Read fills m and reports true, unless the budget says to skip this
// reading or the file cannot be read or parsed (the process is gone).
func (s *Smaps) Read(m *record.ProcMemory) bool {
	if time.Now().Before(s.next) {
		return false
	}
	return s.ReadNow(m)
}

// ReadNow reads the rollup whatever the budget says (it still counts
// against it).
func (s *Smaps) ReadNow(m *record.ProcMemory) bool {
	start := time.Now()
	var n int
	var err error
	took := threadCPU(func() { n, err = s.f.ReadAt(s.buf[:], 0) })
	s.next = start.Add(time.Duration(float64(took) / SmapsBudget))
	if n == 0 || (err != nil && err != io.EOF) {
		return false
	}
	return ParseSmapsRollup(s.buf[:n], m)
}

// Close closes the file.
func (s *Smaps) Close() error { return s.f.Close() }

// ParseSmapsRollup reads Rss, Anonymous, LazyFree and AnonHugePages (kB)
// from a smaps_rollup text into m, in bytes. It reports false, leaving m
// unspecified, when Rss or Anonymous is missing. It does not allocate.
func ParseSmapsRollup(b []byte, m *record.ProcMemory) bool {
	*m = record.ProcMemory{}
	var haveRSS, haveAnon bool
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		var dst *uint64
		switch string(line[:colon]) { // no allocation: the compiler compares in place
		case "Rss":
			dst, haveRSS = &m.RSSBytes, true
		case "Anonymous":
			dst, haveAnon = &m.AnonymousBytes, true
		case "LazyFree":
			dst = &m.LazyFreeBytes
		case "AnonHugePages":
			dst = &m.AnonHugePagesBytes
		default:
			continue
		}
		kb, ok := leadingUint(line[colon+1:])
		if !ok || kb > 1<<53 {
			return false
		}
		*dst = kb << 10
	}
	return haveRSS && haveAnon
}

// leadingUint parses the number after leading blanks.
func leadingUint(b []byte) (uint64, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	var n uint64
	j := i
	for ; j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < 19; j++ {
		n = n*10 + uint64(b[j]-'0')
	}
	return n, j > i
}

// StatusKB returns a "Name:   N kB" field of /proc/PID/status in bytes.
func StatusKB(status []byte, name string) (uint64, bool) {
	for len(status) > 0 {
		line := status
		if i := bytes.IndexByte(status, '\n'); i >= 0 {
			line, status = status[:i], status[i+1:]
		} else {
			status = nil
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && string(k) == name {
			n, ok := leadingUint(v)
			return n << 10, ok
		}
	}
	return 0, false
}
