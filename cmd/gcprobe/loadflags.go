package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/gcprobe/gcprobe/profiler/child"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gcprobe/gcprobe/analyze/texttab"
	"github.com/gcprobe/gcprobe/loadgen/extload"
	"github.com/gcprobe/gcprobe/loadgen/httpload"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// loadFlags are the flags of gcprobe's own HTTP load generator, shared by
// run, attach and sweep (which passes them to each run).
type loadFlags struct {
	fs          *pflag.FlagSet
	load        []string
	targets     string
	headers     []string
	body        string
	rate        string
	step        time.Duration
	connections int
	timeout     time.Duration
	warmup      time.Duration
	ready       string
	readyWait   time.Duration
	loadCmd     string
}

// loadFlagNames are the flags addLoadFlags defines, in order.
var loadFlagNames = []string{"load", "load-targets", "header", "body", "rate", "step", "connections", "load-timeout", "warmup", "ready", "ready-wait", "load-cmd"}

// httpOnlyFlags apply to gcprobe's own load generator, not to --load-cmd.
var httpOnlyFlags = []string{"header", "body", "rate", "step", "connections", "load-timeout", "warmup"}

// defaultLoadDuration is the measured load's length when --duration is 0.
const defaultLoadDuration = 30 * time.Second

const loadHelp = `
With --load (or --load-targets) gcprobe puts the service under open-loop
HTTP load itself: requests go out at --rate whatever the service does, and
each request's latency counts from when it was due, so a stall shows on every
request queued behind it. gcprobe first waits for --ready (default: the first
target) to answer, then loads for --warmup unmeasured and --duration
measured (default 30s), in per-100ms latency histograms on the record's clock
beside every GC cycle, with responses by status class, failed requests and
timeouts. gcprobe summary, compare and report then show latency inside and
outside GC, throughput and error rate.

With --load-cmd 'CMD ...' your own load generator runs instead (by sh -c,
after --ready answers if given), with GOGC, GOMEMLIMIT, GODEBUG and
GOMAXPROCS removed from its environment, so that its GC neither follows the
program's settings nor mixes into its gctrace. Its output goes to gcprobe's
stderr (a sweep's log), each line prefixed with "load-cmd: "; it is stopped
after --duration, and when it exits first the run ends. When its stdout is
vegeta's JSON results (vegeta attack ... | vegeta encode), their latency
goes to the record as gcprobe's own load's does.`

func addLoadFlags(fs *pflag.FlagSet) *loadFlags {
	f := &loadFlags{fs: fs}
	fs.StringArrayVar(&f.load, "load", nil, "put the service under HTTP load: `'URL'` (GET) or 'METHOD URL'; repeat for several targets, sent round-robin")
	fs.StringVar(&f.targets, "load-targets", "", "read targets from `FILE` in vegeta's plain format (METHOD URL lines, header lines, @bodyfile)")
	fs.StringArrayVar(&f.headers, "header", nil, "add `'Name: value'` to every load request (repeatable)")
	fs.StringVar(&f.body, "body", "", "send the contents of `@FILE` as the body of every --load request")
	fs.StringVar(&f.rate, "rate", "100", "load arrival rate in requests per second (`N` or N/s); N1,N2,... with --step runs one step per rate")
	fs.DurationVar(&f.step, "step", 0, "length of each --rate step (needed with several rates)")
	fs.IntVar(&f.connections, "connections", httpload.DefaultConnections, "most load requests in flight, each on a keep-alive connection of its own")
	fs.DurationVar(&f.timeout, "load-timeout", httpload.DefaultTimeout, "bound on each load request (a request that takes longer counts as a timeout)")
	fs.DurationVar(&f.warmup, "warmup", 0, "load this long before measuring")
	fs.StringVar(&f.ready, "ready", "", "wait until GET `URL` answers before the load starts (default: the first target)")
	fs.DurationVar(&f.readyWait, "ready-wait", 10*time.Second, "how long to wait for --ready to answer")
	fs.StringVar(&f.loadCmd, "load-cmd", "", "run your own load generator `'CMD ...'` (by sh -c) during the measured window instead of --load")
	return f
}

// set reports whether a load was asked for.
func (f *loadFlags) set() bool { return len(f.load) > 0 || f.targets != "" || f.loadCmd != "" }

