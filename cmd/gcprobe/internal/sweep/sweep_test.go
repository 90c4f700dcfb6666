package sweep

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPlanIsRoundRobin(t *testing.T) {
	g := Grid{GOGC: []string{"50", "100"}, MemLimit: []string{"off", "536870912"}}
	var got []string
	for _, j := range Plan(g, 2) {
		got = append(got, j.File)
	}
	want := []string{
		"gogc-50_memlimit-off_r1.jsonl", "gogc-100_memlimit-off_r1.jsonl",
		"gogc-50_memlimit-512MiB_r1.jsonl", "gogc-100_memlimit-512MiB_r1.jsonl",
		"gogc-50_memlimit-off_r2.jsonl", "gogc-100_memlimit-off_r2.jsonl",
		"gogc-50_memlimit-512MiB_r2.jsonl", "gogc-100_memlimit-512MiB_r2.jsonl",
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseLists(t *testing.T) {
	if g, err := ParseGOGCs([]string{"50", "OFF", "050", " 200"}); err != nil || !slices.Equal(g, []string{"50", "off", "200"}) {
		t.Errorf("ParseGOGCs = %v, %v", g, err)
	}
	if m, err := ParseMemLimits([]string{"off", "512MiB", "536870912"}); err != nil || !slices.Equal(m, []string{"off", "536870912"}) {
		t.Errorf("ParseMemLimits = %v, %v", m, err)
	}
	for _, tc := range []struct {
		parse func([]string) ([]string, error)
		in    []string
		want  string
	}{
		{ParseGOGCs, nil, "--gogc: empty grid"},
		{ParseGOGCs, []string{""}, "--gogc: empty grid"},
		{ParseGOGCs, []string{"-1"}, "--gogc:"},
		{ParseMemLimits, []string{"lots"}, "--memlimit:"},
		{ParseProcs, []string{"0"}, "--gomaxprocs:"},
	} {
		if _, err := tc.parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestTargetArgs(t *testing.T) {
	p := Point{GOGC: "50", MemLimit: "off"}
	got := strings.Join(Target{Command: []string{"./app", "-x"}, Duration: 2 * time.Second}.Args(p, "o.part"), " ")
	if want := "run --quiet --gogc 50 --memlimit off -o o.part --duration 2s -- ./app -x"; got != want {
		t.Errorf("command args: %s\nwant %s", got, want)
	}
	got = strings.Join(Target{Scenario: "lru", ScenarioArgs: []string{"--layout", "flat"}}.Args(p, "o.part"), " ")
	if want := "scenario run lru --quiet --gogc 50 --memlimit off -o o.part --layout flat"; got != want {
		t.Errorf("scenario args: %s\nwant %s", got, want)
	}
}

// fakeGCProbe writes a shell script that acts as gcprobe run: it records
// its settings and environment in the -o file after a short sleep, and
// fails for GOGC=13.
func fakeGCProbe(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	exe := filepath.Join(t.TempDir(), "gcprobe")
	script := `#!/bin/sh
out=""; gogc=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift;;
    --gogc) gogc="$2"; shift;;
  esac
  shift
done
echo "fake run gogc=$gogc procs=$GOMAXPROCS"
sleep 0.2
[ "$gogc" = 13 ] && exit 3
echo "{\"gogc\":\"$gogc\",\"procs\":\"$GOMAXPROCS\"}" > "$out"
`
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestRunInterruptResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	o := Options{
		Dir: dir, Exe: fakeGCProbe(t), Env: os.Environ(),
		Target: Target{Command: []string{"app"}},
		Grid:   Grid{GOGC: []string{"50", "100"}, MemLimit: []string{"off"}, GOMAXPROCS: []string{"1", "2"}},
		Repeat: 2,
	}
	// Interrupt once three runs are done.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for ctx.Err() == nil {
			if m, _ := filepath.Glob(filepath.Join(dir, "*.jsonl")); len(m) >= 3 {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var progress bytes.Buffer
	res, err := Run(ctx, o)
	cancel()
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted sweep: %v", err)
	}
	m, err := LoadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	doneBefore := map[string]time.Time{}
	for _, e := range m.Runs {
		if e.Status == StatusDone {
			doneBefore[e.File] = e.Finished
		}
		if e.Status == StatusFailed {
			t.Errorf("%s failed: %s", e.File, e.Error)
		}
	}
	if len(doneBefore) < 3 || len(doneBefore) == len(m.Runs) || res.Ran != len(doneBefore) {
		t.Fatalf("after interrupt: %d of %d done, ran %d", len(doneBefore), len(m.Runs), res.Ran)
	}
	if parts, _ := filepath.Glob(filepath.Join(dir, "*.part")); len(parts) > 0 {
		t.Errorf("partial records left: %v", parts)
	}

	// A new sweep into the same directory is refused; --resume finishes.
	if _, err := Run(context.Background(), o); !errors.Is(err, ErrExists) {
		t.Errorf("second sweep into %s: %v", dir, err)
	}
	o.Resume, o.Progress = true, &progress
	o.Target, o.Grid, o.Repeat = Target{}, Grid{}, 0 // taken from the manifest
	res, err = Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != len(doneBefore) || res.Ran != 8-len(doneBefore) {
		t.Errorf("resume: skipped %d, ran %d; %d were done", res.Skipped, res.Ran, len(doneBefore))
	}
	for _, e := range res.Manifest.Runs {
		if e.Status != StatusDone {
			t.Errorf("%s: %s", e.File, e.Status)
		}
		if before, ok := doneBefore[e.File]; ok && !e.Finished.Equal(before) {
			t.Errorf("%s ran again", e.File)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil || !strings.Contains(string(b), `"procs":"`+e.GOMAXPROCS+`"`) {
			t.Errorf("%s: %q, %v: GOMAXPROCS=%s not in the child's environment", e.File, b, err, e.GOMAXPROCS)
		}
	}
	if !strings.Contains(progress.String(), "already done") || !strings.Contains(progress.String(), "[8/8]") {
		t.Errorf("progress:\n%s", progress.String())
	}

	// A larger --repeat adds the runs of the third round, after the others.
	o.Repeat = 3
	res, err = Run(context.Background(), o)
	if err != nil || res.Ran != 4 || res.Skipped != 8 || len(res.Manifest.Runs) != 12 || res.Manifest.Runs[11].File != "gogc-100_memlimit-off_procs-2_r3.jsonl" {
		t.Errorf("--repeat 3: %+v, %v", res, err)
	}
	o.Repeat = 2
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "can grow, not shrink") {
		t.Errorf("--repeat 2 after 3: %v", err)
	}

	// Resuming with another grid is refused.
	o.Grid, o.Target, o.Repeat = Grid{GOGC: []string{"75"}, MemLimit: []string{"off"}}, Target{Command: []string{"app"}}, 3
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "different sweep") {
		t.Errorf("resume with another grid: %v", err)
	}
}

func TestFailuresAndGiveUp(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: filepath.Join(dir, "a"), Exe: fakeGCProbe(t), Target: Target{Command: []string{"app"}},
		Grid: Grid{GOGC: []string{"13", "50"}, MemLimit: []string{"off"}}, Repeat: 1}
	res, err := Run(context.Background(), o)
	if err != nil || res.Failed != 1 || res.Ran != 2 {
		t.Fatalf("one bad configuration: %+v, %v", res, err)
	}
	e := res.Manifest.Runs[0]
	if e.Status != StatusFailed || !strings.Contains(e.Error, "exit status 3") {
		t.Errorf("failed entry %+v", e)
	}
	if log, _ := os.ReadFile(filepath.Join(o.Dir, e.Log)); !strings.Contains(string(log), "fake run gogc=13") {
		t.Errorf("log %q", log)
	}
	o = Options{Dir: filepath.Join(dir, "b"), Exe: fakeGCProbe(t), Target: Target{Command: []string{"app"}},
		Grid: Grid{GOGC: []string{"13"}, MemLimit: []string{"off"}}, Repeat: 5, MaxFailures: 2}
	if res, err := Run(context.Background(), o); err == nil || res.Ran != 2 || !strings.Contains(err.Error(), "giving up") {
		t.Errorf("always failing: %+v, %v", res, err)
	}
}

func TestParseBuildAxes(t *testing.T) {
	if tc, err := ParseToolchains([]string{"go1.27.3", "1.27.3", "local", " go1.28rc1"}); err != nil || !slices.Equal(tc, []string{"go1.27.3", "local", "go1.28rc1"}) {
		t.Errorf("ParseToolchains = %v, %v", tc, err)
	}
	if ex, err := ParseExperiments([]string{"default", "NoGreenTeaGC", "none", "nogreenteagc+noaliastypeparams"}); err != nil || !slices.Equal(ex, []string{"default", "nogreenteagc", "nogreenteagc+noaliastypeparams"}) {
		t.Errorf("ParseExperiments = %v, %v", ex, err)
	}
	for _, tc := range []struct {
		parse func([]string) ([]string, error)
		in    string
		want  string
	}{
		{ParseToolchains, "go1.27", "language version, not a release: name one such as go1.27.0"},
		{ParseToolchains, "banana", "not a Go release"},
		{ParseToolchains, "go1.27.3+auto", "not a Go release"},
		{ParseToolchains, "path", "not a Go release"},
		{ParseExperiments, "no green", "not a GOEXPERIMENT name"},
		{ParseExperiments, "../x", "not a GOEXPERIMENT name"},
	} {
		if _, err := tc.parse([]string{tc.in}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestPlanWithBuilds(t *testing.T) {
	g := Grid{Toolchain: []string{"go1.26.8", "go1.27.3"}, Experiment: []string{"default", "nogreenteagc"}, GOGC: []string{"100"}, MemLimit: []string{"off"}}
	var got []string
	for _, j := range Plan(g, 1) {
		got = append(got, j.File+" "+j.Label())
	}
	want := []string{
		"go1.26.8_default_gogc-100_memlimit-off_r1.jsonl go1.26.8 default gogc=100 memlimit=off",
		"go1.26.8_nogreenteagc_gogc-100_memlimit-off_r1.jsonl go1.26.8 nogreenteagc gogc=100 memlimit=off",
		"go1.27.3_default_gogc-100_memlimit-off_r1.jsonl go1.27.3 default gogc=100 memlimit=off",
		"go1.27.3_nogreenteagc_gogc-100_memlimit-off_r1.jsonl go1.27.3 nogreenteagc gogc=100 memlimit=off",
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if env := (BuildKey{Toolchain: "go1.27.3", Experiment: "default"}).env(); !slices.Equal(env, []string{"GOTOOLCHAIN=go1.27.3", "GOEXPERIMENT="}) {
		t.Errorf("env %q", env)
	}
	if env := (BuildKey{Experiment: "nogreenteagc+noaliastypeparams"}).env(); !slices.Equal(env, []string{"GOEXPERIMENT=nogreenteagc,noaliastypeparams"}) {
		t.Errorf("env %q", env)
	}
}

func TestParseGoMod(t *testing.T) {
	m := ParseGoMod([]byte("// comment\nmodule \"example.com/x\" // the module\n\ngo 1.26.0\n\ntoolchain go1.27.3\nrequire (\n\tgo 1.0\n)\n"))
	if m.Path != "example.com/x" || m.Go != "1.26.0" {
		t.Errorf("ParseGoMod = %+v", m)
	}
	if m := ParseGoMod([]byte("garbage\x00\n")); m != (GoMod{}) {
		t.Errorf("ParseGoMod(garbage) = %+v", m)
	}
}

// TestBuilds builds testdata's allocator with the installed go, default and
// nogreenteagc, runs it through a fake gcprobe, and checks the builds'
// build info, that --resume keeps an unchanged build, and that a build
// that fails leaves its runs out and the rest of the grid running.
func TestBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goExe, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	mod := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(mod, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/prog\n\ngo 1.22\n")
	write("prog/main.go", "package main\n\nfunc main() { println(\"hello\") }\n")
	dir := filepath.Join(t.TempDir(), "out")
	var progress bytes.Buffer
	o := Options{
		Dir: dir, Exe: fakeGCProbe(t), Env: os.Environ(), Go: goExe, Progress: &progress,
		Target: Target{Build: "./prog", BuildDir: mod, Command: []string{"prog", "-x"}},
		Grid:   Grid{Experiment: []string{"default", "nogreenteagc", "bogus"}, GOGC: []string{"50"}, MemLimit: []string{"off"}},
		Repeat: 1,
	}
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	if res.Ran != 2 || res.NotRun != 1 || res.Failed != 0 {
		t.Errorf("ran %d, not run %d, failed %d\n%s", res.Ran, res.NotRun, res.Failed, progress.String())
	}
	gcs := map[string]string{}
	for _, b := range res.Manifest.Builds {
		gcs[b.Experiment] = b.GC
		if b.Experiment == "bogus" && !strings.Contains(b.Error, "does not know GOEXPERIMENT=bogus") {
			t.Errorf("bogus build: %+v", b)
		}
	}
	if gcs["default"] != "greentea" || gcs["nogreenteagc"] != "classic" {
		t.Errorf("GCs read from the builds: %v", gcs)
	}
	if !strings.Contains(progress.String(), "bogus: cannot build") || strings.Index(progress.String(), "bogus: cannot build") > strings.Index(progress.String(), "[1/") {
		t.Errorf("the unavailable build is not said before the first run:\n%s", progress.String())
	}
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "default_gogc-50_memlimit-off_r1.log"))
	if !strings.Contains(string(log), "fake run gogc=50") {
		t.Errorf("run log %q", log)
	}

	// Resume: the builds are up to date. A change of the source rebuilds;
	// a compile error with one experiment leaves its runs out, with the
	// compiler's output in the log, and the rest of the grid runs.
	progress.Reset()
	o.Resume = true
	if _, err := Run(context.Background(), o); err != nil || strings.Count(progress.String(), "(up to date)") != 2 {
		t.Errorf("resume: %v\n%s", err, progress.String())
	}
	write("prog/main.go", "package main\n\nfunc main() { println(\"changed\") }\n")
	write("prog/broken.go", "//go:build !goexperiment.greenteagc\n\npackage main\n\nvar _ = undefinedThing\n")
	progress.Reset()
	o.Repeat = 2
	res, err = Run(context.Background(), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	if res.Ran != 1 || res.NotRun != 3 || !strings.Contains(progress.String(), "default: go1.") || !strings.Contains(progress.String(), "rebuilt") {
		t.Errorf("ran %d, not run %d\n%s", res.Ran, res.NotRun, progress.String())
	}
	blog, _ := os.ReadFile(filepath.Join(dir, "logs", "build_nogreenteagc.log"))
	if !strings.Contains(string(blog), "undefined: undefinedThing") || !strings.Contains(progress.String(), "nogreenteagc: cannot build, its runs are left out: go build ./prog failed: prog/broken.go:5:9: undefined: undefinedThing") {
		t.Errorf("compiler output: log %q\nprogress %s", blog, progress.String())
	}
}

// TestScenarioBuildsRunner checks that a scenario sweep over builds
// builds the runner package in its module and starts the build instead of
// Exe, and that a go line newer than the toolchain leaves the build out
// before anything is built.
func TestScenarioBuildsRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goExe, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	mod := t.TempDir()
	// A runner that writes its GC and the scenario's name where -o says.
	runner := `package main

import (
	"os"
	"runtime/debug"
)

func main() {
	bi, _ := debug.ReadBuildInfo()
	exp := ""
	for _, s := range bi.Settings {
		if s.Key == "GOEXPERIMENT" {
			exp = s.Value
		}
	}
	for i, a := range os.Args {
		if a == "-o" {
			os.WriteFile(os.Args[i+1], []byte(os.Args[3]+" experiment="+exp+"\n"), 0o644)
		}
	}
}
`
	for name, text := range map[string]string{"go.mod": "module " + RunnerModule + "\n\ngo 1.22\n", "cmd/gcprobe/main.go": runner} {
		os.MkdirAll(filepath.Dir(filepath.Join(mod, name)), 0o755)
		if err := os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{
		Dir: filepath.Join(t.TempDir(), "out"), Exe: "/nonexistent/gcprobe", Env: os.Environ(), Go: goExe,
		Target: Target{Scenario: "readstates", BuildDir: mod},
		Grid:   Grid{Experiment: []string{"default", "nogreenteagc"}, GOGC: []string{"100"}, MemLimit: []string{"off"}},
		Repeat: 1,
	}
	res, err := Run(context.Background(), o)
	if err != nil || res.Ran != 2 || res.Failed != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	for file, want := range map[string]string{
		"default_gogc-100_memlimit-off_r1.jsonl":      "readstates experiment=\n",
		"nogreenteagc_gogc-100_memlimit-off_r1.jsonl": "readstates experiment=nogreenteagc\n",
	} {
		if b, _ := os.ReadFile(filepath.Join(o.Dir, file)); string(b) != want {
			t.Errorf("%s: %q, want %q", file, b, want)
		}
	}

	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module "+RunnerModule+"\n\ngo 1.99.0\n"), 0o644)
	o.Dir = filepath.Join(t.TempDir(), "out2")
	o.Grid.Toolchain = []string{"local"} // pinned: no switch to a newer release
	var progress bytes.Buffer
	o.Progress = &progress
	if _, err := Run(context.Background(), o); err == nil || !strings.Contains(progress.String(), "cannot build "+RunnerModule+": its go.mod ("+filepath.Join(mod, "go.mod")+") says go 1.99.0") {
		t.Errorf("go line newer than the toolchain: %v\n%s", err, progress.String())
	}
	if strings.Contains(progress.String(), "building") {
		t.Errorf("built although the go line says it cannot:\n%s", progress.String())
	}
}
