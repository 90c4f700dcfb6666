package promimport

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/gcprobe/gcprobe/record"
)

// counters are the cumulative metrics: made continuous across restarts.
var counters = []string{mPauseCount, mPauseSum, mAllocTotal, mCPU, mGCCPU, mTotalCPU}

// build makes one instance's record from its series.
func build(o Options, g grid, target model.Metric, data fetched, st setting, hist *histSeries) Instance {
	k := key(target)
	labels := make(map[string]string, len(target))
	for n, v := range target {
		if n != model.MetricNameLabel {
			labels[string(n)] = string(v)
		}
	}
	in := Instance{Labels: labels}
	env := map[string]string{}
	for name, v := range map[string]string{"GOGC": st.gogc, "GOMEMLIMIT": st.memLimit, "GOMAXPROCS": st.maxProcs} {
		if v != "" {
			env[name] = v
		}
	}
	in.Header = record.Header{
		Source: record.SourcePrometheus, Labels: labels, Env: env, GoVersion: st.goVersion,
		GCProbeVersion: o.GCProbeVersion, Start: g.start,
	}
	get := func(name string) series { return data[name][k] }

	restarts := restartSteps(get)
	in.Restarts = len(restarts)
	cont := map[string]series{}
	for _, name := range counters {
		cont[name] = continuous(get(name), restarts)
	}
	in.Missing = missing(get, hist)

	// The record starts at the instance's first step with data, so that
	// its duration (and rates over it) is the instance's own.
	count := get(mPauseCount)
	first := slices.IndexFunc(count, func(v float64) bool { return !math.IsNaN(v) })
	in.Header.Start = g.start.Add(g.step * time.Duration(max(first, 0)))
	t := func(i int) float64 { return (g.step * time.Duration(i-first)).Seconds() }
	last := first
	in.Events = append(in.Events, notes(o, g, in, first)...)
	for i := range g.n {
		if math.IsNaN(count[i]) {
			continue
		}
		last = i
		in.Events = append(in.Events, record.Event{T: t(i), Sample: sample(i, get, cont)})
		if slices.Contains(restarts, i) {
			in.Events = append(in.Events, restartNote(t(i), t(prevValid(count, i)), count, i))
		} else if hist != nil {
			if p := pauseDelta(hist, i); p != nil {
				in.Events = append(in.Events, record.Event{T: t(i), Pauses: p})
			}
		}
	}
	in.Events = append(in.Events, record.Event{T: t(last), End: &record.End{Reason: record.EndImported}})
	return in
}

// restartSteps are the steps at which the process had restarted: its start
// time changed, or (without it) the GC count or the process's CPU time went
// back. A counter can be past its old value by the first scrape after a
// restart, so the start time is the surer sign.
func restartSteps(get func(string) series) []int {
	restarts := changes(get(mStartTime))
	for _, name := range []string{mPauseCount, mCPU} {
		restarts = append(restarts, resets(get(name))...)
	}
	slices.Sort(restarts)
	return slices.Compact(restarts)
}

// missing lists the opt-in metrics the instance does not export.
func missing(get func(string) series, hist *histSeries) []string {
	var out []string
	for _, m := range OptIn {
		if get(m.Name) == nil && !(m.Name == mPauseBucket && hist != nil) {
			out = append(out, m.Name)
		}
	}
	if get(mGCCPU) != nil && get(mTotalCPU) == nil {
		out = append(out, mTotalCPU)
	}
	return out
}

// sample is step i's reading.
func sample(i int, get func(string) series, cont map[string]series) *record.Sample {
	u := func(s series) uint64 {
		if s == nil || math.IsNaN(s[i]) || s[i] < 0 {
			return 0
		}
		return uint64(s[i])
	}
	f := func(s series) float64 {
		if s == nil || math.IsNaN(s[i]) {
			return 0
		}
		return s[i]
	}
	return &record.Sample{
		GoMemory:              memoryClasses(i, get),
		RSSBytes:              u(get(mRSS)),
		HeapLiveBytes:         u(get(mHeapLive)),
		HeapGoalBytes:         u(get(mNextGC)),
		HeapObjectsBytes:      u(get(mHeapAlloc)),
		GoTotalBytes:          u(get(mSys)),
		AllocBytesTotal:       u(cont[mAllocTotal]),
		GCCyclesTotal:         u(cont[mPauseCount]),
		Goroutines:            u(get(mGoroutines)),
		CPUSecondsTotal:       f(cont[mCPU]),
		GCCPUSecondsTotal:     f(cont[mGCCPU]),
		TotalCPUSecondsTotal:  f(cont[mTotalCPU]),
		PauseSecondsTotal:     f(cont[mPauseSum]),
		PauseMaxRecentSeconds: f(get(mPauses)),
	}
}

// memoryClasses are step i's /memory/classes leaves, when the instance
// exports all 13 (collectors.MetricsMemory): a partial set says nothing
// whole, so it gives none.
func memoryClasses(i int, get func(string) series) *record.GoMemory {
	m := &record.GoMemory{From: record.FromPrometheus}
	fields := m.Fields()
	for j, name := range record.GoMemoryClasses() {
		s := get(record.PrometheusName(name))
		if s == nil || math.IsNaN(s[i]) || s[i] < 0 {
			return nil
		}
		*fields[j] = uint64(s[i])
	}
	return m
}

