package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/profiler/child"
	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/scenarios"
)

const scenarioHelp = `Run a built-in workload and record its GC and request latency.

  gcprobe scenario list [--json]      the scenarios, with a line each
  gcprobe scenario run NAME [flags]   run one; NAME --help shows its flags

A scenario runs in a child gcprobe with GODEBUG=gctrace=1, so that each GC
cycle's real start and end are recorded beside the per-100ms latency
histograms of an open-loop load generator (latency counts from each
request's intended start: a stall shows on every request queued behind it).
The record reads in gcprobe summary, which splits latency inside and
outside GC cycles; a summary is printed at the end.

With --trace-on TRIGGERS the scenario keeps the last --trace-window (at
most about --trace-window-bytes) of execution trace in the runtime's flight
recorder and writes a snapshot beside the record when a trigger fires: the
seconds before it. --trace-max, --trace-total and --trace-gap bound how many
snapshots, how large, how often; triggers turned away are counted in a note.

Examples:
  gcprobe scenario run readstates
  gcprobe scenario run readstates --layout compact
  gcprobe scenario run readstates --garbage 0 --duration 5m   # the periodic 2-minute GC
  gcprobe scenario run binarytrees --gogc 400
  gcprobe scenario run fanout --pool
  gcprobe scenario run readstates --trace-on 'p99>20ms,pause>2ms'   # snapshots of the spikes
  gcprobe scenario run readstates --trace-on 'p99>20ms' --trace-max 3 --trace-gap 30s --trace-window 5s`

func cmdScenario(ctx context.Context, io stdio, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return scenarioList(io, args[1:])
		case "run":
			return scenarioRun(ctx, io, args[1:])
		case "exec":
			return scenarioExec(ctx, io, args[1:])
		}
	}
	fs := newFlags(io, "scenario", "list | run NAME [flags]", scenarioHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageErrorf("scenario: want list or run NAME (see gcprobe scenario --help)")
	}
	return usageErrorf("scenario: unknown subcommand %q: want list or run NAME", fs.Arg(0))
}

func scenarioList(io stdio, args []string) error {
	fs := newFlags(io, "scenario list", "[--json]", "List the built-in scenarios with a line each.")
	asJSON := fs.Bool("json", false, "print JSON: name, doc and flags with their defaults")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("scenario list takes no arguments")
	}
	list := scenarios.List()
	if *asJSON {
		type param struct {
			Name    string `json:"name"`
			Type    string `json:"type"`
			Default string `json:"default"`
			Usage   string `json:"usage"`
		}
		type entry struct {
			Name   string  `json:"name"`
			Doc    string  `json:"doc"`
			Params []param `json:"params"`
		}
		var out []entry
		for _, s := range list {
			e := entry{Name: s.Name, Doc: s.Doc, Params: []param{}}
			for _, p := range s.Params {
				e.Params = append(e.Params, param{p.Name, string(p.Kind), p.Default, p.Usage})
			}
			out = append(out, e)
		}
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, s := range list {
		fmt.Fprintf(io.out, "%-12s %s\n", s.Name, s.Doc)
	}
	return nil
}

// paramValue is a scenario parameter as a flag: it keeps the text, after
// checking that it parses as the parameter's kind.
type paramValue struct {
	kind scenarios.Kind
	s    string
}

func (v *paramValue) String() string { return v.s }
func (v *paramValue) Type() string   { return string(v.kind) }
func (v *paramValue) Set(s string) error {
	var err error
	switch v.kind {
	case scenarios.Int:
		_, err = scenarios.ParseInt(s)
	case scenarios.Float:
		_, err = parseFloat(s)
	case scenarios.Duration:
		_, err = time.ParseDuration(s)
	case scenarios.Bool:
		if s != "true" && s != "false" {
			err = errors.New("want true or false")
		}
	}
	if err != nil {
		return err
	}
	v.s = s
	return nil
}

func parseFloat(s string) (float64, error) {
	var f float64
	_, err := fmt.Sscan(strings.ReplaceAll(s, "_", ""), &f)
	if err != nil {
		return 0, errors.New("not a number")
	}
	return f, nil
}

// scenarioArgs is a parsed scenario command line.
type scenarioArgs struct {
	scenario scenarios.Scenario
	params   *scenarios.Params
}

