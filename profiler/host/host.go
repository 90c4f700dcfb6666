// Package host describes the machine and the Go build a run is measured on:
// CPUs, memory and container limit for the record's header, the GC-relevant
// environment, and the Go version and GC (Green Tea or classic) of a binary.
// It uses the standard library only, so the in-process probe can use it.
package host

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"go/version"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/record"
)

// GCEnvVars are the environment variables that change what the GC does,
// recorded in every header.
var gcEnvVars = []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG", "GOEXPERIMENT"}

// GCEnv picks the GC-relevant variables out of an environment in
// os.Environ form (later entries win, as in exec.Cmd).
func GCEnv(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		for _, name := range gcEnvVars {
			if k == name {
				m[k] = v
			}
		}
	}
	return m
}

// Describe reads this machine's description. Fields it cannot read stay zero.
func Describe() record.Host {
	h := record.Host{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU()}
	h.Hostname, _ = os.Hostname()
	h.MemoryBytes = memTotal("/proc/meminfo")
	h.CgroupMemoryLimitBytes = cgroupLimit("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes", h.MemoryBytes)
	return h
}

// memTotal reads MemTotal from a /proc/meminfo file, 0 when unreadable.
func memTotal(path string) uint64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cgroupLimit reads the memory limit of cgroup v2 (v2path) or v1 (v1path).
// "max", unreadable files and limits at or above the machine's memory (v1
// writes a huge number for none) mean no limit: 0.
func cgroupLimit(v2path, v1path string, machine uint64) uint64 {
	for _, p := range []string{v2path, v1path} {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
		if err != nil || (machine > 0 && n >= machine) {
			return 0
		}
		return n
	}
	return 0
}

// Build is what a Go binary's build info says about its GC.
type Build struct {
	GoVersion string // "go1.26.8"
	GC        string // record.GCGreenTea, record.GCClassic, or "" when unknown
}

// ReadBuild reads the build info of the Go binary at path (for a running
// process on Linux: /proc/PID/exe). It fails for a file that is not a Go
// binary.
func ReadBuild(path string) (Build, error) {
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		return Build{}, err
	}
	experiment := ""
	for _, s := range bi.Settings {
		if s.Key == "GOEXPERIMENT" {
			experiment = s.Value
		}
	}
	return Build{GoVersion: bi.GoVersion, GC: GCOf(bi.GoVersion, experiment)}, nil
}

// GCOf tells which GC a toolchain version builds with a GOEXPERIMENT setting:
// Green Tea is the default from Go 1.26 (nogreenteagc turns it off), and an
// opt-in experiment (greenteagc) in Go 1.25. Older versions have only the
// classic GC. An unparseable version gives "".
func GCOf(goVersion, goexperiment string) string {
	lang := version.Lang(strings.Fields(goVersion + " ")[0])
	if lang == "" {
		return ""
	}
	// The version names the experiments that differ from the toolchain's
	// defaults too: "go1.26.8-X:nogreenteagc" in build info,
	// "go1.26.8 X:nogreenteagc" from runtime.Version.
	if _, x, ok := strings.Cut(strings.ReplaceAll(goVersion, " X:", "-X:"), "-X:"); ok {
		goexperiment += "," + x
	}
	has := func(name string) bool {
		for _, e := range strings.Split(goexperiment, ",") {
			if strings.TrimSpace(e) == name {
				return true
			}
		}
		return false
	}
	switch {
	case version.Compare(lang, "go1.26") >= 0 && !has("nogreenteagc"):
		return record.GCGreenTea
	case version.Compare(lang, "go1.25") == 0 && has("greenteagc"):
		return record.GCGreenTea
	}
	return record.GCClassic
}
