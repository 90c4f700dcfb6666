// Command allocator is a small Go program that gcprobe's tests run as a
// child: it allocates garbage at a configurable rate, retains part of it,
// and writes ordinary lines to stdout and stderr so that tests can check
// that gcprobe passes them through.
//
// When the environment names an event stream (GCPROBE_EVENTS_FD, as gcprobe
// run sets it), it also writes a note and a gc event there, as a program
// embedding gcprobe's probe would.
//
// Usage:
//
//	allocator [-rate BYTES/s] [-retain BYTES] [-for DURATION] [-exit N] [-panic] [-hang] [-sleep DURATION] [-ignore-signals] [-bad-events]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

func main() {
	rate := flag.Int("rate", 64<<20, "bytes of garbage to allocate per second")
	retain := flag.Int("retain", 4<<20, "bytes to keep live at most (a ring of retained objects)")
	dur := flag.Duration("for", 300*time.Millisecond, "how long to allocate")
	exit := flag.Int("exit", 0, "exit status")
	doPanic := flag.Bool("panic", false, "panic after allocating")
	hang := flag.Bool("hang", false, "after allocating, keep allocating slowly until killed")
	sleep := flag.Duration("sleep", 0, "sleep this long after allocating")
	ignoreSignals := flag.Bool("ignore-signals", false, "ignore SIGINT and SIGTERM (to test escalation to SIGKILL)")
	badEvents := flag.Bool("bad-events", false, "also write a malformed line on the event stream")
	flag.Parse()

	if *ignoreSignals {
		signal.Ignore(os.Interrupt, syscall.SIGTERM)
	}
	start := time.Now()
	fmt.Println("allocator: stdout line")
	fmt.Fprintln(os.Stderr, "allocator: starting")
	stream, events := eventStream(start)
	if events != nil {
		events.Note(record.NoteInfo, "allocator started")
		if *badEvents {
			stream.WriteString("{not json\n")
		}
	}

	a := newAllocator(*retain)
	a.run(*rate, *dur)
	if events != nil {
		// A gc event as the probe would write it; gcprobe run drops it in
		// favour of gctrace's exact cycle.
		events.Write(record.Event{GC: &record.GC{N: 1}})
		events.Write(record.Event{Sample: &record.Sample{Goroutines: 1}})
	}
	fmt.Fprintln(os.Stderr, "allocator: done allocating", a.total, "bytes")
	if *sleep > 0 {
		time.Sleep(*sleep)
	}
	if *doPanic {
		panic("allocator: asked to panic")
	}
	if *hang {
		fmt.Fprintln(os.Stderr, "allocator: hanging")
		for {
			a.run(*rate/10, time.Second)
		}
	}
	os.Exit(*exit)
}

// eventStream opens the event stream gcprobe run passes, or returns nils.
func eventStream(start time.Time) (*os.File, *record.Writer) {
	fd, err := strconv.Atoi(os.Getenv(record.EventsFDEnv))
	if err != nil || fd < 3 {
		return nil, nil
	}
	f := os.NewFile(uintptr(fd), "gcprobe-events")
	return f, record.NewEventWriter(f, start)
}

type allocator struct {
	ring  [][]byte
	next  int
	total int
	sink  []byte
}

const objSize = 4 << 10

func newAllocator(retain int) *allocator {
	return &allocator{ring: make([][]byte, max(1, retain/objSize))}
}

// run allocates rate bytes per second for d, in 4 KiB objects; every
// eighth object is retained in the ring, replacing the oldest.
func (a *allocator) run(rate int, d time.Duration) {
	const tick = 10 * time.Millisecond
	perTick := max(objSize, rate/int(time.Second/tick))
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for n := 0; n < perTick; n += objSize {
			b := make([]byte, objSize)
			b[0] = byte(n)
			a.total += objSize
			if (a.total/objSize)%8 == 0 {
				a.ring[a.next] = b
				a.next = (a.next + 1) % len(a.ring)
			} else {
				a.sink = b
			}
		}
		time.Sleep(tick)
	}
}
