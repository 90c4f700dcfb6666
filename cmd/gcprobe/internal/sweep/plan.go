package sweep

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/units"
)

// Grid is the settings a sweep tries: every combination of one value of
// each list. Values are normalized (units.ParseGOGC, units.ParseMemLimit);
// an empty GOMAXPROCS list leaves GOMAXPROCS as the environment has it.
//
// Toolchain and Experiment are the build axes (see ParseToolchains,
// ParseExperiments): each of their combinations is a build of the program,
// made before the first run. Empty lists build nothing new, or (with
// Target.Build) build once with the environment's go.
type Grid struct {
	Toolchain  []string `json:"toolchain,omitempty"`
	Experiment []string `json:"goexperiment,omitempty"`
	GOGC       []string `json:"gogc"`
	MemLimit   []string `json:"memlimit"`
	GOMAXPROCS []string `json:"gomaxprocs,omitempty"`
}

// Point is one configuration of the grid.
type Point struct {
	// Toolchain is a GOTOOLCHAIN value ("go1.27.3", "local"), "" for the
	// environment's; Experiment a GOEXPERIMENT ("nogreenteagc", "default"
	// for none), "" for the environment's.
	Toolchain  string `json:"toolchain,omitempty"`
	Experiment string `json:"goexperiment,omitempty"`
	GOGC       string `json:"gogc"`
	MemLimit   string `json:"memlimit"`
	GOMAXPROCS string `json:"gomaxprocs,omitempty"`
}

// ParseGOGCs, ParseMemLimits and ParseProcs read a flag's list of values,
// normalized and without duplicates. An empty list is an error: a grid
// with no value on one axis has no point.
func ParseGOGCs(vals []string) ([]string, error) {
	return parseList("--gogc", vals, units.ParseGOGC, "50,100,200,off")
}

func ParseMemLimits(vals []string) ([]string, error) {
	return parseList("--memlimit", vals, units.ParseMemLimit, "off,512MiB")
}

func ParseProcs(vals []string) ([]string, error) {
	return parseList("--gomaxprocs", vals, func(s string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return "", fmt.Errorf("%q is not a positive number of Ps", s)
		}
		return strconv.Itoa(n), nil
	}, "1,2,4")
}

func parseList(flag string, vals []string, parse func(string) (string, error), example string) ([]string, error) {
	var out []string
	for _, v := range vals {
		if strings.TrimSpace(v) == "" {
			continue
		}
		n, err := parse(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", flag, err)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: empty grid (give at least one value, as in %s %s)", flag, flag, example)
	}
	return out, nil
}

// Points lists the grid's configurations: the toolchain slowest, then the
// experiment, GOMAXPROCS, the memory limit, and GOGC.
func (g Grid) Points() []Point {
	var ps []Point
	for _, b := range g.Builds() {
		for _, p := range orNone(g.GOMAXPROCS) {
			for _, m := range g.MemLimit {
				for _, gc := range g.GOGC {
					ps = append(ps, Point{Toolchain: b.Toolchain, Experiment: b.Experiment, GOGC: gc, MemLimit: m, GOMAXPROCS: p})
				}
			}
		}
	}
	return ps
}

// Builds lists the grid's (toolchain, experiment) combinations in the order
// of Points; one zero BuildKey when the grid has no build axis.
func (g Grid) Builds() []BuildKey {
	var bs []BuildKey
	for _, t := range orNone(g.Toolchain) {
		for _, e := range orNone(g.Experiment) {
			bs = append(bs, BuildKey{Toolchain: t, Experiment: e})
		}
	}
	return bs
}

// orNone is the list, or one "" (the axis left as the environment has it).
func orNone(vals []string) []string {
	if len(vals) == 0 {
		return []string{""}
	}
	return vals
}

// Build is the (toolchain, experiment) of the point.
func (p Point) Build() BuildKey { return BuildKey{Toolchain: p.Toolchain, Experiment: p.Experiment} }