// config validates the load flags (usage errors name the flag) and returns
// the load, measured for duration (0: defaultLoadDuration).
func (f *loadFlags) config(cmd string, duration time.Duration) (httpload.Config, error) {
	var cfg httpload.Config
	if !f.set() {
		for _, name := range loadFlagNames {
			if f.fs.Changed(name) {
				return cfg, usageErrorf("%s: --%s needs --load URL or --load-targets FILE", cmd, name)
			}
		}
		return cfg, nil
	}
	if f.loadCmd != "" {
		cfg.Duration = duration // 0: until the command exits
		return cfg, f.checkLoadCmd(cmd)
	}
	for _, l := range f.load {
		t, err := httpload.ParseTarget(l)
		if err != nil {
			return cfg, usageErrorf("%s: --load %v", cmd, err)
		}
		cfg.Targets = append(cfg.Targets, t)
	}
	if f.targets != "" {
		ts, err := httpload.ReadTargetsFile(f.targets)
		if err != nil {
			return cfg, usageErrorf("%s: --load-targets: %v", cmd, err)
		}
		cfg.Targets = append(cfg.Targets, ts...)
	}
	if f.body != "" {
		if !strings.HasPrefix(f.body, "@") || len(f.body) == 1 {
			return cfg, usageErrorf("%s: --body wants @FILE, got %q", cmd, f.body)
		}
		if len(f.load) == 0 {
			return cfg, usageErrorf("%s: --body applies to --load targets (a targets file names its own bodies with @file)", cmd)
		}
		b, err := os.ReadFile(f.body[1:])
		if err != nil {
			return cfg, usageErrorf("%s: --body: %v", cmd, err)
		}
		for i := range f.load {
			cfg.Targets[i].Body = b
		}
	}
	for _, h := range f.headers {
		k, v, err := httpload.ParseHeader(h)
		if err != nil {
			return cfg, usageErrorf("%s: --header %v", cmd, err)
		}
		for i := range cfg.Targets {
			cfg.Targets[i].Header.Add(k, v)
		}
	}
	rates, err := parseRates(f.rate)
	if err != nil {
		return cfg, usageErrorf("%s: --rate: %v", cmd, err)
	}
	cfg.Rates = rates
	switch {
	case len(rates) > 1 && f.step <= 0:
		return cfg, usageErrorf("%s: --rate %s has %d steps: give each one's length with --step", cmd, f.rate, len(rates))
	case len(rates) == 1 && f.fs.Changed("step"):
		return cfg, usageErrorf("%s: --step needs several rates (--rate N1,N2,...)", cmd)
	case f.step < 0:
		return cfg, usageErrorf("%s: --step must be positive", cmd)
	case len(rates) > 1 && duration > 0:
		return cfg, usageErrorf("%s: with rate steps the load lasts --step x %d; leave out --duration", cmd, len(rates))
	case f.connections < 1 || f.connections > 100000:
		return cfg, usageErrorf("%s: --connections must be between 1 and 100000", cmd)
	case f.timeout <= 0:
		return cfg, usageErrorf("%s: --load-timeout must be positive", cmd)
	case f.warmup < 0:
		return cfg, usageErrorf("%s: --warmup must not be negative", cmd)
	case f.readyWait <= 0:
		return cfg, usageErrorf("%s: --ready-wait must be positive", cmd)
	}
	if f.ready != "" {
		if err := httpload.CheckURL(f.ready); err != nil {
			return cfg, usageErrorf("%s: --ready %v", cmd, err)
		}
	}
	cfg.Step, cfg.Connections, cfg.Timeout, cfg.Warmup = f.step, f.connections, f.timeout, f.warmup
	cfg.Duration = duration
	if cfg.Duration == 0 {
		cfg.Duration = defaultLoadDuration
	}
	return cfg, nil
}

// checkLoadCmd validates the flags of an external load command.
func (f *loadFlags) checkLoadCmd(cmd string) error {
	if len(f.load) > 0 || f.targets != "" {
		return usageErrorf("%s: --load-cmd replaces --load and --load-targets: give one of them", cmd)
	}
	for _, name := range httpOnlyFlags {
		if f.fs.Changed(name) {
			return usageErrorf("%s: --%s applies to --load; a --load-cmd sets its own", cmd, name)
		}
	}
	if strings.TrimSpace(f.loadCmd) == "" {
		return usageErrorf("%s: --load-cmd is empty", cmd)
	}
	if f.ready != "" {
		if err := httpload.CheckURL(f.ready); err != nil {
			return usageErrorf("%s: --ready %v", cmd, err)
		}
	}
	if f.readyWait <= 0 {
		return usageErrorf("%s: --ready-wait must be positive", cmd)
	}
	return nil
}

