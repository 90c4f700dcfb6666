// Package sweep runs a grid of GC settings, repeated, one child process per
// run, and keeps what finished usable whatever happens.
//
// The steps, in order: a [Grid] of toolchains, GOEXPERIMENTs, GOGC,
// GOMEMLIMIT and GOMAXPROCS values and a repeat count make a [Plan],
// round-robin over the configurations. [Run] asks the go command what it
// can tell in advance (a toolchain that cannot be fetched, one older than
// the module's go line, an unknown experiment), writes a [Manifest] to the
// output directory listing every run, builds the program once per
// (toolchain, experiment) into DIR/builds, then starts each run as `gcprobe run ...` or `gcprobe scenario run ...` with the
// settings in the child's environment from its first instruction. A record
// is written as NAME.jsonl.part and renamed to NAME.jsonl only when the run
// succeeded, and the manifest is rewritten after every run, so an
// interruption (Ctrl-C, a crash, a reboot) leaves complete records and a
// manifest that --resume continues from.
package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// Schema is the manifest's format version.
const Schema = "gcprobe.sweep/v1"

// ManifestFile is the manifest's name inside the output directory.
const ManifestFile = "manifest.json"

// Run statuses in the manifest.
const (
	StatusPending = "pending"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Manifest describes a sweep and the state of each of its runs.
type Manifest struct {
	Schema  string    `json:"schema"`
	Created time.Time `json:"created"`
	Target  Target    `json:"target"`
	Grid    Grid      `json:"grid"`
	Repeat  int       `json:"repeat"`
	// Builds are the program's builds, one per (toolchain, experiment),
	// as the last call made them.
	Builds []Build `json:"builds,omitempty"`
	Runs   []Entry `json:"runs"`
}

// Entry is one run of the manifest.
type Entry struct {
	Job
	Status string `json:"status"`
	// Seconds is how long the run took, start to exit.
	Seconds  float64   `json:"seconds,omitempty"`
	Finished time.Time `json:"finished,omitzero"`
	// Error says why a failed run failed; its output is in Log.
	Error string `json:"error,omitempty"`
	Log   string `json:"log,omitempty"`
}

// Options configure Run.
type Options struct {
	// Dir receives the records, their logs and the manifest.
	Dir    string
	Target Target
	Grid   Grid
	Repeat int
	// Resume continues the sweep already in Dir; Target and Grid must
	// then match it, or be zero to take the manifest's. A larger Repeat
	// adds runs to it; zero keeps its own.
	Resume bool
	// Exe is the gcprobe executable each run starts (a scenario built
	// with other toolchains starts its build instead).
	Exe string
	// Go is the go command that builds (default "go").
	Go string
	// Env is the environment of every run (os.Environ() usually);
	// GOMAXPROCS is added when the grid sets it.
	Env []string
	// Progress receives progress on a line that redraws itself when
	// Terminal, else one line per run.
	Progress io.Writer
	Terminal bool
	// MaxFailures stops the sweep after this many runs in a row failed
	// without any success (default 3): a broken command fails them all.
	MaxFailures int
}

// Result says what a sweep did.
type Result struct {
	Manifest *Manifest
	// Ran counts runs started by this call, Skipped runs a previous call
	// finished, Failed runs that failed; NotRun counts runs whose build
	// is unavailable (they are marked failed, and --resume retries them).
	Ran, Skipped, Failed, NotRun int
}

// Errors of Run.
var (
	ErrExists      = errors.New("already holds a sweep; add --resume to finish it, or choose another --out")
	ErrNoManifest  = errors.New("holds no sweep to resume (no " + ManifestFile + ")")
	ErrInterrupted = errors.New("interrupted")
)

// Run runs the sweep. When ctx ends it stops the running child (SIGINT,
// then SIGKILL after 10 s), discards its partial record, saves the manifest
// and returns an error wrapping ErrInterrupted.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.MaxFailures <= 0 {
		o.MaxFailures = 3
	}
	if o.Go == "" {
		o.Go = "go"
	}
	m, err := prepare(&o)
	if err != nil {
		return nil, err
	}
	res := &Result{Manifest: m}
	var unavailable map[BuildKey]string
	b := &builder{o: &o}
	if needsBuild(m.Target, m.Grid) {
		if unavailable, err = b.check(ctx, m.Grid.Builds()); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	if err := saveManifest(o.Dir, m); err != nil {
		return nil, err
	}
	builds, err := buildAll(ctx, b, m, unavailable)
	if err != nil {
		return res, err
	}
	todo := 0
	for _, e := range m.Runs {
		if done(o.Dir, e) {
			res.Skipped++
		} else {
			todo++
		}
	}
	pr := newProgress(o.Progress, o.Terminal, len(m.Runs), res.Skipped)
	defer pr.stop()
	pr.start(m, todo)
	failStreak := 0
	for i := range m.Runs {
		e := &m.Runs[i]
		if done(o.Dir, *e) {
			continue
		}
		bl, hasBuild := builds[e.Build()]
		if hasBuild && bl.Binary == "" {
			// Said before the first run; the rest of the grid runs.
			e.Status, e.Error, e.Log = StatusFailed, "not run: "+bl.Error, bl.Log
			res.NotRun++
			continue
		}
		pr.begin(e.Job)
		err := runOne(ctx, o, e, bl)
		if ctx.Err() != nil {
			e.Status, e.Error = StatusPending, ""
			saveManifest(o.Dir, m)
			return res, fmt.Errorf("%w after %d of %d runs; finish it with gcprobe sweep --resume --out %s", ErrInterrupted, pr.finished, len(m.Runs), o.Dir)
		}
		res.Ran++
		if err != nil {
			res.Failed++
			failStreak++
		} else {
			failStreak = 0
		}
		if err := saveManifest(o.Dir, m); err != nil {
			return res, err
		}
		pr.end(*e)
		if failStreak >= o.MaxFailures && res.Ran == failStreak {
			return res, fmt.Errorf("the first %d runs failed, giving up (last: %s: %s)", failStreak, e.File, e.Error)
		}
	}
	if res.NotRun > 0 {
		if err := saveManifest(o.Dir, m); err != nil {
			return res, err
		}
	}
	return res, nil
}

