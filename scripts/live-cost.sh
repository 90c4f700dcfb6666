#!/usr/bin/env bash
# The live view's own cost: gcprobe attach and gcprobe top (in a real tmux
# terminal) observe the same loaded test service at the same interval for
# SECONDS; the difference in their CPU time (from /proc) is what the view
# costs. Both run at once, so machine noise hits both alike.
#   scripts/live-cost.sh [SECONDS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
tmp=$(mktemp -d)
trap 'tmux -L gcprobe-cost kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/gcprobe" ./cmd/gcprobe
go build -o "$tmp/service" ./testdata/progs/service
"$tmp/service" -endpoints agent,pprof > "$tmp/svc.out" 2>&1 &
svc=$!
for _ in $(seq 50); do grep -q listening "$tmp/svc.out" && break; sleep 0.1; done
url=$(sed -n 's/listening on //p' "$tmp/svc.out")
# Bounded load: a request every 10 ms for the whole measurement.
( end=$((SECONDS + secs + 5)); while [ $SECONDS -lt $end ]; do curl -s "$url/work?kib=256" > /dev/null; sleep 0.01; done ) &
"$tmp/gcprobe" attach --pid "$svc" --url "$url" --duration "${secs}s" -o "$tmp/attach.jsonl" > /dev/null 2>&1 &
attach=$!
tmux -L gcprobe-cost new-session -d -s top -x 120 -y 40 "$tmp/gcprobe top --pid $svc --url $url --duration ${secs}s -o $tmp/top.jsonl; sleep 30"
sleep 1
top=$(pgrep -f "^$tmp/gcprobe top" | head -1)
# On-CPU time of all the process's threads in ns (schedstat; /proc/PID/stat
# counts 10 ms ticks, too coarse for a cost this small).
cpu() { cat /proc/"$1"/task/*/schedstat | awk '{n += $1} END {printf "%d", n}'; }
a0=$(cpu "$attach"); t0=$(cpu "$top")
sleep $((secs - 3))
a1=$(cpu "$attach"); t1=$(cpu "$top")
hz=1000000000
awk -v a=$((a1 - a0)) -v t=$((t1 - t0)) -v hz="$hz" -v s=$((secs - 3)) 'BEGIN {
  printf "over %d s: attach %.3f s CPU (%.3f%% of a core), top %.3f s CPU (%.3f%% of a core)\n", s, a/hz, 100*a/hz/s, t/hz, 100*t/hz/s
  printf "the view costs %.3f%% of one core (top/attach = %.2fx)\n", 100*(t-a)/hz/s, (a > 0 ? t/a : 0)
}'
