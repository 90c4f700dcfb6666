// Package crosscheck holds no code, only tests: each runs real processes
// and holds a figure gcprobe prints against an independent account of the
// same thing, as the runtime itself or another exporter gives it.
//
//   - GC CPU share from gcprobe run (gctrace) against the program's own
//     /cpu/classes, while other processes contend for the CPU, for a
//     small heap with hundreds of cycles a second and for a large heap.
//   - per-cycle GC CPU shares above 100% against the runtime's own
//     account read as the probe reads it: each comes from a read after the
//     next cycle had begun, and windows between reads with no cycle in
//     progress stay at or under 100%.
//   - attach windows against the same process's other endpoints: the
//     Prometheus pause maximum against expvar's PauseNs, and an idle
//     target's window, which must claim no GC CPU.
//
// The programs are under testdata/progs at the top of the module.
package crosscheck
