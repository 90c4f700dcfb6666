// Package loadgen drives a handler at a fixed arrival rate (open loop) and
// measures each request's latency from the time it was meant to start, into
// a histogram with bounded relative error whose per-interval deltas go to the
// run record as Latency events.
//
// Open loop means the schedule does not wait for the system: request i is
// due at start + i/rate whatever happened to request i-1. A handler that
// stalls for 200 ms therefore shows as up to 200 ms of latency on every
// request due during the stall, not only on the one that stalled — the
// coordinated omission that a closed-loop generator (send, wait, send) makes.
//
// The dispatcher sleeps until the next request is due and hands every due
// request to a pool of workers. Go's timers wake it with up to about a
// millisecond of delay when the process is idle; the requests it then
// dispatches late count that delay as latency, since it is measured from the
// schedule, so the generator's own error is an upper bound of about 1 ms.
// A generator that runs in another process than the system it measures
// can leave that delay out (Config.OwnDelay): its own lateness is then not
// the system's, while a wait for a free worker still counts.
package loadgen

import (
	"context"
	"errors"
	"math"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// Config sets up one run of the generator.
type Config struct {
	// Rate is the arrival rate in requests per second; it must be above 0.
	Rate float64
	// Workers is how many requests may run at once (default 4).
	Workers int
	// Warmup runs requests without measuring them; Duration is the
	// measured time after it. The run lasts Warmup+Duration.
	Warmup, Duration time.Duration
	// Interval is the length of each Latency event (default 100 ms).
	Interval time.Duration
	// Op names the operation in the Latency events ("" for all requests).
	Op string
	// Record receives the Latency events and a note when measurement
	// starts; its start time is the clock of the events. Nil records
	// nothing (the histogram is still filled).
	Record *record.Writer
	// StartNote, when set, is that note's message instead of the default.
	StartNote string
	// Outcomes, when set, are the counts the handler keeps of what became
	// of its requests; each Latency event gets the interval's counts, and
	// each new error message a warning note.
	Outcomes *Outcomes
	// Slow, when set, is called from the worker with every measured request
	// whose latency is at least SlowOver, as soon as it is measured: a hook
	// for whatever must act on a slow request while it is fresh (a flight
	// recorder's snapshot). It must return quickly.
	Slow     func(r Request, latency time.Duration)
	SlowOver time.Duration
	// Hist, when set, receives the latencies (so that several runs can
	// share one histogram); nil gets a new one.
	Hist *Histogram
	// OwnDelay, when positive, is how much of the generator's own
	// lateness (its timer waking late, its process pausing, the hand-off
	// to an idle worker) is left out of a request's latency: latency counts
	// from Intended plus that lateness, up to OwnDelay. Only for a generator in another process than what it
	// measures: in the same process, a pause that holds up the dispatcher
	// holds up the requests too, and must count. A wait for a free worker
	// always counts.
	OwnDelay time.Duration
}

// Request is one request handed to the handler.
type Request struct {
	// Seq numbers requests from 0 in the order they were due.
	Seq uint64
	// Intended is when the schedule meant it to start.
	Intended time.Time
	// Worker is the worker running it, 0 <= Worker < Config.Workers.
	Worker int
	// Warmup is set for a request due during the warmup: it is not
	// measured, and a handler's Outcomes should not count it either.
	Warmup bool
	// Dispatched is when the dispatcher handed it on (before any wait
	// for a free worker), and Queued whether it then had to wait for one;
	// set only with Config.OwnDelay.
	Dispatched time.Time
	Queued     bool

	// task is the request's runtime/trace task ("request"), begun when
	// it was dispatched and ended after its handler, so that an execution
	// trace shows each request's queue wait and handling; nil while no
	// trace is being taken. taskCtx carries it to the handler's region.
	task    *trace.Task
	taskCtx context.Context
}

// Result sums up a run.
type Result struct {
	// Sent counts every request run, warmup included; Measured those
	// recorded in the histogram.
	Sent, Measured uint64
	// Late counts requests that found every worker busy when they were due
	// (their wait counts as latency).
	Late uint64
	// Hist holds the measured latencies.
	Hist *Histogram
}

// Run runs the schedule until Warmup+Duration has passed or ctx is done,
// waits for the requests in flight, and returns what it measured. The error
// is the record writer's, if it failed; a cancelled ctx is not an error.
func Run(ctx context.Context, cfg Config, handle func(Request)) (Result, error) {
	return RunMeasured(ctx, cfg, func(r Request) bool { handle(r); return true })
}

// RunMeasured is Run for a handler that tells which requests to measure:
// one that returns false (a request that failed without a response, whose
// latency is not the service's) is counted by the handler, not in the
// histogram.
func RunMeasured(ctx context.Context, cfg Config, handle func(Request) bool) (Result, error) {
	if !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 1) {
		return Result{}, errors.New("loadgen: rate must be finite and above 0")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	g := &gen{cfg: cfg, hist: cfg.Hist, queue: make(chan Request, cfg.Workers)}
	if g.hist == nil {
		g.hist = new(Histogram)
	}
	g.start = time.Now()
	g.measureFrom = g.start.Add(cfg.Warmup)
	g.epoch = g.start
	if cfg.Record != nil {
		g.epoch = cfg.Record.Start()
	}

	var workers sync.WaitGroup
	for w := range cfg.Workers {
		workers.Go(func() { g.work(w, handle) })
	}
	stop := make(chan struct{})
	reported := make(chan error, 1)
	go func() { reported <- g.report(stop) }()

	g.dispatch(ctx)
	close(g.queue)
	workers.Wait()
	close(stop)
	err := <-reported
	return Result{Sent: g.sent, Measured: g.measured.Load(), Late: g.late.Load(), Hist: g.hist}, err
}

// lateLog is the least lateness a request's trace task logs: below it the
// dispatcher's own timer jitter.
const lateLog = 100 * time.Microsecond

type gen struct {
	cfg         Config
	hist        *Histogram
	queue       chan Request
	start       time.Time // the schedule's origin
	measureFrom time.Time // end of warmup
	epoch       time.Time // the record's clock
	sent        uint64
	measured    atomic.Uint64
	late        atomic.Uint64
	lateSince   atomic.Uint64 // late requests not yet reported
}

// due returns when request i is due.
func (g *gen) due(i uint64) time.Time {
	ns := float64(i) * 1e9 / g.cfg.Rate
	if ns >= math.MaxInt64 { // a tiny rate: due after any run ends
		return g.start.Add(math.MaxInt64)
	}
	return g.start.Add(time.Duration(ns))
}

func (g *gen) dispatch(ctx context.Context) {
	end := g.start.Add(g.cfg.Warmup + g.cfg.Duration)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := uint64(0); ; i++ {
		due := g.due(i)
		if !due.Before(end) {
			return
		}
		now := time.Now()
		if wait := due.Sub(now); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
			now = time.Time{} // woke later than now
		}
		r := Request{Seq: i, Intended: due, Warmup: due.Before(g.measureFrom)}
		if trace.IsEnabled() {
			// Begun here, at the request's due time, so the task spans
			// its wait for a worker as well as its handler, unless the
			// dispatcher itself was held up (behind busy workers): a
			// trace cannot begin a task in the past, so then a "late"
			// log in the task says by how much it began after its due
			// time.
			r.taskCtx, r.task = trace.NewTask(context.Background(), "request")
			if late := time.Since(due); late >= lateLog {
				trace.Log(r.taskCtx, "late", late.String())
			}
		}
		if g.cfg.OwnDelay > 0 {
			if now.IsZero() {
				now = time.Now()
			}
			r.Dispatched = now
		}
		select {
		case g.queue <- r:
		default:
			// Every worker is busy: the request waits, and its wait counts.
			r.Queued = true
			if !due.Before(g.measureFrom) {
				g.late.Add(1)
				g.lateSince.Add(1)
			}
			select {
			case g.queue <- r:
			case <-ctx.Done():
				return
			}
		}
		g.sent++
	}
}

