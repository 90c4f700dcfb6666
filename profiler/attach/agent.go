package attach

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// agent polls the gcprobe agent mounted in the target. The agent's probe
// samples the runtime itself and keeps its events in a ring; each poll asks
// for the events since the previous one's cursor, so that nothing is lost
// while the ring holds them. Its events are passed through, moved from the
// agent's clock to the record's.
type agent struct {
	f     *fetcher
	url   string
	start time.Time

	started bool
	cursor  uint64
	// shift moves an agent time offset to the record's clock.
	shift float64
}

func newAgent(f *fetcher, url string, start time.Time) *agent {
	return &agent{f: f, url: url, start: start}
}

func (*agent) name() string { return SourceAgent }

func (a *agent) poll(ctx context.Context, now float64) (reading, error) {
	url := a.url
	if a.started {
		url = fmt.Sprintf("%sevents?since=%d", a.url, a.cursor)
	}
	body, err := a.f.get(ctx, url, "application/json", maxMetricsBody, 0)
	if err != nil {
		return reading{}, err
	}
	return a.read(url, body, now)
}

// read decodes the agent's state (first poll) or an events page (later).
func (a *agent) read(url string, body []byte, now float64) (reading, error) {
	if !a.started {
		return a.baseline(url, body)
	}
	// A fresh value each time: decoding into a used one would keep payload
	// pointers of earlier events.
	var evs record.AgentPage
	if err := decodeJSON(url, "gcprobe agent", body, &evs); err != nil {
		return reading{}, err
	}
	var r reading
	if evs.Next < a.cursor {
		// The agent counts from 0 again: a new process answers at the URL.
		// Its clock is unknown until the next baseline; take its events
		// from here on.
		r.events = append(r.events, record.Event{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
			"agent: the event cursor went back from %d to %d at %.3fs: a different process answers at the URL now (restarted?)", a.cursor, evs.Next, now)}})
		a.cursor = evs.Next
		return r, nil
	}
	if evs.Lost > 0 {
		r.events = append(r.events, record.Event{T: now, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
			"agent: %d events between %d and %d were overwritten in the agent's buffer before this poll at %.3fs; poll more often (--interval)",
			evs.Lost, a.cursor, a.cursor+evs.Lost, now)}})
	}
	for _, e := range evs.Events {
		record.Shift(&e, a.shift)
		switch e.Kind() {
		case record.KindSample, record.KindGC, record.KindPauses, record.KindNote:
			r.events = append(r.events, e)
		}
	}
	a.cursor = evs.Next
	return r, nil
}

// baseline reads the agent's state: its header (what the program is) and
// the cursor to poll from.
func (a *agent) baseline(url string, body []byte) (reading, error) {
	var st record.AgentStatus
	if err := decodeJSON(url, "gcprobe agent", body, &st); err != nil {
		return reading{}, err
	}
	if st.Header.Schema == "" {
		return reading{}, fmt.Errorf("GET %s: JSON without a gcprobe header and cursor: not the gcprobe agent", url)
	}
	// The agent's header is a record header: a major version this gcprobe
	// does not read is refused as it would be in a file.
	if err := record.CheckSchema(st.Header.Schema); err != nil {
		return reading{}, fmt.Errorf("GET %s: gcprobe agent: %w", url, err)
	}
	a.started, a.cursor = true, st.Next
	if !st.Header.Start.IsZero() {
		a.shift = st.Header.Start.Sub(a.start).Seconds()
	}
	// The agent always sends its latest sample.
	r := reading{header: &st.Header, sample: st.Sample, sampleOK: true}
	if st.Header.PID != 0 {
		r.identity = &identity{pid: st.Header.PID}
	}
	return r, nil
}

// decodeJSON decodes body into v, with one-line errors for HTML and garbage.
func decodeJSON(url, what string, body []byte, v any) error {
	if looksLikeHTML(body) {
		return fmt.Errorf("GET %s: answered an HTML page, not %s JSON (wrong URL, or a login page?)", url, what)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: not %s JSON: %v", url, what, err)
	}
	return nil
}
