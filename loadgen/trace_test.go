package loadgen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime/trace"
	"testing"
	"time"

	xtrace "golang.org/x/exp/trace"
)

// TestRequestsAreTraceTasks runs a load under a real execution trace, one
// worker, with one request stalled 30 ms: every request is a "request" task
// holding its "handle" region, and the requests queued behind the stall
// show their wait as the task's time before the region, plus the "late"
// log of those the dispatcher could only begin after the stall.
func TestRequestsAreTraceTasks(t *testing.T) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skipf("an execution trace is already being taken: %v", err)
	}
	res, err := Run(context.Background(), Config{Rate: 500, Workers: 1, Duration: 300 * time.Millisecond},
		func(r Request) {
			if r.Seq == 50 {
				time.Sleep(30 * time.Millisecond)
			}
		})
	trace.Stop()
	if err != nil {
		t.Fatal(err)
	}

	r, err := xtrace.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	type span struct {
		begin, end, region, regionEnd xtrace.Time
		late                          time.Duration // the "late" log: begun after its due time
	}
	tasks := map[xtrace.TaskID]*span{}
	var ended, regions, waited int
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch ev.Kind() {
		case xtrace.EventTaskBegin:
			if task := ev.Task(); task.Type == "request" {
				tasks[task.ID] = &span{begin: ev.Time()}
			}
		case xtrace.EventLog:
			if l := ev.Log(); l.Category == "late" && tasks[l.Task] != nil {
				d, err := time.ParseDuration(l.Message)
				if err != nil {
					t.Fatalf("late log %q: %v", l.Message, err)
				}
				tasks[l.Task].late = d
			}
		case xtrace.EventRegionBegin:
			if reg := ev.Region(); reg.Type == "handle" {
				s := tasks[reg.Task]
				if s == nil {
					t.Fatalf("a handle region outside a request task (task %v)", reg.Task)
				}
				s.region = ev.Time()
			}
		case xtrace.EventRegionEnd:
			if reg := ev.Region(); reg.Type == "handle" && tasks[reg.Task] != nil {
				tasks[reg.Task].regionEnd = ev.Time()
				regions++
			}
		case xtrace.EventTaskEnd:
			s := tasks[ev.Task().ID]
			if s == nil {
				continue
			}
			s.end = ev.Time()
			ended++
			if s.region < s.begin || s.regionEnd > s.end || s.regionEnd == 0 {
				t.Errorf("the handle region [%d, %d] is not inside its task [%d, %d]", s.region, s.regionEnd, s.begin, s.end)
			}
			if s.late+s.region.Sub(s.begin) > 5*time.Millisecond {
				waited++
			}
		}
	}
	if uint64(len(tasks)) != res.Sent || uint64(ended) != res.Sent || uint64(regions) != res.Sent {
		t.Errorf("%d request tasks begun, %d ended, %d handle regions; %d requests sent", len(tasks), ended, regions, res.Sent)
	}
	t.Logf("%d requests, %d waited more than 5ms", res.Sent, waited)
	// At 2 ms apart, 15 requests are due during the 30 ms stall and wait
	// for the one worker, 12 of them more than 5 ms. A busy machine adds
	// a few waits of its own (17 in a CI run beside other work), so the
	// upper bound only tells the stall's waits from every request's.
	if waited < 8 || uint64(waited) > res.Sent/4 {
		t.Errorf("%d of %d tasks waited more than 5ms before their handler, want about 12", waited, res.Sent)
	}
}
