// Command traceparse reads an execution trace with golang.org/x/exp/trace
// and only counts its events: the parse-only floor that
// scripts/bench-trace.sh measures gcprobe analyze against. With -analyze
// it runs gcprobe's whole trace analysis (analyze/trace) instead, in the
// same small binary: the two then differ by the analysis alone, not by
// the gcprobe command's larger binary (whose mapped pages add to the peak
// RSS) or its rendering.
//
//	go run ./scripts/traceparse big.trace
//	go run ./scripts/traceparse -analyze big.trace
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"golang.org/x/exp/trace"

	gctrace "github.com/gcprobe/gcprobe/analyze/trace"
)

func main() {
	analyze := flag.Bool("analyze", false, "run gcprobe's analysis, not only the parser")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: traceparse [-analyze] TRACE")
	}
	if *analyze {
		a, err := gctrace.AnalyzeFile(flag.Arg(0), nil, gctrace.Options{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.Events, "events analysed")
		return
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		log.Fatal(err)
	}
	n := 0
	for {
		_, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "events")
}
