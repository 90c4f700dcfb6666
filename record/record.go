package record

import "time"

// Schema is the format version written in every header. A reader accepts any
// minor revision of the same major version ("gcprobe.run/v1", "gcprobe.run/v1.2").
const Schema = "gcprobe.run/v1"

// Sources of a run record, for Header.Source.
const (
	SourceProbe    = "probe"    // the in-process probe of a program that embeds gcprobe
	SourceRun      = "run"      // a child process started by gcprobe run
	SourceAttach   = "attach"   // a running process observed from outside
	SourceScenario = "scenario" // a built-in scenario
	SourceImport   = "import"   // a saved log converted after the fact (gctrace)
	// SourcePrometheus is one instance of a fleet, read back from a
	// Prometheus server's query API (gcprobe import prometheus). Its
	// samples always carry the GC cycle and pause counters: one that is
	// absent (omitted as zero) is zero, not unknown.
	SourcePrometheus = "prometheus"
)

// GC implementations, for Header.GC.
const (
	GCGreenTea = "greentea" // Go 1.26 default, or GOEXPERIMENT=greenteagc
	GCClassic  = "classic"  // before Go 1.25, or GOEXPERIMENT=nogreenteagc
)

// Header is the first line of a run record: everything needed to know what
// was measured and to reproduce it.
type Header struct {
	Schema string `json:"schema"`
	// Source is one of the Source* constants.
	Source string `json:"source"`
	// Command is the observed program's argv, when gcprobe started it.
	Command []string `json:"command,omitempty"`
	// Scenario names the built-in scenario, with its parameters in Params.
	Scenario string            `json:"scenario,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
	// Attach describes how an attached process was reached.
	Attach *Attach `json:"attach,omitempty"`
	// PID is the observed process (0 when unknown, as for an import).
	PID int `json:"pid,omitempty"`
	// Program names what was observed, as the source saw it, for titles
	// and headers; absent when the source could not tell.
	Program *Program `json:"program,omitempty"`
	// Env holds the GC-relevant environment of the observed program:
	// GOGC, GOMEMLIMIT, GOMAXPROCS, GODEBUG, GOEXPERIMENT. A key that is
	// absent was not set.
	Env map[string]string `json:"env,omitempty"`
	// GoVersion is the observed program's Go version ("go1.26.8").
	GoVersion string `json:"go_version,omitempty"`
	// GC is GCGreenTea or GCClassic, empty when it could not be told.
	GC   string `json:"gc,omitempty"`
	Host Host   `json:"host"`
	// Labels identify one instance of a fleet: its Prometheus target
	// labels (job, instance, and whatever the scrape config adds, such as
	// version or zone), for records imported from Prometheus.
	Labels map[string]string `json:"labels,omitempty"`
	// GCProbeVersion is the version of gcprobe that wrote the record.
	GCProbeVersion string `json:"gcprobe_version,omitempty"`
	// Start is the wall-clock time every event's T is measured from.
	Start time.Time `json:"start"`
}

// Program names an observed program.
type Program struct {
	// Name is the program's name ("nats-server"); for an imported log, the
	// log's file name.
	Name string `json:"name,omitempty"`
	// Args is its command line, when the source gives one.
	Args []string `json:"args,omitempty"`
	// From says where Name and Args came from: one of the ProgramFrom*
	// constants.
	From string `json:"from,omitempty"`
}

// Where a Program came from, for Program.From.
const (
	ProgramFromProc    = "/proc/PID/cmdline" // the operating system, for a PID
	ProgramFromAgent   = "agent"             // the gcprobe agent (the program's os.Args)
	ProgramFromExpvar  = "expvar cmdline"    // expvar's "cmdline" variable (os.Args)
	ProgramFromLogFile = "log file name"     // an imported log: its file name, not the program's
)

// Attach says how an attached process was observed.
type Attach struct {
	URL string `json:"url,omitempty"`
	// Via is the runtime data source that answered: "agent", "expvar",
	// "prometheus", or "none" (process metrics only).
	Via string `json:"via"`
}

// Host describes the machine the run was measured on.
type Host struct {
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os,omitempty"`
	Arch     string `json:"arch,omitempty"`
	CPUs     int    `json:"cpus,omitempty"`
	// MemoryBytes is the machine's physical memory.
	MemoryBytes uint64 `json:"memory_bytes,omitempty"`
	// CgroupMemoryLimitBytes is the container's memory limit, absent when
	// there is none.
	CgroupMemoryLimitBytes uint64 `json:"cgroup_memory_limit_bytes,omitempty"`
}