func (g *gen) work(w int, handle func(Request) bool) {
	for r := range g.queue {
		var picked time.Time
		if g.cfg.OwnDelay > 0 {
			picked = time.Now()
		}
		r.Worker = w
		// A "handle" region (the handler's run, not the queue before
		// it) inside the request's task, for gcprobe analyze on an
		// execution trace such as a flight recorder snapshot: free while
		// no trace is taken.
		ctx := r.taskCtx
		if ctx == nil {
			ctx = context.Background()
		}
		region := trace.StartRegion(ctx, "handle")
		measure := handle(r)
		region.End()
		if r.task != nil {
			r.task.End()
		}
		if !measure || r.Warmup {
			continue
		}
		from := r.Intended
		if d := g.cfg.OwnDelay; d > 0 {
			// The generator's own delay: the dispatcher's lateness, and the
			// hand-off to an idle worker; not a wait for a busy one.
			at := r.Dispatched
			if !r.Queued {
				at = picked
			}
			from = from.Add(min(max(at.Sub(from), 0), d))
		}
		lat := time.Since(from)
		g.hist.Record(r.Intended.Sub(g.epoch), lat)
		g.measured.Add(1)
		if g.cfg.Slow != nil && lat >= g.cfg.SlowOver {
			g.cfg.Slow(r, lat)
		}
	}
}

