package trace

// Analysis is what Analyze computes from one execution trace. Times named
// ...AtNs are offsets from the trace's first event; all durations are
// nanoseconds.
type Analysis struct {
	// Source names the trace (a file name), for headings.
	Source string `json:"source"`
	// DurationNs is the time from the first to the last event read.
	DurationNs int64 `json:"duration_ns"`
	// Events counts the events read.
	Events int64 `json:"events"`
	// GOMAXPROCS is the last value the trace reported (0 if none).
	GOMAXPROCS int `json:"gomaxprocs"`
	// Truncated says the trace ended early or was damaged: the analysis
	// covers it up to the last event read.
	Truncated bool `json:"truncated"`
	// MMU is the minimum mutator utilization per window length, for the
	// windows that fit in the trace.
	MMU []MMUPoint `json:"mmu"`
	// Cycles are the GC cycles seen, in order.
	Cycles []Cycle `json:"cycles"`
	// InGC and OutsideGC compare what goroutines went through during GC
	// cycles (from sweep termination to the end of mark termination)
	// against the rest of the trace.
	InGC      Exposure `json:"in_gc"`
	OutsideGC Exposure `json:"outside_gc"`
	// Delayed are the goroutines the GC delayed most (waiting runnable or
	// stopped during GC, or in assists), most first.
	Delayed []Goroutine `json:"delayed"`
	// Payers are the goroutines that spent most time in mark assists.
	Payers []Goroutine `json:"assist_payers"`
	// Regions compares runtime/trace regions (such as requests) that
	// overlapped a GC cycle against those that did not, per region type.
	Regions []RegionGroup `json:"regions"`
	// Tasks compares runtime/trace tasks (such as gcprobe's requests,
	// queue wait included) that overlapped a GC cycle against the others,
	// per task type.
	Tasks []TaskGroup `json:"tasks,omitempty"`
	// Verdict says in plain words what the GC did to the program.
	Verdict string `json:"verdict"`
	// Warnings are doubts about the analysis (a truncated trace, no GC).
	Warnings []string `json:"warnings"`
}

// MMUPoint is the minimum mutator utilization of one window length.
type MMUPoint struct {
	WindowNs int64 `json:"window_ns"`
	// Util is the lowest share of CPU left to the program in any window
	// of this length, 0 to 1.
	Util float64 `json:"util"`
	// WorstAtNs is where the worst such window starts.
	WorstAtNs int64 `json:"worst_at_ns"`
}

// Cycle is one GC cycle: the sweep-termination stop-the-world, the
// concurrent mark phase and the mark-termination stop-the-world.
type Cycle struct {
	// StartAtNs is the start of sweep termination (or of the mark phase,
	// if the trace began after it); EndAtNs the end of mark termination.
	StartAtNs int64 `json:"start_at_ns"`
	EndAtNs   int64 `json:"end_at_ns"`
	// SweepTermNs and MarkTermNs are the two stop-the-world pauses.
	SweepTermNs int64 `json:"sweep_termination_ns"`
	MarkTermNs  int64 `json:"mark_termination_ns"`
	// MarkAtNs and MarkNs are the runtime's "GC concurrent mark phase".
	MarkAtNs int64 `json:"mark_at_ns"`
	MarkNs   int64 `json:"mark_ns"`
	// Complete is false when the trace began or ended inside the cycle.
	Complete bool `json:"complete"`
	// Procs says what each P ran during the mark phase.
	Procs []ProcTime `json:"procs"`
	// Waiting counts the goroutines that waited runnable during the
	// cycle; WaitNs is their summed wait within it.
	Waiting int   `json:"waiting_goroutines"`
	WaitNs  int64 `json:"wait_ns"`
	// AssistNs sums the goroutines' time in mark assists within the
	// cycle: running, parked in the assist queue or waiting for a P.
	AssistNs int64 `json:"assist_ns"`
}

// ProcTime is how one P spent a mark phase.
type ProcTime struct {
	Proc         int   `json:"proc"`
	DedicatedNs  int64 `json:"dedicated_ns"`
	FractionalNs int64 `json:"fractional_ns"`
	IdleMarkNs   int64 `json:"idle_mark_ns"`
	AssistNs     int64 `json:"assist_ns"`
	UserNs       int64 `json:"user_ns"`
	// IdleNs is time the P ran no goroutine.
	IdleNs int64 `json:"idle_ns"`
}

