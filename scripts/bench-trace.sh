#!/usr/bin/env bash
# bench-trace.sh compares gcprobe's trace analysis with a parse-only read of
# the same trace by golang.org/x/exp/trace (scripts/traceparse), as whole
# processes, RUNS rounds (5 by default) that alternate the three commands,
# on a large generated trace (SIZE=100MiB by default, written by
# scripts/gentrace and deleted after):
#   parse    scripts/traceparse TRACE           (the floor)
#   library  scripts/traceparse -analyze TRACE  (analyze/trace in the same small binary)
#   gcprobe  gcprobe analyze TRACE              (the command, rendering included)
# It prints wall time, CPU time (user + system; the steadier of the two on a
# shared machine) and peak RSS (getrusage maxrss, via scripts/benchtime),
# and the ratios of the best (smallest) CPU and wall times. gcprobe's peak
# RSS also counts the pages of its larger binary (about 13 MiB more mapped
# file than traceparse's); the library row compares like with like. The
# target is analysis at most 1.5x parse-only time with bounded memory.
#
#   scripts/bench-trace.sh
#   SIZE=20MiB RUNS=3 scripts/bench-trace.sh
#   TRACE=big.trace scripts/bench-trace.sh   # an existing trace, kept
set -euo pipefail
cd "$(dirname "$0")/.."

size=${SIZE:-100MiB}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/gcprobe" ./cmd/gcprobe
go build -o "$work/benchtime" ./scripts/benchtime
go build -o "$work/traceparse" ./scripts/traceparse
go build -o "$work/gentrace" ./scripts/gentrace

tr=${TRACE:-}
if [ -z "$tr" ]; then
	tr="$work/big.trace"
	GOMAXPROCS=2 "$work/gentrace" -size "$size" -o "$tr"
fi
cat "$tr" >/dev/null # into the page cache before anything is timed
echo "trace: $(($(wc -c <"$tr") / 1024 / 1024)) MiB; $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "run          wall        cpu   peak RSS  command"

# run NAME CMD... times RUNS runs of CMD, alternating with the other
# command's, and keeps the smallest CPU time in NAME_cpu (and its wall
# time and the largest RSS).
declare -A best_cpu best_wall max_rss
one() {
	local name=$1
	shift
	local wall rss cpu
	read -r wall rss cpu < <("$work/benchtime" -out "$work/$name.out" -- "$@")
	printf '%-8s %8.2f s %8.2f s %8.0f MiB  %s\n' "$name" "$wall" "$cpu" "$((rss / 1024))" "$*"
	if [ -z "${best_cpu[$name]:-}" ] || awk -v a="$cpu" -v b="${best_cpu[$name]}" 'BEGIN { exit !(a < b) }'; then
		best_cpu[$name]=$cpu
		best_wall[$name]=$wall
	fi
	if [ -z "${max_rss[$name]:-}" ] || [ "$rss" -gt "${max_rss[$name]}" ]; then
		max_rss[$name]=$rss
	fi
}
for _ in $(seq "$runs"); do
	one parse "$work/traceparse" "$tr"
	one library "$work/traceparse" -analyze "$tr"
	one gcprobe "$work/gcprobe" analyze "$tr"
done

echo
sed -n '1,3p' "$work/gcprobe.out"
echo
for name in library gcprobe; do
	awk -v n="$name" -v gc="${best_cpu[$name]}" -v pc="${best_cpu[parse]}" -v gw="${best_wall[$name]}" -v pw="${best_wall[parse]}" \
		-v gr="${max_rss[$name]}" -v pr="${max_rss[parse]}" 'BEGIN {
		printf "%-8s speed:  %.2fx the parse-only CPU time (%.2f s against %.2f s, best of each), %.2fx its wall time (%.2f s against %.2f s)\n", n, gc / pc, gc, pc, gw / pw, gw, pw
		printf "%-8s memory: peak RSS %.0f MiB, parse-only %.0f MiB (%.2fx)\n", n, gr / 1024, pr / 1024, gr / pr
	}'
done
