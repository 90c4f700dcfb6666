#!/usr/bin/env bash
# trace-instructions.sh counts the instructions (valgrind's callgrind) that
# one iteration of analyze/trace's BenchmarkParseOnly and BenchmarkAnalyze
# execute on a generated trace (SIZE=5MiB by default): a figure that, unlike
# times, does not move with the other processes on a shared machine. It
# prints each process's total, and for the analysis x/exp/trace's
# ReadEvent and gcprobe's per-event code (analyzer.event) inclusive.
# GOMAXPROCS=1 and no async preemption keep valgrind's counts steady (its
# callgrind tool can crash on Go's preemption signals; a run is retried).
# Needs valgrind (apt-get install valgrind).
#
#   scripts/trace-instructions.sh
#   SIZE=20MiB scripts/trace-instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
size=${SIZE:-5MiB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go test -c -o "$work/trace.test" ./analyze/trace
go build -o "$work/gentrace" ./scripts/gentrace
GOMAXPROCS=2 "$work/gentrace" -size "$size" -o "$work/t.trace"

count() { # BENCH: writes $work/BENCH.txt, callgrind_annotate's inclusive listing
	for _ in 1 2 3 4 5 6 7 8; do
		rm -f "$work/$1.out"
		GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 GCPROBE_BIGTRACE="$work/t.trace" valgrind --tool=callgrind --dump-instr=no \
			--callgrind-out-file="$work/$1.out" "$work/trace.test" -test.run XXX -test.bench "^Benchmark$1\$" -test.benchtime 1x >/dev/null 2>&1 || true
		[ -s "$work/$1.out" ] && break
	done
	callgrind_annotate --inclusive=yes "$work/$1.out" >"$work/$1.txt"
}
get() { awk -v re="$2" '$0 ~ re { gsub(",", "", $1); print $1; exit }' "$work/$1.txt"; }
count ParseOnly
count Analyze
p=$(get ParseOnly 'PROGRAM TOTALS')
a=$(get Analyze 'PROGRAM TOTALS')
r=$(get Analyze 'trace\.\(\*Reader\)\.ReadEvent \[')
e=$(get Analyze 'analyzer\)\.event \[')
awk -v p="$p" -v a="$a" -v r="$r" -v e="$e" 'BEGIN {
	printf "instructions: parse-only %.4g, analysis %.4g (%.3fx)\n", p, a, a / p
	printf "in the analysis: x/exp ReadEvent %.4g, gcprobe per event %.4g (%.3f of ReadEvent)\n", r, e, e / r
}'
