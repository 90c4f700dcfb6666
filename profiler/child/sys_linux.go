package child

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr starts the child in its own process group, so that a
// terminal's Ctrl-C reaches it once, through gcprobe, and so that gcprobe can
// signal the child's own children too; and it has the kernel kill the child
// if gcprobe dies (kill -9 included) so that no orphan keeps running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the child's process group, or to the child alone
// if that fails.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		p.Signal(sig)
	}
}

// exitInfo returns the exit status as a shell reports it (128+n for a death
// by signal n) and the signal's name ("SIGKILL"), or "".
func exitInfo(ps *os.ProcessState) (code int, signal string) {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return 128 + int(ws.Signal()), unix.SignalName(ws.Signal())
	}
	return ps.ExitCode(), ""
}

// finalUsage reads what the kernel measured of the child over its whole life
// once it has been waited for: its peak RSS (ru_maxrss, KiB on Linux) and its
// user+system CPU time. It sees a last-moment peak that periodic sampling
// misses.
func finalUsage(ps *os.ProcessState) (peakRSS uint64, cpuSeconds float64, ok bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, 0, false
	}
	return uint64(ru.Maxrss) << 10, (ps.UserTime() + ps.SystemTime()).Seconds(), true
}