// Label names the point for people: "go1.27.3 nogreenteagc gogc=100
// memlimit=512MiB".
func (p Point) Label() string {
	s := "gogc=" + p.GOGC + " memlimit=" + memText(p.MemLimit)
	if p.GOMAXPROCS != "" {
		s += " gomaxprocs=" + p.GOMAXPROCS
	}
	if b := p.Build(); !b.IsZero() {
		s = b.String() + " " + s
	}
	return s
}

// fileStem names the point in file names:
// "go1.27.3_nogreenteagc_gogc-100_memlimit-512MiB".
func (p Point) fileStem() string {
	s := "gogc-" + p.GOGC + "_memlimit-" + memText(p.MemLimit)
	if p.GOMAXPROCS != "" {
		s += "_procs-" + p.GOMAXPROCS
	}
	if b := p.Build(); !b.IsZero() {
		s = b.stem() + "_" + s
	}
	return s
}

// memText spells a normalized memory limit with the largest exact binary
// unit.
func memText(m string) string { return units.ExactBytes(m) }

// Job is one run of the sweep.
type Job struct {
	Point
	// Repeat counts from 1.
	Repeat int `json:"repeat"`
	// File is the record's name inside the sweep's directory.
	File string `json:"file"`
}

// Plan lists the runs in the order they happen: round-robin over the
// configurations (A B C A B C ...), so that a machine's drift (thermal,
// neighbours, page cache) spreads over all configurations instead of
// biasing the ones that ran last.
func Plan(g Grid, repeat int) []Job {
	var jobs []Job
	for r := 1; r <= repeat; r++ {
		for _, p := range g.Points() {
			jobs = append(jobs, Job{Point: p, Repeat: r, File: fmt.Sprintf("%s_r%d.jsonl", p.fileStem(), r)})
		}
	}
	return jobs
}

// Target is what each run measures: a built-in scenario with its flags, or
// a command.
type Target struct {
	// Build is the package that --build names (built in Options.BuildDir):
	// each run's command starts the build made for its point instead of
	// Command[0].
	Build string `json:"build,omitempty"`
	// BuildDir is the absolute directory go build runs in: the user's
	// module for Build, gcprobe's own for a scenario built with other
	// toolchains.
	BuildDir     string   `json:"build_dir,omitempty"`
	Scenario     string   `json:"scenario,omitempty"`
	ScenarioArgs []string `json:"scenario_args,omitempty"`
	Command      []string `json:"command,omitempty"`
	// Duration, when set, stops each run after this long.
	Duration time.Duration `json:"duration,omitempty"`
	// RunArgs are more gcprobe run flags for a command's every run (the
	// load flags: --load URL --rate N ...).
	RunArgs []string `json:"run_args,omitempty"`
}

// Args is the gcprobe command line (without the program name) that makes
// one run of the target with p's settings, writing its record to out.
// GOMAXPROCS goes in the environment instead (see Run).
func (t Target) Args(p Point, out string) []string { return t.argsWith(p, out, "") }

// argsWith is Args with the command's program replaced by program (a build
// of Target.Build) when it is not "".
func (t Target) argsWith(p Point, out, program string) []string {
	var a []string
	if t.Scenario != "" {
		a = []string{"scenario", "run", t.Scenario, "--quiet"}
	} else {
		a = []string{"run", "--quiet"}
	}
	a = append(a, "--gogc", p.GOGC, "--memlimit", p.MemLimit, "-o", out)
	if t.Duration > 0 {
		a = append(a, "--duration", t.Duration.String())
	}
	if t.Scenario != "" {
		return append(a, t.ScenarioArgs...)
	}
	cmd := t.Command
	if program != "" && len(cmd) > 0 {
		cmd = append([]string{program}, cmd[1:]...)
	}
	a = append(a, t.RunArgs...)
	return append(append(a, "--"), cmd...)
}

// String is the target as a person would type it after gcprobe sweep.
func (t Target) String() string {
	if t.Scenario != "" {
		return strings.Join(append([]string{"scenario", t.Scenario}, t.ScenarioArgs...), " ")
	}
	s := strings.Join(append(append(slices.Clone(t.RunArgs), "--"), t.Command...), " ")
	if t.Build != "" {
		s = "--build " + t.Build + " " + s
	}
	return s
}
