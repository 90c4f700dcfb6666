#!/usr/bin/env bash
# Time gcprobe import prometheus on a fleet of 100 instances x 6 h at 15 s,
# backfilled into a local Debian prometheus with promtool, against a
# baseline measured in the same run: curl fetching the same range queries'
# JSON (what any client must wait for) without decoding it.
#
#   scripts/bench-promimport.sh               # 100 instances, 6 h, 15 s, 3 runs
#   INSTANCES=200 HOURS=12 scripts/bench-promimport.sh
#
# Needs prometheus and promtool (apt-get install prometheus; .ci/run shows how
# to keep its service from starting) and curl. Everything binds 127.0.0.1 and
# lives in a temporary directory removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
instances=${INSTANCES:-100}
hours=${HOURS:-6}
step=${STEP:-15s}
runs=${RUNS:-3}
for tool in prometheus promtool curl; do
  command -v "$tool" >/dev/null || { echo "bench-promimport: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
prom_pid=""
cleanup() {
  if [ -n "$prom_pid" ]; then kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/gcprobe" ./cmd/gcprobe
go build -o "$work/promfleet" ./scripts/promfleet

echo "== generating $instances instances x ${hours}h at $step (OpenMetrics)"
t0=$(date +%s.%N)
"$work/promfleet" -instances "$instances" -hours "$hours" -step "$step" > "$work/fleet.om"
echo "   $(du -h "$work/fleet.om" | cut -f1), $(wc -l < "$work/fleet.om") lines in $(echo "$(date +%s.%N) - $t0" | bc) s"

echo "== promtool tsdb create-blocks-from openmetrics"
t0=$(date +%s.%N)
promtool tsdb create-blocks-from openmetrics "$work/fleet.om" "$work/data" > "$work/promtool.log"
echo "   $(grep -c '^[0-9A-Z]\{26\}' "$work/promtool.log") blocks in $(echo "$(date +%s.%N) - $t0" | bc) s"
rm "$work/fleet.om"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'global:\n  scrape_interval: 15s\nscrape_configs: []\n' > "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --storage.tsdb.retention.time=30d --web.listen-address="127.0.0.1:$port" --log.level=warn 2> "$work/prometheus.log" &
prom_pid=$!
url="http://127.0.0.1:$port"
for _ in $(seq 100); do
  curl -sf "$url/-/ready" >/dev/null && break
  sleep 0.2
done
curl -sf "$url/-/ready" >/dev/null || { cat "$work/prometheus.log"; exit 1; }

end=$(date -u +%s)
start=$(python3 -c "print($end - int($hours*3600))")
since="$(date -u -d "@$start" +%Y-%m-%dT%H:%M:%SZ)"
until="$(date -u -d "@$end" +%Y-%m-%dT%H:%M:%SZ)"
stepsec=${step%s}

echo "== baseline: curl, the same 14 range queries one after the other (JSON fetched, not decoded)"
queries='go_gc_duration_seconds_count go_gc_duration_seconds_sum go_memstats_heap_alloc_bytes go_memstats_next_gc_bytes
go_memstats_sys_bytes go_memstats_alloc_bytes_total go_goroutines process_resident_memory_bytes process_cpu_seconds_total
process_start_time_seconds go_gc_heap_live_bytes go_cpu_classes_gc_total_cpu_seconds_total go_cpu_classes_total_cpu_seconds_total'
TIMEFORMAT="%R"
for r in $(seq "$runs"); do
  t0=$(date +%s.%N)
  bytes=0
  for q in $queries 'go_gc_duration_seconds{quantile="1",job="api"}'; do
    case "$q" in *'{'*) expr="$q" ;; *) expr="$q{job=\"api\"}" ;; esac
    n=$(curl -sf --data-urlencode "query=$expr" -d "start=$start" -d "end=$end" -d "step=$stepsec" "$url/api/v1/query_range" | wc -c)
    bytes=$((bytes + n))
  done
  echo "   run $r: $(echo "$(date +%s.%N) - $t0" | bc) s, $((bytes / 1024 / 1024)) MiB of JSON"
done

echo "== gcprobe import prometheus --selector '{job=\"api\"}' --since $since --until $until --step $step"
# On a shared machine wall time follows the load: the CPU time gcprobe
# itself used (user + sys) is printed beside it, and the load average.
TIMEFORMAT="%R s wall, %U s user + %S s sys"
for r in $(seq "$runs"); do
  rm -rf "$work/out"
  took=$( { time "$work/gcprobe" import prometheus --url "$url" --selector '{job="api"}' --since "$since" --until "$until" --step "$step" -o "$work/out" 2> "$work/import.log"; } 2>&1 )
  echo "   run $r: $took (load average $(cut -d' ' -f1 /proc/loadavg)): $(cut -c1-120 "$work/import.log")"
done
echo "   $(ls "$work/out" | wc -l) records, $(du -sh "$work/out" | cut -f1)"

echo "== gcprobe summary (the fleet view) over them"
t0=$(date +%s.%N)
"$work/gcprobe" summary "$work/out" > "$work/summary.txt"
echo "   $(echo "$(date +%s.%N) - $t0" | bc) s"
sed -n '/^outliers/,$p' "$work/summary.txt"
