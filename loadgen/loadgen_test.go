package loadgen

import (
	"bytes"
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// TestStallIsLatency stalls one request for 200 ms at 1000 req/s. Open loop,
// every request due during the stall waits behind it, and each must show
// that wait as latency: about 200 of them, from 200 ms down to 0.
func TestStallIsLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a second")
	}
	for _, workers := range []int{1, 4} {
		t.Run(map[int]string{1: "one worker", 4: "stall blocks four workers"}[workers], func(t *testing.T) {
			var buf bytes.Buffer
			w, err := record.NewWriter(&buf, record.Header{Source: record.SourceScenario})
			if err != nil {
				t.Fatal(err)
			}
			var world sync.Mutex // like a stop-the-world pause: the stall holds up every worker
			const stallAt, stall = 300, 200 * time.Millisecond
			res, err := Run(context.Background(), Config{Rate: 1000, Workers: workers, Duration: time.Second, Record: w},
				func(r Request) {
					world.Lock()
					if r.Seq == stallAt {
						time.Sleep(stall)
					}
					world.Unlock()
				})
			if err != nil {
				t.Fatal(err)
			}
			if res.Measured < 900 || res.Sent != res.Measured {
				t.Fatalf("sent %d, measured %d; want about 1000 each", res.Sent, res.Measured)
			}
			// The wait is spread over the requests behind the stall, not
			// pinned on the one that stalled.
			if q := res.Hist.Quantile(0.90); q < 40*time.Millisecond {
				t.Errorf("p90 = %v: the requests queued behind the stall do not show their wait", q)
			}
			if q := res.Hist.Quantile(1); q < stall*9/10 {
				t.Errorf("max = %v, want about %v", q, stall)
			}
			if q := res.Hist.Quantile(0.5); q > 100*time.Millisecond {
				t.Errorf("p50 = %v: most requests were not behind the stall", q)
			}

			// The record tells the same story, with start times.
			run, err := record.Read(&buf, "test")
			if err != nil {
				t.Fatal(err)
			}
			var count, slow uint64
			var maxLat float64
			var listedIn, listedOut int
			for _, e := range run.Events {
				if l := e.Latency; l != nil {
					count += l.Count
					maxLat = max(maxLat, l.MaxSeconds)
					for _, b := range l.Buckets {
						if b.Lo >= 0.05 {
							slow += b.Count
						}
					}
					for _, r := range l.Slowest {
						switch {
						case r.LatencySeconds < 0.1:
						case r.StartSeconds >= 0.29 && r.StartSeconds <= 0.52:
							listedIn++
						default:
							listedOut++ // a stall of the machine itself, on a busy one
						}
					}
				}
			}
			// The slowest-request lists place the slow requests in the stall.
			if listedIn < 20 || listedIn <= listedOut {
				t.Errorf("slowest lists: %d requests over 100 ms started during the stall (0.3s to 0.5s), %d outside", listedIn, listedOut)
			}
			if count != res.Measured {
				t.Errorf("latency events count %d requests, generator measured %d", count, res.Measured)
			}
			if slow < 100 {
				t.Errorf("%d requests of 50 ms or more in the record, want about 150", slow)
			}
			if maxLat < 0.18 {
				t.Errorf("max latency in the record %gs, want about 0.2s", maxLat)
			}
		})
	}
}

func TestWarmupIsNotMeasured(t *testing.T) {
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceScenario})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{Rate: 2000, Warmup: 100 * time.Millisecond, Duration: 100 * time.Millisecond, Record: w, Interval: 20 * time.Millisecond},
		func(Request) {})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent < 390 || res.Measured > 210 || res.Measured < 180 {
		t.Fatalf("sent %d, measured %d: want 400 and 200", res.Sent, res.Measured)
	}
	run, err := record.Read(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Events) == 0 || run.Events[0].Note == nil {
		t.Fatalf("first event is not the note marking the start of measurement: %+v", run.Events)
	}
	if t0 := run.Events[0].T; t0 < 0.09 || t0 > 0.2 {
		t.Errorf("measurement marked at %gs, want 0.1s", t0)
	}
}

func TestRunRefusesZeroRate(t *testing.T) {
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := Run(context.Background(), Config{Rate: rate, Duration: time.Second}, func(Request) {}); err == nil {
			t.Errorf("rate %v accepted", rate)
		}
	}
}

// A rate so low that request 1 is due beyond any time.Duration must end with
// the run, not wrap around to a due time in the past and spin.
func TestRunTinyRateEnds(t *testing.T) {
	start := time.Now()
	res, err := Run(context.Background(), Config{Rate: 1e-300, Duration: 50 * time.Millisecond}, func(Request) {})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 1 || time.Since(start) > 2*time.Second {
		t.Fatalf("sent %d requests in %v, want 1 in about 50ms", res.Sent, time.Since(start))
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := Run(ctx, Config{Rate: 100, Duration: time.Hour}, func(Request) {}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Run took %v after cancel", d)
	}
}
