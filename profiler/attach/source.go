package attach

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/record"
)

// Source names, for Options.Source and Header.Attach.Via.
const (
	SourceAuto       = "auto"
	SourceAgent      = "agent"
	SourceExpvar     = "expvar"
	SourcePrometheus = "prometheus"
	SourceNone       = "none" // process metrics only
)

// Sources lists the runtime data sources in the order auto tries them.
var Sources = []string{SourceAgent, SourceExpvar, SourcePrometheus}

// source is one kind of endpoint that exposes a Go program's runtime data.
type source interface {
	// name is one of the Source* constants.
	name() string
	// poll reads the endpoint once. The first successful poll is the
	// baseline; later ones return the cycles completed since the previous.
	// now is the time the poll started, on the record's clock.
	poll(ctx context.Context, now float64) (reading, error)
}

// reading is what one poll of a source found.
type reading struct {
	// sample holds the runtime fields of the sample written for this poll;
	// ok is false when the source writes its own samples (events).
	sample   record.Sample
	sampleOK bool
	// events are GC, Pauses, Sample and Note events with T set, in order.
	events []record.Event
	// header is what the source says about the program (the agent knows).
	header *record.Header
	// program names the program when the source says only that (expvar's
	// cmdline).
	program *record.Program
	// identity is what the baseline says about which process answers,
	// for the check against --pid (nil: nothing).
	identity *identity
}

// identity is what an endpoint says about the process behind it.
type identity struct {
	pid     int      // the agent's header
	cmdline []string // expvar's cmdline
	start   float64  // Prometheus process_start_time_seconds (Unix s)
}

// endpoints are the URLs of each source under a base URL. A URL whose path
// names one of them selects that source; any other path is a prefix.
type endpoints struct {
	base, agent, expvar, prometheus, pprof string
	only                                   string // source named by the path
}

// CheckURL reports whether raw is a base URL that attach can poll: http or
// https, with a host. Its error names --url, for a command to show as is.
func CheckURL(raw string) error {
	_, err := parseEndpoints(raw)
	return err
}

func parseEndpoints(raw string) (endpoints, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		hint := ""
		if !strings.Contains(raw, "://") {
			hint = fmt.Sprintf(" (the scheme is needed: %q)", "http://"+raw)
		}
		return endpoints{}, fmt.Errorf("--url %q: want http://HOST:PORT%s", raw, hint)
	}
	u.RawQuery, u.Fragment = "", ""
	p := strings.TrimSuffix(u.Path, "/")
	var e endpoints
	// The agent's own pages first: its /metrics is not client_golang's.
	for _, s := range []struct{ suffix, src string }{
		{"/debug/gcprobe/metrics", SourceAgent}, {"/debug/gcprobe/events", SourceAgent},
		{"/debug/gcprobe", SourceAgent}, {"/debug/vars", SourceExpvar}, {"/metrics", SourcePrometheus},
	} {
		if strings.HasSuffix(p, s.suffix) {
			p, e.only = strings.TrimSuffix(p, s.suffix), s.src
			break
		}
	}
	u.Path = p
	b := u.String()
	e.base = b
	e.agent, e.expvar, e.prometheus, e.pprof = b+"/debug/gcprobe/", b+"/debug/vars", b+"/metrics", b+"/debug/pprof/"
	return e, nil
}

// detect returns the first source (of those allowed by which) that answers
// at e with the right kind of body, its baseline reading already taken.
func detect(ctx context.Context, f *fetcher, e endpoints, which string, start time.Time) (source, reading, error) {
	try := Sources
	switch {
	case which != SourceAuto && which != "":
		try = []string{which}
	case e.only == SourcePrometheus:
		// client_golang imports expvar: where /debug/vars is served too,
		// it has every cycle's pause, which /metrics does not.
		try = []string{SourceExpvar, SourcePrometheus}
	case e.only != "":
		try = []string{e.only}
	}
	var errs []string
	for _, name := range try {
		var s source
		switch name {
		case SourceAgent:
			s = newAgent(f, e.agent, start)
		case SourceExpvar:
			s = newExpvar(f, e.expvar, start)
		case SourcePrometheus:
			s = newPrometheus(f, e.prometheus, start)
		default:
			return nil, reading{}, fmt.Errorf("unknown source %q (want auto, agent, expvar or prometheus)", name)
		}
		r, err := s.poll(ctx, 0)
		if err == nil {
			return s, r, nil
		}
		if errors.Is(err, ErrRefused) || errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			return nil, reading{}, err // the same for every path: say it once
		}
		errs = append(errs, name+": "+err.Error())
	}
	return nil, reading{}, fmt.Errorf("no Go runtime data at %s (%s)", e.base, strings.Join(errs, "; "))
}
