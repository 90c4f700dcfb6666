package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gcprobe/gcprobe/cmd/gcprobe/internal/sweep"
)

const sweepHelp = `Run every combination of GC settings, repeated, and keep each run's record.

Each run is its own child process, gcprobe run (for -- CMD) or gcprobe
scenario run (for scenario NAME), with GOGC, GOMEMLIMIT and GOMAXPROCS in its
environment from its first instruction. Runs go one at a time, round-robin
over the configurations (A B C A B C ...), so that the machine's drift spreads
evenly over them. Records go to --out DIR as NAME.jsonl, each child's output to
DIR/logs, and DIR/manifest.json lists every run and its state.

--toolchain and --goexperiment add the Go release and the GC implementation
to the grid: the program is built once per (toolchain, experiment) with
GOTOOLCHAIN and GOEXPERIMENT before the first run (a toolchain not installed
is fetched through the module proxy, as go itself does), into DIR/builds, and
each build runs every GOGC/GOMEMLIMIT configuration. With -- CMD, --build PKG
names the package to build (go build PKG, in the current directory's module)
and the build replaces CMD's program; with a scenario, gcprobe's own scenario
runner is built from gcprobe's source (found from the current directory's
module, or from where this gcprobe was built). A toolchain older than the
module's go line, an experiment a toolchain does not know, or a package that
does not compile leaves that build's runs out (the go command's output is in
DIR/logs) and the rest of the grid runs. The GC is --goexperiment default
(Green Tea since Go 1.26) or nogreenteagc (the classic GC); compare reads the
Go version and GC from each binary, not from these flags. --resume rebuilds a
program only when go build makes a different binary (its source changed).

Ctrl-C stops the current run and discards it; the finished ones stay usable.
Run the same command with --resume (or just --resume --out DIR) to finish;
--resume with a larger --repeat adds runs to a finished sweep.

The default --repeat is 6, the fewest runs for which the median has a finite
95% confidence interval; four runs already let the U-test tell two
configurations apart.

Then compare the runs: gcprobe compare DIR

Examples:
  gcprobe sweep --gogc 50,100,200,off --memlimit off,512MiB --out sweep1 -- ./server
  gcprobe sweep --gogc 50,100,400 --load http://127.0.0.1:8080/get --rate 2000 --duration 30s --out svc -- ./server
  gcprobe sweep --gogc 50,100,200 --repeat 5 --duration 20s --out rs scenario readstates --layout pointers
  gcprobe sweep --toolchain go1.26.8,go1.27.3 --goexperiment default,nogreenteagc --build ./cmd/server --out gc -- ./server
  gcprobe sweep --goexperiment default,nogreenteagc --duration 10s --out gt scenario readstates --entries 1000000
  gcprobe sweep --resume --out rs`