// buildAll makes the program's builds before the first run, each once,
// saying on the progress writer what each is (or why it cannot be built),
// and records them in the manifest. It fails only when no build can run.
func buildAll(ctx context.Context, b *builder, m *Manifest, unavailable map[BuildKey]string) (map[BuildKey]Build, error) {
	if !needsBuild(m.Target, m.Grid) {
		return nil, nil
	}
	w := b.o.Progress
	if w == nil {
		w = io.Discard
	}
	pkg, name := RunnerPackage, "gcprobe"
	if m.Target.Scenario == "" {
		pkg, name = m.Target.Build, filepath.Base(m.Target.Command[0])
	}
	builds := map[BuildKey]Build{}
	m.Builds = nil
	ok := 0
	for _, k := range m.Grid.Builds() {
		label := k.String()
		if label == "" {
			label = pkg
		}
		var bl Build
		var what string
		if why, bad := unavailable[k]; bad {
			bl = Build{BuildKey: k, Error: why}
		} else {
			fmt.Fprintf(w, "sweep: building %s with %s ...\n", pkg, b.versions[k.Toolchain])
			bl, what = b.build(ctx, k, pkg, name)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w while building %s", ErrInterrupted, label)
		}
		if bl.Binary == "" {
			fmt.Fprintf(w, "sweep: %s: cannot build, its runs are left out: %s\n", label, bl.Error)
		} else {
			ok++
			fmt.Fprintf(w, "sweep: %s: %s, GC %s (%s)\n", label, bl.GoVersion, bl.GC, what)
		}
		builds[k] = bl
		m.Builds = append(m.Builds, bl)
	}
	if err := saveManifest(b.o.Dir, m); err != nil {
		return nil, err
	}
	if ok == 0 {
		return nil, fmt.Errorf("no build of %s succeeded, nothing to run (see %s)", pkg, filepath.Join(b.o.Dir, "logs"))
	}
	return builds, nil
}

// prepare builds the manifest, or loads it for --resume and checks that it
// is the same sweep.
func prepare(o *Options) (*Manifest, error) {
	old, err := LoadManifest(o.Dir)
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return nil, err
	case err == nil && !o.Resume:
		return nil, fmt.Errorf("%s %w", o.Dir, ErrExists)
	case err != nil && o.Resume:
		return nil, fmt.Errorf("%s %w", o.Dir, ErrNoManifest)
	case err == nil:
		if o.Target.Scenario == "" && len(o.Target.Command) == 0 {
			o.Target, o.Grid = old.Target, old.Grid
		}
		if o.Repeat == 0 {
			o.Repeat = old.Repeat
		}
		if o.Repeat > old.Repeat {
			// More repeats of the same sweep: the new runs come after
			// the old ones, still round-robin.
			for _, j := range Plan(old.Grid, o.Repeat) {
				if j.Repeat > old.Repeat {
					old.Runs = append(old.Runs, Entry{Job: j, Status: StatusPending})
				}
			}
			old.Repeat = o.Repeat
		}
		if d := differs(old, o); d != "" {
			return nil, fmt.Errorf("--resume: %s was a different sweep (%s); run it with the same flags, or without any", o.Dir, d)
		}
		return old, nil
	}
	m := &Manifest{Schema: Schema, Created: time.Now().UTC(), Target: o.Target, Grid: o.Grid, Repeat: o.Repeat}
	for _, j := range Plan(o.Grid, o.Repeat) {
		m.Runs = append(m.Runs, Entry{Job: j, Status: StatusPending})
	}
	return m, nil
}

