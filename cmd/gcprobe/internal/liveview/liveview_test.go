package liveview

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/analyze/live"
	"github.com/gcprobe/gcprobe/record"
)

// TestLinesSkipRepeats: while the record does not move, the plain view
// writes no second, identical line (it printed "t=0s" twice at the start of
// a run), and a new event gives a new line.
func TestLinesSkipRepeats(t *testing.T) {
	mon := live.New(live.Options{})
	var rec bytes.Buffer
	w, err := record.NewWriter(&rec, record.Header{Source: record.SourceRun, Start: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(record.Event{T: 0, Sample: &record.Sample{RSSBytes: 100 << 20}})
	mon.Write(rec.Bytes())
	rec.Reset()

	done := make(chan struct{})
	var out bytes.Buffer
	finished := make(chan struct{})
	go func() {
		Lines(&out, Options{Monitor: mon, Interval: 5 * time.Millisecond, Done: done})
		close(finished)
	}()
	time.Sleep(60 * time.Millisecond) // a dozen ticks with nothing new
	w.Write(record.Event{T: 1, Sample: &record.Sample{RSSBytes: 200 << 20}})
	mon.Write(rec.Bytes())
	time.Sleep(60 * time.Millisecond)
	close(done)
	<-finished

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per state of the record (2), got %d:\n%s", len(lines), out.String())
	}
	if !strings.HasPrefix(lines[0], "t=0s ") || !strings.HasPrefix(lines[1], "t=1s ") {
		t.Errorf("lines do not follow the record's clock:\n%s", out.String())
	}
}
