package summary

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/gcprobe/gcprobe/analyze/table"
	"github.com/gcprobe/gcprobe/units"
)

// Fleet is many instances of one service side by side, one row each, with
// the instances that stand out named in plain words. Records imported from
// Prometheus are a fleet: their headers carry the instances' labels.
type Fleet struct {
	Rows []FleetRow `json:"rows"`
	// LabelNames are the labels whose values differ between instances
	// (instance itself aside), shown as columns.
	LabelNames []string `json:"label_names,omitempty"`
	// Outliers are sentences, one per instance that stands out.
	Outliers []string `json:"outliers,omitempty"`
}

// FleetRow is one instance. A figure the record could not give is NaN.
type FleetRow struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels,omitempty"`
	// GOGC and GOMEMLIMIT as the runtime ran ("" unknown); MemLimit in
	// bytes, 0 for none.
	GOGC       string  `json:"GOGC,omitempty"`
	GOMEMLIMIT string  `json:"GOMEMLIMIT,omitempty"`
	MemLimit   float64 `json:"memlimit_bytes,omitempty"`
	GCPerSec   float64 `json:"gc_per_second"`
	GCCPU      float64 `json:"gc_cpu"`
	// STWShare is the share of wall time the world was stopped.
	STWShare float64 `json:"stw_share"`
	Longest  float64 `json:"longest_pause_seconds"`
	HeapLive float64 `json:"heap_live_bytes"`
	HeapGoal float64 `json:"heap_goal_bytes"`
	RSS      float64 `json:"rss_bytes"`
	Restarts int     `json:"restarts"`
}

// IsFleet reports whether the summaries are instances of a fleet: two or
// more, each with labels.
func IsFleet(sums []Summary) bool {
	if len(sums) < 2 {
		return false
	}
	for _, s := range sums {
		if len(s.Labels) == 0 {
			return false
		}
	}
	return true
}

// ComputeFleet makes the fleet view of sums.
func ComputeFleet(sums []Summary) Fleet {
	var f Fleet
	for _, s := range sums {
		f.Rows = append(f.Rows, fleetRow(s))
	}
	slices.SortStableFunc(f.Rows, func(a, b FleetRow) int { return naturalCompare(a.Name, b.Name) })
	for _, name := range labelNames(sums) {
		if name == "instance" {
			continue
		}
		for _, s := range sums[1:] {
			if s.Labels[name] != sums[0].Labels[name] {
				f.LabelNames = append(f.LabelNames, name)
				break
			}
		}
	}
	for i := range f.Rows {
		if o := outlier(f.Rows, i); o != "" {
			f.Outliers = append(f.Outliers, o)
		}
	}
	return f
}

func fleetRow(s Summary) FleetRow {
	r := FleetRow{Name: s.Labels["instance"], Labels: s.Labels, GOGC: s.Settings.GOGC, GOMEMLIMIT: s.Settings.GOMEMLIMIT,
		GCPerSec: math.NaN(), GCCPU: math.NaN(), STWShare: math.NaN(), Longest: math.NaN(),
		HeapLive: math.NaN(), HeapGoal: math.NaN(), RSS: math.NaN()}
	if r.Name == "" {
		r.Name = strings.TrimSuffix(filepath.Base(s.File), ".jsonl")
	}
	if v, err := strconv.ParseFloat(s.Settings.GOMEMLIMIT, 64); err == nil && v < math.MaxInt64 {
		r.MemLimit = v
	}
	if s.Cycles.From != "" && s.DurationSeconds > 0 {
		r.GCPerSec = s.Cycles.PerMinute / 60
	}
	if s.GCCPU.Method != "" {
		r.GCCPU = s.GCCPU.Share
	}
	if s.Pauses.Method != "" && s.DurationSeconds > 0 {
		r.STWShare = s.Pauses.Total / s.DurationSeconds
		r.Longest = s.Pauses.Longest
	}
	if s.HeapLive.N > 0 {
		r.HeapLive = s.HeapLive.Median
	}
	if s.HeapGoal.N > 0 {
		r.HeapGoal = s.HeapGoal.Median
	}
	if s.RSS.N > 0 {
		r.RSS = s.RSS.Median
	}
	for _, n := range s.Notes {
		// Both importers say so in these words (promimport, gctrace).
		if strings.HasPrefix(n, "warning: the program restarted") {
			r.Restarts++
		}
	}
	return r
}

