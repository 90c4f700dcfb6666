// Command traceparse reads an execution trace with golang.org/x/exp/trace
// and only counts its events: the parse-only floor that
// scripts/bench-trace.sh measures gcprobe analyze against.
//
//	go run ./scripts/traceparse big.trace
package main

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"os"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: traceparse TRACE")
	}
	f, err := os.Open(os.Args[1])
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
