//go:build unix

package sweep

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the child in its own process group, so that the
// terminal's Ctrl-C reaches the sweep, which then stops the child itself.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interrupt asks the child to stop as Ctrl-C would: gcprobe then ends its
// record cleanly.
func interrupt(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGINT)
}
