package host

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

func TestGCEnv(t *testing.T) {
	got := GCEnv([]string{"PATH=/bin", "GOGC=50", "GODEBUG=gctrace=1", "GOGC=off", "junk"})
	if len(got) != 2 || got["GOGC"] != "off" || got["GODEBUG"] != "gctrace=1" {
		t.Fatalf("GCEnv = %v", got)
	}
}

func TestGCOf(t *testing.T) {
	tests := []struct{ ver, exp, want string }{
		{"go1.26.8", "", record.GCGreenTea},
		{"go1.26.8", "nogreenteagc", record.GCClassic},
		{"go1.26.8-X:nogreenteagc", "", record.GCClassic}, // build info's version
		{"go1.26.8 X:nogreenteagc", "", record.GCClassic}, // runtime.Version
		{"go1.27.3-X:nogreenteagc,boringcrypto", "", record.GCClassic},
		{"go1.25.3 X:greenteagc", "", record.GCGreenTea},
		{"go1.27rc1", "", record.GCGreenTea},
		{"go1.25.3", "greenteagc", record.GCGreenTea},
		{"go1.25.3", "", record.GCClassic},
		{"go1.22.0", "", record.GCClassic},
		{"devel +abc", "", ""},
	}
	for _, tt := range tests {
		if got := GCOf(tt.ver, tt.exp); got != tt.want {
			t.Errorf("GCOf(%q, %q) = %q, want %q", tt.ver, tt.exp, got, tt.want)
		}
	}
}

func TestReadBuildOfTestBinary(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	b, err := ReadBuild(exe)
	if err != nil {
		t.Fatal(err)
	}
	if b.GoVersion != runtime.Version() || b.GC == "" {
		t.Fatalf("ReadBuild = %+v, want %s", b, runtime.Version())
	}
	if _, err := ReadBuild("host_test.go"); err == nil {
		t.Error("ReadBuild of a Go source file succeeded")
	}
}

func TestMemAndCgroup(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	mi := write("meminfo", "MemTotal:       24000000 kB\nMemFree: 1 kB\n")
	if got := memTotal(mi); got != 24000000<<10 {
		t.Errorf("memTotal = %d", got)
	}
	v2 := write("memory.max", "max\n")
	if got := cgroupLimit(v2, "/nonexistent", 1<<40); got != 0 {
		t.Errorf("max: %d", got)
	}
	v2 = write("memory.max2", "1073741824\n")
	if got := cgroupLimit(v2, "", 1<<40); got != 1<<30 {
		t.Errorf("1GiB: %d", got)
	}
	v1 := write("limit", "9223372036854771712\n")
	if got := cgroupLimit("/nonexistent", v1, 1<<40); got != 0 {
		t.Errorf("v1 unlimited: %d", got)
	}
	if h := Describe(); h.CPUs < 1 || h.OS == "" {
		t.Errorf("Describe = %+v", h)
	}
}
