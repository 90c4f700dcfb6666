// Command genprofile writes a large synthetic Go heap profile (see package
// synth) for scripts/bench-analyze.sh.
//
//	go run ./analyze/profiles/internal/synth/genprofile -samples 600000 -o /tmp/heap.pb.gz
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/gcprobe/gcprobe/analyze/profiles/internal/synth"
)

func main() {
	samples := flag.Int("samples", 600000, "number of samples (distinct stacks)")
	out := flag.String("o", "heap.pb.gz", "output file (gzipped protobuf)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	p := synth.Heap(*samples, *seed)
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	depth := 0
	for _, s := range p.Sample {
		depth += len(s.Location)
	}
	fmt.Fprintf(os.Stderr, "genprofile: %s: %d samples, mean depth %.1f, %d locations, %d functions\n",
		*out, len(p.Sample), float64(depth)/float64(len(p.Sample)), len(p.Location), len(p.Function))
}
