// Package scenarios holds gcprobe's built-in workloads: reproducible,
// allocation-heavy programs of the kind whose GC behaviour made Discord move
// its Read States service from Go to Rust, each measured with an open-loop
// load generator (package loadgen) while the probe records the GC.
//
// Each scenario lives in its own file as a function returning its
// [Scenario]: a name, a one-line doc, its parameters with their defaults,
// and Prepare, which checks the parameters (a mistake is the user's, and
// says which flag) and returns the workload ready to run. [List] gathers
// them; there is no registration at init and no package-level state.
//
// gcprobe runs a scenario in two processes: the parent prepares it (so bad
// input fails before anything starts), then re-executes itself as a child
// that prepares it again, runs it with the probe, and streams its events to
// the parent, which adds the GC cycles from the child's gctrace.
package scenarios

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// Scenario is one built-in workload.
type Scenario struct {
	// Name is what gcprobe scenario run takes; Doc says in one line what
	// the workload is.
	Name, Doc string
	// Params are the flags the scenario accepts, with their defaults;
	// the common ones (duration, warmup, rate, seed) only where they apply.
	Params []Param
	// Prepare checks the values and returns the workload. Its errors are
	// bad input, naming the flag. It must not allocate what it checks.
	Prepare func(p *Params) (Workload, error)
}

// Workload runs a prepared scenario, writing its latency events and notes to
// env.Record, until it is done or ctx ends.
type Workload func(ctx context.Context, env Env) error

// Env is what a running workload writes to.
type Env struct {
	// Record receives latency events and notes; its Start is the clock.
	Record *record.Writer
	// Out receives the scenario's own result for a person (a line or two).
	Out io.Writer
}

// Kind is a parameter's type, which says how its value is parsed.
type Kind string

// Parameter kinds.
const (
	Int      Kind = "int"      // a whole number, 1e6 accepted
	Float    Kind = "float"    // a number
	Duration Kind = "duration" // a Go duration: 30s, 1m
	Bool     Kind = "bool"
	String   Kind = "string"
)

// Param is one scenario flag.
type Param struct {
	Name    string
	Kind    Kind
	Default string
	Usage   string
}

// Common parameter names.
const (
	ParamDuration = "duration"
	ParamWarmup   = "warmup"
	ParamRate     = "rate"
	ParamSeed     = "seed"
)

// commonParams returns the duration, warmup, rate and seed parameters with a
// scenario's defaults; rate "" leaves rate out.
func commonParams(duration, warmup, rate string) []Param {
	ps := []Param{
		{ParamDuration, Duration, duration, "how long the load runs, warmup included"},
		{ParamWarmup, Duration, warmup, "time at the start whose latency is not recorded (GC events are); at most a quarter of --duration unless set"},
	}
	if rate != "" {
		ps = append(ps, Param{ParamRate, Float, rate, "requests per second, at a fixed schedule (open loop)"})
	}
	return append(ps, Param{ParamSeed, Int, "1", "seed of the random choices: the same seed gives the same requests"})
}

// List returns every scenario, by name.
func List() []Scenario {
	list := []Scenario{readStates(), binaryTrees(), fanout(), jsonStream(), leak(), steady()}
	slices.SortFunc(list, func(a, b Scenario) int { return strings.Compare(a.Name, b.Name) })
	return list
}

// Lookup returns the scenario called name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range List() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Names returns the scenarios' names, for messages.
func Names() []string {
	var names []string
	for _, s := range List() {
		names = append(names, s.Name)
	}
	return names
}

// Param returns the scenario's parameter called name.
func (s Scenario) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Params are the values of a scenario's parameters, as given on the
// command line, with typed getters. A getter that fails to parse records
// the first error, naming the flag, for Err; it then returns a zero value.
type Params struct {
	values map[string]string
	given  map[string]bool // set on the command line, not defaults
	// Host is the machine the scenario will run on, for the checks of
	// sizes that must fit in memory.
	Host record.Host
	err  error
}

// NewParams returns s's parameters set to their defaults, then to the given
// values (by parameter name). A value for a parameter s does not have is an
// error.
func (s Scenario) NewParams(values map[string]string, host record.Host) (*Params, error) {
	p := &Params{values: map[string]string{}, given: map[string]bool{}, Host: host}
	for _, d := range s.Params {
		p.values[d.Name] = d.Default
	}
	for k, v := range values {
		if _, ok := s.Param(k); !ok {
			return nil, fmt.Errorf("--%s does not apply to scenario %s", k, s.Name)
		}
		p.values[k] = v
		p.given[k] = true
	}
	return p, nil
}

// Values returns every parameter's value as a string, for the header.
func (p *Params) Values() map[string]string {
	out := make(map[string]string, len(p.values))
	for k, v := range p.values {
		out[k] = v
	}
	return out
}