// resets returns the steps at which a counter went back.
func resets(s series) []int {
	var out []int
	prev := nan
	for i, v := range s {
		if math.IsNaN(v) {
			continue
		}
		if v < prev {
			out = append(out, i)
		}
		prev = v
	}
	return out
}

// changes returns the steps at which a gauge took a new value (the
// process's start time: a restart).
func changes(s series) []int {
	var out []int
	prev := nan
	for i, v := range s {
		if math.IsNaN(v) {
			continue
		}
		if !math.IsNaN(prev) && v != prev {
			out = append(out, i)
		}
		prev = v
	}
	return out
}

// continuous adds, from each restart (or reset) on, the value the counter
// had before it, so that the series only grows and its last minus first
// value is all that was counted in the range. Counts between the last
// scrape before a restart and the restart itself are lost: Prometheus never
// saw them.
func continuous(s series, restarts []int) series {
	if s == nil {
		return nil
	}
	out := make(series, len(s))
	prev, offset := nan, 0.0
	for i, v := range s {
		if math.IsNaN(v) {
			out[i] = v
			continue
		}
		if !math.IsNaN(prev) && (v < prev || slices.Contains(restarts, i)) {
			offset += prev
		}
		prev = v
		out[i] = v + offset
	}
	return out
}

func prevValid(s series, i int) int {
	for j := i - 1; j >= 0; j-- {
		if !math.IsNaN(s[j]) {
			return j
		}
	}
	return i
}

// restartNote says where a restart was seen.
func restartNote(t, prevT float64, count series, i int) record.Event {
	j := prevValid(count, i)
	return record.Event{T: t, Note: &record.Note{Level: record.NoteWarning, Message: fmt.Sprintf(
		"the program restarted between %.0fs and %.0fs: its start time changed or its counters went back (%s %.0f then %.0f); "+
			"the record's counters continue across the restart, and what the old process counted after its last scrape is lost",
		prevT, t, mPauseCount, count[j], count[i])}}
}

// pauseDelta is the change of the pause histogram from the step before,
// nil when there is none or a bucket went back (a restart).
func pauseDelta(h *histSeries, i int) *record.Pauses {
	if i == 0 {
		return nil
	}
	var out []record.Bucket
	lo, prevCum, curCum := 0.0, 0.0, 0.0
	for b, le := range h.le {
		c, p := h.counts[b][i], h.counts[b][i-1]
		if math.IsNaN(c) || math.IsNaN(p) {
			return nil
		}
		dc, dp := c-curCum, p-prevCum // this bucket's own count
		curCum, prevCum = c, p
		if dc < dp {
			return nil
		}
		if dc > dp {
			out = append(out, record.Bucket{Lo: lo, Hi: le, Count: uint64(dc - dp)}) // +Inf is written as 0
		}
		lo = le
	}
	if len(out) == 0 {
		return nil
	}
	return &record.Pauses{Buckets: out}
}

// notes say where the record came from and what it cannot know.
func notes(o Options, g grid, in Instance, first int) []record.Event {
	const t = 0 // the instance's first step
	msgs := []string{
		fmt.Sprintf("imported from Prometheus at %s (selector %s, step %s) by gcprobe %s: each sample is what the server answered for that step "+
			"(the last scrape within its lookback); the host is not known", o.URL, o.Selector, g.step, o.GCProbeVersion),
		fmt.Sprintf("GOGC, GOMEMLIMIT and GOMAXPROCS are the runtime's own values at the end of the range (%s, %s, %s), whether set in the environment or by the program",
			mGOGC, mMemLimit, mMaxProcs),
		fmt.Sprintf("pauses: the GC count and the stop-the-world total are exact (%s count and sum); the longest pause is the largest %s{quantile=\"1\"}, "+
			"the longest per-cycle pause among the last 256 cycles at each scrape, which may include cycles from before the range", mPauses, mPauses),
	}
	evs := make([]record.Event, 0, len(msgs)+1)
	for _, m := range msgs {
		evs = append(evs, record.Event{T: t, Note: &record.Note{Level: record.NoteInfo, Message: m}})
	}
	if first > 0 {
		evs = append(evs, record.Event{T: t, Note: &record.Note{Level: record.NoteInfo, Message: fmt.Sprintf(
			"the server has no data for this instance in the first %s of the range: the record starts at its first scrape", g.step*time.Duration(first))}})
	}
	if len(in.Missing) > 0 {
		var gives []string
		for _, m := range OptIn {
			if slices.Contains(in.Missing, m.Name) {
				gives = append(gives, m.Gives)
			}
		}
		evs = append(evs, record.Event{T: t, Note: &record.Note{Level: record.NoteInfo, Message: fmt.Sprintf(
			"not exported: %s, so %s are not known; a service exports them with %s",
			strings.Join(in.Missing, ", "), strings.Join(gives, ", "), EnableHint)}})
	}
	return evs
}
