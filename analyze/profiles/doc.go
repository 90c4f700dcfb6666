// Package profiles summarizes pprof profiles: which code allocates (the
// garbage), which code holds memory, and what grew between two profiles.
//
// It computes, then renders. The steps, in order:
//
//  1. Load (or Parse) reads a profile from a file, stdin, bytes or an
//     http(s) URL: gzipped or raw protobuf, or one of the legacy text formats
//     that github.com/google/pprof/profile accepts. For a Go heap profile in
//     ?debug=1 text, it also takes the function names from the "#" lines,
//     which pprof's parser drops. Anything that is not a profile is refused
//     with one line naming the source.
//  2. Diff (optional) scales a base profile by -1 and merges it with a newer
//     one, as go tool pprof -diff_base does; Top on the result shows growth.
//  3. Top, Churn and ListSampleTypes compute values: a Table of flat and
//     cumulative values per function, package, file or line; a ChurnTable of
//     alloc_space against inuse_space per site; the sample types.
//  4. WriteText, WriteMarkdown and WriteJSON render any of those values.
//
// Top does not build a call graph, as go tool pprof does: it sums each
// sample's value into its leaf's key (flat) and into every distinct key on
// its stack (cumulative, each key once per sample), with keys resolved once
// per location, and large profiles summed in parallel shards, one per CPU.
// On large profiles that makes it cost a small fraction of parsing the
// profile: see scripts/bench-analyze.sh and the benchmarks.
//
// Every table says which sample index it shows. For heap profiles the
// default is alloc_space, the garbage; otherwise it is the profile's default
// sample type, or its last one, as in pprof.
package profiles