// differs names the first thing that differs between a manifest and the
// options, "" when none does.
func differs(m *Manifest, o *Options) string {
	switch {
	case !reflect.DeepEqual(m.Target, o.Target):
		return fmt.Sprintf("target %q, now %q", m.Target, o.Target)
	case !reflect.DeepEqual(m.Grid, o.Grid):
		return fmt.Sprintf("grid %v, now %v", m.Grid, o.Grid)
	case m.Repeat != o.Repeat:
		return fmt.Sprintf("--repeat %d, now %d (it can grow, not shrink)", m.Repeat, o.Repeat)
	}
	return ""
}

// done reports whether a run finished and its record is still there.
func done(dir string, e Entry) bool {
	if e.Status != StatusDone {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, e.File))
	return err == nil
}

// runOne runs one child, with the build bl of its point when the sweep
// builds, and updates its entry.
func runOne(ctx context.Context, o Options, e *Entry, bl Build) error {
	final := filepath.Join(o.Dir, e.File)
	part := final + ".part"
	os.Remove(part)
	e.Log = filepath.Join("logs", e.File[:len(e.File)-len(".jsonl")]+".log")
	logf, err := os.Create(filepath.Join(o.Dir, e.Log))
	if err != nil {
		return fail(e, err)
	}
	defer logf.Close()
	exe, program := o.Exe, ""
	if bl.Binary != "" {
		built, err := filepath.Abs(filepath.Join(o.Dir, bl.Binary))
		if err != nil {
			return fail(e, err)
		}
		if o.Target.Scenario != "" {
			exe = built
		} else {
			program = built
		}
	}
	cmd := exec.Command(exe, o.Target.argsWith(e.Point, part, program)...)
	cmd.Env = o.Env
	if e.GOMAXPROCS != "" {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+e.GOMAXPROCS)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	ownGroup(cmd) // the terminal's Ctrl-C reaches us only; we stop the child
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fail(e, err)
	}
	wait := make(chan error, 1)
	go func() { wait <- cmd.Wait() }()
	select {
	case err = <-wait:
	case <-ctx.Done():
		interrupt(cmd)
		select {
		case err = <-wait:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			err = <-wait
		}
		os.Remove(part)
		return ctx.Err()
	}
	e.Seconds = time.Since(start).Seconds()
	e.Finished = time.Now().UTC()
	if err != nil {
		os.Rename(part, final+".failed")
		return fail(e, fmt.Errorf("%v; see %s", err, e.Log))
	}
	if err := os.Rename(part, final); err != nil {
		return fail(e, fmt.Errorf("the run wrote no record: %v; see %s", err, e.Log))
	}
	e.Status, e.Error = StatusDone, ""
	return nil
}

func fail(e *Entry, err error) error {
	e.Status, e.Error = StatusFailed, err.Error()
	return err
}

// LoadManifest reads dir's manifest.
func LoadManifest(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return parseManifest(name, b)
}

// parseManifest reads a manifest and checks what --resume relies on: a
// grid to plan, at least one repeat, and runs whose records are plain file
// names inside the sweep's directory (a hand-edited "../x" would write
// outside it).
func parseManifest(name string, b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("%s: not a gcprobe sweep manifest (schema %q)", name, m.Schema)
	}
	bad := func(why string) (*Manifest, error) {
		return nil, fmt.Errorf("%s: damaged sweep manifest: %s", name, why)
	}
	switch {
	case m.Repeat < 1:
		return bad(fmt.Sprintf("repeat %d", m.Repeat))
	case len(m.Grid.GOGC) == 0 || len(m.Grid.MemLimit) == 0:
		return bad("empty grid")
	}
	for _, e := range m.Runs {
		for _, f := range []string{e.File, e.Log} {
			if f != "" && (!filepath.IsLocal(f) || strings.Contains(f, "..")) {
				return bad(fmt.Sprintf("run file %q is not inside the sweep's directory", f))
			}
		}
		if !strings.HasSuffix(e.File, ".jsonl") || len(e.File) <= len(".jsonl") {
			return bad(fmt.Sprintf("run file %q is not NAME.jsonl", e.File))
		}
	}
	return &m, nil
}

// saveManifest replaces the manifest atomically: a reader (or a crash)
// sees the old one or the new one, never half of one.
func saveManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ManifestFile))
}
