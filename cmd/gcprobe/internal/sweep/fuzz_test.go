package sweep

import (
	"strings"
	"testing"
)

// FuzzParseLists checks that the grid flags' parsers refuse bad values with
// an error naming the flag, never a panic, and that what they accept makes
// file names that stay inside the sweep's directory.
func FuzzParseLists(f *testing.F) {
	for _, s := range []string{"50,100,200,off", "off,512MiB", "1,2", "", ",", "-1", "1e9", "0", "18446744073709551615", "9223372036854775807", "1TiB,1KiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals := strings.Split(s, ",")
		var g Grid
		var err error
		if g.GOGC, err = ParseGOGCs(vals); err != nil && !strings.HasPrefix(err.Error(), "--gogc") {
			t.Errorf("ParseGOGCs(%q): %v does not name the flag", s, err)
		}
		if g.MemLimit, err = ParseMemLimits(vals); err != nil && !strings.HasPrefix(err.Error(), "--memlimit") {
			t.Errorf("ParseMemLimits(%q): %v does not name the flag", s, err)
		}
		if g.GOMAXPROCS, err = ParseProcs(vals); err != nil && !strings.HasPrefix(err.Error(), "--gomaxprocs") {
			t.Errorf("ParseProcs(%q): %v does not name the flag", s, err)
		}
		if len(g.GOGC) == 0 {
			g.GOGC = []string{"100"}
		}
		if len(g.MemLimit) == 0 {
			g.MemLimit = []string{"off"}
		}
		for _, j := range Plan(g, 2) {
			if strings.ContainsAny(j.File, `/\`) || strings.Contains(j.File, "..") || !strings.HasSuffix(j.File, ".jsonl") {
				t.Errorf("grid from %q names a run %q", s, j.File)
			}
			if j.Label() == "" {
				t.Errorf("grid from %q: empty label", s)
			}
		}
	})
}

// FuzzManifest checks that a damaged manifest (a crash, a hand edit) is
// refused with an error, never a panic, and that one accepted can be
// resumed: it plans runs, and names files inside the sweep's directory.
func FuzzManifest(f *testing.F) {
	f.Add(`{"schema":"gcprobe.sweep/v1","target":{"scenario":"readstates"},"grid":{"gogc":["50","100"],"memlimit":["off"]},"repeat":2,"runs":[{"gogc":"50","memlimit":"off","repeat":1,"file":"gogc-50_memlimit-off_r1.jsonl","status":"done"}]}`)
	f.Add(`{"schema":"gcprobe.sweep/v1","grid":{"gogc":["100"],"memlimit":["off"]},"repeat":1,"runs":[{"file":"../../x.jsonl"}]}`)
	f.Add(`{"schema":"gcprobe.sweep/v1","grid":{},"repeat":0}`)
	f.Add(`{"schema":"gcprobe.sweep/v1","grid":{"gogc":["100"],"memlimit":["off"]},"repeat":1,"runs":[{"file":"x"}]}`)
	f.Add(`{"schema":"gcprobe.sweep/v1"`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseManifest("manifest.json", []byte(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "manifest.json: ") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		if m.Repeat > 100 || len(m.Grid.Points()) > 100 {
			return // valid, but too big to plan in a fuzz iteration
		}
		if len(Plan(m.Grid, m.Repeat)) == 0 {
			t.Errorf("accepted manifest plans no runs: %s", s)
		}
		for _, e := range m.Runs {
			if strings.Contains(e.File, "..") || strings.HasPrefix(e.File, "/") {
				t.Errorf("accepted manifest names %q", e.File)
			}
			_ = e.File[:len(e.File)-len(".jsonl")] // as runOne cuts it
		}
	})
}

// FuzzBuildAxes checks that --toolchain and --goexperiment refuse bad
// values with an error naming the flag, and that what they accept names
// builds and runs inside the sweep's directory; and that ParseGoMod reads
// any bytes without panicking.
func FuzzBuildAxes(f *testing.F) {
	for _, s := range []string{"go1.26.8,go1.27.3", "local", "1.27.3", "go1.27", "go1.28rc1", "default,nogreenteagc", "a+b", "../x", "go1.2.3/../x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals := strings.Split(s, ",")
		g := Grid{GOGC: []string{"100"}, MemLimit: []string{"off"}}
		var err error
		if g.Toolchain, err = ParseToolchains(vals); err != nil && !strings.HasPrefix(err.Error(), "--toolchain") {
			t.Errorf("ParseToolchains(%q): %v does not name the flag", s, err)
		}
		if g.Experiment, err = ParseExperiments(vals); err != nil && !strings.HasPrefix(err.Error(), "--goexperiment") {
			t.Errorf("ParseExperiments(%q): %v does not name the flag", s, err)
		}
		for _, k := range g.Builds() {
			if st := k.stem(); strings.ContainsAny(st, `/\`) || strings.Contains(st, "..") || st == "" {
				t.Errorf("build %+v from %q has the file stem %q", k, s, st)
			}
		}
		for _, j := range Plan(g, 1) {
			if strings.ContainsAny(j.File, `/\`) || strings.Contains(j.File, "..") {
				t.Errorf("grid from %q names a run %q", s, j.File)
			}
		}
		ParseGoMod([]byte(s))
	})
}
