package promimport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Metric names, as client_golang's Go and process collectors export them.
const (
	mUp         = "up"
	mInfo       = "go_info"
	mGOGC       = "go_gc_gogc_percent"
	mMemLimit   = "go_gc_gomemlimit_bytes"
	mMaxProcs   = "go_sched_gomaxprocs_threads"
	mPauses     = "go_gc_duration_seconds"
	mPauseCount = mPauses + "_count"
	// mMemClasses matches client_golang's names of the /memory/classes
	// metrics (collectors.MetricsMemory); mMemTotal is their sum.
	mMemClasses  = "go_memory_classes_.+_bytes"
	mMemTotal    = "go_memory_classes_total_bytes"
	mPauseSum    = mPauses + "_sum"
	mHeapAlloc   = "go_memstats_heap_alloc_bytes"
	mNextGC      = "go_memstats_next_gc_bytes"
	mSys         = "go_memstats_sys_bytes"
	mAllocTotal  = "go_memstats_alloc_bytes_total"
	mGoroutines  = "go_goroutines"
	mRSS         = "process_resident_memory_bytes"
	mCPU         = "process_cpu_seconds_total"
	mStartTime   = "process_start_time_seconds"
	mHeapLive    = "go_gc_heap_live_bytes"                     // opt-in: MetricsGC
	mGCCPU       = "go_cpu_classes_gc_total_cpu_seconds_total" // opt-in: /cpu/classes
	mTotalCPU    = "go_cpu_classes_total_cpu_seconds_total"    // opt-in: /cpu/classes
	mPauseBucket = "go_sched_pauses_total_gc_seconds_bucket"   // opt-in: MetricsScheduler
)

// series is one metric's values for one instance, on the range's grid:
// v[k] is the value at step k, NaN where Prometheus had none.
type series []float64

// grid is the range's time steps.
type grid struct {
	start time.Time
	step  time.Duration
	n     int // number of steps, both ends included
}

func newGrid(start, end time.Time, step time.Duration) grid {
	return grid{start: start, step: step, n: int(end.Sub(start)/step) + 1}
}

func (g grid) end() time.Time { return g.start.Add(time.Duration(g.n-1) * g.step) }

// index returns the step of a sample time, or -1 when it is off the grid.
func (g grid) index(t model.Time) int {
	d := t.Time().Sub(g.start)
	k := int((d + g.step/2) / g.step)
	if k < 0 || k >= g.n {
		return -1
	}
	return k
}

// querier runs the import's queries against one server.
type querier struct {
	api      v1.API
	url      string
	selector string // the matchers inside the braces, may be empty
	grid     grid
	queries  int
	mu       sync.Mutex
	// buckets is the opt-in pause histogram, by instance key.
	buckets map[string]*histSeries
}

// parseSelector checks a --selector and returns the matchers inside its
// braces. Only {…} is accepted: metric names are the import's to choose.
func parseSelector(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
		return "", fmt.Errorf("%q is not a label selector in braces, such as {job=\"api\"}", s)
	}
	inner := strings.TrimSpace(s[1 : len(s)-1])
	if strings.ContainsAny(inner, "{}") {
		return "", fmt.Errorf("%q: nested braces", s)
	}
	return inner, nil
}

// sel writes name{extra,selector}.
func (q *querier) sel(name string, extra ...string) string {
	ms := slices.Clone(extra)
	if q.selector != "" {
		ms = append(ms, q.selector)
	}
	return name + "{" + strings.Join(ms, ",") + "}"
}

// rangeDur is the grid's length as a PromQL duration, at least one step.
func (q *querier) rangeDur() string {
	d := max(q.grid.end().Sub(q.grid.start), q.grid.step)
	return strconv.FormatInt(int64(d/time.Second)+1, 10) + "s"
}

// instant runs one query at t and returns its vector.
func (q *querier) instant(ctx context.Context, expr string, t time.Time) (model.Vector, error) {
	q.count()
	v, _, _, err := q.api.Query(ctx, expr, t)
	if err != nil {
		return nil, q.explain(ctx, expr, err)
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("%s: query %s answered a %s, not a vector: not a Prometheus query API", q.url, expr, v.Type())
	}
	return vec, nil
}

// rangeQuery runs one range query over the grid and returns its matrix.
func (q *querier) rangeQuery(ctx context.Context, expr string) (model.Matrix, error) {
	q.count()
	v, _, _, err := q.api.QueryRange(ctx, expr, v1.Range{Start: q.grid.start, End: q.grid.end(), Step: q.grid.step})
	if err != nil {
		return nil, q.explain(ctx, expr, err)
	}
	m, ok := v.(model.Matrix)
	if !ok {
		return nil, fmt.Errorf("%s: range query %s answered a %s, not a matrix: not a Prometheus query API", q.url, expr, v.Type())
	}
	return m, nil
}

func (q *querier) count() {
	q.mu.Lock()
	q.queries++
	q.mu.Unlock()
}

