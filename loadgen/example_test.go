package loadgen_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
)

// Drive a handler at 1000 requests per second for 100 ms; each request's
// latency is measured from when the schedule meant it to start.
func ExampleRun() {
	res, err := loadgen.Run(context.Background(), loadgen.Config{Rate: 1000, Duration: 100 * time.Millisecond},
		func(r loadgen.Request) { time.Sleep(50 * time.Microsecond) })
	if err != nil {
		panic(err)
	}
	fmt.Println("requests:", res.Sent)
	fmt.Println("p99 under a second:", res.Hist.Quantile(0.99) < time.Second)
	// Output:
	// requests: 100
	// p99 under a second: true
}
