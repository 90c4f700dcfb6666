package summary

import (
	"fmt"
	"strings"
	"testing"
)

// TestPivot checks that many runs are laid out one row each under their
// configuration, named by what differs between the runs only.
func TestPivot(t *testing.T) {
	var sums []Summary
	for _, gogc := range []string{"50", "100"} {
		for _, layout := range []string{"pointers", "compact"} {
			for rep := 1; rep <= 2; rep++ {
				sums = append(sums, Summary{
					File: fmt.Sprintf("sweep/%s-%s-%d.jsonl", gogc, layout, rep), Scenario: "readstates",
					Settings: Settings{GOGC: gogc, GOMAXPROCS: "2"}, Params: map[string]string{"layout": layout, "rate": "200"},
					DurationSeconds: 20, GCCPU: GCCPU{Share: 0.1, Low: 0.1, High: 0.1, Method: CPUGCTrace}, RSSPeak: 512 << 20,
				})
			}
		}
	}
	tab := Pivot(sums)
	if got := strings.Join(tab.Head, ","); got != "run,gc.cpu,rss.peak" {
		t.Errorf("head %s, want run and the metrics some run measured", got)
	}
	groups := tab.Groups()
	var titles []string
	for _, g := range groups {
		titles = append(titles, g.Title)
		if len(g.Rows) != 2 {
			t.Errorf("%s: %d rows, want one per run (2)", g.Title, len(g.Rows))
		}
	}
	want := "GOGC=50 layout=pointers|GOGC=50 layout=compact|GOGC=100 layout=pointers|GOGC=100 layout=compact"
	if got := strings.Join(titles, "|"); got != want {
		t.Errorf("configurations %s, want %s (only what differs)", got, want)
	}
	if r := groups[0].Rows[0]; strings.Join(r, ",") != "50-pointers-1.jsonl,10.0%,512 MiB" {
		t.Errorf("first row %q", r)
	}
}

// TestWriteTextPivots checks the text of many runs is the pivot, as narrow
// as the metrics, and still gives each run's verdict.
func TestWriteTextPivots(t *testing.T) {
	var sums []Summary
	for i := 0; i < MaxSideBySide+1; i++ {
		sums = append(sums, Summary{File: fmt.Sprintf("r%d.jsonl", i), Settings: Settings{GOGC: fmt.Sprint(50 * (i + 1))},
			DurationSeconds: 10, GCCPU: GCCPU{Share: 0.1, Low: 0.1, High: 0.1, Method: CPUGCTrace}})
	}
	var b strings.Builder
	if err := WriteText(&b, sums); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "7 runs, one row each") || !strings.Contains(out, "GOGC=350\n  r6.jsonl") {
		t.Errorf("not pivoted:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 160 {
			t.Errorf("a line of %d characters: %q", len(l), l)
		}
	}
	if !strings.Contains(out, "r6.jsonl: verdict: ") {
		t.Errorf("no verdict per run:\n%s", out)
	}
}
