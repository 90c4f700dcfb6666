package profiler

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// StreamFromEnv returns a record.Writer for events (record.NewEventWriter) on
// the inherited file descriptor that the environment variable
// record.EventsFDEnv names, so that a program started by `gcprobe run` streams
// its probe's events to gcprobe:
//
//	w, ok, err := profiler.StreamFromEnv()
//	if err != nil { ... }
//	p, err := profiler.New(profiler.Options{Record: w}) // w is nil when !ok
//
// ok is false, with no error, when the variable is not set. An error says the
// variable is set but does not name a usable descriptor.
//
// The variable is removed from the environment and the descriptor is marked
// close-on-exec, so that programs this one starts do not write to the same
// stream; a second call therefore returns ok=false. The writer's start, from
// which the events' offsets are measured, is the time of the call.
func StreamFromEnv() (w *record.Writer, ok bool, err error) {
	v, set := os.LookupEnv(record.EventsFDEnv)
	if !set || v == "" {
		return nil, false, nil
	}
	os.Unsetenv(record.EventsFDEnv)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, false, fmt.Errorf("profiler: %s=%q is not an inherited file descriptor (a number of 3 or more)", record.EventsFDEnv, v)
	}
	f, err := openEventsFD(fd)
	if err != nil {
		return nil, false, fmt.Errorf("profiler: %s=%d: %w", record.EventsFDEnv, fd, err)
	}
	return record.NewEventWriter(f, time.Now()), true, nil
}
