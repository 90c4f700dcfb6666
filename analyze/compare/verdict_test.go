package compare

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

// withBuild sets the build of runs.
func withBuild(runs []Run, goVersion, gc string) []Run {
	for i := range runs {
		runs[i].Config.GoVersion, runs[i].Config.GC = goVersion, gc
		runs[i].File = goVersion + gc + runs[i].File
	}
	return runs
}

// builds is a 2×2 grid of builds at GOGC=100: Green Tea halves GC CPU on
// either release and costs nothing else; go1.27.3 changes nothing.
func builds() []Run {
	classic := map[string][]float64{
		"gc.cpu":   {0.160, 0.162, 0.159, 0.161, 0.163, 0.160},
		"rss.peak": {400 * MiB, 405 * MiB, 398 * MiB, 402 * MiB, 401 * MiB, 399 * MiB},
	}
	greentea := map[string][]float64{
		"gc.cpu":   {0.080, 0.082, 0.079, 0.081, 0.083, 0.080},
		"rss.peak": {401 * MiB, 404 * MiB, 399 * MiB, 400 * MiB, 403 * MiB, 398 * MiB},
	}
	var runs []Run
	runs = append(runs, withBuild(mkRuns("100", "off", greentea), "go1.27.3", record.GCGreenTea)...)
	runs = append(runs, withBuild(mkRuns("100", "off", classic), "go1.27.3", record.GCClassic)...)
	runs = append(runs, withBuild(mkRuns("100", "off", greentea), "go1.26.8", record.GCGreenTea)...)
	runs = append(runs, withBuild(mkRuns("100", "off", classic), "go1.26.8", record.GCClassic)...)
	return runs
}

func TestConfigOfBuild(t *testing.T) {
	for _, tc := range []struct{ version, gc, want string }{
		{"go1.26.8-X:nogreenteagc", record.GCClassic, "go1.26.8 classic"}, // build info
		{"go1.26.8 X:nogreenteagc", record.GCClassic, "go1.26.8 classic"}, // runtime.Version
		{"go1.27.3", record.GCGreenTea, "go1.27.3 greentea"},
		{"", "", "unknown unknown"},
	} {
		if got := ConfigOf(record.Header{GoVersion: tc.version, GC: tc.gc}).Build(); got != tc.want {
			t.Errorf("%q %q: %q, want %q", tc.version, tc.gc, got, tc.want)
		}
	}
}

func TestBuildBaselineAndVerdict(t *testing.T) {
	c, err := Compute(builds(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, g := range c.Groups {
		labels = append(labels, g.Label)
	}
	want := "gogc=100 memlimit=off go1.26.8 classic; gogc=100 memlimit=off go1.26.8 greentea; gogc=100 memlimit=off go1.27.3 classic; gogc=100 memlimit=off go1.27.3 greentea"
	if got := strings.Join(labels, "; "); got != want {
		t.Fatalf("groups %s\nwant %s", got, want)
	}
	if !c.Groups[0].IsBaseline() || c.Groups[1].Baseline != c.Groups[0] || c.Groups[3].Baseline != c.Groups[0] {
		t.Errorf("the baseline is not the oldest release's classic GC for every build")
	}
	if len(c.Builds) != 3 {
		t.Fatalf("%d build verdicts, want 3", len(c.Builds))
	}
	gt := c.Builds[0]
	if gt.New != "go1.26.8 greentea" || gt.Base != "go1.26.8 classic" || len(gt.Better) != 1 || gt.Better[0].Metric != "gc.cpu" || len(gt.Worse) != 0 || len(gt.Same) != 1 {
		t.Errorf("Green Tea verdict %+v", gt)
	}
	if s := gt.Sentence(); !strings.Contains(s, "go1.26.8 greentea against go1.26.8 classic at gogc=100 memlimit=off (6+6 runs): better on gc.cpu (-49.84%, p=0.002); no significant difference on rss.peak") {
		t.Errorf("sentence %q", s)
	}
	if rel := c.Builds[1]; rel.New != "go1.27.3 classic" || len(rel.Better)+len(rel.Worse) != 0 {
		t.Errorf("release verdict %+v", rel)
	}

	// An explicit baseline build: the release comparison at one GC.
	sel, err := ParseSelector("gogc=100,go=1.26.8,gc=greentea")
	if err != nil {
		t.Fatal(err)
	}
	c, err = Compute(builds(), Options{Baseline: sel})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := WriteText(&text, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "verdict: go1.26.8 classic against go1.26.8 greentea at gogc=100 memlimit=off (6+6 runs): worse on gc.cpu (+99.38%, p=0.002)") {
		t.Errorf("text:\n%s", text.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, c); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Builds []struct {
			Build    string
			Baseline string `json:"baseline_build"`
			Worse    []struct{ Metric string }
		} `json:"build_verdicts"`
	}
	if err := json.Unmarshal(js.Bytes(), &j); err != nil || len(j.Builds) != 3 || j.Builds[0].Baseline != "go1.26.8 greentea" || j.Builds[0].Worse[0].Metric != "gc.cpu" {
		t.Errorf("json %+v, %v", j, err)
	}
	for _, bad := range []string{"go=banana", "gc=rust"} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("ParseSelector(%q) accepted", bad)
		}
	}
}

func TestCheckAcrossBuilds(t *testing.T) {
	all := builds()
	old := all[18:]   // go1.26.8 classic
	new := all[12:18] // go1.26.8 greentea
	res, err := Check(old, new, []Limit{{Metric: "gc.cpu", Max: 0.1}}, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Failed != 0 || res.Rows[0].Config != "gogc=100 memlimit=off go1.26.8 greentea (baseline go1.26.8 classic)" || res.Rows[0].Worse > -0.4 {
		t.Errorf("check: %+v", res.Rows)
	}
	// The other way round, Green Tea to classic fails the limit.
	res, err = Check(new, old, []Limit{{Metric: "gc.cpu", Max: 0.1}}, 0.05)
	if err != nil || res.Failed != 1 {
		t.Errorf("check classic against greentea: %+v, %v", res, err)
	}
}
