//go:build !linux

package child

import (
	"os"
	"syscall"
)

// sysProcAttr: outside Linux the child stays in gcprobe's process group and
// is not killed with gcprobe.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// signalGroup sends sig to the child.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if sig == syscall.SIGKILL {
		p.Kill()
		return
	}
	p.Signal(sig)
}

// exitInfo returns the exit status; a death by signal is not told apart.
func exitInfo(ps *os.ProcessState) (code int, signal string) {
	return ps.ExitCode(), ""
}

// finalUsage: not read outside Linux (ru_maxrss has other units elsewhere).
func finalUsage(ps *os.ProcessState) (peakRSS uint64, cpuSeconds float64, ok bool) {
	return 0, 0, false
}
