package profiler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// A Trigger is a condition on the events a record receives that makes a
// Flight write a snapshot of the execution trace.
type Trigger struct {
	// Kind is record.TracePause (a GC event's longest pause),
	// record.TraceGCCPU (a GC event's CPU share over its cycle) or
	// record.TraceLatency (a quantile of a Latency event's interval).
	Kind string
	// Quantile is the latency quantile, 0 to 1 (1 is the maximum).
	Quantile float64
	// Above is the threshold: seconds, or a fraction for TraceGCCPU.
	Above float64
	// Text is the trigger as written ("p99>20ms").
	Text string
}

// ParseTriggers reads a comma-separated list of triggers:
//
//	pause>2ms     a GC cycle's longest stop-the-world pause above 2 ms
//	gccpu>25%     the GC's share of CPU over a cycle above 25%
//	p99>20ms      a latency interval's 99th percentile above 20 ms
//	p50>5ms, max>100ms, p99.9>50ms
func ParseTriggers(s string) ([]Trigger, error) {
	var out []Trigger
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		name, value, ok := strings.Cut(part, ">")
		if !ok || name == "" || value == "" {
			return nil, fmt.Errorf("%q: want NAME>VALUE such as p99>20ms, pause>2ms or gccpu>25%%", part)
		}
		t := Trigger{Text: part}
		switch {
		case name == "pause":
			t.Kind = record.TracePause
		case name == "gccpu":
			t.Kind = record.TraceGCCPU
		case name == "max":
			t.Kind, t.Quantile = record.TraceLatency, 1
		case strings.HasPrefix(name, "p"):
			q, err := strconv.ParseFloat(name[1:], 64)
			if err != nil || q <= 0 || q >= 100 {
				return nil, fmt.Errorf("%q: %s is not a percentile (p50, p99, p99.9)", part, name)
			}
			t.Kind, t.Quantile = record.TraceLatency, q/100
		default:
			return nil, fmt.Errorf("%q: unknown trigger %q (want pause, gccpu, max or a percentile such as p99)", part, name)
		}
		if t.Kind == record.TraceGCCPU {
			pct, err := strconv.ParseFloat(strings.TrimSuffix(value, "%"), 64)
			if err != nil || !strings.HasSuffix(value, "%") || pct <= 0 || pct >= 100 {
				return nil, fmt.Errorf("%q: want a percentage between 0 and 100, such as 25%%", part)
			}
			t.Above = pct / 100
		} else {
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%q: want a positive duration such as 20ms", part)
			}
			t.Above = d.Seconds()
		}
		out = append(out, t)
	}
	return out, nil
}

// Defaults of FlightOptions.
const (
	DefaultFlightMinAge    = 2 * time.Second
	DefaultFlightMaxBytes  = 16 << 20
	DefaultFlightSnapshots = 5
	DefaultFlightTotal     = 128 << 20
	DefaultFlightGap       = 10 * time.Second
)

// FlightOptions configures a Flight. Zero values take the defaults above.
type FlightOptions struct {
	Triggers []Trigger
	// Dir is where snapshots go (the record's directory); Prefix starts
	// their names: PREFIX-N.trace.
	Dir, Prefix string
	// MinAge and MaxBytes are the runtime flight recorder's window: at
	// least MinAge of trace, at most about MaxBytes.
	MinAge   time.Duration
	MaxBytes uint64
	// MaxSnapshots and MaxTotalBytes bound what is written; MinGap is the
	// least time between two snapshots. Triggers that fire beyond those
	// bounds are counted in a note at Stop.
	MaxSnapshots  int
	MaxTotalBytes int64
	MinGap        time.Duration
	// Source, when set, writes the traces instead of this process's own
	// runtime flight recorder (then MinAge and MaxBytes are unused): a
	// recorder that watches another process takes that process's trace.
	Source TraceSource
}

// A TraceSource writes an execution trace when a Flight's trigger fires.
type TraceSource interface {
	// WriteTrace writes one trace to w.
	WriteTrace(ctx context.Context, w io.Writer) error
	// From is the record.TraceFrom* constant of what it writes.
	From() string
	// Covers says what span of time a trace holds, for the reason in
	// the trace event ("the 2s after the trigger, not before").
	Covers() string
	// Window is the length of what a trace holds when the source knows
	// it in advance, 0 otherwise.
	Window() time.Duration
}

