package trace

import (
	"bufio"
	"io"
	"os"
	"testing"

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

func BenchmarkParseOnly(b *testing.B) {
	path := benchTrace(b)
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
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
		f.Close()
	}
}

func BenchmarkAnalyze(b *testing.B) {
	path := benchTrace(b)
	for b.Loop() {
		if _, err := AnalyzeFile(path, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
