package gctrace_test

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/gcprobe/gcprobe/profiler/gctrace"
)

func ExampleParser() {
	log := `2026-11-25T10:00:00Z gc 7 @120.456s 2%: 0.091+250+0.046 ms clock, 0.18+12/248/0.5+0.092 ms cpu, 950->1010->520 MB, 1000 MB goal, 1 MB stacks, 0 MB globals, 2 P
2026-11-25T10:00:01Z request served in 3ms
2026-11-25T10:02:01Z GC forced
2026-11-25T10:02:01Z gc 8 @240.470s 2%: 0.040+310+0.052 ms clock, 0.080+0.21/300/0.12+0.10 ms cpu, 600->600->520 MB, 1040 MB goal, 1 MB stacks, 0 MB globals, 2 P`

	p := gctrace.NewParser()
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		gc, kind := p.Parse(sc.Bytes())
		switch kind {
		case gctrace.Cycle:
			fmt.Printf("gc %d: %.3fs-%.3fs, paused %.0fµs, live heap %d MiB, periodic %v\n",
				gc.N, gc.StartSeconds, gc.EndSeconds, gc.PauseSeconds*1e6, gc.HeapLiveBytes>>20, gc.Periodic)
		case gctrace.Other:
			fmt.Println("program:", sc.Text())
		}
	}
	// Output:
	// gc 7: 120.456s-120.706s, paused 137µs, live heap 520 MiB, periodic false
	// program: 2026-11-25T10:00:01Z request served in 3ms
	// gc 8: 240.470s-240.780s, paused 92µs, live heap 520 MiB, periodic true
}
