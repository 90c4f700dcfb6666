#!/usr/bin/env bash
# Rerun gcprobe's benchmarks and summarise them with benchstat.
#
#   scripts/bench.sh                 # all benchmarks, 6 counts each, into bench/new.txt
#   scripts/bench.sh old.txt         # ... and compare against an earlier run
#
# The machines these run on are shared and noisy: compare ratios measured in
# the same run (each package's benchmarks include their own baseline, such as
# parse-only time), not absolute times across days. benchstat comes from the
# Go module proxy through go run (golang.org/x/perf is a module dependency).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench
count=${COUNT:-6}
pkgs=$(go list ./... | grep -v /cmd/ )
go test -run '^$' -bench . -benchmem -count "$count" $pkgs | tee bench/new.txt
if [ $# -ge 1 ]; then
  go run golang.org/x/perf/cmd/benchstat "$1" bench/new.txt
else
  go run golang.org/x/perf/cmd/benchstat bench/new.txt
fi
