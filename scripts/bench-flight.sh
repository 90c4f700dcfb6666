#!/usr/bin/env bash
# bench-flight.sh measures what the flight recorder (gcprobe's --trace-on)
# costs a scenario, on vs off in the same process: PAIRS pairs (200 by
# default) of binarytrees runs at DEPTH (14), the two runs of each pair back
# to back in a random order (scripts/flightcost), for GOMAXPROCS 1 and 2,
# with the GC on (GOGC=100: the whole effect on the program, the recorder's
# heap-held ring included) and off inside the runs (the tracing's own
# cost); then (unless READSTATES=0) RS_PAIRS pairs (100) of a small
# readstates run (a 100k-entry fill, then 4000 requests in 1 s, each a
# trace task while the recorder is on) at GOMAXPROCS 2. It prints, per
# setting, the median of the pairs' on/off ratios of wall time and of
# process CPU time (getrusage, checked against /proc; the steadier on a shared
# machine) with 95% confidence intervals, and keeps every run in Go
# benchmark format in OUT (flightcost.txt) for benchstat. The target is a
# cost of at most 2%.
#
#   scripts/bench-flight.sh
#   PAIRS=20 DEPTH=13 READSTATES=0 scripts/bench-flight.sh   # a quick look
#
# About 15 minutes on 2 shared cores at the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=${PAIRS:-200}
depth=${DEPTH:-14}
rs_pairs=${RS_PAIRS:-100}
out=${OUT:-flightcost.txt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/flightcost" ./scripts/flightcost
echo "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$out"
for procs in 1 2; do
	for gogc in 100 off; do
		GOMAXPROCS=$procs "$work/flightcost" -pairs "$pairs" -params "depth=$depth" -gogc "$gogc" -o "$work/runs.txt" 2>"$work/pairs.log"
		cat "$work/runs.txt" >>"$out"
	done
done
if [ "${READSTATES:-1}" != 0 ]; then
	GOMAXPROCS=2 "$work/flightcost" -pairs "$rs_pairs" -scenario readstates -params entries=100000,rate=4000,duration=1s,warmup=0s \
		-o "$work/runs.txt" 2>"$work/pairs.log"
	cat "$work/runs.txt" >>"$out"
fi
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); every run in $out"
