// Command genrecord writes a synthetic run record (see internal/synth), for
// measuring gcprobe on records too large to keep in the repository:
//
//	go run ./scripts/genrecord --seconds 3600 --rate 111 --latency -o long.jsonl
//	gcprobe report long.jsonl -o long.html
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/gcprobe/gcprobe/internal/synth"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "genrecord:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := pflag.NewFlagSet("genrecord", pflag.ContinueOnError)
	var o synth.Options
	fs.Float64Var(&o.Seconds, "seconds", 3600, "length of the record")
	fs.Float64Var(&o.CyclesPerSecond, "rate", 111, "mean GC cycles per second")
	fs.BoolVar(&o.Latency, "latency", false, "add a latency histogram every second")
	fs.Uint64Var(&o.Seed, "seed", 1, "pseudo-random seed")
	out := fs.StringP("output", "o", "", "file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-o is required")
	}
	if !(o.Seconds > 0) || !(o.CyclesPerSecond > 0) {
		return fmt.Errorf("--seconds and --rate must be positive")
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := synth.Write(w, o); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