// Event is one line after the header: a time offset and exactly one payload.
// Kind reports which payload is set; a line with none of the known payloads
// (written by a newer gcprobe) has kind "".
type Event struct {
	// T is seconds since Header.Start.
	T       float64  `json:"t"`
	Sample  *Sample  `json:"sample,omitempty"`
	GC      *GC      `json:"gc,omitempty"`
	Pauses  *Pauses  `json:"pauses,omitempty"`
	Latency *Latency `json:"latency,omitempty"`
	Profile *Profile `json:"profile,omitempty"`
	Note    *Note    `json:"note,omitempty"`
	End     *End     `json:"end,omitempty"`
	Trace   *Trace   `json:"trace,omitempty"`
}

// Event kinds, as returned by Event.Kind.
const (
	KindSample  = "sample"
	KindGC      = "gc"
	KindPauses  = "pauses"
	KindLatency = "latency"
	KindProfile = "profile"
	KindNote    = "note"
	KindEnd     = "end"
	KindTrace   = "trace"
)

// Kind names the payload that is set, or "" for none.
func (e *Event) Kind() string {
	switch {
	case e.Sample != nil:
		return KindSample
	case e.GC != nil:
		return KindGC
	case e.Pauses != nil:
		return KindPauses
	case e.Latency != nil:
		return KindLatency
	case e.Profile != nil:
		return KindProfile
	case e.Note != nil:
		return KindNote
	case e.End != nil:
		return KindEnd
	case e.Trace != nil:
		return KindTrace
	}
	return ""
}