func cmdSweep(ctx context.Context, io stdio, args []string) error {
	fs := newFlags(io, "sweep", "[flags] (scenario NAME [flags] | -- CMD [ARGS...])", sweepHelp)
	gogc := fs.StringSlice("gogc", []string{"100"}, "GOGC values to try, comma-separated (percentages or off)")
	memlimit := fs.StringSlice("memlimit", []string{"off"}, "GOMEMLIMIT values to try, comma-separated (sizes such as 512MiB, or off)")
	procs := fs.StringSlice("gomaxprocs", nil, "GOMAXPROCS values to try, comma-separated (default: as inherited)")
	toolchains := fs.StringSlice("toolchain", nil, "Go releases to build with, comma-separated (go1.26.8,go1.27.3, or local)")
	experiments := fs.StringSlice("goexperiment", nil, "GOEXPERIMENT values to build with, comma-separated (default,nogreenteagc; join several with +)")
	build := fs.String("build", "", "with -- CMD: the package to build per toolchain and experiment (go build PKG), which replaces CMD's program")
	repeat := fs.Int("repeat", 6, "runs of each configuration")
	duration := fs.Duration("duration", 0, "stop each run after this long (default: the program exits, or the scenario's own duration)")
	out := fs.String("out", "", "directory for the records and the manifest (default gcprobe-sweep-YYYYMMDD-HHMMSS)")
	resume := fs.Bool("resume", false, "finish the sweep in --out, skipping the runs already done")
	lf := addLoadFlags(fs)
	fs.SetInterspersed(false) // the scenario's flags and CMD's are theirs
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	target, err := sweepTarget(fs.Args(), fs.ArgsLenAtDash())
	if err != nil {
		return err
	}
	target.Duration = *duration
	target.Build = *build
	if _, err := lf.config("sweep", *duration); err != nil {
		return err
	}
	if lf.set() {
		if target.Scenario != "" {
			return usageErrorf("sweep: --load loads a command's service (-- CMD), not a scenario, which brings its own load")
		}
		target.RunArgs = lf.args()
	}
	opts := sweep.Options{Dir: *out, Target: target, Resume: *resume, Env: os.Environ(), Progress: io.err, Terminal: isTerminal(io.err)}
	if opts.Dir == "" {
		if *resume {
			return usageErrorf("sweep: --resume needs --out DIR, the sweep to finish")
		}
		opts.Dir = "gcprobe-sweep-" + time.Now().Format("20060102-150405")
	}
	if *duration < 0 {
		return usageErrorf("sweep: --duration must not be negative")
	}
	if *repeat < 1 {
		return usageErrorf("sweep: --repeat must be at least 1")
	}
	resumeOnly := *resume && target.Scenario == "" && len(target.Command) == 0
	if !resumeOnly {
		if target.Scenario == "" && len(target.Command) == 0 {
			return usageErrorf("sweep: nothing to run: give scenario NAME [flags] or -- CMD [ARGS...] (see gcprobe sweep --help)")
		}
		if err := sweepBuilds(fs.Changed, *toolchains, *experiments, *build, &opts); err != nil {
			return err
		}
		if err := checkSweepTarget(io, target); err != nil {
			return err
		}
		if opts.Grid.GOGC, err = sweep.ParseGOGCs(*gogc); err != nil {
			return usageErrorf("sweep: %v", err)
		}
		if opts.Grid.MemLimit, err = sweep.ParseMemLimits(*memlimit); err != nil {
			return usageErrorf("sweep: %v", err)
		}
		if fs.Changed("gomaxprocs") {
			if opts.Grid.GOMAXPROCS, err = sweep.ParseProcs(*procs); err != nil {
				return usageErrorf("sweep: %v", err)
			}
		}
		opts.Repeat = *repeat
	} else if fs.Changed("repeat") {
		opts.Repeat = *repeat
	}
	if resumeOnly && (fs.Changed("toolchain") || fs.Changed("goexperiment") || fs.Changed("build")) {
		return usageErrorf("sweep: --resume without a target takes the builds from the manifest: give the whole command line again to check it, or no --toolchain, --goexperiment and --build")
	}
	if opts.Exe, err = os.Executable(); err != nil {
		return fmt.Errorf("sweep: cannot find gcprobe's own executable to run: %v", err)
	}
	res, err := sweep.Run(ctx, opts)
	if err != nil {
		if errors.Is(err, sweep.ErrExists) || errors.Is(err, sweep.ErrNoManifest) {
			return usageErrorf("sweep: %v", err)
		}
		return fmt.Errorf("sweep: %w", err)
	}
	done := 0
	for _, e := range res.Manifest.Runs {
		if e.Status == sweep.StatusDone {
			done++
		}
	}
	fmt.Fprintf(io.out, "%d of %d runs in %s", done, len(res.Manifest.Runs), opts.Dir)
	if res.Failed > 0 {
		fmt.Fprintf(io.out, " (%d failed: see %s; --resume retries them)", res.Failed, filepath.Join(opts.Dir, "logs"))
	}
	if res.NotRun > 0 {
		fmt.Fprintf(io.out, " (%d not run: their build is unavailable, see above and %s)", res.NotRun, filepath.Join(opts.Dir, "manifest.json"))
	}
	fmt.Fprintf(io.out, "\ncompare them with: gcprobe compare %s\n", opts.Dir)
	if res.Failed > 0 || res.NotRun > 0 {
		return exitStatus(1)
	}
	return nil
}

// sweepTarget reads what follows the flags: scenario NAME [flags], or the
// command after --.
func sweepTarget(rest []string, dash int) (sweep.Target, error) {
	switch {
	case len(rest) == 0:
		return sweep.Target{}, nil
	case dash == 0:
		return sweep.Target{Command: rest}, nil
	case rest[0] == "scenario":
		if len(rest) < 2 {
			return sweep.Target{}, usageErrorf("sweep: scenario needs a NAME (see gcprobe scenario list)")
		}
		return sweep.Target{Scenario: rest[1], ScenarioArgs: rest[2:]}, nil
	}
	return sweep.Target{}, usageErrorf("sweep: unexpected %q: give scenario NAME [flags] or -- CMD [ARGS...]", rest[0])
}

// isTerminal reports whether w is a terminal (a character device), where a
// progress bar may redraw itself.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// checkSweepTarget refuses, before the first run, a target that would fail
// every run: an unknown scenario or scenario flag, a settings flag that
// would override the grid's, a command that is not there.
func checkSweepTarget(io stdio, t sweep.Target) error {
	if t.Scenario == "" && t.Build != "" {
		return nil // CMD's program is the build
	}
	if t.Scenario == "" {
		if _, err := exec.LookPath(t.Command[0]); err != nil {
			return usageErrorf("sweep: -- %s: %v", t.Command[0], err)
		}
		return nil
	}
	fs := newFlags(io, "scenario run", "NAME [flags]", "")
	fs.Duration("interval", 100*time.Millisecond, "")
	fs.Bool("quiet", false, "")
	for _, grid := range []string{"gogc", "memlimit", "output"} {
		fs.String(grid, "", "")
	}
	addTraceFlags(fs, false) // known, to be refused by name below
	if _, err := parseScenario(io, fs, "run", append([]string{t.Scenario}, t.ScenarioArgs...)); err != nil {
		var u *usageError
		if errors.As(err, &u) {
			return usageErrorf("sweep: %v", err)
		}
		return err
	}
	for _, name := range append([]string{"trace-on"}, traceBoundNames...) {
		if fs.Changed(name) {
			return usageErrorf("sweep: scenario %s --%s: a sweep takes no execution traces; run the configuration to look into with gcprobe scenario run %s --trace-on …", t.Scenario, name, t.Scenario)
		}
	}
	for _, grid := range []string{"gogc", "memlimit", "output"} {
		if fs.Changed(grid) {
			return usageErrorf("sweep: scenario %s --%s: the sweep sets it for each run (give --gogc and --memlimit before the scenario)", t.Scenario, grid)
		}
	}
	return nil
}