// WorkerNs is the P's time in mark workers of any kind.
func (p ProcTime) WorkerNs() int64 { return p.DedicatedNs + p.FractionalNs + p.IdleMarkNs }

// Exposure is what the program's goroutines (not the GC's workers) went
// through in one class of time: during GC cycles, or outside them.
type Exposure struct {
	// SpanNs is how much of the trace this class covers.
	SpanNs int64 `json:"span_ns"`
	// Waits counts the runnable-to-running waits that began in this
	// class; MeanWaitNs and MaxWaitNs are their lengths.
	Waits      int64 `json:"waits"`
	MeanWaitNs int64 `json:"mean_wait_ns"`
	MaxWaitNs  int64 `json:"max_wait_ns"`
	// WaitingGoroutines counts the goroutines with such a wait.
	WaitingGoroutines int `json:"waiting_goroutines"`
	// RunnableNs is the time goroutines spent runnable without a P (not
	// counting stop-the-world) within this class.
	RunnableNs int64 `json:"runnable_ns"`
	// STWNs is the time goroutines were runnable or running while a GC
	// stopped the world (zero outside GC).
	STWNs int64 `json:"stw_ns"`
	// AssistNs is the time goroutines spent in mark assists (running,
	// parked in the assist queue or runnable again); outside GC it is the
	// end of assists that outlasted their cycle.
	AssistNs int64 `json:"assist_ns"`
}

// Goroutine is one row of a top list.
type Goroutine struct {
	ID int64 `json:"id"`
	// Func is the first non-runtime function of the stack where the
	// goroutine waited longest (Delayed) or entered an assist (Payers); the
	// goroutine's start function when the trace has no better stack.
	Func string `json:"func"`
	// RunnableInGCNs and RunnableOutsideNs split its runnable time.
	RunnableInGCNs    int64 `json:"runnable_in_gc_ns"`
	RunnableOutsideNs int64 `json:"runnable_outside_ns"`
	STWNs             int64 `json:"stw_ns"`
	AssistNs          int64 `json:"assist_ns"`
	Assists           int   `json:"assists"`
	MaxWaitNs         int64 `json:"max_wait_ns"`
}

// GCDelayNs is the time the GC cost the goroutine.
func (g Goroutine) GCDelayNs() int64 { return g.RunnableInGCNs + g.STWNs + g.AssistNs }

// RegionGroup compares the regions of one type that overlapped a GC cycle
// (InGC) with the others.
type RegionGroup struct {
	Type      string      `json:"type"`
	InGC      RegionStats `json:"in_gc"`
	OutsideGC RegionStats `json:"outside_gc"`
}

// RegionStats sums regions of one type and class.
type RegionStats struct {
	Count  int64 `json:"count"`
	MeanNs int64 `json:"mean_ns"`
	MaxNs  int64 `json:"max_ns"`
	// Mean time per region runnable without a P, stopped by STW, in
	// assists.
	MeanRunnableNs int64 `json:"mean_runnable_ns"`
	MeanSTWNs      int64 `json:"mean_stw_ns"`
	MeanAssistNs   int64 `json:"mean_assist_ns"`
}

// MMUCurve is the MMU as two columns: window lengths in seconds and
// utilizations, for a chart.
func (a *Analysis) MMUCurve() (windows, utils []float64) {
	for _, p := range a.MMU {
		windows = append(windows, float64(p.WindowNs)/1e9)
		utils = append(utils, p.Util)
	}
	return windows, utils
}

// CycleShares is, for a chart of the trace's GC timeline, a step series of
// the share of the Ps (0 to 1) that ran mark workers (dedicated and
// fractional) and goroutines in assists during each mark phase, zero
// between them; times in seconds from the trace's start.
func (a *Analysis) CycleShares() (t, workers, assists []float64) {
	if a.GOMAXPROCS == 0 {
		return nil, nil, nil
	}
	for _, c := range a.Cycles {
		if c.MarkNs <= 0 {
			continue
		}
		var w, as int64
		for _, p := range c.Procs {
			w += p.DedicatedNs + p.FractionalNs
			as += p.AssistNs
		}
		span := float64(c.MarkNs) * float64(a.GOMAXPROCS)
		s, e := float64(c.MarkAtNs)/1e9, float64(c.MarkAtNs+c.MarkNs)/1e9
		t = append(t, s, s, e, e)
		workers = append(workers, 0, float64(w)/span, float64(w)/span, 0)
		assists = append(assists, 0, float64(as)/span, float64(as)/span, 0)
	}
	return t, workers, assists
}
