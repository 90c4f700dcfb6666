package record

import "strings"

// GoMemory is the Go runtime's own account of the memory it has mapped, split
// into the 13 leaf classes of runtime/metrics' /memory/classes/ tree. The
// leaves sum to /memory/classes/total:bytes (expvar Sys). Every field is in
// bytes; a zero is a measured zero (the whole struct is absent from a sample
// whose source does not expose the classes).
//
// Memory the runtime has returned to the operating system (HeapReleased) is
// still mapped but not resident, unless the kernel has not yet taken back
// pages freed with MADV_FREE (GODEBUG=madvdontneed=0), which ProcMemory's
// LazyFreeBytes counts. So the runtime's resident share is Total minus
// HeapReleased, and what the RSS holds beyond it is file-backed or outside
// the Go runtime (cgo, mmap).
type GoMemory struct {
	// From names the source and with it the resolution: FromRuntimeMetrics
	// (one metrics.Read, exact to the byte), FromMemStats (a
	// runtime.ReadMemStats, exact, taken stop-the-world), FromPrometheus
	// (client_golang's go_memory_classes_* or go_memstats_*, exact below
	// 2^53 bytes).
	From string `json:"from"`

	// HeapObjectsBytes is memory in live objects and in dead ones not yet
	// swept (/memory/classes/heap/objects; MemStats HeapAlloc).
	HeapObjectsBytes uint64 `json:"heap_objects_bytes"`
	// HeapUnusedBytes is free space in spans that hold objects: memory the
	// heap keeps for objects of one size class (fragmentation)
	// (/memory/classes/heap/unused; HeapInuse - HeapAlloc).
	HeapUnusedBytes uint64 `json:"heap_unused_bytes"`
	// HeapFreeBytes is free spans not yet returned to the operating system
	// (/memory/classes/heap/free; HeapIdle - HeapReleased).
	HeapFreeBytes uint64 `json:"heap_free_bytes"`
	// HeapReleasedBytes is free spans returned to the operating system
	// (/memory/classes/heap/released; HeapReleased).
	HeapReleasedBytes uint64 `json:"heap_released_bytes"`
	// HeapStacksBytes is goroutine stacks allocated from the heap
	// (/memory/classes/heap/stacks; StackInuse); OSStacksBytes stacks the
	// operating system allocated (/memory/classes/os-stacks; StackSys -
	// StackInuse).
	HeapStacksBytes uint64 `json:"heap_stacks_bytes"`
	OSStacksBytes   uint64 `json:"os_stacks_bytes"`
	// Runtime metadata: mcache and mspan structures in use and free, and
	// the rest (GC bitmaps, arenas' metadata)
	// (/memory/classes/metadata/...; MCacheInuse, MCacheSys - MCacheInuse,
	// MSpanInuse, MSpanSys - MSpanInuse, GCSys).
	MetadataMCacheInuseBytes uint64 `json:"metadata_mcache_inuse_bytes"`
	MetadataMCacheFreeBytes  uint64 `json:"metadata_mcache_free_bytes"`
	MetadataMSpanInuseBytes  uint64 `json:"metadata_mspan_inuse_bytes"`
	MetadataMSpanFreeBytes   uint64 `json:"metadata_mspan_free_bytes"`
	MetadataOtherBytes       uint64 `json:"metadata_other_bytes"`
	// ProfilingBucketsBytes is the profiling hash tables
	// (/memory/classes/profiling/buckets; BuckHashSys).
	ProfilingBucketsBytes uint64 `json:"profiling_buckets_bytes"`
	// OtherBytes is all other runtime memory (/memory/classes/other;
	// OtherSys).
	OtherBytes uint64 `json:"other_bytes"`
}

// Sources of GoMemory, for GoMemory.From.
const (
	FromRuntimeMetrics = "runtime/metrics"
	FromMemStats       = "memstats"
	FromPrometheus     = "prometheus"
)

// NumGoMemoryClasses is the number of GoMemory's byte fields: the leaf
// /memory/classes metrics.
const NumGoMemoryClasses = 13

// GoMemoryClasses returns the runtime/metrics names of GoMemory's byte
// fields, in the order of GoMemory.Fields.
func GoMemoryClasses() [NumGoMemoryClasses]string {
	return [NumGoMemoryClasses]string{
		"/memory/classes/heap/objects:bytes",
		"/memory/classes/heap/unused:bytes",
		"/memory/classes/heap/free:bytes",
		"/memory/classes/heap/released:bytes",
		"/memory/classes/heap/stacks:bytes",
		"/memory/classes/os-stacks:bytes",
		"/memory/classes/metadata/mcache/inuse:bytes",
		"/memory/classes/metadata/mcache/free:bytes",
		"/memory/classes/metadata/mspan/inuse:bytes",
		"/memory/classes/metadata/mspan/free:bytes",
		"/memory/classes/metadata/other:bytes",
		"/memory/classes/profiling/buckets:bytes",
		"/memory/classes/other:bytes",
	}
}

