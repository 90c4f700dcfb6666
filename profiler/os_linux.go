package profiler

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
)

// procStats reads the process's own resident memory from /proc: RSS from
// /proc/self/statm (resident pages) and the peak from VmHWM in
// /proc/self/status. Both files are opened once and re-read from offset 0
// (pread) into a reused buffer, and parsed without allocating. CPU time comes
// from getrusage.
type procStats struct {
	statm, status readerAtCloser
	pageSize      uint64
	buf           [4096]byte
	cpu           cpuClock
	rollup        *host.Smaps // nil on kernels without smaps_rollup
}

type readerAtCloser interface {
	io.ReaderAt
	io.Closer
}

// newOSStats opens the /proc files. If they cannot be opened (a sandbox
// without /proc) RSS is left unmeasured and only CPU time is read.
func newOSStats() osStats {
	statm, err := os.Open("/proc/self/statm")
	if err != nil {
		return &cpuStats{}
	}
	status, err := os.Open("/proc/self/status")
	if err != nil {
		statm.Close()
		return &cpuStats{}
	}
	ps := newProcStats(statm, status, uint64(os.Getpagesize()))
	ps.rollup, _ = host.OpenSmaps(0)
	return ps
}

func newProcStats(statm, status readerAtCloser, pageSize uint64) *procStats {
	return &procStats{statm: statm, status: status, pageSize: pageSize}
}

func (p *procStats) read() (rss, peak uint64, cpu float64) {
	if n, err := p.statm.ReadAt(p.buf[:], 0); n > 0 && (err == nil || err == io.EOF) {
		if pages, ok := statmResident(p.buf[:n]); ok {
			rss = pages * p.pageSize
		}
	}
	if n, err := p.status.ReadAt(p.buf[:], 0); n > 0 && (err == nil || err == io.EOF) {
		if kb, ok := statusField(p.buf[:n], "VmHWM:"); ok {
			peak = kb << 10
		}
	}
	// VmHWM is raised lazily: pages the scavenger returns with madvise leave
	// it where it was, so the RSS read a moment earlier can be above it. A
	// peak below the RSS it is shown with would be nonsense.
	return rss, max(peak, rss), p.cpu.seconds()
}

func (p *procStats) smaps(m *record.ProcMemory) bool {
	return p.rollup != nil && p.rollup.Read(m)
}

func (p *procStats) close() error {
	err := errors.Join(p.statm.Close(), p.status.Close())
	if p.rollup != nil {
		err = errors.Join(err, p.rollup.Close())
	}
	return err
}

// statmResident returns the second field of /proc/PID/statm: resident pages.
func statmResident(b []byte) (uint64, bool) {
	_, rest, ok := nextUint(b)
	if !ok {
		return 0, false
	}
	n, _, ok := nextUint(rest)
	return n, ok
}

// statusField returns the number after a "Name:" line of /proc/PID/status
// (in kB for the Vm* fields).
func statusField(b []byte, name string) (uint64, bool) {
	i := bytes.Index(b, []byte(name))
	if i < 0 || (i > 0 && b[i-1] != '\n') {
		return 0, false
	}
	n, _, ok := nextUint(b[i+len(name):])
	return n, ok
}

// nextUint skips spaces and tabs and parses the decimal number that follows,
// returning the rest of b after it.
func nextUint(b []byte) (n uint64, rest []byte, ok bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		n = n*10 + uint64(b[j]-'0')
		j++
	}
	return n, b[j:], j > i
}