// report writes a Latency event every Interval once measurement has started,
// and a last one when stop is closed.
func (g *gen) report(stop <-chan struct{}) error {
	w := g.cfg.Record
	if w == nil {
		<-stop
		var l record.Latency
		g.hist.Delta(&l)
		return nil
	}
	var l record.Latency
	var outcomes [8]uint64
	started := false
	last := g.measureFrom
	emit := func(now time.Time) error {
		if !started {
			if now.Before(g.measureFrom) {
				return nil
			}
			started = true
			msg := g.cfg.StartNote
			if msg == "" {
				msg = "latency measurement started after " + g.cfg.Warmup.String() + " of warmup (GC events before it are warmup)"
			}
			if err := w.Write(record.Event{T: w.Since(g.measureFrom), Note: &record.Note{Level: record.NoteInfo, Message: msg}}); err != nil {
				return err
			}
		}
		g.hist.Delta(&l)
		if o := g.cfg.Outcomes; o != nil {
			for _, msg := range o.drain(&l, &outcomes) {
				if err := w.Write(record.Event{T: w.Since(now), Note: &record.Note{Level: record.NoteWarning, Message: "load: a request failed: " + msg}}); err != nil {
					return err
				}
			}
		}
		l.Op = g.cfg.Op
		l.IntervalSeconds = now.Sub(last).Seconds()
		l.Dropped = g.lateSince.Swap(0)
		last = now
		return w.Write(record.Event{T: w.Since(now), Latency: &l})
	}
	return every(g.cfg.Interval, stop, emit)
}

// Report writes h's deltas to w as Latency events for op every interval,
// and a last one when stop is closed: for latencies measured outside Run,
// such as a closed-loop benchmark's or a consumer's.
func Report(w *record.Writer, h *Histogram, op string, interval time.Duration, stop <-chan struct{}) error {
	return ReportOutcomes(w, h, nil, op, interval, stop)
}

// ReportOutcomes is Report with the counts of o (nil for none) in each
// event, and a note for each new error message, as Run writes them.
func ReportOutcomes(w *record.Writer, h *Histogram, o *Outcomes, op string, interval time.Duration, stop <-chan struct{}) error {
	var l record.Latency
	var counts [8]uint64
	last := time.Now()
	return every(interval, stop, func(now time.Time) error {
		h.Delta(&l)
		if o != nil {
			for _, msg := range o.drain(&l, &counts) {
				if err := w.Write(record.Event{T: w.Since(now), Note: &record.Note{Level: record.NoteWarning, Message: "load: a request failed: " + msg}}); err != nil {
					return err
				}
			}
		}
		l.Op, l.IntervalSeconds = op, now.Sub(last).Seconds()
		last = now
		return w.Write(record.Event{T: w.Since(now), Latency: &l})
	})
}

// every calls emit each interval and once more when stop is closed. After
// an error it waits for stop (the load must not block on its reporter) and
// returns the error.
func every(interval time.Duration, stop <-chan struct{}, emit func(now time.Time) error) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			if err := emit(now); err != nil {
				<-stop
				return err
			}
		case <-stop:
			return emit(time.Now())
		}
	}
}