// Flight keeps the last seconds of execution trace in memory with the
// runtime's flight recorder (Go 1.25+), watches the events written to a
// record, and when one crosses a trigger writes a snapshot beside the
// record and a trace event into it. Only one can run in a process.
type Flight struct {
	opts FlightOptions
	rec  *record.Writer
	fr   *trace.FlightRecorder // nil when opts.Source writes the traces

	mu       sync.Mutex
	stopped  bool
	busy     bool // a snapshot is being written
	n        int  // snapshots written
	total    int64
	last     time.Time
	skipped  int
	firstErr error
	wg       sync.WaitGroup
}

// StartFlight starts the runtime flight recorder and watches rec's events.
func StartFlight(rec *record.Writer, opts FlightOptions) (*Flight, error) {
	if len(opts.Triggers) == 0 {
		return nil, errors.New("profiler: a flight recorder needs at least one trigger")
	}
	if opts.MinAge <= 0 {
		opts.MinAge = DefaultFlightMinAge
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultFlightMaxBytes
	}
	if opts.MaxSnapshots <= 0 {
		opts.MaxSnapshots = DefaultFlightSnapshots
	}
	if opts.MaxTotalBytes <= 0 {
		opts.MaxTotalBytes = DefaultFlightTotal
	}
	if opts.MinGap <= 0 {
		opts.MinGap = DefaultFlightGap
	}
	if opts.Prefix == "" {
		opts.Prefix = "gcprobe-trace"
	}
	f := &Flight{opts: opts, rec: rec}
	if opts.Source == nil {
		f.fr = trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: opts.MinAge, MaxBytes: opts.MaxBytes})
		if err := f.fr.Start(); err != nil {
			return nil, fmt.Errorf("profiler: starting the flight recorder: %w", err)
		}
	}
	rec.Observe(f.observe)
	return f, nil
}

// observe checks one event against the triggers.
func (f *Flight) observe(e record.Event) {
	for _, t := range f.opts.Triggers {
		if why := t.crossed(e); why != "" {
			f.snapshot(t.Kind, why)
			return
		}
	}
}

// crossed says in words how e crosses t, or returns "".
func (t Trigger) crossed(e record.Event) string {
	switch {
	case t.Kind == record.TracePause && e.GC != nil && e.GC.PauseMaxSeconds > t.Above:
		return fmt.Sprintf("GC pause %s > %s (%s) in cycle %d", units.Seconds(e.GC.PauseMaxSeconds), units.Seconds(t.Above), t.Text, e.GC.N)
	case t.Kind == record.TraceGCCPU && e.GC != nil && e.GC.IntervalCPUSeconds > 0:
		if share := e.GC.GCCPUSeconds / e.GC.IntervalCPUSeconds; share > t.Above {
			return fmt.Sprintf("GC CPU %s of the CPU over cycle %d > %s (%s)", units.Percent(share), e.GC.N, units.Percent(t.Above), t.Text)
		}
	case t.Kind == record.TraceLatency && e.Latency != nil:
		if v, ok := latencyQuantile(e.Latency, t.Quantile); ok && v > t.Above {
			op := ""
			if e.Latency.Op != "" {
				op = " of " + e.Latency.Op
			}
			return fmt.Sprintf("request latency %s %s%s over %s > %s", quantileName(t.Quantile), units.Seconds(v), op,
				units.Seconds(e.Latency.IntervalSeconds), units.Seconds(t.Above))
		}
	}
	return ""
}

func quantileName(q float64) string {
	if q >= 1 {
		return "max"
	}
	return "p" + strconv.FormatFloat(q*100, 'g', -1, 64)
}

// latencyQuantile reads quantile q of one interval's latency histogram:
// the upper bound of the bucket that holds it (the maximum for q = 1).
func latencyQuantile(l *record.Latency, q float64) (float64, bool) {
	if l.Count == 0 {
		return 0, false
	}
	if q >= 1 && l.MaxSeconds > 0 {
		return l.MaxSeconds, true
	}
	bs := append([]record.Bucket(nil), l.Buckets...)
	sort.Slice(bs, func(i, j int) bool { return bs[i].Lo < bs[j].Lo })
	var total uint64
	for _, b := range bs {
		total += b.Count
	}
	if total == 0 {
		return 0, false
	}
	rank := q * float64(total)
	var cum uint64
	for _, b := range bs {
		cum += b.Count
		if float64(cum) >= rank {
			if b.Hi == 0 { // +Inf, stored as 0
				return max(b.Lo, l.MaxSeconds), true
			}
			return min(b.Hi, max(l.MaxSeconds, b.Lo)), true
		}
	}
	return l.MaxSeconds, true
}

