// Package httpload puts an HTTP service under open-loop load with
// loadgen's schedule: requests go out at a fixed rate whatever the service
// does, their latency counts from when each was due, and the per-interval
// histograms, status classes, errors and timeouts go to the run record as
// Latency events on the record's clock, beside the service's GC cycles.
//
// gcprobe is another process than the service, so the dispatcher's own
// lateness, up to ownDelay (Go's timers wake up to about 1 ms late in an
// idle process), is not counted as the service's latency; a wait for a
// free connection is.
//
// Each of Config.Connections workers holds at most one keep-alive
// connection and sends one request at a time; a request due while all are
// busy waits for one (and counts as late), so the schedule never slows down
// to the service's pace.
package httpload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gcprobe/gcprobe/loadgen"
	"github.com/gcprobe/gcprobe/record"
)

// Config sets up a load.
type Config struct {
	// Targets are sent round-robin.
	Targets []Target
	// Rates are the arrival rates in requests per second, one per step;
	// Step is each step's length when there are several. With one rate
	// the load lasts Duration.
	Rates    []float64
	Step     time.Duration
	Duration time.Duration
	// Warmup runs at the first rate before measuring.
	Warmup time.Duration
	// Connections bounds the requests in flight (default 64).
	Connections int
	// Timeout bounds each request (default 10s).
	Timeout time.Duration
	// Interval is the length of each Latency event (default 100ms).
	Interval time.Duration
	// Record receives the Latency events and notes.
	Record *record.Writer
	// Slow and SlowOver are loadgen.Config's hook for slow requests.
	Slow     func(r loadgen.Request, latency time.Duration)
	SlowOver time.Duration
}

// ownDelay bounds the generator's own lateness left out of latency: about
// twice the timer granularity measured here.
const ownDelay = 2 * time.Millisecond

// Defaults of Config.
const (
	DefaultConnections = 64
	DefaultTimeout     = 10 * time.Second
)

// Step is what one rate step measured.
type Step struct {
	Rate float64
	// Sent counts requests started (warmup included); Measured those
	// measured; Late those that found every connection busy when due.
	Sent, Measured, Late uint64
	// P50, P99 and P999 are over the step's measured requests, as
	// bucket upper bounds.
	P50, P99, P999 time.Duration
}

// Result is what a load measured.
type Result struct {
	Steps    []Step
	Outcomes loadgen.OutcomeCounts
	// Hist holds every measured latency.
	Hist *loadgen.Histogram
}

// LateShare is the share of measured requests that started late.
func (r Result) LateShare() float64 {
	var late, n uint64
	for _, s := range r.Steps {
		late += s.Late
		n += s.Measured
	}
	if n == 0 {
		return 0
	}
	return float64(late) / float64(n)
}

// Run sends the load until every step has run or ctx is done. The error is
// the record's, or a bad Config.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if len(cfg.Targets) == 0 {
		return Result{}, errors.New("httpload: no targets")
	}
	if len(cfg.Rates) == 0 {
		return Result{}, errors.New("httpload: no rate")
	}
	if cfg.Connections <= 0 {
		cfg.Connections = DefaultConnections
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	client := newClient(cfg.Connections, cfg.Timeout)
	defer client.CloseIdleConnections()
	workers, err := newWorkers(ctx, cfg.Targets, cfg.Connections)
	if err != nil {
		return Result{}, err
	}
	out := new(loadgen.Outcomes)
	res := Result{Hist: new(loadgen.Histogram)}
	for i, rate := range cfg.Rates {
		if ctx.Err() != nil {
			break
		}
		lc := stepConfig(cfg, i)
		lc.Outcomes, lc.Hist = out, res.Hist
		before := res.Hist.Counts()
		r, err := loadgen.RunMeasured(ctx, lc, func(r loadgen.Request) bool { return workers[r.Worker].send(ctx, client, r, out) })
		step := Step{Rate: rate, Sent: r.Sent, Measured: r.Measured, Late: r.Late}
		d := res.Hist.Counts().Sub(before)
		step.P50, step.P99, step.P999 = d.Quantile(0.5), d.Quantile(0.99), d.Quantile(0.999)
		res.Steps = append(res.Steps, step)
		if err != nil {
			res.Outcomes = out.Totals()
			return res, err
		}
	}
	res.Outcomes = out.Totals()
	return res, nil
}

// stepConfig is the schedule of rate step i: its rate and length, the
// warmup before the first, and the note that marks its start in the record.
func stepConfig(cfg Config, i int) loadgen.Config {
	lc := loadgen.Config{Rate: cfg.Rates[i], Workers: cfg.Connections, Duration: cfg.Duration, Interval: cfg.Interval,
		Record: cfg.Record, Slow: cfg.Slow, SlowOver: cfg.SlowOver, OwnDelay: ownDelay}
	if i == 0 {
		lc.Warmup = cfg.Warmup
	}
	switch {
	case len(cfg.Rates) > 1:
		lc.Duration = cfg.Step
		lc.StartNote = fmt.Sprintf("load step %d of %d: %g requests/s for %v", i+1, len(cfg.Rates), cfg.Rates[i], cfg.Step)
		if lc.Warmup > 0 {
			lc.StartNote += fmt.Sprintf(", after %v of warmup (GC events before it are warmup)", lc.Warmup)
		}
	case cfg.Warmup == 0:
		lc.StartNote = "load: measured from its first request (no warmup)"
	}
	return lc
}

// newClient returns a client whose transport keeps one idle connection per
// worker, so that connections are reused rather than redialled.
func newClient(conns int, timeout time.Duration) *http.Client {
	t := &http.Transport{
		Proxy:               nil, // load goes to the service, never through a proxy
		DialContext:         (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: t, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// worker holds one prepared request per target, reused for every send: a
// request is done with once its response body is read and closed.
type worker struct {
	reqs   []*http.Request
	bodies [][]byte
	next   int
}

func newWorkers(ctx context.Context, ts []Target, n int) ([]*worker, error) {
	ws := make([]*worker, n)
	for i := range ws {
		w := &worker{next: i % len(ts)} // spread the targets over the workers
		for _, t := range ts {
			req, err := http.NewRequestWithContext(ctx, t.Method, t.URL, nil)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", t, err)
			}
			for k, vs := range t.Header {
				for _, v := range vs {
					if strings.EqualFold(k, "Host") {
						req.Host = v
						continue
					}
					req.Header.Add(k, v)
				}
			}
			req.ContentLength = int64(len(t.Body))
			if body := t.Body; len(body) > 0 {
				// Lets the transport resend the body on a connection the
				// server had closed while idle.
				req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			}
			w.reqs = append(w.reqs, req)
			w.bodies = append(w.bodies, t.Body)
		}
		ws[i] = w
	}
	return ws, nil
}

// send sends the worker's next request and counts its outcome; it reports
// whether its latency is to be measured: not for a request that got no
// response, which failed in however long the failure took.
func (w *worker) send(ctx context.Context, c *http.Client, r loadgen.Request, out *loadgen.Outcomes) bool {
	i := w.next
	w.next = (w.next + 1) % len(w.reqs)
	req := w.reqs[i]
	if body := w.bodies[i]; len(body) > 0 {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := c.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	switch {
	case ctx.Err() != nil:
		return false // cut off by the end of the load
	case r.Warmup:
	case err != nil && isTimeout(err):
		out.Timeout()
	case err != nil:
		out.Error(err)
		return false
	default:
		out.Status(resp.StatusCode)
	}
	return true
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}