func labelNames(sums []Summary) []string {
	var names []string
	for _, s := range sums {
		for k := range s.Labels {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	return names
}

// Thresholds for calling an instance an outlier: against the median of the
// other instances, and absolute floors below which nothing is worth naming.
const (
	outlierRatio    = 4    // times the others' median
	minGCPerSec     = 1    // GC cycles per second
	highGCCPU       = 0.25 // the GC's own background target; beyond it, assists
	minLongestPause = 1e-3 // seconds
)

// outlier describes row i when it stands out from the others, "" when not.
// Only measured figures are named.
func outlier(rows []FleetRow, i int) string {
	r := rows[i]
	others := func(get func(FleetRow) float64) float64 {
		var vs []float64
		for j, o := range rows {
			if v := get(o); j != i && !math.IsNaN(v) {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			return math.NaN()
		}
		return quantileOf(vs, 0.5)
	}
	var what []string
	gcRate := false
	if m := others(func(o FleetRow) float64 { return o.GCPerSec }); r.GCPerSec >= minGCPerSec && r.GCPerSec >= outlierRatio*m {
		what = append(what, fmt.Sprintf("%s GC/s (the others: %s)", units.Number(r.GCPerSec), units.Number(m)))
		gcRate = true
	}
	if m := others(func(o FleetRow) float64 { return o.GCCPU }); r.GCCPU >= highGCCPU || r.GCCPU >= 0.05 && r.GCCPU >= outlierRatio*m {
		what = append(what, units.Percent(r.GCCPU)+" GC CPU")
		gcRate = true
	}
	if m := others(func(o FleetRow) float64 { return o.Longest }); r.Longest >= minLongestPause && r.Longest >= outlierRatio*m {
		what = append(what, fmt.Sprintf("a %s pause (the others: %s)", units.Seconds(r.Longest), units.Seconds(m)))
	}
	if m := others(func(o FleetRow) float64 { return o.RSS }); r.RSS >= 2*m {
		what = append(what, fmt.Sprintf("%s RSS (the others: %s)", units.Bytes(r.RSS), units.Bytes(m)))
	}
	if r.Restarts > 0 {
		what = append(what, plural(r.Restarts, "restart"))
	}
	if len(what) == 0 {
		return ""
	}
	s := r.Name + ": " + joinAnd(what)
	if gcRate && r.MemLimit > 0 {
		s += " at GOMEMLIMIT=" + units.Bytes(r.MemLimit)
		switch {
		case r.HeapLive >= r.MemLimit:
			s += fmt.Sprintf(" — the limit is below its live heap (%s): the GC runs back to back and cannot get under it", units.Bytes(r.HeapLive))
		case r.RSS >= r.MemLimit:
			s += fmt.Sprintf(" — its RSS (%s) is above the limit: the GC runs to keep memory under it", units.Bytes(r.RSS))
		}
	}
	return s
}

func joinAnd(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// WriteFleetText computes the fleet of sums and writes it (the signature
// of WriteText, for a command that picks a renderer).
func WriteFleetText(w io.Writer, sums []Summary) error { return WriteFleet(w, ComputeFleet(sums)) }

// PauseNote explains the longest-pause column.
const PauseNote = "longest pause: where a record has no single pauses, the largest go_gc_duration_seconds{quantile=\"1\"}: the longest per-cycle pause among the last 256 cycles at each scrape"

// Table lays the fleet out, one instance per row.
func (f Fleet) Table() *table.Table {
	t := &table.Table{Head: append([]string{"instance"}, f.LabelNames...)}
	t.Head = append(t.Head, "GOGC", "GOMEMLIMIT", "GC/s", "GC CPU", "STW share", "longest pause", "heap live", "heap goal", "RSS", "restarts")
	for c := range t.Head {
		a := table.Left
		if c >= len(f.LabelNames)+3 {
			a = table.Right
		}
		t.Align = append(t.Align, a)
	}
	for _, r := range f.Rows {
		row := []string{r.Name}
		for _, l := range f.LabelNames {
			row = append(row, orDash(r.Labels[l]))
		}
		limit := "off"
		if r.MemLimit > 0 {
			limit = units.Bytes(r.MemLimit)
		} else if r.GOMEMLIMIT == "" {
			limit = "-"
		}
		row = append(row, orDash(r.GOGC), limit, number(r.GCPerSec), percent(r.GCCPU), percent(r.STWShare),
			seconds(r.Longest), bytesOr(r.HeapLive), bytesOr(r.HeapGoal), bytesOr(r.RSS), strconv.Itoa(r.Restarts))
		t.Row(row...)
	}
	t.Notes = []string{PauseNote}
	return t
}

// OutlierLines are the outliers, or one line saying there are none.
func (f Fleet) OutlierLines() []string {
	if len(f.Outliers) == 0 {
		return []string{fmt.Sprintf("none (no instance is %dx the others' median GC rate, pause or RSS, or above %s GC CPU)", outlierRatio, units.Percent(highGCCPU))}
	}
	return f.Outliers
}

// WriteFleet writes the fleet as a table, one instance per row, then the
// outliers.
func WriteFleet(w io.Writer, f Fleet) error {
	if err := table.WriteText(w, f.Table(), table.TextOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\noutliers:\n")
	for _, o := range f.OutlierLines() {
		if _, err := fmt.Fprintf(w, "  %s\n", o); err != nil {
			return err
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func number(v float64) string  { return known(!math.IsNaN(v), units.Number(v)) }
func percent(v float64) string { return known(!math.IsNaN(v), units.Percent(v)) }
func seconds(v float64) string { return known(!math.IsNaN(v), units.Seconds(v)) }
func bytesOr(v float64) string { return known(!math.IsNaN(v), units.Bytes(v)) }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// naturalCompare orders names with numbers by their numbers: api-2 before
// api-10.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:da], 10, 64)
			nb, _ := strconv.ParseUint(b[:db], 10, 64)
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return strings.Compare(a[:1], b[:1])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && n < 18 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