// Sample is a periodic reading of the observed process. Cumulative counters
// end in _total; the rest are gauges at time T.
type Sample struct {
	// RSSBytes is the resident set size; RSSPeakBytes the high-water mark
	// (VmHWM on Linux).
	RSSBytes     uint64 `json:"rss_bytes,omitempty"`
	RSSPeakBytes uint64 `json:"rss_peak_bytes,omitempty"`
	// HeapLiveBytes is the heap marked live by the last GC
	// (/gc/heap/live:bytes); HeapGoalBytes the pacer's goal for the
	// current cycle (/gc/heap/goal:bytes).
	HeapLiveBytes uint64 `json:"heap_live_bytes,omitempty"`
	HeapGoalBytes uint64 `json:"heap_goal_bytes,omitempty"`
	// HeapObjectsBytes is memory in live and not-yet-swept heap objects
	// (/memory/classes/heap/objects:bytes, expvar HeapAlloc).
	HeapObjectsBytes uint64 `json:"heap_objects_bytes,omitempty"`
	// GoTotalBytes is all memory mapped by the Go runtime
	// (/memory/classes/total:bytes, expvar Sys).
	GoTotalBytes uint64 `json:"go_total_bytes,omitempty"`
	// AllocBytesTotal is cumulative bytes allocated on the heap
	// (/gc/heap/allocs:bytes, expvar TotalAlloc).
	AllocBytesTotal uint64 `json:"alloc_bytes_total,omitempty"`
	// GCCyclesTotal counts completed GC cycles (/gc/cycles/total:gc-cycles).
	GCCyclesTotal uint64 `json:"gc_cycles_total,omitempty"`
	Goroutines    uint64 `json:"goroutines,omitempty"`
	// CPUSecondsTotal is the process's user+system CPU time.
	CPUSecondsTotal float64 `json:"cpu_seconds_total,omitempty"`
	// GCCPUSecondsTotal is CPU time spent in the GC
	// (/cpu/classes/gc/total:cpu-seconds); it moves only at the end of a
	// cycle. TotalCPUSecondsTotal is the runtime's estimate of all available
	// CPU time (/cpu/classes/total:cpu-seconds, i.e. wall time x GOMAXPROCS).
	GCCPUSecondsTotal    float64 `json:"gc_cpu_seconds_total,omitempty"`
	TotalCPUSecondsTotal float64 `json:"total_cpu_seconds_total,omitempty"`
	// GCCPUFraction is the share of available CPU used by the GC since the
	// program started, as the source reports it (expvar GCCPUFraction).
	GCCPUFraction float64 `json:"gc_cpu_fraction,omitempty"`
	// GoMemory is the runtime's memory by class, when the source exposes
	// it; ProcMemory the operating system's split of the RSS, when the
	// source read /proc/PID/smaps_rollup. See memory.go.
	GoMemory   *GoMemory   `json:"go_memory,omitempty"`
	ProcMemory *ProcMemory `json:"proc_memory,omitempty"`
	// GCIdleCPUSecondsTotal is the part of GCCPUSecondsTotal spent by
	// idle-priority mark workers (/cpu/classes/gc/mark/idle:cpu-seconds),
	// which run only on Ps that would otherwise be idle; it moves only at
	// the end of a cycle, as GCCPUSecondsTotal does.
	GCIdleCPUSecondsTotal float64 `json:"gc_idle_cpu_seconds_total,omitempty"`
	// GCCPUWithoutIdle marks GCCPUSecondsTotal and TotalCPUSecondsTotal
	// derived from a since-start fraction that leaves idle mark work out
	// (expvar's GCCPUFraction, at the last cycle's end): the idle part is
	// then unknown, not zero.
	GCCPUWithoutIdle bool `json:"gc_cpu_without_idle,omitempty"`
	// PauseSecondsTotal is all stop-the-world GC pause time since the
	// program started, exactly (client_golang's go_gc_duration_seconds_sum,
	// runtime/debug GCStats.PauseTotal).
	PauseSecondsTotal float64 `json:"pause_seconds_total,omitempty"`
	// PauseMaxRecentSeconds is the longest pause of the source's recent
	// pause history at time T (go_gc_duration_seconds{quantile="1"}: the
	// largest per-cycle pause among the last 256 cycles), which may
	// include cycles from before the record began.
	PauseMaxRecentSeconds float64 `json:"pause_max_recent_seconds,omitempty"`
}

// GC is one garbage-collection cycle.
type GC struct {
	// N is the cycle's number as the runtime counts it (gctrace "gc N",
	// or the /gc/cycles/total count after the cycle).
	N uint64 `json:"n"`
	// StartSeconds and EndSeconds bound the cycle on the record's clock
	// when the source knows them (gctrace does; runtime/metrics only sees
	// that a cycle ended somewhere within a sample interval, and leaves
	// them absent — see Event.T for when it was noticed).
	StartSeconds float64 `json:"start_seconds,omitempty"`
	EndSeconds   float64 `json:"end_seconds,omitempty"`
	// Forced is a cycle started by runtime.GC or debug.FreeOSMemory.
	// Periodic is the runtime's forced GC after two minutes without one
	// (forcegcperiod), which the runtime counts as automatic.
	Forced   bool `json:"forced,omitempty"`
	Periodic bool `json:"periodic,omitempty"`
	// PauseSeconds is the total stop-the-world time of the cycle;
	// PauseMaxSeconds the longest single pause. From a histogram these are
	// bucket estimates.
	PauseSeconds    float64 `json:"pause_seconds,omitempty"`
	PauseMaxSeconds float64 `json:"pause_max_seconds,omitempty"`
	// Heap sizes: at the start of the cycle, at its end (mark
	// termination), marked live, and the goal the cycle aimed for.
	HeapStartBytes uint64 `json:"heap_start_bytes,omitempty"`
	HeapEndBytes   uint64 `json:"heap_end_bytes,omitempty"`
	HeapLiveBytes  uint64 `json:"heap_live_bytes,omitempty"`
	HeapGoalBytes  uint64 `json:"heap_goal_bytes,omitempty"`
	StacksBytes    uint64 `json:"stacks_bytes,omitempty"`
	GlobalsBytes   uint64 `json:"globals_bytes,omitempty"`
	Procs          int    `json:"procs,omitempty"`
	// CPU time the cycle spent in mutator assists, background mark workers
	// and idle mark workers (gctrace), and in total.
	AssistCPUSeconds     float64 `json:"assist_cpu_seconds,omitempty"`
	BackgroundCPUSeconds float64 `json:"background_cpu_seconds,omitempty"`
	IdleCPUSeconds       float64 `json:"idle_cpu_seconds,omitempty"`
	GCCPUSeconds         float64 `json:"gc_cpu_seconds,omitempty"`
	// IntervalCPUSeconds is all CPU time available between the end of the
	// previous cycle and the end of this one, so that
	// GCCPUSeconds/IntervalCPUSeconds is the GC's CPU share over an
	// interval bounded by GC cycles.
	IntervalCPUSeconds float64 `json:"interval_cpu_seconds,omitempty"`
	// CumulativeGCCPUFraction is the GC's share of CPU since the program
	// started, as gctrace prints it ("@1.2s 4%").
	CumulativeGCCPUFraction float64 `json:"cumulative_gc_cpu_fraction,omitempty"`
	// LeakCheck marks a Go 1.26 cycle that also checked for goroutine leaks.
	LeakCheck bool `json:"leak_check,omitempty"`
}

