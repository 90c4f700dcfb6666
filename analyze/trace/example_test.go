package trace_test

import (
	"bytes"
	"fmt"
	"log"
	rtrace "runtime/trace"
	"time"

	"github.com/gcprobe/gcprobe/analyze/trace"
)

// Record a trace of this process for a moment, then analyse it: the MMU's
// first window, and whether the trace was whole.
func Example() {
	var buf bytes.Buffer
	if err := rtrace.Start(&buf); err != nil {
		log.Fatal(err)
	}
	garbage := make([][]byte, 0, 1024)
	for stop := time.Now().Add(20 * time.Millisecond); time.Now().Before(stop); {
		garbage = append(garbage[:0], make([]byte, 64<<10))
	}
	rtrace.Stop()

	a, err := trace.Analyze(&buf, trace.Options{Source: "example"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first MMU window:", time.Duration(a.MMU[0].WindowNs))
	fmt.Println("truncated:", a.Truncated)
	// Output:
	// first MMU window: 100µs
	// truncated: false
}
