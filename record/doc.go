// Package record is gcprobe's run record: the data model every source writes
// and every analysis reads, with its streaming writer and reader.
//
// A run record is JSON Lines. The first line is a [Header] whose "schema"
// field names the format version (gcprobe.run/v1). Every later line is one
// [Event]: a time offset "t" in seconds since the header's start time and
// exactly one payload object, named by its kind:
//
//	{"schema":"gcprobe.run/v1","source":"run","command":["./app"],...}
//	{"t":0.5,"sample":{"rss_bytes":12582912,"heap_live_bytes":4194304,...}}
//	{"t":0.61,"gc":{"n":1,"start_seconds":0.6,"pause_seconds":0.00021,...}}
//	{"t":1.0,"pauses":{"buckets":[{"lo_seconds":0.0001,"hi_seconds":0.0002,"count":3}]}}
//	{"t":9.8,"end":{"reason":"exit","exit_code":0}}
//
// Field names carry their unit (_bytes, _seconds), as Prometheus names do.
// A numeric field that is absent was not measured by the source; the zero
// value is never used to mean "zero was measured" for quantities that cannot
// be zero in a live Go process (RSS, heap goal, goroutines).
//
// The [Writer] flushes every event as it is written, so a crash or kill -9 of
// the writer or of the observed program leaves a file readable up to the last
// complete line. The [Reader] accepts such a truncated last line, reports any
// other malformed line as a [SyntaxError] with its file and line, refuses an
// unknown major schema version, and ignores unknown fields and unknown event
// kinds so that newer writers stay readable.
//
// The package also owns what every source and every analysis must decide
// alike about a record, so that each is written once: [Shift] moves an
// event to another clock, [CheckSchema] accepts or refuses a schema (a file's
// or the agent's), [Finite] is the one policy for NaN and infinite figures in
// JSON, [GC.Bounded] and [GC.When] say what is known of a cycle's times,
// [Bucket.Upper] restores the open-ended bucket's +Inf, [LineReader] reads
// lines of bounded length, and [AgentStatus] and [AgentPage] are the wire
// types of the gcprobe agent, shared by its server and its client.
//
// This package imports nothing outside the standard library.
package record
