package trace

import (
	"bufio"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"
)

// The benchmarks read the trace named by GCPROBE_BIGTRACE (make one with
// scripts/bench-trace.sh or go run ./scripts/gentrace), or else the
// churn test program's: BenchmarkParseOnly is the floor that
// BenchmarkAnalyze is compared with, in the same run.
func benchTrace(b *testing.B) string {
	if p := os.Getenv("GCPROBE_BIGTRACE"); p != "" {
		return p
	}
	return progTrace(b, "churn", "400ms")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds cpu-ns/op, the process's CPU time per iteration (the
// garbage collector's included): on a shared machine it varies less than
// the wall time when other processes take the cores.
func reportCPU(b *testing.B, body func()) {
	start := cpuTime(b)
	n := 0
	for b.Loop() {
		body()
		n++
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(n), "cpu-ns/op")
}

func BenchmarkParseOnly(b *testing.B) {
	path := benchTrace(b)
	reportCPU(b, func() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		r, err := xtrace.NewReader(bufio.NewReaderSize(f, 1<<20))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.ReadEvent(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	path := benchTrace(b)
	reportCPU(b, func() {
		if _, err := AnalyzeFile(path, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	})
}
