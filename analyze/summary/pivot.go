package summary

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/table"
)

// MaxSideBySide is the number of runs up to which summaries are shown side
// by side, a column each; beyond, a sweep of 24 configurations would be a
// hundred columns wide, and Pivot shows one row per run instead.
const MaxSideBySide = 6

// PivotMetrics are the metrics a pivoted table shows, when some run has
// them: those that tell configurations apart.
var PivotMetrics = []string{
	"gc.cpu", "gc.cycles_per_min", "pause.p99", "pause.longest", "heap.goal", "rss.peak",
	"latency.p99", "latency.p99_in_gc",
}

// Pivot lays out the summaries of many runs one row per run, under a
// section per configuration (the settings and parameters that differ
// between the runs), with the metrics that tell configurations apart as
// columns: a table as wide for 120 runs as for 7. Table shows up to
// MaxSideBySide runs side by side.
func Pivot(sums []Summary) *table.Table {
	p := pivotOf(sums)
	t := &table.Table{
		Caption: []string{fmt.Sprintf("%d runs, one row each, by configuration (more than %d runs side by side would not fit a page)", len(sums), MaxSideBySide)},
		Head:    p.head,
		Align:   []table.Align{table.Code},
	}
	for range p.head[1:] {
		t.Align = append(t.Align, table.Right)
	}
	for _, g := range p.groups {
		t.Section(g.title)
		for _, r := range g.rows {
			t.Row(r...)
		}
	}
	return t
}

// pivot is the summaries of many runs, one row per run, grouped by
// configuration: the settings and parameters that differ between runs.
type pivot struct {
	head []string // "run", then the metrics' names
	// groups are the configurations in order of first appearance, each
	// with its runs' rows (the run's file name, then formatted metrics;
	// "-" for one the run did not measure).
	groups []pivotGroup
}

type pivotGroup struct {
	title string
	rows  [][]string
}

// pivotOf lays summaries out one row per run.
func pivotOf(sums []Summary) pivot {
	var names []string
	for _, n := range PivotMetrics {
		for _, s := range sums {
			if _, ok := s.Metric(n); ok {
				names = append(names, n)
				break
			}
		}
	}
	p := pivot{head: append([]string{"run"}, names...)}
	labels := configLabels(sums)
	index := map[string]int{}
	for i, s := range sums {
		gi, ok := index[labels[i]]
		if !ok {
			gi = len(p.groups)
			index[labels[i]] = gi
			p.groups = append(p.groups, pivotGroup{title: labels[i]})
		}
		row := []string{filepath.Base(s.File)}
		for _, n := range names {
			cell := "-"
			if m, ok := s.Metric(n); ok {
				cell = m.Format()
			}
			row = append(row, cell)
		}
		p.groups[gi].rows = append(p.groups[gi].rows, row)
	}
	return p
}

// configLabels names each run's configuration by the settings and
// parameters that differ between the runs ("GOGC=50 layout=compact"), or
// "all runs" when none does.
func configLabels(sums []Summary) []string {
	kv := make([]map[string]string, len(sums))
	keys := map[string]bool{}
	for i, s := range sums {
		m := map[string]string{
			"GOGC": s.Settings.GOGC, "GOMEMLIMIT": s.Settings.GOMEMLIMIT, "GOMAXPROCS": s.Settings.GOMAXPROCS,
			"GODEBUG": s.Settings.GODEBUG, "GOEXPERIMENT": s.Settings.GOEXPERIMENT, "workload": What(Summary{Scenario: s.Scenario, Command: s.Command, Program: s.Program, Source: s.Source}),
		}
		if s.Scenario != "" {
			m["workload"] = s.Scenario
		}
		for k, v := range s.Params {
			m[k] = v
		}
		for k := range m {
			keys[k] = true
		}
		kv[i] = m
	}
	var differ []string
	for k := range keys {
		for _, m := range kv[1:] {
			if m[k] != kv[0][k] {
				differ = append(differ, k)
				break
			}
		}
	}
	// GC settings first, in the order of the environment; then the rest.
	order := []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG", "GOEXPERIMENT"}
	slices.SortFunc(differ, func(a, b string) int {
		ia, ib := slices.Index(order, a), slices.Index(order, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]string, len(sums))
	for i, m := range kv {
		var parts []string
		for _, k := range differ {
			v := m[k]
			if v == "" {
				v = "default"
			}
			parts = append(parts, k+"="+v)
		}
		out[i] = strings.Join(parts, " ")
		if out[i] == "" {
			out[i] = "all runs"
		}
	}
	return out
}
