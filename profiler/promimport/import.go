package promimport

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/gcprobe/gcprobe/record"
)

var nan = math.NaN()

// MaxPoints is the most steps one range query may have: Prometheus refuses
// a query of more than 11,000 points per series.
const MaxPoints = 11000

// Options say what to import.
type Options struct {
	// URL is the server, for messages and the records' notes.
	URL string
	// Selector is a label selector in braces, {job="api"}; "{}" is all.
	Selector string
	// Start and End bound the range; Step is the resolution.
	Start, End time.Time
	Step       time.Duration
	// GCProbeVersion goes into every header.
	GCProbeVersion string
}

// Instance is one imported program: its record, as a header and events.
type Instance struct {
	// Labels are the target's labels (job, instance, ...).
	Labels map[string]string
	Header record.Header
	Events []record.Event
	// Restarts counts the counter resets seen in the range.
	Restarts int
	// Missing lists the opt-in metrics the instance does not export.
	Missing []string
}

// Result is everything an import read.
type Result struct {
	Instances []Instance
	// NotGo lists targets that match the selector but export no Go
	// runtime metrics (their instance label, or all labels).
	NotGo []string
	// Queries is how many queries the import sent.
	Queries int
}

// OptIn lists the opt-in runtime metrics the import reads, and what each
// gives; Instance.Missing names those an instance does not export.
var OptIn = []struct{ Name, Gives string }{
	{mHeapLive, "the live heap"},
	{mGCCPU, "the GC's CPU share"},
	{mPauseBucket, "single-pause percentiles"},
	{mMemTotal, "where the RSS goes (the runtime's memory classes)"},
}

// EnableHint says how a service exports the opt-in metrics.
const EnableHint = "collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsGC, collectors.MetricsMemory, collectors.MetricsScheduler, " +
	"collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/cpu/classes/`)}))"

// Import reads every instance that matches o.Selector from the server.
func Import(ctx context.Context, api v1.API, o Options) (*Result, error) {
	inner, err := parseSelector(o.Selector)
	if err != nil {
		return nil, err
	}
	if o.Step <= 0 {
		return nil, fmt.Errorf("step must be positive")
	}
	if !o.End.After(o.Start) {
		return nil, fmt.Errorf("the range is empty: %s is not after %s", o.End.Format(time.RFC3339), o.Start.Format(time.RFC3339))
	}
	q := &querier{api: api, url: o.URL, selector: inner, grid: newGrid(o.Start, o.End, o.Step)}
	if q.grid.n > MaxPoints {
		return nil, fmt.Errorf("%d steps of %s: Prometheus answers at most %d points per series (a larger step, or a shorter range)", q.grid.n, o.Step, MaxPoints)
	}
	targets, err := q.targets(ctx, o)
	if err != nil {
		return nil, err
	}
	data, err := q.fetch(ctx)
	if err != nil {
		return nil, err
	}
	settings, err := q.settings(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, t := range targets {
		k := key(t)
		if _, ok := data[mPauseCount][k]; !ok {
			res.NotGo = append(res.NotGo, targetName(t))
			continue
		}
		res.Instances = append(res.Instances, build(o, q.grid, t, data, settings[k], q.buckets[k]))
	}
	res.Queries = q.queries
	if len(res.Instances) == 0 {
		return res, fmt.Errorf("%s: %w: %d targets match %s (%s) but none exports %s: they are not Go programs instrumented with client_golang",
			o.URL, ErrNotGo, len(targets), o.Selector, strings.Join(res.NotGo, ", "), mPauses)
	}
	return res, nil
}

// targets lists the targets scraped in the range.
func (q *querier) targets(ctx context.Context, o Options) ([]model.Metric, error) {
	vec, err := q.instant(ctx, "last_over_time("+q.sel(mUp)+"["+q.rangeDur()+"])", q.grid.end())
	if err != nil {
		return nil, err
	}
	if len(vec) > 0 {
		ts := make([]model.Metric, len(vec))
		for i, s := range vec {
			ts[i] = s.Metric
		}
		slices.SortFunc(ts, func(a, b model.Metric) int { return strings.Compare(key(a), key(b)) })
		return ts, nil
	}
	when := fmt.Sprintf("between %s and %s", o.Start.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339))
	now, err := q.instant(ctx, q.sel(mUp), time.Now())
	if err == nil && len(now) > 0 {
		return nil, fmt.Errorf("%s: %w %s: %s matches %d targets now, but the server has no data for them in that range (beyond its retention%s?)",
			o.URL, ErrNoTargets, when, o.Selector, len(now), q.retention(ctx))
	}
	return nil, fmt.Errorf("%s: %w: the selector %s matches no scraped target %s", o.URL, ErrNoTargets, o.Selector, when)
}

