package attach

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/gcprobe/gcprobe/profiler/host"
	"github.com/gcprobe/gcprobe/record"
)

// Options say what to attach to and how.
type Options struct {
	// PID is the process to observe (0: none); URL the base URL of its
	// HTTP endpoints ("": none). At least one is needed.
	PID int
	URL string
	// Source is SourceAuto (the default) or one source to use.
	Source string
	// Interval is the time between polls; Duration the length of the
	// session (0: until ctx is cancelled or the target goes away); Timeout
	// bounds each request.
	Interval, Duration, Timeout time.Duration
	// Profiles are pprof profile kinds captured at the start and the end;
	// CPUProfile, when positive, the length of a CPU profile taken from the
	// start. They are written to ProfileBase + ".KIND.WHEN.pb.gz".
	Profiles    []string
	CPUProfile  time.Duration
	ProfileBase string
	// Trace, when positive, is the length of execution trace windows taken
	// from /debug/pprof/trace: one at the start, then one every
	// TraceEvery (0: only one). They are written to ProfileBase +
	// "-trace-N.trace", as the flight recorder names its snapshots.
	Trace, TraceEvery time.Duration
	// Version is gcprobe's version, for the header.
	Version string
	// Warn, when set, is told at once of a problem the user should not
	// learn about only at the end of the session: a requested profile
	// that could not be captured at the start. The record has a note of it
	// too.
	Warn func(msg string)
	// Load, when set, runs from the start of the session, writing to its
	// record (a load generator); the session ends when it returns, and
	// cancels it when the session ends first.
	Load func(ctx context.Context, w *record.Writer) error
}

// Session is an attach session whose target has been checked and whose
// source has been found and read once.
type Session struct {
	o      Options
	proc   *Process
	ep     endpoints
	f      *fetcher
	src    source
	first  reading
	header record.Header
	notes  []string // warnings found while opening, for the record
}