// explain turns a client error into one line that says what went wrong
// in the user's terms.
func (q *querier) explain(ctx context.Context, expr string, err error) error {
	var apiErr *v1.Error
	var netErr net.Error
	var urlErr *url.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w (query %s)", q.url, ErrTimeout, expr)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: interrupted", q.url)
	case errors.As(err, &apiErr) && apiErr.Type == v1.ErrTimeout:
		return fmt.Errorf("%s: %w: the server gave up on %s: %s", q.url, ErrTimeout, expr, apiErr.Msg)
	case errors.As(err, &apiErr) && apiErr.Type == v1.ErrBadData:
		return fmt.Errorf("%s: the server refused the query %s: %s", q.url, expr, apiErr.Msg)
	case errors.As(err, &apiErr) && (apiErr.Type == v1.ErrClient || apiErr.Type == v1.ErrBadResponse):
		return fmt.Errorf("%s: %w (%s on %s)", q.url, ErrNotPrometheus, apiErr.Msg, "/api/v1/query")
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%s: %w (query %s)", q.url, ErrTimeout, expr)
	case errors.As(err, &urlErr):
		return fmt.Errorf("%s: %v", q.url, urlErr.Err)
	}
	return fmt.Errorf("%s: query %s: %v", q.url, expr, err)
}

// Errors an import can end with, for errors.Is.
var (
	ErrNotPrometheus = errors.New("not a Prometheus query API")
	ErrTimeout       = errors.New("the server did not answer in time")
	ErrNoTargets     = errors.New("no targets")
	ErrNotGo         = errors.New("no Go targets")
)

// key identifies an instance by its target labels: every label but the
// metric's name and the metric's own labels.
func key(m model.Metric, own ...model.LabelName) string {
	names := make([]string, 0, len(m))
	for n := range m {
		if n == model.MetricNameLabel || slices.Contains(own, n) {
			continue
		}
		names = append(names, string(n))
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(m[model.LabelName(n)])))
		b.WriteByte(',')
	}
	return b.String()
}

// toSeries puts a matrix's streams on the grid, by instance key.
func (q *querier) toSeries(m model.Matrix, own ...model.LabelName) map[string]series {
	out := make(map[string]series, len(m))
	for _, ss := range m {
		if len(ss.Values) == 0 {
			continue
		}
		k := key(ss.Metric, own...)
		s, ok := out[k]
		if !ok {
			s = make(series, q.grid.n)
			for i := range s {
				s[i] = nan
			}
			out[k] = s
		}
		for _, p := range ss.Values {
			if i := q.grid.index(p.Timestamp); i >= 0 {
				s[i] = float64(p.Value)
			}
		}
	}
	return out
}

// histSeries is one instance's cumulative histogram on the grid: counts[i]
// is the series of bucket le[i], bounds ascending, +Inf last.
type histSeries struct {
	le     []float64
	counts []series
}

// toBuckets groups a histogram's _bucket streams by instance.
func (q *querier) toBuckets(m model.Matrix) map[string]*histSeries {
	byLe := map[string]map[float64]series{}
	for k, s := range q.toSeriesBy(m, "le") {
		le, err := strconv.ParseFloat(s.label, 64)
		if err != nil {
			continue
		}
		if byLe[k.inst] == nil {
			byLe[k.inst] = map[float64]series{}
		}
		byLe[k.inst][le] = s.v
		_ = k
	}
	out := make(map[string]*histSeries, len(byLe))
	for inst, m := range byLe {
		h := &histSeries{}
		for le := range m {
			h.le = append(h.le, le)
		}
		slices.Sort(h.le)
		for _, le := range h.le {
			h.counts = append(h.counts, m[le])
		}
		out[inst] = h
	}
	return out
}

// labelled is a series with the value of one of its own labels.
type labelled struct {
	label string
	v     series
}

type instLabel struct{ inst, label string }

// toSeriesBy is toSeries for a metric with one label of its own (le),
// keyed by instance and that label's value.
func (q *querier) toSeriesBy(m model.Matrix, own model.LabelName) map[instLabel]labelled {
	out := make(map[instLabel]labelled, len(m))
	for _, ss := range m {
		k := instLabel{key(ss.Metric, own), string(ss.Metric[own])}
		s := make(series, q.grid.n)
		for i := range s {
			s[i] = nan
		}
		for _, p := range ss.Values {
			if i := q.grid.index(p.Timestamp); i >= 0 {
				s[i] = float64(p.Value)
			}
		}
		out[k] = labelled{k.label, s}
	}
	return out
}

// NewAPI returns a query API client for the server at url. On loopback the
// answers are not compressed: gzipping tens of MiB of JSON costs the server
// more than sending them over loopback does (measured by
// scripts/bench-promimport.sh).
func NewAPI(serverURL string) (v1.API, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, err
	}
	rt := http.DefaultTransport
	if ip := net.ParseIP(u.Hostname()); u.Hostname() == "localhost" || ip != nil && ip.IsLoopback() {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableCompression = true
		rt = t
	}
	c, err := api.NewClient(api.Config{Address: serverURL, RoundTripper: rt})
	if err != nil {
		return nil, err
	}
	return v1.NewAPI(c), nil
}