// Bucket is one bucket of a histogram: Count observations in [Lo, Hi).
// Hi may be +Inf, which JSON cannot hold: it is written as 0 with Lo > 0.
type Bucket struct {
	Lo    float64 `json:"lo_seconds"`
	Hi    float64 `json:"hi_seconds"`
	Count uint64  `json:"count"`
}

// Pauses is the change in the runtime's stop-the-world pause histogram
// (/sched/pauses/total/gc:seconds) since the previous Pauses event.
// Only non-empty buckets are written.
//
// A source without a histogram of single pauses (client_golang's
// go_gc_duration_seconds summary) writes Count and SumSeconds instead, which
// are exact, and MaxSeconds when it knows a maximum; MaxNote then says what
// that maximum is over.
type Pauses struct {
	Buckets []Bucket `json:"buckets"`
	// Count and SumSeconds are the number and total length of the pauses
	// since the previous Pauses event, for a source without Buckets.
	Count      uint64  `json:"count,omitempty"`
	SumSeconds float64 `json:"sum_seconds,omitempty"`
	// MaxSeconds is the longest pause the source reports at this poll,
	// over what MaxNote says ("the last 256 pauses").
	MaxSeconds float64 `json:"max_seconds,omitempty"`
	MaxNote    string  `json:"max_note,omitempty"`
}

// Latency is the change in a request-latency histogram over one interval
// ending at T, for the operation Op ("" for all requests).
type Latency struct {
	Op string `json:"op,omitempty"`
	// IntervalSeconds is the length of the interval the counts cover.
	IntervalSeconds float64 `json:"interval_seconds"`
	// Count, MaxSeconds and SumSeconds summarise the interval exactly;
	// Buckets hold the distribution with bounded relative error.
	Count      uint64   `json:"count"`
	MaxSeconds float64  `json:"max_seconds,omitempty"`
	SumSeconds float64  `json:"sum_seconds,omitempty"`
	Buckets    []Bucket `json:"buckets,omitempty"`
	// Dropped counts requests the load generator could not start on time
	// because every worker was busy; their latency still counts from their
	// intended start.
	Dropped uint64 `json:"dropped,omitempty"`
	// Status counts the interval's HTTP responses by status class ("2xx",
	// "5xx", ...), for a load generator that speaks HTTP. Errors counts
	// requests that got no response (refused or reset connection, bad
	// response): they are not in Count or Buckets, since their latency is
	// not the service's. Timeouts counts requests that got no response
	// within the generator's timeout: they are in Count and Buckets with the
	// time they waited.
	Status   map[string]uint64 `json:"status,omitempty"`
	Errors   uint64            `json:"errors,omitempty"`
	Timeouts uint64            `json:"timeouts,omitempty"`
	// Slowest are the slowest requests of the interval (a bounded number,
	// slowest first), with their own start times, so that a reader can tell
	// exactly whether a slow request overlapped a GC cycle.
	Slowest []Request `json:"slowest,omitempty"`
}

