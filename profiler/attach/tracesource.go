package attach

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gcprobe/gcprobe/internal/fetch"
	"github.com/gcprobe/gcprobe/record"
	"github.com/gcprobe/gcprobe/units"
)

// probeWindow is the pprof trace window FindTargetTrace takes to check that
// the service serves one: short, so that the check costs the service
// little.
const probeWindow = 50 * time.Millisecond

// TargetTrace takes another Go program's execution trace over HTTP when a
// trigger fires (a profiler.TraceSource): a snapshot of the program's own
// flight recorder through gcprobe's agent, which holds the seconds before
// the trigger, or else a net/http/pprof /debug/pprof/trace window, which
// can only hold the seconds after it.
type TargetTrace struct {
	url    string // what to GET
	from   string // record.TraceFromAgent or record.TraceFromPprof
	window time.Duration
	client *http.Client
}

// FindTargetTrace asks the service at base (its scheme://host:port; a path
// is ignored) how it can give a trace: gcprobe's agent at /debug/gcprobe/
// with a flight recorder, else net/http/pprof's /debug/pprof/trace, which it
// checks by taking a real 50 ms window. window is the pprof window's length.
// The error says in one line what was tried.
func FindTargetTrace(ctx context.Context, base string, window time.Duration) (*TargetTrace, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", base)
	}
	root := u.Scheme + "://" + u.Host
	client := &http.Client{}
	agentErr := findAgentFlight(ctx, client, root+"/debug/gcprobe/")
	if agentErr == nil {
		return &TargetTrace{url: root + "/debug/gcprobe/trace", from: record.TraceFromAgent, client: client}, nil
	}
	t := &TargetTrace{url: root + "/debug/pprof/trace?seconds=", from: record.TraceFromPprof, window: window, client: client}
	var buf bytes.Buffer
	pprofErr := t.get(ctx, &buf, probeWindow)
	if pprofErr == nil {
		return t, nil
	}
	return nil, fmt.Errorf("%s serves no execution trace: %v; %v (mount net/http/pprof, or gcprobe's agent with profiler.Options.FlightRecorder)",
		root, agentErr, pprofErr)
}

// findAgentFlight checks that the agent at url says it has a flight
// recorder.
func findAgentFlight(ctx context.Context, client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body, err := fetch.Get(ctx, client, url, "application/json", 16<<20)
	if err != nil {
		return fmt.Errorf("GET %s: %v", url, err)
	}
	var st record.AgentStatus
	if err := json.Unmarshal(body, &st); err != nil {
		return fmt.Errorf("GET %s: not gcprobe's agent", url)
	}
	if !st.FlightRecorder {
		return fmt.Errorf("gcprobe's agent at %s has no flight recorder", url)
	}
	return nil
}

// From is where the traces come from: record.TraceFromAgent or
// record.TraceFromPprof.
func (t *TargetTrace) From() string { return t.from }

// Window is a pprof window's length; 0 for the agent's snapshots, whose
// length is the program's recorder's.
func (t *TargetTrace) Window() time.Duration {
	if t.from == record.TraceFromPprof {
		return t.window
	}
	return 0
}

// Covers says what a trace holds.
func (t *TargetTrace) Covers() string {
	if t.from == record.TraceFromAgent {
		return "the seconds before the trigger (the target's flight recorder, through gcprobe's agent)"
	}
	return fmt.Sprintf("the %v after the trigger, not the seconds before (a /debug/pprof/trace window from the target)", t.window)
}

// URL is what WriteTrace asks for.
func (t *TargetTrace) URL() string {
	if t.from == record.TraceFromPprof {
		return t.url + strconv.FormatFloat(t.window.Seconds(), 'g', -1, 64)
	}
	return t.url
}

// WriteTrace takes one trace from the target and writes it to w.
func (t *TargetTrace) WriteTrace(ctx context.Context, w io.Writer) error {
	return t.get(ctx, w, t.window)
}

func (t *TargetTrace) get(ctx context.Context, w io.Writer, window time.Duration) error {
	u := t.url
	if t.from == record.TraceFromPprof {
		u += strconv.FormatFloat(window.Seconds(), 'g', -1, 64)
	}
	ctx, cancel := context.WithTimeout(ctx, window+30*time.Second)
	defer cancel()
	body, err := fetch.Get(ctx, t.client, u, "", maxTraceBody)
	switch {
	case err != nil:
		return fmt.Errorf("GET %s: %v", u, err)
	case notTrace(body) != "":
		return fmt.Errorf("GET %s answered %s (%s)", u, notTrace(body), units.Bytes(float64(len(body))))
	}
	_, err = w.Write(body)
	return err
}
