package main

import "context"

const topHelp = `Watch a running Go program's GC live, and record it while you watch.

A full-screen view, updated every --refresh: GC cycles and cycles per second,
GC CPU share (with the mark assists' part where the source gives it), pause
p50/p99/max, heap live, heap goal and RSS with their recent history, the
allocation rate, GOGC, GOMEMLIMIT and GOMAXPROCS and, for a run under load,
p99 latency inside and outside GC cycles. The figures cover the last
--window and are computed as gcprobe summary computes them; the last line is
summary's verdict on that window.

The sources are attach's (see gcprobe attach --help): the gcprobe agent,
expvar or Prometheus at --url, RSS and CPU of --pid. The session is recorded
as gcprobe attach records it (-o); q or Ctrl-C ends it with a complete
record, then prints its summary. When stdout is not a terminal, or with
--plain, the view is one key=value line per --refresh. NO_COLOR turns colour
off. To watch a program that gcprobe starts, use gcprobe run --live or
gcprobe scenario run NAME --live.

Examples:
  gcprobe top --url http://127.0.0.1:8080
  gcprobe top --pid 4242 --url http://127.0.0.1:8080/debug/vars -o web.jsonl
  gcprobe top --pid 4242 --plain --duration 1m > gc.log`

func cmdTop(ctx context.Context, io stdio, args []string) error {
	return attachCommand(ctx, io, args, true)
}
