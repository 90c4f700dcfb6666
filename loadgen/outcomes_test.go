package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// TestOutcomesPerInterval: the handler's counts reach the Latency events
// interval by interval, warmup requests are not counted, a failure without
// a response is not measured, and each distinct failure gets one note
// however many ports its messages name.
func TestOutcomesPerInterval(t *testing.T) {
	var buf bytes.Buffer
	w, err := record.NewWriter(&buf, record.Header{Source: record.SourceRun})
	if err != nil {
		t.Fatal(err)
	}
	out := new(Outcomes)
	var port atomic.Int64
	res, err := RunMeasured(context.Background(), Config{Rate: 500, Duration: 400 * time.Millisecond, Warmup: 100 * time.Millisecond, Record: w, Outcomes: out},
		func(r Request) bool {
			if r.Warmup {
				return true
			}
			switch r.Seq % 4 {
			case 0:
				out.Status(200)
			case 1:
				out.Status(503)
			case 2:
				out.Timeout()
			default:
				out.Error(fmt.Errorf("read tcp 127.0.0.1:%d: %w", 40000+port.Add(1), errors.New("connection reset by peer")))
				return false
			}
			return true
		})
	if err != nil {
		t.Fatal(err)
	}
	run, err := record.Read(&buf, "test")
	if err != nil {
		t.Fatal(err)
	}
	var count, ok, bad, timeouts, errs uint64
	var notes []string
	for _, e := range run.Events {
		if l := e.Latency; l != nil {
			count += l.Count
			ok += l.Status["2xx"]
			bad += l.Status["5xx"]
			timeouts += l.Timeouts
			errs += l.Errors
		}
		if e.Note != nil && e.Note.Level == record.NoteWarning {
			notes = append(notes, e.Note.Message)
		}
	}
	if n := ok + bad + timeouts + errs; n < 190 || n > 200 {
		t.Errorf("outcomes count %d requests, want the 200 measured ones", n)
	}
	if count != ok+bad+timeouts || count != res.Measured {
		t.Errorf("latency counts %d, measured %d; want 2xx+5xx+timeouts = %d", count, res.Measured, ok+bad+timeouts)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "connection reset by peer") {
		t.Errorf("notes %q, want one for the reset connections", notes)
	}
	if tot := out.Totals(); tot.Errors != errs || tot.Status["2xx"] != ok {
		t.Errorf("totals %+v differ from the events (%d errors, %d 2xx)", tot, errs, ok)
	}
}
