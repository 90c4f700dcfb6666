package report

import (
	"fmt"
	"path/filepath"

	"github.com/gcprobe/gcprobe/analyze/chart"
	"github.com/gcprobe/gcprobe/analyze/table"
	tracean "github.com/gcprobe/gcprobe/analyze/trace"
	"github.com/gcprobe/gcprobe/record"
)

// maxTraces bounds the execution traces a report analyses per run: the
// first ones the record references.
const maxTraces = 3

// Trace is an execution trace the record references (a flight recorder
// snapshot or an attach window), analysed by analyze/trace.
type Trace struct {
	Path   string
	Reason string
	// At is when the trace was asked for, in seconds of the run.
	At       float64
	Analysis *tracean.Analysis
	Figures  []Figure
	// Err says why the trace could not be read.
	Err string
}

// Tables are the analysis's tables, as gcprobe analyze TRACE prints them.
func (t Trace) Tables() []*table.Table {
	if t.Analysis == nil {
		return nil
	}
	return tracean.Tables(t.Analysis)
}

// runTraces analyses the traces that a run's trace events name (paths relative
// to the record's directory), the first maxTraces of them.
func runTraces(events []record.Event, file, prefix string, withCharts bool) ([]Trace, []string) {
	var out []Trace
	var notes []string
	n := 0
	for _, e := range events {
		if e.Trace == nil {
			continue
		}
		n++
		if n > maxTraces {
			continue
		}
		tr := Trace{Path: e.Trace.Path, Reason: e.Trace.Reason, At: e.T}
		path := e.Trace.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(file), path)
		}
		a, err := tracean.AnalyzeFile(path, nil, tracean.Options{Top: 5})
		if err != nil {
			tr.Err = err.Error()
			out = append(out, tr)
			continue
		}
		tr.Analysis = a
		if withCharts {
			tr.Figures = traceFigures(a, fmt.Sprintf("%strace%d-", prefix, n))
		}
		out = append(out, tr)
	}
	if n > maxTraces {
		notes = append(notes, fmt.Sprintf("The record references %d execution traces; the report analyses the first %d (gcprobe analyze reads the others).", n, maxTraces))
	}
	return out, notes
}

// traceFigures draws a trace's MMU curve and its GC timeline.
func traceFigures(a *tracean.Analysis, prefix string) []Figure {
	var figs []Figure
	if w, u := a.MMUCurve(); len(w) > 1 {
		figs = append(figs, Figure{Name: prefix + "mmu", Title: "Minimum mutator utilization",
			Caption: "The lowest share of CPU the program kept in any window of each length (GC stop-the-world, mark workers, assists and sweeping counted against it).",
			Chart:   chart.MMU{Title: "Minimum mutator utilization", Series: []chart.Series{{Name: a.Source, X: w, Y: u}}}, Half: true})
	}
	if t, w, as := a.CycleShares(); len(t) > 0 {
		var spans []chart.Span
		for _, c := range a.Cycles {
			spans = append(spans, chart.Span{Lo: float64(c.StartAtNs) / 1e9, Hi: float64(c.EndAtNs) / 1e9})
		}
		figs = append(figs, Figure{Name: prefix + "timeline", Title: "GC cycles in the trace",
			Caption: "Share of the Ps that ran dedicated or fractional mark workers, and goroutines in assists, during each mark phase; shaded: GC cycles. Times from the trace's start.",
			Chart: chart.Time{Title: "GC cycles in the trace", Y: "share of the Ps", Unit: chart.Ratio, Cycles: spans,
				Series: []chart.Series{{Name: "mark workers", X: t, Y: w}, {Name: "assists", X: t, Y: as}},
				Until:  float64(a.DurationNs) / 1e9}, Half: true})
	}
	return figs
}
