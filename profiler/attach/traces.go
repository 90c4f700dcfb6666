package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gcprobe/gcprobe/internal/fetch"
	"github.com/gcprobe/gcprobe/record"
)

// maxTraceBody bounds one /debug/pprof/trace window.
const maxTraceBody = 1 << 30

// traceMagic starts every Go execution trace ("go 1.22 trace\x00...").
var traceMagic = []byte("go 1.")

// notTrace says what body is when it is not an execution trace (a web
// page, a profile), or returns "" when it is one.
func notTrace(body []byte) string {
	switch {
	case bytes.HasPrefix(body, traceMagic):
		return ""
	case looksLikeHTML(body):
		return "an HTML page, not an execution trace (is net/http/pprof mounted?)"
	case fetch.IsGzip(body):
		return "a gzipped body (a pprof profile?), not an execution trace"
	}
	return "a body that is not a Go execution trace"
}

// traceWindows takes execution trace windows of s.o.Trace from
// /debug/pprof/trace: one at the start, then one every s.o.TraceEvery
// (0: only the first) until ctx ends. A failed window is noted once; a 404
// or a body that is not a trace stops the windows (the next would fail the
// same way).
func (r *recorder) traceWindows(ctx context.Context, pp *pprofClient) {
	for n := 1; ; n++ {
		asked := time.Now()
		ev, err := pp.trace(ctx, r.s.o.Trace, n, r.s.o.TraceEvery)
		if err != nil {
			if ctx.Err() != nil {
				err = errors.New("execution trace window: not captured: the session ended first")
			}
			r.w.Note(record.NoteWarning, "%v", err)
			return
		}
		r.res.Traces = append(r.res.Traces, ev.Path)
		r.w.Write(record.Event{T: r.w.Since(asked), Trace: ev})
		if r.s.o.TraceEvery <= 0 {
			return
		}
		wait := time.NewTimer(max(r.s.o.TraceEvery-time.Since(asked), 0))
		select {
		case <-ctx.Done():
			wait.Stop()
			return
		case <-wait.C:
		}
	}
}

// trace fetches window n, of length d, and writes it to base-trace-N.trace.
func (p *pprofClient) trace(ctx context.Context, d time.Duration, n int, every time.Duration) (*record.Trace, error) {
	url := p.url + "trace?seconds=" + strconv.FormatFloat(d.Seconds(), 'g', -1, 64)
	body, err := p.f.get(ctx, url, "", maxTraceBody, d)
	if err != nil {
		return nil, fmt.Errorf("execution trace window: %w", err)
	}
	if what := notTrace(body); what != "" {
		return nil, fmt.Errorf("execution trace window: GET %s answered %s", url, what)
	}
	path := fmt.Sprintf("%s-trace-%d.trace", p.base, n) // as the flight recorder names its snapshots
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return nil, fmt.Errorf("execution trace window: %v", err)
	}
	reason := fmt.Sprintf("window of %v", d)
	if every > 0 {
		reason += fmt.Sprintf(", every %v", every)
	}
	return &record.Trace{Path: filepath.Base(path), Trigger: record.TraceWindow, Reason: reason,
		Bytes: int64(len(body)), DurationSeconds: d.Seconds()}, nil
}
