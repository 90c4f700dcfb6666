package summary

import (
	"cmp"
	"fmt"
	"math"

	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// Memory reconciles the RSS with what the Go runtime and the operating system
// say about it, at the peak and at every sample.
type Memory struct {
	// AtPeak is the breakdown at the sample of highest RSS in the measured
	// window.
	AtPeak Breakdown `json:"at_peak"`
	// Dominant is the part that, beside the live heap, holds most of the
	// RSS at the peak (a Part* name), or PartLive when the live heap is
	// most of it; Lever says in words what would change it.
	Dominant string `json:"dominant,omitempty"`
	Lever    string `json:"lever,omitempty"`
	// MaxUnexplainedBytes is the most, over the samples after the first
	// that have both the runtime's classes and smaps_rollup, that the
	// parts leave unexplained: the residual's size plus what is attributed
	// outside the Go runtime. For a pure-Go program it is a few MiB: the
	// runtime counts memory it mapped for profiling buckets and metadata
	// as in use before it touches it. 0 when the sources cannot tell.
	MaxUnexplainedBytes float64 `json:"max_unexplained_bytes,omitempty"`
}

// Breakdown splits one sample's RSS into parts. The parts that are exposed
// and the residual add up to RSSBytes exactly.
type Breakdown struct {
	T        float64 `json:"t_seconds"`
	RSSBytes float64 `json:"rss_bytes"`
	// Parts are in the order of PartNames, always all of them.
	Parts []MemPart `json:"parts"`
	// ResidualBytes is the RSS minus the exposed parts; Residual says
	// what it holds given what the sources could not tell apart.
	ResidualBytes float64 `json:"residual_bytes"`
	Residual      string  `json:"residual"`
}

// MemPart is one part of the RSS. A part the source cannot give has Exposed
// false and a Note saying how to get it; its Bytes are then meaningless
// (and 0), never a measured zero.
type MemPart struct {
	Name    string  `json:"name"`
	Bytes   float64 `json:"bytes"`
	Exposed bool    `json:"exposed"`
	// From names the source: runtime/metrics, memstats, prometheus,
	// smaps_rollup, gctrace.
	From string `json:"from,omitempty"`
	Note string `json:"note,omitempty"`
	// WithGarbage is set on the live heap part when the source has no live
	// heap apart (expvar's MemStats, client_golang's default collector):
	// its Bytes are then all heap objects, the live ones and the garbage
	// not yet collected together.
	WithGarbage bool `json:"with_garbage,omitempty"`
}

// Names of the parts, in the order a Breakdown lists them.
const (
	PartLive       = "live heap"
	PartHeadroom   = "heap garbage awaiting the next cycle (GOGC headroom)"
	PartUnused     = "free space in partly used spans (fragmentation)"
	PartFree       = "free heap not yet returned to the OS (scavenger lag)"
	PartLazyFree   = "released but still in RSS (MADV_FREE, LazyFree)"
	PartStacks     = "goroutine stacks"
	PartMetadata   = "runtime metadata"
	PartProfiling  = "profiling buckets"
	PartOther      = "other runtime memory"
	PartFileBacked = "file-backed (the binary, libraries, mapped files)"
	PartOutsideGo  = "outside the Go runtime (cgo, mmap)"
	// PartResidual names the residual when it is the dominant part.
	PartResidual    = "residual"
	fromSmaps       = "smaps_rollup"
	partFromGCTrace = "gctrace"
	notExposed      = "not exposed by this source"
	hintClasses     = notExposed + ": the runtime's memory classes come from the gcprobe probe (in the program, streamed to gcprobe run with profiler.StreamFromEnv, or mounted as the agent for gcprobe attach --url), expvar, or client_golang's go_memstats_* / go_memory_classes_*"
	hintSmaps       = notExposed + ": needs /proc/PID/smaps_rollup (gcprobe run, or attach --pid on the same Linux machine)"
	hintLive        = "the gcprobe agent, or client_golang's go_gc_heap_live_bytes (collectors.WithGoCollectorRuntimeMetrics), gives the live heap apart"
	residualAll     = "not attributed: readings a moment apart, and memory the runtime counts as in use before it touches it (profiling buckets, metadata: a few MiB, which makes the residual negative)"
	residualNoSmaps = "file-backed and outside the Go runtime together (without smaps_rollup they are not told apart)"
	residualNoGo    = "the Go runtime's garbage, free heap, metadata and memory outside it together (not told apart without the runtime's memory classes)"
)

// PartNames lists the parts in order.
func PartNames() []string {
	return []string{PartLive, PartHeadroom, PartUnused, PartFree, PartLazyFree, PartStacks,
		PartMetadata, PartProfiling, PartOther, PartFileBacked, PartOutsideGo}
}

// Sources names where b's exposed parts came from, each with its
// resolution, in the order of the parts.
func (b Breakdown) Sources() []string {
	words := map[string]string{
		record.FromRuntimeMetrics: "runtime/metrics (to the byte, one read)",
		record.FromMemStats:       "expvar's MemStats (to the byte, read stop-the-world)",
		record.FromPrometheus:     "client_golang's gauges (to the byte, as scraped)",
		fromSmaps:                 "smaps_rollup (to the kB)",
		partFromGCTrace:           "gctrace (whole MB, at the last cycle)",
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range b.Parts {
		if p.Exposed && p.From != "" && !seen[p.From] {
			seen[p.From] = true
			out = append(out, cmp.Or(words[p.From], p.From))
		}
	}
	return out
}

// Unexplained is the residual's size plus the part attributed outside the
// Go runtime, which is itself what the Go runtime's classes do not explain.
func (b Breakdown) Unexplained() float64 {
	return math.Abs(b.ResidualBytes) + b.Part(PartOutsideGo).Bytes
}

// Part returns the part called name.
func (b Breakdown) Part(name string) MemPart {
	for _, p := range b.Parts {
		if p.Name == name {
			return p
		}
	}
	return MemPart{Name: name}
}

// noLiveHeap says why the source from has no live heap apart from the
// garbage.
func noLiveHeap(from string) string {
	switch from {
	case record.FromMemStats:
		return "MemStats has no live heap"
	case record.FromPrometheus:
		return "client_golang's go_memstats_* gauges have no live heap"
	}
	return "the source has no live heap"
}

// breakdown splits the RSS of the sample s taken at t. gcLive and gcStacks
// are gctrace's live heap and stacks of the last cycle ended by then, for a
// sample that has none.
func breakdown(t float64, s record.Sample, gcLive, gcStacks float64) Breakdown {
	b := Breakdown{T: t, RSSBytes: float64(s.RSSBytes)}
	parts := map[string]MemPart{}
	set := func(name string, v float64, from string) {
		parts[name] = MemPart{Name: name, Bytes: v, Exposed: true, From: from}
	}
	hide := func(name, note string) { parts[name] = MemPart{Name: name, Note: note} }

	live, liveFrom := float64(s.HeapLiveBytes), ""
	if g := s.GoMemory; g != nil {
		liveFrom = g.From
	}
	if live == 0 {
		live, liveFrom = gcLive, partFromGCTrace
	}
	g, p := s.GoMemory, s.ProcMemory
	var goResident float64
	if g != nil {
		from := g.From
		objects := float64(g.HeapObjectsBytes)
		switch {
		case live > 0:
			live = math.Min(live, objects)
			set(PartLive, live, liveFrom)
			set(PartHeadroom, objects-live, from)
		default:
			parts[PartLive] = MemPart{Name: PartLive, Bytes: objects, Exposed: true, From: from, WithGarbage: true,
				Note: "live and not yet collected objects together: " + noLiveHeap(from) + "; " + hintLive}
			hide(PartHeadroom, notExposed+": "+noLiveHeap(from)+" (it is in the live heap row); "+hintLive)
		}
		set(PartUnused, float64(g.HeapUnusedBytes), from)
		set(PartFree, float64(g.HeapFreeBytes), from)
		set(PartStacks, float64(g.HeapStacksBytes+g.OSStacksBytes), from)
		set(PartMetadata, float64(g.MetadataMCacheInuseBytes+g.MetadataMCacheFreeBytes+
			g.MetadataMSpanInuseBytes+g.MetadataMSpanFreeBytes+g.MetadataOtherBytes), from)
		set(PartProfiling, float64(g.ProfilingBucketsBytes), from)
		set(PartOther, float64(g.OtherBytes), from)
		goResident = float64(g.TotalBytes() - g.HeapReleasedBytes)
	} else {
		if live > 0 {
			set(PartLive, live, liveFrom)
		} else {
			hide(PartLive, hintClasses)
		}
		for _, n := range []string{PartHeadroom, PartUnused, PartFree, PartMetadata, PartProfiling, PartOther} {
			hide(n, hintClasses)
		}
		if st := gcStacks; st > 0 {
			parts[PartStacks] = MemPart{Name: PartStacks, Bytes: st, Exposed: true, From: partFromGCTrace,
				Note: "gctrace's scannable stack size: a lower bound of the stacks' memory"}
		} else {
			hide(PartStacks, hintClasses)
		}
	}
	if p != nil {
		lazy := float64(p.LazyFreeBytes)
		if g != nil {
			lazy = math.Min(lazy, float64(g.HeapReleasedBytes))
		}
		set(PartLazyFree, lazy, fromSmaps)
		set(PartFileBacked, float64(p.FileBackedBytes()), fromSmaps)
		if g != nil {
			// What anonymous memory holds beyond the runtime's resident
			// share. Negative would mean the runtime counts memory as
			// resident that is not: it goes to the residual instead.
			set(PartOutsideGo, math.Max(0, float64(p.AnonymousBytes)-goResident-lazy), fromSmaps)
		} else {
			hide(PartOutsideGo, hintClasses)
		}
	} else {
		hide(PartLazyFree, hintSmaps)
		hide(PartFileBacked, hintSmaps)
		hide(PartOutsideGo, hintSmaps)
	}
	sum := 0.0
	for _, n := range PartNames() {
		part := parts[n]
		b.Parts = append(b.Parts, part)
		if part.Exposed {
			sum += part.Bytes
		}
	}
	b.ResidualBytes = b.RSSBytes - sum
	switch {
	case g != nil && p != nil:
		b.Residual = residualAll
	case g != nil:
		b.Residual = residualNoSmaps
	default:
		b.Residual = residualNoGo
	}
	return b
}

// memFeed computes the reconciliation over a window's samples, when at
// least one of them has the runtime's classes or smaps_rollup's split
// (records written before gcprobe read them have neither). Samples differ in
// what they hold (smaps_rollup is read within a CPU budget, so not always):
// the peak is taken over the samples with the most sources, so that a part
// does not come and go; it is kept for each number of sources until the
// record says which is the most.
type memFeed struct {
	first bool // the next sample is the window's first
	// gctrace's live heap and stacks of the last cycle ended.
	live, stacks float64
	levels       [3]memLevel // by the number of sources, 1 and 2
}

type memLevel struct {
	found          bool
	peak           float64
	atPeak         Breakdown
	maxUnexplained float64
}

func (m *memFeed) gc(g record.GC) {
	if g.HeapLiveBytes > 0 {
		m.live = float64(g.HeapLiveBytes)
	}
	if g.StacksBytes > 0 {
		m.stacks = float64(g.StacksBytes)
	}
}

func (m *memFeed) sample(t float64, x record.Sample) {
	first := m.first
	m.first = false
	n := memSources(x)
	if x.RSSBytes == 0 || n == 0 {
		return
	}
	b := breakdown(t, x, m.live, m.stacks)
	l := &m.levels[n]
	if !l.found || b.RSSBytes > l.peak {
		l.peak, l.atPeak = b.RSSBytes, b
	}
	l.found = true
	if !first && x.GoMemory != nil && x.ProcMemory != nil {
		l.maxUnexplained = math.Max(l.maxUnexplained, b.Unexplained())
	}
}

// memSources is how many sources of the RSS's split a sample holds.
func memSources(x record.Sample) int {
	n := 0
	if x.GoMemory != nil {
		n++
	}
	if x.ProcMemory != nil {
		n++
	}
	return n
}

// best is the most sources a sample had.
func (m *memFeed) best() int {
	for n := len(m.levels) - 1; n > 0; n-- {
		if m.levels[n].found {
			return n
		}
	}
	return 0
}

func (s *Summary) memory(m *memFeed) {
	for n := len(m.levels) - 1; n > 0; n-- {
		if l := m.levels[n]; l.found {
			mem := Memory{AtPeak: l.atPeak, MaxUnexplainedBytes: l.maxUnexplained}
			mem.Dominant, mem.Lever = lever(mem.AtPeak)
			s.Memory = &mem
			return
		}
	}
}

// MemoryOver returns the breakdown of the RSS at every sample of the
// measured window that has as many sources as the best of them, in time
// order: what a chart of the parts over time draws. Like Timeline it is
// computed on demand from the events a summary from Compute holds (see
// Charts for one from Read); nil when Memory is.
func (s Summary) MemoryOver() []Breakdown {
	if s.Memory == nil {
		return nil
	}
	_, over := s.fromEvents(0)
	return over
}

// lever names the part that holds most of the RSS at b besides the live heap
// (or the live heap, when it is most of the RSS and nothing else is large)
// and says what would change it.
func lever(b Breakdown) (string, string) {
	var top MemPart
	for _, p := range b.Parts {
		if p.Exposed && p.Name != PartLive && p.Bytes > top.Bytes {
			top = p
		}
	}
	live := b.Part(PartLive)
	if b.ResidualBytes > top.Bytes && b.ResidualBytes >= 0.2*b.RSSBytes && b.ResidualBytes > live.Bytes/2 {
		return PartResidual, b.Residual
	}
	if top.Name == "" || (live.Exposed && live.Bytes >= 0.5*b.RSSBytes && top.Bytes < 0.2*b.RSSBytes) {
		if live.WithGarbage {
			return PartLive, "most of it is heap objects, live ones and garbage not yet collected together, which this source does not tell apart: " +
				hintLive + ", and the heap profile's inuse_space (gcprobe attach --profiles heap) shows where the live ones are"
		}
		return PartLive, "most of it is live heap, what the program keeps reachable: the heap profile's inuse_space (gcprobe attach --profiles heap) shows where"
	}
	switch top.Name {
	case PartHeadroom:
		// GOMEMLIMIT bounds the runtime's memory (all classes but the
		// released): without the headroom that was rest; 10% above it.
		rest := 0.0
		for _, p := range b.Parts {
			if p.Exposed && p.From != fromSmaps && p.Name != PartHeadroom {
				rest += p.Bytes
			}
		}
		return top.Name, fmt.Sprintf("the runtime's memory without it is %s: a GOMEMLIMIT near %s would cap it, as would a lower GOGC, at the cost of more GC CPU",
			units.Bytes(rest), units.Bytes(1.1*rest))
	case PartUnused:
		return top.Name, "fragmentation from long-lived small objects among short-lived ones; no GC setting returns it: allocate long-lived objects together, or copy the survivors into a fresh structure"
	case PartFree:
		return top.Name, "free spans the background scavenger has not yet returned (it returns them over minutes): a GOMEMLIMIT makes it return them sooner, debug.FreeOSMemory at once"
	case PartLazyFree:
		return top.Name, "the runtime released it with MADV_FREE (GODEBUG=madvdontneed=0) and the kernel keeps it in RSS until it needs the pages: it is not in use; the default madvdontneed=1 makes RSS show the release"
	case PartStacks:
		return top.Name, "goroutine stacks: fewer goroutines, or shallower ones"
	case PartMetadata:
		return top.Name, "the runtime's metadata (span structures, GC bitmaps) grows with the heap it describes"
	case PartProfiling:
		return top.Name, "profiling buckets: a high runtime.MemProfileRate, or block and mutex profiling, keeps many distinct stacks"
	case PartOther:
		return top.Name, "other runtime memory (debug info, trace buffers, persistent allocations)"
	case PartFileBacked:
		return top.Name, "pages of the binary and of mapped files: the kernel drops them under memory pressure; no GC setting changes them"
	case PartOutsideGo:
		return top.Name, "no GC setting will change it: it is cgo's malloc, mmap or a C library's own allocator"
	}
	return top.Name, ""
}

// memoryVerdict is the verdict's clause on where the RSS goes:
// "RSS 1.66 GiB: 940 MiB live heap, 700 MiB GOGC headroom — ...".
func (m *Memory) verdict() string {
	b := m.AtPeak
	v := "RSS " + units.Bytes(b.RSSBytes) + " at its peak"
	live := b.Part(PartLive)
	switch {
	case live.WithGarbage:
		v += ": " + units.Bytes(live.Bytes) + " heap objects (live and garbage)"
	case live.Exposed:
		v += ": " + units.Bytes(live.Bytes) + " live heap"
	}
	if m.Dominant != PartLive {
		sep := ", "
		if !live.Exposed {
			sep = ": "
		}
		n := b.Part(m.Dominant).Bytes
		if m.Dominant == PartResidual {
			n = b.ResidualBytes
		}
		v += sep + units.Bytes(n) + " " + m.Dominant
	}
	if m.Lever != "" {
		v += " — " + m.Lever
	}
	return v
}

// endTime is when a cycle ended, or when it was noticed.
func endTime(g timed[record.GC]) float64 { return g.V.When(g.T) }