// Fields returns pointers to m's byte fields in the order of
// GoMemoryClasses, so that a source can fill them by metric name or index.
func (m *GoMemory) Fields() [NumGoMemoryClasses]*uint64 {
	return [NumGoMemoryClasses]*uint64{
		&m.HeapObjectsBytes, &m.HeapUnusedBytes, &m.HeapFreeBytes, &m.HeapReleasedBytes,
		&m.HeapStacksBytes, &m.OSStacksBytes,
		&m.MetadataMCacheInuseBytes, &m.MetadataMCacheFreeBytes,
		&m.MetadataMSpanInuseBytes, &m.MetadataMSpanFreeBytes, &m.MetadataOtherBytes,
		&m.ProfilingBucketsBytes, &m.OtherBytes,
	}
}

// PrometheusName is the name client_golang's Go collector gives a
// runtime/metrics metric: "/memory/classes/heap/objects:bytes" becomes
// "go_memory_classes_heap_objects_bytes".
func PrometheusName(metric string) string {
	r := strings.NewReplacer("/", "_", "-", "_", ":", "_")
	return "go" + r.Replace(metric)
}

// TotalBytes is the sum of the classes: /memory/classes/total:bytes.
func (m *GoMemory) TotalBytes() uint64 {
	var t uint64
	for _, f := range m.Fields() {
		t += *f
	}
	return t
}

// MemStats holds the runtime.MemStats fields (as expvar or client_golang's
// go_memstats_* publish them) from which GoMemory is derived.
type MemStats struct {
	HeapAlloc, HeapInuse, HeapIdle, HeapReleased uint64
	StackInuse, StackSys                         uint64
	MSpanInuse, MSpanSys, MCacheInuse, MCacheSys uint64
	BuckHashSys, GCSys, OtherSys                 uint64
}

// GoMemoryFromMemStats derives the classes from MemStats, as the runtime
// itself relates them. A difference that comes out negative (fields read at
// different moments, as scraped gauges may be) is 0.
func GoMemoryFromMemStats(ms MemStats, from string) GoMemory {
	sub := func(a, b uint64) uint64 {
		if a < b {
			return 0
		}
		return a - b
	}
	return GoMemory{
		From:                     from,
		HeapObjectsBytes:         ms.HeapAlloc,
		HeapUnusedBytes:          sub(ms.HeapInuse, ms.HeapAlloc),
		HeapFreeBytes:            sub(ms.HeapIdle, ms.HeapReleased),
		HeapReleasedBytes:        ms.HeapReleased,
		HeapStacksBytes:          ms.StackInuse,
		OSStacksBytes:            sub(ms.StackSys, ms.StackInuse),
		MetadataMCacheInuseBytes: ms.MCacheInuse,
		MetadataMCacheFreeBytes:  sub(ms.MCacheSys, ms.MCacheInuse),
		MetadataMSpanInuseBytes:  ms.MSpanInuse,
		MetadataMSpanFreeBytes:   sub(ms.MSpanSys, ms.MSpanInuse),
		MetadataOtherBytes:       ms.GCSys,
		ProfilingBucketsBytes:    ms.BuckHashSys,
		OtherBytes:               ms.OtherSys,
	}
}

// ProcMemory is what the operating system says about a process's resident
// memory, from /proc/PID/smaps_rollup (Linux 4.14+), whose figures are in
// kB: every field here is in bytes, a multiple of 1024. A zero is a
// measured zero; the struct is absent when smaps_rollup was not read.
type ProcMemory struct {
	// RSSBytes is the rollup's Rss: resident pages of every mapping.
	RSSBytes uint64 `json:"rss_bytes"`
	// AnonymousBytes is resident anonymous memory (heap, stacks, cgo's
	// malloc, anonymous mmap). RSSBytes - AnonymousBytes is file-backed:
	// the binary, shared libraries, mapped files and shared memory.
	AnonymousBytes uint64 `json:"anonymous_bytes"`
	// LazyFreeBytes is memory freed with MADV_FREE that the kernel has not
	// yet taken back: still in the RSS, not in use.
	LazyFreeBytes uint64 `json:"lazy_free_bytes"`
	// AnonHugePagesBytes is anonymous memory backed by transparent huge
	// pages (part of AnonymousBytes).
	AnonHugePagesBytes uint64 `json:"anon_huge_pages_bytes"`
}

// FileBackedBytes is the resident memory mapped from files.
func (p *ProcMemory) FileBackedBytes() uint64 {
	if p.RSSBytes < p.AnonymousBytes {
		return 0
	}
	return p.RSSBytes - p.AnonymousBytes
}
