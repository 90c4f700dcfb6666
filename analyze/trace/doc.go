// Package trace analyses a Go execution trace for what the garbage
// collector did to the program: the minimum mutator utilization curve, a
// timeline of GC cycles with what each P ran during their mark phases, and
// which goroutines (and runtime/trace regions, such as requests) the GC
// starved — time runnable without a P, in mark assists and stopped by the
// world, during GC against outside it — ending in a verdict in plain words.
//
// Processing, in order:
//
//  1. Analyze streams the trace once through golang.org/x/exp/trace's
//     Reader. No event is kept: per-goroutine state lives while the
//     goroutine does, finished goroutines are folded into bounded top
//     lists (the live ones are held in chunks of IDs freed as they end),
//     and the MMU keeps only the utilization steps of the last second (the
//     longest window), or of the first generation while ranges found
//     active there may still correct the utilization back to the trace's
//     start. It scores only the windows that can hold a minimum and passes
//     over blocks of them whose lower bound cannot beat it (mmu.go).
//  2. Utilization follows go tool trace's definition with all four flags
//     (stw, background, assist, sweep): a P does GC work while it runs a
//     dedicated or fractional mark worker, a goroutine in a mark assist, or
//     an incremental sweep; during a GC stop-the-world no P runs the
//     program. Idle-priority mark workers run on otherwise idle Ps and are
//     not counted against the program, but the timeline shows them apart.
//     (go tool trace's MMU counts a goroutine once seen as a worker
//     whenever it runs, and in Go 1.26 counts each restart twice, so that
//     its utilization sticks at 0 once the Ps' workers have restarted; for
//     the other three flags the two agree to four decimals.)
//  3. The result is an Analysis value; WriteText, WriteMarkdown and
//     WriteJSON render it.
//
// A truncated or damaged trace is analysed up to the last event the reader
// could deliver, and the Analysis says so in Warnings.
package trace