// retention returns ", which is 15d" when the server says, "" otherwise.
func (q *querier) retention(ctx context.Context) string {
	f, err := q.api.Flags(ctx)
	if err != nil || f["storage.tsdb.retention.time"] == "" {
		return ""
	}
	return " of " + f["storage.tsdb.retention.time"]
}

// fetched holds every range query's series, by metric and instance key.
type fetched map[string]map[string]series

// rangeMetrics are read by one range query each.
var rangeMetrics = []string{mPauseCount, mPauseSum, mHeapAlloc, mNextGC, mSys, mAllocTotal, mGoroutines, mRSS, mCPU, mStartTime, mHeapLive, mGCCPU, mTotalCPU}

// fetch runs the range queries, a few at a time; the first error cancels
// the rest.
func (q *querier) fetch(ctx context.Context) (fetched, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	data := fetched{}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	limit := make(chan struct{}, 4)
	run := func(expr string, keep func(model.Matrix)) {
		wg.Go(func() {
			limit <- struct{}{}
			defer func() { <-limit }()
			m, err := q.rangeQuery(ctx, expr)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			keep(m)
		})
	}
	for _, name := range rangeMetrics {
		run(q.sel(name), func(m model.Matrix) { data[name] = q.toSeries(m) })
	}
	run(q.sel(mPauses, `quantile="1"`), func(m model.Matrix) { data[mPauses] = q.toSeries(m, "quantile") })
	run(q.sel(mPauseBucket), func(m model.Matrix) { q.buckets = q.toBuckets(m) })
	// The 13 memory classes and their total in one query, split by name.
	run(q.sel("", `__name__=~"`+mMemClasses+`"`), func(m model.Matrix) {
		byName := map[string]model.Matrix{}
		for _, ss := range m {
			n := string(ss.Metric[model.MetricNameLabel])
			byName[n] = append(byName[n], ss)
		}
		for n, mm := range byName {
			data[n] = q.toSeries(mm)
		}
	})
	wg.Wait()
	return data, firstErr
}

// setting is what the runtime ran with, at the end of the range.
type setting struct {
	goVersion                string
	gogc, memLimit, maxProcs string
}

// settings reads each instance's Go version and GC settings: the last
// value in the range.
func (q *querier) settings(ctx context.Context) (map[string]setting, error) {
	out := map[string]setting{}
	last := func(name string) string { return "last_over_time(" + q.sel(name) + "[" + q.rangeDur() + "])" }
	info, err := q.instant(ctx, last(mInfo), q.grid.end())
	if err != nil {
		return nil, err
	}
	for _, s := range info {
		// A target label "version" (an app's release) wins over go_info's
		// own, which Prometheus then renames exported_version.
		own, v := model.LabelName("version"), s.Metric["version"]
		if ev, ok := s.Metric["exported_version"]; ok {
			own, v = "exported_version", ev
		}
		k := key(s.Metric, own)
		st := out[k]
		st.goVersion = string(v)
		out[k] = st
	}
	for _, m := range []struct {
		name string
		set  func(*setting, float64)
	}{
		{mGOGC, func(s *setting, v float64) { s.gogc = gogc(v) }},
		{mMemLimit, func(s *setting, v float64) { s.memLimit = memLimit(v) }},
		{mMaxProcs, func(s *setting, v float64) { s.maxProcs = strconv.FormatFloat(v, 'f', 0, 64) }},
	} {
		vec, err := q.instant(ctx, last(m.name), q.grid.end())
		if err != nil {
			return nil, err
		}
		for _, s := range vec {
			k := key(s.Metric)
			st := out[k]
			m.set(&st, float64(s.Value))
			out[k] = st
		}
	}
	return out, nil
}

// memLimit spells /gc/gomemlimit:bytes as GOMEMLIMIT would be set: the
// runtime's "no limit" is math.MaxInt64, which a float64 rounds to 2^63.
func memLimit(v float64) string {
	if v >= math.MaxInt64 {
		return "off"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// gogc spells /gc/gogc:percent as GOGC would be set: -1 is off.
func gogc(v float64) string {
	if v < 0 {
		return "off"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// targetName is how a target is named in messages: its instance label,
// else all its labels.
func targetName(m model.Metric) string {
	if v, ok := m[model.InstanceLabel]; ok {
		return string(v)
	}
	return key(m)
}
