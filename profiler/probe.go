package profiler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/trace"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
)

// Defaults and limits of Options.
const (
	DefaultInterval = 250 * time.Millisecond
	MinInterval     = 10 * time.Millisecond
	DefaultKeep     = 4096
)

// Options configures a Probe. The zero value is ready to use.
type Options struct {
	// Interval is the sampling period: DefaultInterval when zero, at least
	// MinInterval.
	Interval time.Duration
	// Record, when set, receives every event the probe produces (Sample,
	// GC, Pauses, Note) as it is produced. The probe measures its offsets
	// from Record.Start(). The probe does not write a header or an End
	// event: the record belongs to the caller. Encoding the events costs
	// allocations that the sample path otherwise does not make.
	Record *record.Writer
	// Keep is how many events are kept in memory for EventsSince and the
	// agent: DefaultKeep when zero. The buffer is allocated in New, about
	// 350 bytes an event (1.4 MB at the default). A tick makes one event,
	// plus one per GC cycle and one when there were pauses.
	Keep int
	// FlightRecorder, when set, is a runtime flight recorder the program
	// started, of which the agent serves snapshots at /debug/gcprobe/trace
	// (opt-in: the recorder costs a little CPU and holds its window in
	// memory). The probe neither starts nor stops it.
	FlightRecorder *trace.FlightRecorder
}

// Probe samples the runtime of its own process. See the package doc.
type Probe struct {
	interval time.Duration
	rec      *record.Writer
	start    time.Time
	header   record.Header

	// sampleMu serialises sampling (the ticker and Close) and guards the
	// sampling state below.
	sampleMu   sync.Mutex
	metrics    []metrics.Sample
	os         osStats
	mem        memory         // the memory classes of the sample being taken
	pending    []record.Event // events to write to rec after mu is released
	notedMerge bool           // the note on several cycles per interval was written
	recErr     error          // the first error writing to rec
	osClosed   bool

	// mu guards the published state, read by EventsSince and the agent.
	mu          sync.Mutex
	ring        ring
	latest      record.Sample
	latestMem   memory
	latestT     float64
	prev        reading   // the scalar metrics of the latest read
	pauseBounds []float64 // the pause histogram's bucket bounds, fixed
	pauseCounts []uint64  // its cumulative counts at the latest read

	flight agentFlight // the snapshots the agent serves

	// lastEnd is the state at the latest read that saw a cycle end (or
	// the baseline): a GC event's pauses and CPU time are counted from it.
	lastEnd struct {
		gcCPU, gcIdleCPU, totalCPU float64
		pauses                     []uint64
	}

	// lifeMu guards the life cycle.
	lifeMu  sync.Mutex
	started bool
	closed  bool
	stop    context.CancelFunc
	done    chan struct{}
	err     error // what Close returned
}

// New checks the options, resolves the runtime metrics, opens what the probe
// reads from the operating system, and takes a baseline reading: cycles and
// pauses before New are not reported. Sampling begins with Start.
func New(opts Options) (*Probe, error) {
	switch {
	case opts.Interval == 0:
		opts.Interval = DefaultInterval
	case opts.Interval < MinInterval:
		return nil, fmt.Errorf("profiler: Options.Interval %v is below the minimum of %v", opts.Interval, MinInterval)
	}
	switch {
	case opts.Keep == 0:
		opts.Keep = DefaultKeep
	case opts.Keep < 0:
		return nil, fmt.Errorf("profiler: Options.Keep %d is negative", opts.Keep)
	}
	ms, err := newMetrics()
	if err != nil {
		return nil, err
	}
	p := &Probe{
		interval: opts.Interval,
		rec:      opts.Record,
		start:    time.Now(),
		metrics:  ms,
		ring:     newRing(opts.Keep),
		flight:   agentFlight{fr: opts.FlightRecorder},
	}
	if p.rec != nil {
		p.start = p.rec.Start()
	}
	p.header = newHeader(p.start)
	h := ms[mPauses].Value.Float64Histogram()
	p.pauseBounds = append([]float64(nil), h.Buckets...)
	p.pauseCounts = append([]uint64(nil), h.Counts...)
	p.prev = scalars(ms)
	p.lastEnd.gcCPU, p.lastEnd.gcIdleCPU, p.lastEnd.totalCPU = p.prev.gcCPU, p.prev.gcIdleCPU, p.prev.totalCPU
	p.lastEnd.pauses = append([]uint64(nil), h.Counts...)
	p.os = newOSStats()
	p.latest = p.fill(p.prev)
	p.latestMem = p.mem
	p.latestT = time.Since(p.start).Seconds()
	return p, nil
}

// newHeader describes this process for a run record.
func newHeader(start time.Time) record.Header {
	h := record.Header{
		Schema:    record.Schema,
		Source:    record.SourceProbe,
		PID:       os.Getpid(),
		Env:       host.GCEnv(os.Environ()),
		GoVersion: runtime.Version(),
		Host:      host.Describe(),
		Start:     start,
	}
	experiment := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" {
				experiment = s.Value
			}
		}
		h.GCProbeVersion = moduleVersion(bi)
	}
	h.GC = host.GCOf(h.GoVersion, experiment)
	if len(os.Args) > 0 {
		h.Program = &record.Program{Name: filepath.Base(os.Args[0]), Args: os.Args, From: record.ProgramFromAgent}
	}
	return h
}