// parseScenario finds the scenario named by args[0], adds its parameters to
// fs (and, hidden, every other scenario's, to say they do not apply), parses
// the rest of args, and checks the values with the scenario's Prepare. The
// caller may have added its own flags to fs first.
func parseScenario(io stdio, fs *pflag.FlagSet, verb string, args []string) (*scenarioArgs, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fs.Usage()
			fmt.Fprintf(io.out, "\nScenarios (gcprobe scenario run NAME --help for their flags): %s\n", strings.Join(scenarios.Names(), ", "))
			return nil, errHelp
		}
		return nil, usageErrorf("scenario %s: no scenario named (known: %s)", verb, strings.Join(scenarios.Names(), ", "))
	}
	s, ok := scenarios.Lookup(args[0])
	if !ok {
		return nil, usageErrorf("scenario %s: unknown scenario %q (known: %s)", verb, args[0], strings.Join(scenarios.Names(), ", "))
	}
	values := map[string]*paramValue{}
	for _, p := range s.Params {
		values[p.Name] = addParamFlag(fs, p)
	}
	for _, other := range scenarios.List() {
		for _, p := range other.Params {
			if values[p.Name] == nil && fs.Lookup(p.Name) == nil {
				values[p.Name] = addParamFlag(fs, p)
				fs.MarkHidden(p.Name)
			}
		}
	}
	fs.Init(fs.Name()+" "+s.Name, pflag.ContinueOnError)
	if err := parseFlags(fs, args[1:]); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageErrorf("scenario %s %s: unexpected argument %q", verb, s.Name, fs.Arg(0))
	}
	given := map[string]string{}
	fs.Visit(func(f *pflag.Flag) {
		if v, ok := values[f.Name]; ok {
			given[f.Name] = v.s
		}
	})
	params, err := s.NewParams(given, host.Describe())
	if err == nil {
		_, err = s.Prepare(params)
	}
	if err != nil {
		return nil, usageErrorf("scenario %s: %v (see gcprobe scenario run %s --help)", s.Name, err, s.Name)
	}
	return &scenarioArgs{scenario: s, params: params}, nil
}

// addParamFlag adds a scenario parameter to fs as a flag.
func addParamFlag(fs *pflag.FlagSet, p scenarios.Param) *paramValue {
	v := &paramValue{kind: p.Kind, s: p.Default}
	f := fs.VarPF(v, p.Name, "", p.Usage)
	if p.Kind == scenarios.Bool {
		f.NoOptDefVal = "true" // --pool alone means --pool=true
	}
	return v
}

// childArgs returns the arguments of the hidden "scenario exec" that runs
// the scenario in a child gcprobe, every parameter spelled out.
func (a *scenarioArgs) childArgs(interval time.Duration) []string {
	args := []string{"scenario", "exec", a.scenario.Name}
	vals := a.params.Values()
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		args = append(args, "--"+k+"="+vals[k])
	}
	return append(args, "--interval="+interval.String())
}

// childOptions returns the options that run the scenario in a child
// gcprobe: Command and Header set, the rest left to the caller.
func (a *scenarioArgs) childOptions(interval time.Duration) (child.Options, error) {
	exe, err := os.Executable()
	if err != nil {
		return child.Options{}, fmt.Errorf("scenario: finding gcprobe's own executable to run the scenario in: %w", err)
	}
	return child.Options{
		Command:  append([]string{exe}, a.childArgs(interval)...),
		Interval: interval,
		Header: record.Header{
			Source:         record.SourceScenario,
			Scenario:       a.scenario.Name,
			Params:         a.params.Values(),
			GCProbeVersion: version(),
		},
	}, nil
}