// Request is one request: its intended start on the record's clock and its
// latency measured from that start.
type Request struct {
	StartSeconds   float64 `json:"start_seconds"`
	LatencySeconds float64 `json:"latency_seconds"`
}

// Profile is a pprof profile captured during the run and stored beside the
// record.
type Profile struct {
	// Kind is the pprof profile name: heap, allocs, cpu, goroutine, ...
	Kind string `json:"kind"`
	// Path is the file, relative to the record's directory.
	Path string `json:"path"`
	// When is "start", "end", or empty for a profile taken mid-run.
	When string `json:"when,omitempty"`
	// DurationSeconds is the CPU profile's length.
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
}

// Trace triggers: what made a source write an execution trace.
const (
	TracePause   = "pause"   // a GC pause above a threshold
	TraceGCCPU   = "gc-cpu"  // the GC's CPU share over a cycle above a threshold
	TraceLatency = "latency" // a request latency quantile above a threshold
	TraceWindow  = "window"  // a scheduled window (gcprobe attach --trace)
)

// Trace sources: where a triggered trace came from (Trace.Source). The
// flight recorders' snapshots hold the seconds before the trigger; a
// /debug/pprof/trace window holds the seconds after it.
const (
	TraceFromFlight = "flight-recorder"       // the recording process's own runtime flight recorder
	TraceFromAgent  = "agent-flight-recorder" // the target's flight recorder, through gcprobe's agent
	TraceFromPprof  = "pprof-window"          // a /debug/pprof/trace window the target served after the trigger
)

// Trace is a Go execution trace written beside the record: a flight
// recorder snapshot of the last seconds before a trigger, or a window taken
// from /debug/pprof/trace. The event's T is when it was asked for.
type Trace struct {
	// Path is the file, relative to the record's directory.
	Path string `json:"path"`
	// Trigger is one of the Trace* constants; Reason says in words what
	// crossed which threshold ("GC pause 3.1ms > 2ms in cycle 41").
	Trigger string `json:"trigger"`
	Reason  string `json:"reason"`
	// Bytes is the file's size; WriteSeconds how long writing it took.
	Bytes        int64   `json:"bytes"`
	WriteSeconds float64 `json:"write_seconds,omitempty"`
	// DurationSeconds is a window's length (for snapshots: unknown, the
	// flight recorder keeps at least its MinAge).
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	// Truncated says the file was cut at the source's size bound.
	Truncated bool `json:"truncated,omitempty"`
	// Source is one of the TraceFrom* constants for a triggered trace;
	// empty for a scheduled window and in records written before it was
	// added (then: the recording process's flight recorder).
	Source string `json:"source,omitempty"`
}

// Note levels.
const (
	NoteInfo    = "info"
	NoteWarning = "warning"
)

// Note is a message from the source to whoever reads the record: something
// that was lost, assumed or could not be measured.
type Note struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// End reasons.
const (
	EndExit        = "exit"        // the program exited by itself
	EndSignal      = "signal"      // the program was killed by a signal
	EndDuration    = "duration"    // gcprobe stopped it after --duration
	EndInterrupted = "interrupted" // the user interrupted gcprobe
	EndLost        = "lost"        // the observed process went away (attach)
	EndError       = "error"       // gcprobe itself failed
	// EndImported ends a record converted from a log (gcprobe import): the
	// log ended there; how the program ended is not known.
	EndImported = "imported"
)

// End is the last event of a complete record.
type End struct {
	Reason   string `json:"reason"`
	ExitCode int    `json:"exit_code"`
	Signal   string `json:"signal,omitempty"`
	Error    string `json:"error,omitempty"`
}
