package summary

import (
	"math"
	"strings"
	"testing"
)

func TestFleetOutliers(t *testing.T) {
	nan := math.NaN()
	row := func(name string, gcPerSec, gcCPU, live, rss, limit float64) FleetRow {
		return FleetRow{Name: name, GCPerSec: gcPerSec, GCCPU: gcCPU, HeapLive: live, RSS: rss, MemLimit: limit,
			Longest: 0.0005, STWShare: nan, HeapGoal: nan}
	}
	rows := []FleetRow{
		row("api-1", 3, 0.02, 40<<20, 90<<20, 0),
		row("api-2", 3.2, 0.021, 41<<20, 92<<20, 0),
		row("api-7", 374, 0.75, 80<<20, 95<<20, 64<<20),
		row("api-3", 2.9, nan, nan, 91<<20, 0),
	}
	var got []string
	for i := range rows {
		if o := outlier(rows, i); o != "" {
			got = append(got, o)
		}
	}
	want := "api-7: 374 GC/s (the others: 3) and 75.0% GC CPU at GOMEMLIMIT=64.0 MiB — the limit is below its live heap (80.0 MiB)"
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Fatalf("outliers:\n%s\nwant one starting with\n%s", strings.Join(got, "\n"), want)
	}

	// Nothing is named from a figure that was not measured: without a
	// live heap the limit is not said to be below it.
	rows[2].HeapLive = nan
	if o := outlier(rows, 2); strings.Contains(o, "live heap") || !strings.Contains(o, "RSS (95.0 MiB) is above the limit") {
		t.Errorf("without a live heap: %s", o)
	}
	// A quiet fleet has no outliers.
	quiet := []FleetRow{row("a", 3, 0.02, 1, 1, 0), row("b", 3.3, 0.03, 1, 1, 0)}
	for i := range quiet {
		if o := outlier(quiet, i); o != "" {
			t.Errorf("quiet fleet: %s", o)
		}
	}
}
