package child

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/profiler/host"
)

// goDescendant finds the Go program a wrapper started: the one process
// among root's descendants whose executable is a Go binary. It returns its
// PID and executable, or 0 when there is none yet, or several (then
// gctrace mixing is the problem, and the mixing check reports it). It
// reads /proc: elsewhere it finds nothing.
func goDescendant(root int) (int, string) {
	found, exe := 0, ""
	for _, pid := range descendants(root) {
		path, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
		if err != nil {
			continue
		}
		if _, err := host.ReadBuild("/proc/" + strconv.Itoa(pid) + "/exe"); err != nil {
			continue
		}
		if found != 0 {
			return 0, ""
		}
		found, exe = pid, filepath.Base(path)
	}
	return found, exe
}

// descendants lists root's descendants, breadth first, from each task's
// children file (Linux 3.5+).
func descendants(root int) []int {
	var out []int
	queue := []int{root}
	for len(queue) > 0 && len(out) < 1000 {
		pid := queue[0]
		queue = queue[1:]
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}