// Err returns the first parse error.
func (p *Params) Err() error { return p.err }

func (p *Params) fail(name string, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("--%s %s: %v", name, p.values[name], err)
	}
}

// Errorf records an error about parameter name, when there is none yet.
func (p *Params) Errorf(name, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("--%s "+format, append([]any{name}, args...)...)
	}
}

// String returns a parameter's value.
func (p *Params) String(name string) string { return p.values[name] }

// Int parses an integer parameter; "2e6" and "2_000_000" are accepted.
func (p *Params) Int(name string) int64 {
	v, err := ParseInt(p.values[name])
	if err != nil {
		p.fail(name, err)
	}
	return v
}

// ParseInt reads a whole number written plainly, with underscores, or in
// scientific notation (5e6).
func ParseInt(s string) (int64, error) {
	s = strings.ReplaceAll(s, "_", "")
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return 0, fmt.Errorf("not a whole number")
	}
	return int64(f), nil
}

// Float parses a number.
func (p *Params) Float(name string) float64 {
	v, err := strconv.ParseFloat(strings.ReplaceAll(p.values[name], "_", ""), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		p.fail(name, fmt.Errorf("not a finite number"))
	}
	return v
}

// Duration parses a duration.
func (p *Params) Duration(name string) time.Duration {
	v, err := time.ParseDuration(p.values[name])
	if err != nil {
		p.fail(name, fmt.Errorf("not a duration (such as 30s or 2m)"))
	}
	return v
}

// Bool parses a boolean.
func (p *Params) Bool(name string) bool {
	v, err := strconv.ParseBool(p.values[name])
	if err != nil {
		p.fail(name, fmt.Errorf("not true or false"))
	}
	return v
}

// MaxRate is the highest --rate a scenario accepts: the load generator
// schedules requests to the nanosecond, and no machine serves more.
const MaxRate = 1e7

// Load is the common load settings of a scenario that has them.
type Load struct {
	Duration, Warmup time.Duration
	Rate             float64 // 0 when the scenario has no rate
	Seed             uint64
}

// Load parses and checks the common parameters the scenario has. A warmup
// left at its default is cut to a quarter of a shorter --duration.
func (p *Params) Load(s Scenario) Load {
	var l Load
	l.Duration = p.Duration(ParamDuration)
	if l.Duration <= 0 && p.err == nil {
		p.Errorf(ParamDuration, "must be above 0")
	}
	if _, ok := s.Param(ParamWarmup); ok {
		l.Warmup = p.Duration(ParamWarmup)
		if !p.given[ParamWarmup] && p.err == nil {
			l.Warmup = min(l.Warmup, l.Duration/4)
			p.values[ParamWarmup] = l.Warmup.String() // the header records what ran
		}
		if p.err == nil && (l.Warmup < 0 || l.Warmup >= l.Duration) {
			p.Errorf(ParamWarmup, "%v must be at least 0 and shorter than --duration %v", l.Warmup, l.Duration)
		}
	}
	if _, ok := s.Param(ParamRate); ok {
		l.Rate = p.Float(ParamRate)
		measured := (l.Duration - l.Warmup).Seconds()
		switch {
		case p.err != nil:
		case !(l.Rate > 0):
			p.Errorf(ParamRate, "must be above 0 (requests per second), not %s", p.values[ParamRate])
		case l.Rate > MaxRate:
			p.Errorf(ParamRate, "%s is more than %g requests per second, beyond what the load generator can schedule", p.values[ParamRate], float64(MaxRate))
		case l.Rate*measured < 1:
			p.Errorf(ParamRate, "%s sends no request in the %v measured after --warmup", p.values[ParamRate], l.Duration-l.Warmup)
		}
	}
	if _, ok := s.Param(ParamSeed); ok {
		l.Seed = uint64(p.Int(ParamSeed))
	}
	return l
}

// availableMemory is the memory a scenario may use: the machine's, or the
// container's limit when lower; 0 when unknown.
func availableMemory(h record.Host) uint64 {
	m := h.MemoryBytes
	if c := h.CgroupMemoryLimitBytes; c > 0 && (m == 0 || c < m) {
		m = c
	}
	return m
}

// checkFits refuses a size whose estimate exceeds the usable memory, with
// the estimate in the message. Live data may use at most half the memory:
// the GC needs room for the heap to grow past it between cycles.
func (p *Params) checkFits(name, what string, estimate uint64) {
	avail := availableMemory(p.Host)
	if avail == 0 || p.err != nil || estimate <= avail/2 {
		return
	}
	p.Errorf(name, "%s needs about %s for %s, more than half of this machine's %s (the GC needs room for the heap to grow)",
		p.values[name], units.Bytes(float64(estimate)), what, units.Bytes(float64(avail)))
}
