// Command cgomalloc is a known answer for memory outside the Go runtime: it
// mallocs -mib MiB through cgo, touches every page, holds it for a second
// and frees it, while the embedded probe writes its record to -o. gcprobe
// should report about -mib MiB outside the Go runtime, which no Go memory
// class counts.
//
//	cgomalloc -o rec.jsonl [-mib 200]
package main

/*
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
	"unsafe"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/record"
)

func main() {
	out := flag.String("o", "cgomalloc.jsonl", "write the probe's record here")
	mib := flag.Int("mib", 200, "MiB to malloc")
	flag.Parse()
	if err := run(*out, *mib); err != nil {
		fmt.Fprintln(os.Stderr, "cgomalloc:", err)
		os.Exit(1)
	}
}

func run(out string, mib int) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	first, err := profiler.New(profiler.Options{})
	if err != nil {
		return err
	}
	h := first.Header()
	first.Close()
	w, err := record.NewWriter(f, h)
	if err != nil {
		return err
	}
	p, err := profiler.New(profiler.Options{Interval: 50 * time.Millisecond, Record: w})
	if err != nil {
		return err
	}
	p.Start(context.Background())
	time.Sleep(200 * time.Millisecond)
	n := C.size_t(mib) << 20
	buf := C.malloc(n)
	if buf == nil {
		return fmt.Errorf("malloc of %d MiB failed", mib)
	}
	C.memset(buf, 1, n) // touch every page
	time.Sleep(time.Second)
	C.free(unsafe.Pointer(buf))
	time.Sleep(200 * time.Millisecond)
	if err := p.Close(); err != nil {
		return err
	}
	return w.Write(record.Event{End: &record.End{Reason: record.EndExit}})
}
