//go:build !unix

package sweep

import "os/exec"

func ownGroup(cmd *exec.Cmd) {}

func interrupt(cmd *exec.Cmd) { cmd.Process.Kill() }
