package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
	"github.com/shirou/gopsutil/v4/process"
)

// ErrGone reports that the observed process is no longer running.
var ErrGone = errors.New("process is gone")

// Process reads the RSS, peak RSS and CPU time of another process through
// one gopsutil handle, created once (creating one costs ~70µs).
type Process struct {
	PID   int
	Name  string
	Build host.Build
	// Env is the GC-relevant environment, when /proc/PID/environ is readable.
	Env map[string]string
	// Cmdline is the process's command line (/proc/PID/cmdline), nil when
	// it could not be read.
	Cmdline []string

	p *process.Process
	// smaps reads /proc/PID/smaps_rollup; nil when it cannot be opened.
	smaps *host.Smaps
	// readFile reads /proc files; tests replace it.
	readFile func(string) ([]byte, error)
}

// ProcessReading is one reading of a process's resources.
type ProcessReading struct {
	RSSBytes, RSSPeakBytes uint64
	CPUSecondsTotal        float64
	// Memory is smaps_rollup's split of the RSS, nil when it was not read
	// (no smaps_rollup, or skipped within host.SmapsBudget).
	Memory *record.ProcMemory
}

// OpenProcess checks that pid is a running Go program this user may observe,
// and returns a handle for the whole session. Its errors are one line each.
func OpenProcess(ctx context.Context, pid int) (*Process, error) {
	return openProcess(ctx, pid, os.ReadFile)
}

func openProcess(ctx context.Context, pid int, readFile func(string) ([]byte, error)) (*Process, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("PID %d: a process ID is a positive number", pid)
	}
	p, err := process.NewProcessWithContext(ctx, int32(pid))
	if errors.Is(err, process.ErrorProcessNotRunning) {
		return nil, fmt.Errorf("PID %d: no such process", pid)
	}
	if err != nil {
		return nil, fmt.Errorf("PID %d: %v", pid, err)
	}
	pr := &Process{PID: pid, p: p, readFile: readFile}
	pr.Name, _ = p.NameWithContext(ctx)
	who := fmt.Sprintf("PID %d (%s)", pid, pr.Name)
	exe := fmt.Sprintf("/proc/%d/exe", pid)
	// Permission first: on /proc/PID/exe a foreign process gives EACCES,
	// which debug/buildinfo would report as an unreadable file.
	if _, err := readFile(fmt.Sprintf("/proc/%d/status", pid)); err != nil {
		return nil, procError(who, err)
	}
	if _, err := os.Stat(exe); err != nil {
		return nil, procError(who, err)
	}
	b, err := host.ReadBuild(exe)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
			return nil, procError(who, err)
		}
		return nil, fmt.Errorf("%s is not a Go program: its executable has no Go build info (%v)", who, err)
	}
	pr.Build = b
	if env, err := readFile(fmt.Sprintf("/proc/%d/environ", pid)); err == nil {
		pr.Env = host.GCEnv(strings.Split(string(env), "\x00"))
	}
	if raw, err := readFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil {
		pr.Cmdline = splitCmdline(raw)
	}
	pr.smaps, _ = host.OpenSmaps(pid)
	if _, err := pr.Read(ctx); err != nil {
		pr.Close()
		return nil, procError(who, err)
	}
	return pr, nil
}

// Close releases the files the handle keeps open.
func (p *Process) Close() error {
	if p.smaps == nil {
		return nil
	}
	err := p.smaps.Close()
	p.smaps = nil
	return err
}

func procError(who string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied reading /proc (attach as the target's user, or as root)", who)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrGone), errors.Is(err, process.ErrorProcessNotRunning):
		return fmt.Errorf("%s: the process has exited", who)
	}
	return fmt.Errorf("%s: %v", who, err)
}

