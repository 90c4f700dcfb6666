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
type Grid struct {
	GOGC       []string `json:"gogc"`
	MemLimit   []string `json:"memlimit"`
	GOMAXPROCS []string `json:"gomaxprocs,omitempty"`
}

// Point is one configuration of the grid.
type Point struct {
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

// Points lists the grid's configurations: GOMAXPROCS slowest, then the
// memory limit, then GOGC.
func (g Grid) Points() []Point {
	procs := g.GOMAXPROCS
	if len(procs) == 0 {
		procs = []string{""}
	}
	var ps []Point
	for _, p := range procs {
		for _, m := range g.MemLimit {
			for _, gc := range g.GOGC {
				ps = append(ps, Point{GOGC: gc, MemLimit: m, GOMAXPROCS: p})
			}
		}
	}
	return ps
}

// Label names the point for people: "gogc=100 memlimit=512MiB".
func (p Point) Label() string {
	s := "gogc=" + p.GOGC + " memlimit=" + memText(p.MemLimit)
	if p.GOMAXPROCS != "" {
		s += " gomaxprocs=" + p.GOMAXPROCS
	}
	return s
}

// fileStem names the point in file names: "gogc-100_memlimit-512MiB".
func (p Point) fileStem() string {
	s := "gogc-" + p.GOGC + "_memlimit-" + memText(p.MemLimit)
	if p.GOMAXPROCS != "" {
		s += "_procs-" + p.GOMAXPROCS
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
func (t Target) Args(p Point, out string) []string {
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
	a = append(a, t.RunArgs...)
	return append(append(a, "--"), t.Command...)
}

// String is the target as a person would type it after gcprobe sweep.
func (t Target) String() string {
	if t.Scenario != "" {
		return strings.Join(append([]string{"scenario", t.Scenario}, t.ScenarioArgs...), " ")
	}
	return strings.Join(append(append(slices.Clone(t.RunArgs), "--"), t.Command...), " ")
}