// Open checks the target and finds its runtime data source. Every error is
// one line for the user; nothing has been written yet.
func Open(ctx context.Context, o Options) (*Session, error) {
	if o.PID == 0 && o.URL == "" {
		return nil, errors.New("nothing to attach to: give --pid, --url or both")
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	s := &Session{o: o, f: newFetcher(o.Timeout)}
	s.header = record.Header{
		Source:         record.SourceAttach,
		Attach:         &record.Attach{URL: o.URL, Via: SourceNone},
		PID:            o.PID,
		Host:           host.Describe(),
		GCProbeVersion: o.Version,
		Start:          time.Now(),
	}
	if o.PID != 0 {
		p, err := OpenProcess(ctx, o.PID)
		if err != nil {
			return nil, err
		}
		s.proc = p
		s.header.GoVersion, s.header.GC, s.header.Env = p.Build.GoVersion, p.Build.GC, p.Env
		s.header.Program = p.Program()
	}
	if o.URL != "" {
		ep, err := parseEndpoints(o.URL)
		if err != nil {
			return nil, err
		}
		s.ep = ep
		src, r, err := detect(ctx, s.f, ep, o.Source, s.header.Start)
		if err != nil {
			return nil, err
		}
		s.src, s.first = src, r
		s.header.Attach.Via = src.name()
		if ep.only == SourcePrometheus && src.name() == SourceExpvar {
			s.notes = append(s.notes, fmt.Sprintf("read %s rather than %s: it is served too, and has every cycle's pause where /metrics has their count and sum", ep.expvar, ep.prometheus))
		}
		if ex, ok := src.(*expvarSource); ok && s.proc != nil {
			// The baseline was read without the start time; read again
			// now that the source has it.
			if err := s.expvarWindow(ctx, ex); err != nil {
				s.notes = append(s.notes, err.Error())
			}
		}
		if s.proc != nil {
			note, err := s.checkSameProcess(ctx, r.identity, time.Now())
			if err != nil {
				return nil, err
			}
			if note != "" {
				s.notes = append(s.notes, note)
			}
		}
		if h := r.header; h != nil { // the agent knows the program
			if s.header.PID == 0 {
				s.header.PID = h.PID
			}
			if s.header.GoVersion == "" {
				s.header.GoVersion, s.header.GC = h.GoVersion, h.GC
			}
			if s.header.Env == nil {
				s.header.Env = h.Env
			}
			if s.header.Program == nil {
				s.header.Program = h.Program
			}
		}
		if s.header.Program == nil {
			s.header.Program = r.program
		}
	}
	return s, nil
}

// expvarWindow gives the expvar source the target's start time and
// GOMAXPROCS, so that its samples carry the runtime's CPU account at cycle
// ends, and takes the baseline again with them.
func (s *Session) expvarWindow(ctx context.Context, ex *expvarSource) error {
	start, err := s.proc.StartTime(time.Now())
	if err != nil {
		return fmt.Errorf("GC CPU share: not measurable: the start time of PID %d is unknown (%v)", s.proc.PID, err)
	}
	ex.procStart, ex.procs = start, gomaxprocs(s.proc.Env)
	ex.started = false
	r, err := ex.poll(ctx, 0)
	if err != nil {
		return fmt.Errorf("expvar: %v", err)
	}
	s.first = r
	return nil
}

// gomaxprocs is the target's GOMAXPROCS: its environment's, else the
// number of CPUs (the runtime's default without a CPU limit).
func gomaxprocs(env map[string]string) int {
	if n, err := strconv.Atoi(env["GOMAXPROCS"]); err == nil && n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// Header is the header the record will start with.
func (s *Session) Header() record.Header { return s.header }

// Result says how a session went.
type Result struct {
	End      record.End
	Polls    int // successful polls of the source (or of the process)
	Failures int // failed polls
	// Profiles are the files of the profiles captured; ProfileErrors say
	// why a requested one was not, one line each.
	Profiles      []string
	ProfileErrors []string
	Traces        []string // execution trace windows written
	// LoadErr is Options.Load's error, context.Canceled when the session
	// ended before the load did.
	LoadErr error
}

// Requested counts the profiles the options ask for: each kind at the
// start and at the end, and the CPU profile.
func (o Options) Requested() int {
	n := 2 * len(o.Profiles)
	if o.CPUProfile > 0 {
		n++
	}
	return n
}

// Record runs the session, writing the record to out, until the duration
// has passed, ctx is cancelled (End reason interrupted) or the target goes
// away (lost). The record is complete (it has its end event) in every case
// but a write error, which is returned.
func (s *Session) Record(ctx context.Context, out io.Writer) (Result, error) {
	w, err := record.NewWriter(out, s.header)
	if err != nil {
		return Result{}, err
	}
	if s.proc != nil {
		defer s.proc.Close()
	}
	r := &recorder{s: s, w: w}
	return r.run(ctx)
}

// recorder is the state of one Record call.
type recorder struct {
	s        *Session
	w        *record.Writer
	res      Result
	failing  int    // consecutive failed polls
	lastErr  string // the error of the current failing streak
	lastGood float64
}

func (r *recorder) run(ctx context.Context) (Result, error) {
	s := r.s
	for _, n := range s.notes {
		r.w.Note(record.NoteWarning, "%s", n)
	}
	if s.src == nil {
		r.w.Note(record.NoteInfo, "no runtime endpoint (--url): only RSS and CPU are recorded. For GC cycles, pauses and heap: run the program under gcprobe run (it reads GODEBUG=gctrace=1), or mount the gcprobe agent (profiler.New(...).Handler() at /debug/gcprobe/) and attach with --url")
	}
	if s.src != nil && s.src.name() == SourceExpvar && s.proc == nil {
		r.w.Note(record.NoteInfo, "expvar has no RSS or CPU: add --pid to record them")
	}
	now := r.w.Since(time.Now())
	pr, perr := s.readProcess(ctx)
	if perr != nil {
		return r.end(r.lost(now, perr))
	}
	r.writePoll(s.first, pr, s.src == nil || s.first.sampleOK, now)
	r.lastGood = now

	pp := &pprofClient{f: s.f, url: s.ep.pprof, base: s.o.ProfileBase}
	if s.o.URL != "" {
		r.profiles(ctx, pp, "start")
	}
	cpuDone := make(chan struct{})
	cpuCtx, cpuCancel := context.WithCancel(ctx)
	defer cpuCancel()
	if s.o.CPUProfile > 0 && s.o.URL != "" {
		go func() {
			defer close(cpuDone)
			r.profile(cpuCtx, pp, "cpu", "")
		}()
	} else {
		close(cpuDone)
	}

	traceDone := make(chan struct{})
	if s.o.Trace > 0 && s.o.URL != "" {
		go func() {
			defer close(traceDone)
			r.traceWindows(cpuCtx, pp)
		}()
	} else {
		close(traceDone)
	}

	tick := time.NewTicker(s.o.Interval)
	defer tick.Stop()
	var deadline <-chan time.Time
	if s.o.Duration > 0 {
		t := time.NewTimer(s.o.Duration)
		defer t.Stop()
		deadline = t.C
	}
	end := record.End{Reason: record.EndDuration}
	loadDone, finishLoad := r.startLoad()
loop:
	for {
		select {
		case <-loadDone:
			break loop
		case <-ctx.Done():
			end.Reason = record.EndInterrupted
			break loop
		case <-deadline:
			break loop
		case <-tick.C:
			if e, stop := r.poll(ctx); stop {
				end = e
				break loop
			}
		}
	}
	if r.res.LoadErr = finishLoad(); r.res.LoadErr != nil && !errors.Is(r.res.LoadErr, context.Canceled) {
		end = record.End{Reason: record.EndError, Error: "load: " + r.res.LoadErr.Error()}
	}
	if end.Reason != record.EndLost {
		// A last poll, so that the record covers the session to its end
		// rather than to the last tick (bounded by --timeout).
		if e, stop := r.poll(context.WithoutCancel(ctx)); stop {
			end = e
		}
	}
	if end.Reason == record.EndDuration {
		// A CPU profile as long as the session is still on its way.
		select {
		case <-cpuDone:
		case <-time.After(s.o.Timeout):
		}
	}
	cpuCancel()
	<-cpuDone
	<-traceDone
	if end.Reason != record.EndLost && s.o.URL != "" {
		// Even after Ctrl-C: the end profiles are part of a complete record,
		// and each fetch is bounded by --timeout.
		r.profiles(context.WithoutCancel(ctx), pp, "end")
	}
	return r.end(end)
}

// startLoad starts Options.Load; done is closed when it returns, and
// finish cancels it if it has not, waits and returns its error. Without a
// load, done never fires.
func (r *recorder) startLoad() (done <-chan struct{}, finish func() error) {
	if r.s.o.Load == nil {
		return nil, func() error { return nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := make(chan struct{})
	var err error
	go func() {
		defer close(c)
		err = r.s.o.Load(ctx, r.w)
	}()
	return c, func() error {
		cancel()
		<-c
		return err
	}
}

// poll reads the source and the process once and writes what they gave. It
// reports the end of the session when the target has gone away or ctx is
// done.
func (r *recorder) poll(ctx context.Context) (record.End, bool) {
	s := r.s
	now := r.w.Since(time.Now())
	var rd reading
	var serr error
	if s.src != nil {
		rd, serr = s.src.poll(ctx, now)
	}
	if ctx.Err() != nil {
		return record.End{Reason: record.EndInterrupted}, true
	}
	pr, perr := s.readProcess(ctx)
	if serr == nil && perr == nil {
		r.failing, r.lastErr, r.lastGood = 0, "", now
		r.res.Polls++
		r.writePoll(rd, pr, s.src == nil || rd.sampleOK, now)
		return record.End{}, false
	}
	r.res.Failures++
	if perr != nil {
		if serr == nil {
			r.writePoll(rd, nil, rd.sampleOK, now) // what the source still said
		}
		return r.lost(now, perr), true
	}
	// The process (if known) is alive; the endpoint failed.
	r.failing++
	if msg := serr.Error(); msg != r.lastErr {
		r.lastErr = msg
		r.w.Write(record.Event{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf("poll at %.3fs failed: %v", now, serr)}})
	}
	if pr != nil {
		r.writePoll(reading{}, pr, true, now)
		return record.End{}, false
	}
	if errors.Is(serr, ErrRefused) || r.failing >= 3 {
		return r.lost(now, serr), true
	}
	return record.End{}, false
}

// lost writes the note that says when and how the target went away.
func (r *recorder) lost(now float64, err error) record.End {
	s := r.s
	var how string
	switch {
	case s.proc != nil && errors.Is(err, ErrGone):
		how = fmt.Sprintf("process %d exited between %.3fs and %.3fs (%v)", s.proc.PID, r.lastGood, now, err)
	case errors.Is(err, ErrRefused):
		how = fmt.Sprintf("%s stopped accepting connections between %.3fs and %.3fs: the service exited or closed its port", s.ep.base, r.lastGood, now)
	default:
		how = fmt.Sprintf("target lost between %.3fs and %.3fs after %d failed polls: %v", r.lastGood, now, r.failing, err)
	}
	r.w.Write(record.Event{T: now, Note: &record.Note{Level: record.NoteWarning, Message: how + "; everything recorded before stays"}})
	return record.End{Reason: record.EndLost}
}

func (s *Session) readProcess(ctx context.Context) (*ProcessReading, error) {
	if s.proc == nil {
		return nil, nil
	}
	pr, err := s.proc.Read(ctx)
	if err != nil {
		return nil, err
	}
	return &pr, nil
}

// writePoll writes a poll's events, then its sample at now when withSample:
// the source's runtime fields with the process's RSS, peak RSS and CPU.
// Samples the source sent itself (the agent's) get the process's fields
// where they have none.
func (r *recorder) writePoll(rd reading, pr *ProcessReading, withSample bool, now float64) {
	for _, e := range rd.events {
		if e.Sample != nil && pr != nil && e.Sample.RSSBytes == 0 {
			fillProcess(e.Sample, pr)
		}
		r.w.Write(e)
	}
	if !withSample || (!rd.sampleOK && pr == nil) {
		return
	}
	smp := rd.sample
	if pr != nil {
		fillProcess(&smp, pr)
	}
	r.w.Write(record.Event{T: now, Sample: &smp})
}

func fillProcess(s *record.Sample, pr *ProcessReading) {
	s.RSSBytes, s.RSSPeakBytes, s.CPUSecondsTotal = pr.RSSBytes, pr.RSSPeakBytes, pr.CPUSecondsTotal
	if s.ProcMemory == nil {
		s.ProcMemory = pr.Memory
	}
}

// profiles captures the --profiles at the start or the end.
func (r *recorder) profiles(ctx context.Context, pp *pprofClient, when string) {
	for _, kind := range r.s.o.Profiles {
		r.profile(ctx, pp, kind, when)
	}
}

func (r *recorder) profile(ctx context.Context, pp *pprofClient, kind, when string) {
	p, err := pp.capture(ctx, kind, when, r.s.o.CPUProfile)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%s profile: not captured: the session ended first", kind)
		}
		r.w.Note(record.NoteWarning, "%v", err)
		r.res.ProfileErrors = append(r.res.ProfileErrors, err.Error())
		if when == "start" && r.s.o.Warn != nil {
			r.s.o.Warn(err.Error())
		}
		return
	}
	r.res.Profiles = append(r.res.Profiles, p.Path)
	r.w.Write(record.Event{Profile: p})
}

// end writes the end event.
func (r *recorder) end(e record.End) (Result, error) {
	r.res.End = e
	if err := r.w.Write(record.Event{End: &e}); err != nil {
		return r.res, err
	}
	return r.res, nil
}
