package profiler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// AgentPrefix is where Handler expects to be mounted.
const AgentPrefix = "/debug/gcprobe/"

// Status is the agent's answer at /debug/gcprobe/ (see record.AgentStatus,
// where the client finds it too).
type Status = record.AgentStatus

// EventPage is the agent's answer at /debug/gcprobe/events?since=N: the
// events from cursor N on, the cursor to ask for next, and how many events
// from N on were no longer kept (see Options.Keep and record.AgentPage).
type EventPage = record.AgentPage

// Status returns what the agent serves at /debug/gcprobe/.
func (p *Probe) Status() Status {
	st := Status{Header: p.Header()}
	p.mu.Lock()
	st.T, st.Sample, st.Next = p.latestT, p.latestMem.attach(p.latest), p.ring.next
	p.mu.Unlock()
	st.FlightRecorder = p.flight.fr != nil && p.flight.fr.Enabled()
	return st
}

// Handler returns the agent, to be mounted at AgentPrefix the way
// net/http/pprof is:
//
//	mux.Handle("/debug/gcprobe/", p.Handler())
//
// It serves
//
//	GET /debug/gcprobe/                 Status as JSON
//	GET /debug/gcprobe/events?since=N   EventPage as JSON: every event from cursor N on
//	GET /debug/gcprobe/metrics          Prometheus text exposition (format 0.0.4), with the 13 memory classes
//	GET /debug/gcprobe/trace            a snapshot of Options.FlightRecorder (404 without one): the
//	                                    last seconds of execution trace; one at a time, at least
//	                                    AgentTraceGap apart (429 otherwise)
//
// A poller that passes each answer's next as the following since loses no
// event unless more than Options.Keep events happen between two polls, and
// then lost says how many. The handler also works behind http.StripPrefix.
func (p *Probe) Handler() http.Handler {
	return http.HandlerFunc(p.serveHTTP)
}

func (p *Probe) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "gcprobe agent: method "+r.Method+" not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Path
	if i := strings.Index(path, strings.TrimSuffix(AgentPrefix, "/")); i >= 0 {
		path = path[i+len(AgentPrefix)-1:]
	}
	switch strings.TrimSuffix(path, "/") {
	case "":
		writeJSON(w, p.Status())
	case "/events":
		p.serveEvents(w, r)
	case "/metrics":
		p.serveMetrics(w)
	case "/trace":
		p.flight.serve(w, r)
	default:
		http.Error(w, "gcprobe agent: no such page; try "+AgentPrefix+", "+AgentPrefix+"events?since=0, "+AgentPrefix+"metrics or "+AgentPrefix+"trace", http.StatusNotFound)
	}
}

func (p *Probe) serveEvents(w http.ResponseWriter, r *http.Request) {
	var since uint64
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			http.Error(w, fmt.Sprintf("gcprobe agent: since=%q is not an event cursor (a non-negative integer: 0, or the next of the previous answer)", v), http.StatusBadRequest)
			return
		}
		since = n
	}
	var page EventPage
	page.Events, page.Next, page.Lost = p.EventsSince(since)
	writeJSON(w, page)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Headers are gone; the truncated body tells the client.
		return
	}
}

// AgentTraceGap is the least time between two snapshots the agent serves,
// so that a client in a loop cannot keep the process writing traces.
const AgentTraceGap = time.Second

// agentFlight serves snapshots of the program's flight recorder.
type agentFlight struct {
	fr   *trace.FlightRecorder
	mu   sync.Mutex // held while a snapshot is written
	last time.Time  // when the latest snapshot began; guarded by mu
}

func (a *agentFlight) serve(w http.ResponseWriter, r *http.Request) {
	if a.fr == nil || !a.fr.Enabled() {
		http.Error(w, "gcprobe agent: no flight recorder (the program gives a started one in profiler.Options.FlightRecorder)", http.StatusNotFound)
		return
	}
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/octet-stream")
		return
	}
	if !a.mu.TryLock() {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "gcprobe agent: a snapshot is being written; ask again later", http.StatusTooManyRequests)
		return
	}
	defer a.mu.Unlock()
	if wait := AgentTraceGap - time.Since(a.last); !a.last.IsZero() && wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
		http.Error(w, fmt.Sprintf("gcprobe agent: snapshots are at least %v apart; ask again in %v", AgentTraceGap, wait.Round(time.Millisecond)), http.StatusTooManyRequests)
		return
	}
	a.last = time.Now()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	// An error after the first bytes can only cut the body short; the
	// client sees a truncated trace.
	a.fr.WriteTo(w)
}
