package child

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
)

// sampler reads the RSS, peak RSS and CPU time of one process. It holds one
// *process.Process for the whole run: creating one costs far more than a
// reading (see BenchmarkSample).
type sampler struct {
	proc   *process.Process
	status *os.File // /proc/PID/status, kept open; nil where there is none
	// smaps reads /proc/PID/smaps_rollup within host.SmapsBudget; nil
	// where there is none.
	smaps *host.Smaps
	buf   []byte
	peak  uint64 // highest peak RSS read
	// follow is set while the sampled process is not a Go program (a
	// wrapper script): each sample then looks for the Go program it
	// started, and samples that one once found.
	follow bool
	pid    int
}

// bootTimeCache turns on gopsutil's cache of the boot time, which its CPU
// times otherwise re-read from all of /proc/stat on every call (a third of a
// sample's cost). The boot time does not change while gcprobe runs.
var bootTimeCache sync.Once

func newSampler(pid int) (*sampler, error) {
	bootTimeCache.Do(func() { process.EnableBootTimeCache(true) })
	p, err := process.NewProcess(int32(pid))
	if err != nil {
		return nil, err
	}
	s := &sampler{proc: p, buf: make([]byte, 4096), pid: pid}
	s.status, _ = os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	s.smaps, _ = host.OpenSmaps(pid)
	return s, nil
}

// sample reads the process now. It fails once the process is gone.
func (s *sampler) sample(ctx context.Context) (record.Sample, error) {
	var smp record.Sample
	mi, err := s.proc.MemoryInfoWithContext(ctx)
	if err != nil {
		return smp, err
	}
	smp.RSSBytes = mi.RSS
	smp.RSSPeakBytes = mi.HWM // 0 on Linux; see peakRSS
	if hwm := s.peakRSS(); hwm > 0 {
		smp.RSSPeakBytes = hwm
	}
	// VmHWM is raised lazily and read a moment after RSS: never show a peak
	// below the RSS beside it.
	smp.RSSPeakBytes = max(smp.RSSPeakBytes, smp.RSSBytes)
	s.peak = max(s.peak, smp.RSSPeakBytes)
	if t, err := s.proc.TimesWithContext(ctx); err == nil {
		smp.CPUSecondsTotal = t.User + t.System
	}
	if s.smaps != nil {
		var m record.ProcMemory
		if s.smaps.Read(&m) {
			smp.ProcMemory = &m
		}
	}
	return smp, nil
}

// peakRSS reads VmHWM from /proc/PID/status, 0 when it cannot.
func (s *sampler) peakRSS() uint64 {
	if s.status == nil {
		return 0
	}
	n, err := s.status.ReadAt(s.buf, 0)
	if n == 0 && err != nil {
		return 0
	}
	return parseVmHWM(s.buf[:n])
}

// parseVmHWM finds "VmHWM:   1234 kB" in a /proc/PID/status text.
func parseVmHWM(status []byte) uint64 {
	i := bytes.Index(status, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	line := status[i+len("VmHWM:"):]
	if j := bytes.IndexByte(line, '\n'); j >= 0 {
		line = line[:j]
	}
	f := bytes.Fields(line)
	if len(f) == 0 {
		return 0
	}
	kb, err := strconv.ParseUint(string(f[0]), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}

// followGo switches to the Go program a wrapper started, once there is
// exactly one: its RSS is the one that goes with the gctrace recorded.
func (s *sampler) followGo(w *record.Writer) {
	pid, exe := goDescendant(s.pid)
	if pid == 0 {
		return
	}
	ns, err := newSampler(pid)
	if err != nil {
		return
	}
	w.Note(record.NoteInfo, "sampling the RSS and CPU of PID %d (%s), the Go program the command started, not of the command itself (PID %d)", pid, exe, s.pid)
	peak := s.peak
	s.close()
	*s = *ns
	s.peak = peak
}

func (s *sampler) close() {
	if s.status != nil {
		s.status.Close()
	}
	if s.smaps != nil {
		s.smaps.Close()
	}
}

// sampleLoop writes a Sample event now and then every interval until ctx is
// done or the process is gone.
func sampleLoop(ctx context.Context, s *sampler, interval time.Duration, w *record.Writer) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if s.follow {
			s.followGo(w)
		}
		smp, err := s.sample(ctx)
		if err != nil || smp.RSSBytes == 0 { // gone, or a zombie
			return
		}
		w.Write(record.Event{Sample: &smp})
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