// snapshot writes the flight recorder's window in the background, unless a
// bound or the rate limit says no.
func (f *Flight) snapshot(kind, why string) {
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped || f.busy || f.n >= f.opts.MaxSnapshots || f.total >= f.opts.MaxTotalBytes ||
		(!f.last.IsZero() && now.Sub(f.last) < f.opts.MinGap) {
		f.skipped++
		return
	}
	f.busy, f.last = true, now
	f.n++
	n := f.n
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ev, err := f.write(n, kind, why, now)
		f.mu.Lock()
		f.busy = false
		f.total += ev.Bytes
		remote := f.opts.Source != nil
		if err != nil && f.firstErr == nil && !remote {
			f.firstErr = err
		}
		f.mu.Unlock()
		if err != nil && remote {
			// Another process's trace can fail to come (it is gone, or
			// busy): the record says so and the run goes on.
			f.rec.Note(record.NoteWarning, "%v", err)
		}
		if err == nil {
			f.rec.Write(record.Event{T: f.rec.Since(now), Trace: &ev})
		}
	}()
}

// write writes snapshot n to its file, cut at what MaxTotalBytes leaves.
func (f *Flight) write(n int, kind, why string, asked time.Time) (record.Trace, error) {
	name := fmt.Sprintf("%s-%d.trace", f.opts.Prefix, n)
	ev := record.Trace{Path: name, Trigger: kind, Reason: why, Source: record.TraceFromFlight}
	if src := f.opts.Source; src != nil {
		ev.Source, ev.Reason = src.From(), why+"; the trace holds "+src.Covers()
		ev.DurationSeconds = src.Window().Seconds()
	}
	file, err := os.Create(filepath.Join(f.opts.Dir, name))
	if err != nil {
		return ev, fmt.Errorf("flight recorder snapshot: %w", err)
	}
	f.mu.Lock()
	room := f.opts.MaxTotalBytes - f.total
	f.mu.Unlock()
	lw := &cappedWriter{w: file, room: room}
	t0 := time.Now()
	if f.fr != nil {
		_, err = f.fr.WriteTo(lw)
	} else {
		// Stop waits for a trace being taken; the source bounds how long.
		err = f.opts.Source.WriteTrace(context.Background(), lw)
	}
	ev.WriteSeconds = time.Since(t0).Seconds()
	ev.Bytes, ev.Truncated = lw.n, lw.cut
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil && !lw.cut {
		os.Remove(file.Name())
		what := "flight recorder snapshot"
		if f.opts.Source != nil {
			what = "trace " + f.opts.Source.From()
		}
		return record.Trace{}, fmt.Errorf("%s %s (%s): not written: %w", what, name, why, err)
	}
	return ev, nil
}

// cappedWriter writes at most room bytes, then reports that it cut.
type cappedWriter struct {
	w    io.Writer
	room int64
	n    int64
	cut  bool
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.room-c.n {
		p = p[:max(c.room-c.n, 0)]
		c.cut = true
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err == nil && c.cut {
		err = errors.New("the snapshots' size bound was reached")
	}
	return n, err
}

// Stop waits for a snapshot being written, stops the flight recorder and
// notes in the record the triggers that the bounds or the rate limit
// turned away. It returns the first error writing a snapshot.
func (f *Flight) Stop() error {
	f.mu.Lock()
	if f.stopped {
		f.mu.Unlock()
		return f.firstErr
	}
	f.stopped = true
	f.mu.Unlock()
	f.wg.Wait()
	if f.fr != nil {
		f.fr.Stop()
	}
	f.mu.Lock()
	skipped, n, err := f.skipped, f.n, f.firstErr
	f.mu.Unlock()
	if skipped > 0 {
		f.rec.Note(record.NoteInfo, "flight recorder: %d more triggers fired after the %d snapshots written (at most %d, %s in all, %s apart)",
			skipped, n, f.opts.MaxSnapshots, units.Bytes(float64(f.opts.MaxTotalBytes)), f.opts.MinGap)
	}
	return err
}

// Snapshots is how many snapshots were written or are being written.
func (f *Flight) Snapshots() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}
