#!/usr/bin/env bash
# bench-analyze.sh compares `gcprobe analyze --top 20` with
# `go tool pprof -top -sample_index=alloc_space` on a large generated heap
# profile (600k samples by default; SAMPLES=N to change), as whole
# processes, one run each: wall time and peak RSS (getrusage maxrss, via
# scripts/benchtime). `gcprobe analyze --types` only parses the profile and
# lists its sample types: it is the floor that gcprobe's time is also given
# as a multiple of.
#
#   scripts/bench-analyze.sh
set -euo pipefail
cd "$(dirname "$0")/.."

samples=${SAMPLES:-600000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/gcprobe" ./cmd/gcprobe
go build -o "$work/benchtime" ./scripts/benchtime
go build -o "$work/genprofile" ./analyze/profiles/internal/synth/genprofile
pprof=$(go tool -n pprof) # the pprof binary itself, without the go command's start-up

prof="$work/heap.pb.gz"
"$work/genprofile" -samples "$samples" -o "$prof"
cat "$prof" >/dev/null # into the page cache before anything is timed
size=$(wc -c <"$prof")
raw=$(gzip -dc "$prof" | wc -c)

# run NAME CMD... times one run of CMD and sets NAME_wall, NAME_rss (KiB)
# and NAME_cpu.
run() {
	local name=$1
	shift
	local wall rss cpu
	read -r wall rss cpu < <("$work/benchtime" -out "$work/$name.out" -- "$@")
	printf -v "${name}_wall" %s "$wall"
	printf -v "${name}_rss" %s "$rss"
	printf -v "${name}_cpu" %s "$cpu"
	printf '%-8s %8.2f s %8.2f s %8.0f MiB  %s\n' "$name" "$wall" "$cpu" "$((rss / 1024))" "$*"
}

echo "profile: $samples samples, $((size / 1024 / 1024)) MiB gzipped, $((raw / 1024 / 1024)) MiB raw; $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "run          wall        cpu   peak RSS  command"
run parse "$work/gcprobe" analyze --types "$prof"
run gcprobe "$work/gcprobe" analyze --top 20 "$prof"
run pprof "$pprof" -top -sample_index=alloc_space "$prof"

echo
echo "gcprobe top 5:"
sed -n '4,9p' "$work/gcprobe.out"
echo "pprof top 5:"
grep -A5 ' flat%' "$work/pprof.out" | head -6
echo
awk -v g="$gcprobe_wall" -v p="$pprof_wall" -v f="$parse_wall" \
	-v gc="$gcprobe_cpu" -v pc="$pprof_cpu" -v fc="$parse_cpu" \
	-v gr="$gcprobe_rss" -v pr="$pprof_rss" 'BEGIN {
	printf "speed:  gcprobe is %.1fx faster than go tool pprof -top in wall time (%.2f s against %.2f s), %.1fx in CPU time (%.2f s against %.2f s)\n", p / g, g, p, pc / gc, gc, pc
	printf "memory: gcprobe peak RSS is %.2f of pprof'"'"'s (%.0f MiB against %.0f MiB)\n", gr / pr, gr / 1024, pr / 1024
	printf "floor:  gcprobe takes %.2fx the parse-only wall time (%.2f s), %.2fx its CPU time (%.2f s)\n", g / f, f, gc / fc, fc
}'