// parseRates reads "1000", "1000/s" or "1000,2000,4000".
func parseRates(s string) ([]float64, error) {
	var rs []float64
	for _, part := range strings.Split(s, ",") {
		p := strings.TrimSuffix(strings.TrimSpace(part), "/s")
		r, err := strconv.ParseFloat(p, 64)
		if err != nil || !(r > 0) || r > 1e7 {
			return nil, fmt.Errorf("%q is not a rate: want requests per second above 0 (1000 or 1000/s)", part)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// readyURL is where the load waits for the service: --ready, or the first
// target.
func (f *loadFlags) readyURL(cfg httpload.Config) string {
	if f.ready != "" {
		return f.ready
	}
	return cfg.Targets[0].URL
}

// args are the load flags the user gave, for a command that passes them on
// (sweep to each run).
func (f *loadFlags) args() []string {
	var a []string
	for _, name := range loadFlagNames {
		fl := f.fs.Lookup(name)
		if !fl.Changed {
			continue
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				a = append(a, "--"+name+"="+v)
			}
			continue
		}
		a = append(a, "--"+name+"="+fl.Value.String())
	}
	return a
}

// hook returns the load as a function that writes to a record: wait for
// the service, load it, and say in the record and on status when the rate
// was not sustained. Per-step latency goes to status.
func (f *loadFlags) hook(cfg httpload.Config, status io.Writer) func(context.Context, *record.Writer) error {
	if os.Getenv("GOMAXPROCS") != "" {
		// The GOMAXPROCS in the environment is the program's (a sweep
		// sets it so for each run); gcprobe's own load generator must not
		// be held to it, or its capacity would change with the setting
		// being compared.
		runtime.GOMAXPROCS(runtime.NumCPU())
	}
	if f.loadCmd != "" {
		return f.cmdHook(cfg.Duration, status)
	}
	ready := f.readyURL(cfg)
	return func(ctx context.Context, w *record.Writer) error {
		t0 := time.Now()
		if err := httpload.WaitReady(ctx, ready, f.readyWait); err != nil {
			return err
		}
		w.Note(record.NoteInfo, "load: %s answered after %s; load starts", ready, units.Seconds(time.Since(t0).Seconds()))
		cfg.Record = w
		res, err := httpload.Run(ctx, cfg)
		if err != nil {
			return err
		}
		if share := res.LateShare(); share >= 0.01 {
			msg := fmt.Sprintf("load: --rate %s was not sustained: %s of requests started late (all %d connections busy); their latency counts from when they were due. Raise --connections, or lower --rate",
				f.rate, units.Percent(share), cfg.Connections)
			w.Note(record.NoteWarning, "%s", msg)
			fmt.Fprintf(status, "gcprobe: %s\n", msg)
		}
		if len(res.Steps) > 1 {
			writeSteps(status, res.Steps)
		}
		return nil
	}
}

// cmdHook runs --load-cmd: after --ready if given, for duration (0: until
// it exits).
func (f *loadFlags) cmdHook(duration time.Duration, status io.Writer) func(context.Context, *record.Writer) error {
	return func(ctx context.Context, w *record.Writer) error {
		if f.ready != "" {
			if err := httpload.WaitReady(ctx, f.ready, f.readyWait); err != nil {
				return err
			}
		}
		w.Note(record.NoteInfo, "load: --load-cmd starts: %s", f.loadCmd)
		res, err := extload.Run(ctx, extload.Config{Command: f.loadCmd, Duration: duration, Log: status, Record: w})
		switch {
		case err != nil:
			return err
		case res.Err != nil && !res.Stopped:
			return fmt.Errorf("--load-cmd failed: %v (its output is above, prefixed load-cmd:)", res.Err)
		case res.Results == 0:
			w.Note(record.NoteInfo, "load: --load-cmd printed no vegeta JSON results, so the record has no request latency")
		}
		return nil
	}
}

// writeSteps prints the latency of each rate step.
func writeSteps(w io.Writer, steps []httpload.Step) {
	tb := texttab.Table{}
	tb.Row("rate step", "requests", "p50", "p99", "p99.9", "started late")
	for c := 1; c <= 5; c++ {
		tb.Align(c, texttab.Right)
	}
	for _, s := range steps {
		late := 0.0
		if s.Measured > 0 {
			late = float64(s.Late) / float64(s.Measured)
		}
		tb.Row(units.Number(s.Rate)+"/s", units.Number(float64(s.Measured)), units.Seconds(s.P50.Seconds()),
			units.Seconds(s.P99.Seconds()), units.Seconds(s.P999.Seconds()), units.Percent(late))
	}
	fmt.Fprintln(w)
	tb.WriteTo(w)
}

// loadFailed turns what went wrong with a run's observation into the
// command's error: gctrace from several processes, the program exiting
// during the load, or a load that could not run (the record says so too,
// and keeps what was measured).
func loadFailed(res child.Result, name string) error {
	switch {
	case res.MixedGCTrace != "":
		return fmt.Errorf("run: gctrace came from more than one process (%s): no GC cycle from then on is recorded; run the Go program itself, not a wrapper that starts several (the record's note says more)", res.MixedGCTrace)
	case res.LoadErr == nil || res.Reason == record.EndInterrupted:
		return nil
	case errors.Is(res.LoadErr, child.ErrExitedDuringLoad):
		how := fmt.Sprintf("exit status %d", res.ExitCode)
		if res.Signal != "" {
			how = "killed by " + res.Signal
		}
		return fmt.Errorf("run: --load: %s exited (%s) before the load ended; the record keeps what was measured", name, how)
	}
	return fmt.Errorf("run: --load: %v", res.LoadErr)
}
