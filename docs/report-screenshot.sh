#!/usr/bin/env bash
# Makes docs/report.png: a real readstates run, its report by gcprobe report,
# and a screenshot of the page in headless Chromium. Takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/gcprobe" ./cmd/gcprobe
"$tmp/gcprobe" scenario run readstates --quiet -o "$tmp/readstates-pointers.jsonl"
"$tmp/gcprobe" report "$tmp/readstates-pointers.jsonl" -o "$tmp/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --user-data-dir="$tmp/chromium" --window-size=1100,1900 \
  --screenshot="$PWD/docs/report.png" "file://$tmp/report.html"