func scenarioRun(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "scenario run", "NAME [flags]", scenarioHelp)
	gogc := fs.String("gogc", "", "the scenario's GOGC: a percentage or off (default: inherited)")
	memLimit := fs.String("memlimit", "", "the scenario's GOMEMLIMIT: a size (512MiB, 2GiB) or off (default: inherited)")
	output := fs.StringP("output", "o", "", "write the record to `FILE` (- for stdout; default gcprobe-scenario-NAME-YYYYMMDD-HHMMSS.jsonl)")
	interval := fs.Duration("interval", 100*time.Millisecond, "how often to sample the runtime, RSS and CPU")
	quiet := fs.Bool("quiet", false, "print no summary at the end")
	tf := addTraceFlags(fs, false)
	view := addLiveFlags(fs, false)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if s, ok := scenarios.Lookup(args[0]); ok {
			fs.Usage = func() {
				fmt.Fprintf(io.out, "Usage: gcprobe scenario run %s [flags]\n\n%s.\n\nFlags:\n%s", s.Name, upperFirst(s.Doc), fs.FlagUsages())
			}
		}
	}
	a, err := parseScenario(io, fs, "run", args)
	if err != nil {
		return err
	}
	if err := checkGCFlags("scenario run", *gogc, *memLimit); err != nil {
		return err
	}
	if *interval < 10*time.Millisecond {
		return usageErrorf("scenario run: --interval must be at least 10ms")
	}
	if err := view.check(io, *output); err != nil {
		return err
	}
	var traceArgs func(string) []string
	fo, err := tf.options("scenario run")
	if err != nil {
		return err
	}
	if tf.set() {
		traceArgs = func(recordName string) []string {
			dir, prefix := traceFiles(recordName, "gcprobe-scenario-"+a.scenario.Name)
			return append(flightArgs(fo, tf.on), "--trace-dir="+dir, "--trace-prefix="+prefix)
		}
	}
	opts, err := a.childOptions(*interval)
	if err != nil {
		return err
	}
	opts.GOGC, opts.MemLimit = *gogc, *memLimit
	opts.Stdout, opts.Stderr = io.out, io.err
	res, err := recordChildWith(ctx, io, opts, *output, "scenario-"+a.scenario.Name, *quiet, view, traceArgs)
	if err != nil {
		return fmt.Errorf("scenario run: %w", err)
	}
	if res.ExitCode != 0 && res.Reason != record.EndInterrupted {
		return exitStatus(res.ExitCode)
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// scenarioExec is the child side of scenario run: it runs the workload with
// the in-process probe, streaming both to the parent on the descriptor
// named by GCPROBE_EVENTS_FD.
func scenarioExec(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "scenario exec", "NAME [flags]", "Internal: the child process of gcprobe scenario run.")
	interval := fs.Duration("interval", 100*time.Millisecond, "probe sampling interval")
	tf := addTraceFlags(fs, false)
	traceDir := fs.String("trace-dir", ".", "where flight recorder snapshots go")
	tracePrefix := fs.String("trace-prefix", "gcprobe-trace", "snapshot file names' start")
	a, err := parseScenario(io, fs, "exec", args)
	if err != nil {
		return err
	}
	w, ok, err := profiler.StreamFromEnv()
	if err != nil {
		return err
	}
	if !ok {
		return usageErrorf("scenario exec is gcprobe scenario run's child; use gcprobe scenario run %s", a.scenario.Name)
	}
	work, err := a.scenario.Prepare(a.params)
	if err != nil {
		return err
	}
	var flight *profiler.Flight
	if tf.set() {
		fo, err := tf.options("scenario exec")
		if err != nil {
			return err
		}
		fo.Dir, fo.Prefix = *traceDir, *tracePrefix
		if flight, err = profiler.StartFlight(w, fo); err != nil {
			return err
		}
	}
	probe, err := profiler.New(profiler.Options{Interval: *interval, Record: w})
	if err != nil {
		return err
	}
	if err := probe.Start(ctx); err != nil {
		return err
	}
	err = work(ctx, scenarios.Env{Record: w, Out: io.out})
	if cerr := probe.Close(); err == nil {
		err = cerr
	}
	if flight != nil {
		if ferr := flight.Stop(); err == nil {
			err = ferr
		}
	}
	return err
}

// traceFiles says where a run's trace snapshots go: beside the record,
// named after it (run.jsonl: run-trace-1.trace, ...); beside the working
// directory, named after the command, when the record goes to stdout.
func traceFiles(recordName, base string) (dir, prefix string) {
	if recordName == "-" {
		return ".", base + "-" + time.Now().Format("20060102-150405") + "-trace"
	}
	name := filepath.Base(recordName)
	return filepath.Dir(recordName), strings.TrimSuffix(name, filepath.Ext(name)) + "-trace"
}