// Read reads RSS (gopsutil), peak RSS (VmHWM from /proc/PID/status, which
// gopsutil leaves 0 on Linux) and user+system CPU time. A process that has
// exited, including a zombie not yet reaped by its parent, gives ErrGone.
func (p *Process) Read(ctx context.Context) (ProcessReading, error) {
	var r ProcessReading
	status, err := p.readFile(fmt.Sprintf("/proc/%d/status", p.PID))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			return r, ErrGone
		}
		return r, err
	}
	state, hwm := parseStatus(status)
	if state == "Z" || state == "X" {
		return r, fmt.Errorf("%w (state %s: exited, not yet reaped)", ErrGone, state)
	}
	r.RSSPeakBytes = hwm
	mem, err := p.p.MemoryInfoWithContext(ctx)
	if err != nil {
		return r, p.readErr(err)
	}
	r.RSSBytes = mem.RSS
	r.RSSPeakBytes = max(r.RSSPeakBytes, r.RSSBytes) // read a moment apart
	times, err := p.p.TimesWithContext(ctx)
	if err != nil {
		return r, p.readErr(err)
	}
	// Rounded to the µs: the sum of two float tick counts is not exact.
	r.CPUSecondsTotal = math.Round((times.User+times.System)*1e6) / 1e6
	if p.smaps != nil {
		var m record.ProcMemory
		if p.smaps.Read(&m) {
			r.Memory = &m
		}
	}
	return r, nil
}

func (p *Process) readErr(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, process.ErrorProcessNotRunning) {
		return ErrGone
	}
	return err
}

// parseStatus reads the state letter and VmHWM (in bytes) from a
// /proc/PID/status file.
func parseStatus(b []byte) (state string, hwm uint64) {
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch string(k) {
		case "State":
			if f := strings.Fields(string(v)); len(f) > 0 {
				state = f[0]
			}
		case "VmHWM":
			if f := strings.Fields(string(v)); len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				hwm = kb << 10
			}
		}
	}
	return state, hwm
}

// splitCmdline splits /proc/PID/cmdline: arguments each ended by a NUL.
func splitCmdline(raw []byte) []string {
	raw = bytes.TrimRight(raw, "\x00")
	if len(raw) == 0 {
		return nil // a kernel thread, or a zombie
	}
	return strings.Split(string(raw), "\x00")
}

// Program names the process for the record's header.
func (p *Process) Program() *record.Program {
	if len(p.Cmdline) == 0 {
		if p.Name == "" {
			return nil
		}
		return &record.Program{Name: p.Name, From: record.ProgramFromProc}
	}
	return &record.Program{Name: filepath.Base(p.Cmdline[0]), Args: p.Cmdline, From: record.ProgramFromProc}
}

// userHZ is the unit of the start time in /proc/PID/stat: Linux reports
// it in clock ticks of USER_HZ, which is 100 on every architecture Go runs
// on.
const userHZ = 100

// StartTime is when the process started, from /proc/PID/stat (its start
// in clock ticks since boot) and /proc/uptime (seconds since boot), both on
// the kernel's clock, so the result is good to a clock tick (10 ms) and does
// not depend on the whole-second boot time that /proc/stat gives.
func (p *Process) StartTime(now time.Time) (time.Time, error) {
	stat, err := p.readFile(fmt.Sprintf("/proc/%d/stat", p.PID))
	if err != nil {
		return time.Time{}, err
	}
	up, err := p.readFile("/proc/uptime")
	if err != nil {
		return time.Time{}, err
	}
	ticks, err := statStartTicks(stat)
	if err != nil {
		return time.Time{}, err
	}
	f := strings.Fields(string(up))
	if len(f) == 0 {
		return time.Time{}, errors.New("/proc/uptime: empty")
	}
	uptime, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("/proc/uptime: %v", err)
	}
	age := uptime - float64(ticks)/userHZ
	return now.Add(-time.Duration(age * float64(time.Second))), nil
}

// statStartTicks reads field 22 (starttime) of a /proc/PID/stat line; the
// command name in field 2 is in parentheses and may hold spaces.
func statStartTicks(stat []byte) (uint64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc/PID/stat: no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	const startField = 22 - 3 // fields after the name count from field 3
	if len(f) <= startField {
		return 0, errors.New("/proc/PID/stat: too few fields")
	}
	return strconv.ParseUint(f[startField], 10, 64)
}