// modulePath is gcprobe's module, whose version goes in the header.
const modulePath = "github.com/gcprobe/gcprobe"

// moduleVersion is the version of gcprobe built into this binary: the main
// module's when the program is gcprobe's own, else the dependency's; "" when
// it is a development build.
func moduleVersion(bi *debug.BuildInfo) string {
	mods := append([]*debug.Module{&bi.Main}, bi.Deps...)
	for _, m := range mods {
		if m.Path == modulePath && m.Version != "(devel)" {
			return m.Version
		}
	}
	return ""
}

// Header describes this process for a run record: source probe, Go version
// and GC, GC-relevant environment, host, PID, and the start time that event
// offsets are measured from.
func (p *Probe) Header() record.Header {
	h := p.header
	h.Env = make(map[string]string, len(p.header.Env))
	for k, v := range p.header.Env {
		h.Env[k] = v
	}
	return h
}

// Start takes a first sample and starts the sampling goroutine, which stops
// when ctx ends or at Close. A probe starts once.
func (p *Probe) Start(ctx context.Context) error {
	p.lifeMu.Lock()
	defer p.lifeMu.Unlock()
	switch {
	case p.closed:
		return errors.New("profiler: Start after Close")
	case p.started:
		return errors.New("profiler: Start called twice")
	}
	p.started = true
	p.sample()
	ctx, p.stop = context.WithCancel(ctx)
	p.done = make(chan struct{})
	go p.loop(ctx)
	return nil
}

func (p *Probe) loop(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.sample()
		}
	}
}

// Close stops sampling, takes a final sample, and releases the files the
// probe reads. It returns the first error met writing to Options.Record.
// Later calls return the same result.
func (p *Probe) Close() error {
	p.lifeMu.Lock()
	defer p.lifeMu.Unlock()
	if p.closed {
		return p.err
	}
	p.closed = true
	if p.stop != nil {
		p.stop()
		<-p.done
	}
	p.sample()
	p.sampleMu.Lock()
	defer p.sampleMu.Unlock()
	p.osClosed = true
	p.err = errors.Join(p.recErr, p.os.close())
	return p.err
}

// EventsSince returns the events produced from cursor on (the cursor of the
// first event is 0), the cursor to pass next time, and how many events from
// cursor on were dropped from memory (see Options.Keep) before this call.
func (p *Probe) EventsSince(cursor uint64) (events []record.Event, next uint64, lost uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ring.since(cursor)
}

// fill makes a Sample of a reading, with what the operating system says,
// and reads the memory classes into p.mem.
func (p *Probe) fill(r reading) record.Sample {
	s := record.Sample{
		HeapLiveBytes:         r.heapLive,
		HeapGoalBytes:         r.heapGoal,
		HeapObjectsBytes:      r.heapObjects,
		GoTotalBytes:          r.goTotal,
		AllocBytesTotal:       r.allocs,
		GCCyclesTotal:         r.cycles,
		Goroutines:            r.goroutines,
		GCCPUSecondsTotal:     r.gcCPU,
		GCIdleCPUSecondsTotal: r.gcIdleCPU,
		TotalCPUSecondsTotal:  r.totalCPU,
	}
	s.RSSBytes, s.RSSPeakBytes, s.CPUSecondsTotal = p.os.read()
	goMemory(p.metrics, &p.mem.goMem)
	p.mem.hasProc = p.os.smaps(&p.mem.proc)
	return s
}

// sample is the sampling path: one read of the runtime metrics and the
// operating system, a Sample event, a GC event per cycle that ended since the
// previous read, and a Pauses event when the pause histogram moved. It does
// not allocate unless Options.Record is set.
func (p *Probe) sample() {
	p.sampleMu.Lock()
	defer p.sampleMu.Unlock()
	if p.osClosed {
		return
	}
	now := time.Now()
	metrics.Read(p.metrics)
	r := scalars(p.metrics)
	s := p.fill(r)
	hist := p.metrics[mPauses].Value.Float64Histogram()
	t := now.Sub(p.start).Seconds()

	p.mu.Lock()
	sl := p.ring.add(t, record.KindSample)
	sl.sample, sl.mem = s, p.mem
	p.publish(sl)
	p.latest, p.latestMem, p.latestT = s, p.mem, t
	if r.cycles > p.prev.cycles {
		p.addCycles(t, r, hist.Counts)
	}
	p.addPauses(t, hist.Counts)
	p.prev = r
	copy(p.pauseCounts, hist.Counts)
	p.mu.Unlock()

	p.flush()
}

// publish queues a filled slot's event for Options.Record.
func (p *Probe) publish(sl *slot) {
	if p.rec != nil {
		p.pending = append(p.pending, sl.event())
	}
}

// flush writes the queued events to Options.Record.
func (p *Probe) flush() {
	for i, e := range p.pending {
		if err := p.rec.Write(e); err != nil && p.recErr == nil {
			p.recErr = err
		}
		p.pending[i] = record.Event{}
	}
	p.pending = p.pending[:0]
}
