package compare

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/internal/golden"

	"github.com/gcprobe/gcprobe/record"
	"golang.org/x/perf/benchmath"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// mkRuns makes one run per value of each metric: runs[i] gets vals[name][i].
func mkRuns(gogc, memlimit string, vals map[string][]float64) []Run {
	n := 0
	for _, v := range vals {
		n = max(n, len(v))
	}
	var runs []Run
	for i := 0; i < n; i++ {
		r := Run{File: "gogc" + gogc + "-" + memlimit + "-" + string(rune('a'+i)) + ".jsonl",
			Config: Config{GOGC: gogc, MemLimit: memlimit, Workload: "app"}}
		for _, name := range DefaultMetrics {
			v, ok := vals[name]
			if !ok || i >= len(v) {
				continue
			}
			r.Metrics = append(r.Metrics, Metric{Name: name, Unit: unitOf(name), Value: v[i], LowerIsBetter: name != "throughput"})
		}
		runs = append(runs, r)
	}
	return runs
}

func unitOf(name string) string {
	switch {
	case name == "gc.cpu":
		return UnitFraction
	case strings.HasPrefix(name, "rss"), strings.HasPrefix(name, "heap"):
		return UnitBytes
	case name == "throughput":
		return "1/s"
	case name == "gc.cycles_per_min":
		return "1/min"
	}
	return UnitSeconds
}

const MiB = 1 << 20

// sweep is a known grid: GOGC=50 costs CPU and saves memory, GOGC=200 the
// reverse, GOGC=100 with a limit is indistinguishable from GOGC=100.
func sweep() []Run {
	var runs []Run
	runs = append(runs, mkRuns("100", "off", map[string][]float64{
		"gc.cpu":    {0.080, 0.082, 0.079, 0.081, 0.083, 0.080},
		"rss.peak":  {400 * MiB, 405 * MiB, 398 * MiB, 402 * MiB, 401 * MiB, 399 * MiB},
		"pause.p99": {300e-6, 310e-6, 305e-6, 299e-6, 302e-6, 301e-6},
	})...)
	runs = append(runs, mkRuns("50", "off", map[string][]float64{
		"gc.cpu":    {0.150, 0.152, 0.149, 0.151, 0.153, 0.150},
		"rss.peak":  {250 * MiB, 255 * MiB, 248 * MiB, 252 * MiB, 251 * MiB, 249 * MiB},
		"pause.p99": {300e-6, 309e-6, 306e-6, 298e-6, 303e-6, 300e-6},
	})...)
	runs = append(runs, mkRuns("200", "off", map[string][]float64{
		"gc.cpu":    {0.040, 0.042, 0.039, 0.041, 0.043, 0.040},
		"rss.peak":  {700 * MiB, 705 * MiB, 698 * MiB, 702 * MiB, 701 * MiB, 699 * MiB},
		"pause.p99": {301e-6, 308e-6, 304e-6, 300e-6, 302e-6, 303e-6},
	})...)
	// Dominated: more memory and more CPU than GOGC=100.
	runs = append(runs, mkRuns("100", "536870912", map[string][]float64{
		"gc.cpu":    {0.090, 0.092, 0.089, 0.091, 0.093, 0.090},
		"rss.peak":  {450 * MiB, 455 * MiB, 448 * MiB, 452 * MiB, 451 * MiB, 449 * MiB},
		"pause.p99": {400e-6, 410e-6, 405e-6, 399e-6, 402e-6, 401e-6},
	})...)
	return runs
}

func group(t *testing.T, c *Comparison, label string) *Group {
	t.Helper()
	for _, g := range c.Groups {
		if g.Label == label {
			return g
		}
	}
	t.Fatalf("no group %q in %s", label, c.labels())
	return nil
}

func TestMannWhitneyKnownAnswers(t *testing.T) {
	sep := append(mkRuns("100", "off", map[string][]float64{"gc.cpu": {1, 2, 3, 4, 5}}),
		mkRuns("50", "off", map[string][]float64{"gc.cpu": {6, 7, 8, 9, 10}})...)
	c, err := Compute(sep, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := group(t, c, "gogc=50 memlimit=off").Stats[0]
	// Completely separated samples of 5 and 5: the exact two-sided p is
	// 2/C(10,5) = 2/252.
	if want := 2.0 / 252; math.Abs(st.P-want) > 1e-9 || !st.Significant {
		t.Errorf("separated: p=%v significant=%v, want p=%v significant", st.P, st.Significant, want)
	}
	if want := 8.0/3 - 1; math.Abs(st.Delta-want) > 1e-9 {
		t.Errorf("delta = %v, want %v (median 8 vs 3)", st.Delta, want)
	}
	base := group(t, c, "gogc=100 memlimit=off").Stats[0]
	if got := FormatVsBase(st, base); got != "+166.67% (p=0.008 n=5)" {
		t.Errorf("vs base = %q", got)
	}

	same := append(mkRuns("100", "off", map[string][]float64{"gc.cpu": {1, 2, 3, 4, 5}}),
		mkRuns("50", "off", map[string][]float64{"gc.cpu": {1, 2, 3, 4, 5}})...)
	c, err = Compute(same, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st = group(t, c, "gogc=50 memlimit=off").Stats[0]
	if st.P != 1 || st.Significant || st.Delta != 0 {
		t.Errorf("identical: p=%v significant=%v delta=%v, want p=1, not significant, 0", st.P, st.Significant, st.Delta)
	}
	if got := FormatVsBase(st, base); !strings.HasPrefix(got, "~ (p=1.000") {
		t.Errorf("identical vs base = %q, want ~", got)
	}
}

func TestMedianCI(t *testing.T) {
	vals := []float64{110, 101, 109, 102, 108, 103, 107, 104, 106, 105}
	c, err := Compute(mkRuns("100", "off", map[string][]float64{"pause.p99": vals}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := c.Groups[0].Stats[0]
	// n=10 at 95%: the 2nd and 9th order statistics (binomial coverage
	// 1-2*11/1024 = 97.9%; the 3rd and 8th would give only 89%).
	if st.Center != 105.5 || st.Lo != 102 || st.Hi != 109 {
		t.Errorf("median %v [%v, %v], want 105.5 [102, 109]", st.Center, st.Lo, st.Hi)
	}
	want := benchmath.AssumeNothing.Summary(benchmath.NewSample(vals, &benchmath.DefaultThresholds), 0.95)
	if st.Center != want.Center || st.Lo != want.Lo || st.Hi != want.Hi {
		t.Errorf("median %v [%v, %v], benchmath says %v [%v, %v]", st.Center, st.Lo, st.Hi, want.Center, want.Lo, want.Hi)
	}
	if len(st.Notes) != 0 {
		t.Errorf("notes for 10 tight runs: %v", c.Notes)
	}

	// Five runs are too few for a 95% interval: infinite, with benchmath's
	// footnote.
	c, _ = Compute(mkRuns("100", "off", map[string][]float64{"pause.p99": {1, 2, 3, 4, 5}}), Options{})
	st = c.Groups[0].Stats[0]
	if !math.IsInf(st.Lo, -1) || FormatSpread(st) != "± ∞" {
		t.Errorf("n=5: [%v, %v] %q, want ±∞", st.Lo, st.Hi, FormatSpread(st))
	}
	if len(st.Notes) == 0 || !strings.Contains(c.Notes[st.Notes[0]-1], "need >= 6 samples") {
		t.Errorf("n=5: notes %v", c.Notes)
	}
}

func TestHighSpreadNote(t *testing.T) {
	c, _ := Compute(mkRuns("100", "off", map[string][]float64{"pause.p99": {1, 1, 1, 1, 1, 1, 3}}), Options{})
	if !strings.Contains(strings.Join(c.Notes, "\n"), "noisy machine") {
		t.Errorf("notes %q lack the spread warning", c.Notes)
	}
}

func TestConfigOf(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want Config
	}{
		{nil, Config{GOGC: "100", MemLimit: "off"}},
		{map[string]string{"GOGC": "OFF", "GOMEMLIMIT": "512MiB"}, Config{GOGC: "off", MemLimit: "536870912"}},
		{map[string]string{"GOGC": "050", "GOMEMLIMIT": "536870912", "GOMAXPROCS": "2"}, Config{GOGC: "50", MemLimit: "536870912", GOMAXPROCS: "2"}},
		{map[string]string{"GOMEMLIMIT": "9223372036854775807"}, Config{GOGC: "100", MemLimit: "off"}},
	} {
		got := ConfigOf(record.Header{Env: tc.env})
		if got.key() != tc.want.key() {
			t.Errorf("ConfigOf(%v) = %+v, want %+v", tc.env, got, tc.want)
		}
	}
	c := ConfigOf(record.Header{Scenario: "readstates", Params: map[string]string{"layout": "flat"}, Env: map[string]string{"GOMEMLIMIT": "1GiB"}})
	if got := c.Label([]string{DimGOGC, DimMemLimit, "layout"}); got != "gogc=100 memlimit=1GiB layout=flat" {
		t.Errorf("label %q", got)
	}
}

func TestBaselines(t *testing.T) {
	runs := sweep()
	c, err := Compute(runs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g := c.Groups[0]; g.Label != "gogc=100 memlimit=off" || !g.IsBaseline() {
		t.Errorf("first group %q baseline=%v", g.Label, g.IsBaseline())
	}
	sel, err := ParseSelector("gogc=50, memlimit=off")
	if err != nil {
		t.Fatal(err)
	}
	c, err = Compute(runs, Options{Baseline: sel})
	if err != nil {
		t.Fatal(err)
	}
	if c.Groups[0].Label != "gogc=50 memlimit=off" {
		t.Errorf("--baseline gogc=50: first group %q", c.Groups[0].Label)
	}
	sel, _ = ParseSelector("gogc=75")
	if _, err := Compute(runs, Options{Baseline: sel}); err == nil || !strings.Contains(err.Error(), "no run matches --baseline gogc=75") {
		t.Errorf("unmatched baseline: %v", err)
	}
	// Without Go's defaults among the runs, the first configuration is the
	// baseline, with a warning.
	c, err = Compute(runs[6:12], Options{})
	if err != nil || c.Groups[0].Label != "gogc=50 memlimit=off" || len(c.Warnings) != 0 {
		t.Errorf("single group: %v %v", err, c.Warnings)
	}
	c, _ = Compute(runs[6:], Options{})
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), "no run has Go's defaults") {
		t.Errorf("warnings %q", c.Warnings)
	}
	if _, err := ParseSelector("gogc=abc"); err == nil {
		t.Error("gogc=abc parsed")
	}
}

func TestPerLayoutBaseline(t *testing.T) {
	var runs []Run
	for _, layout := range []string{"pointers", "flat"} {
		for _, gogc := range []string{"100", "200"} {
			rs := mkRuns(gogc, "off", map[string][]float64{"gc.cpu": {1, 2, 3}})
			for i := range rs {
				rs[i].Config.Params = map[string]string{"layout": layout, "entries": "1000"}
			}
			runs = append(runs, rs...)
		}
	}
	c, err := Compute(runs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Dims, ",") != "gogc,memlimit,layout" {
		t.Errorf("dims %v, want gogc,memlimit,layout (entries does not vary)", c.Dims)
	}
	for _, g := range c.Groups {
		if g.Config.Params["layout"] != g.Baseline.Config.Params["layout"] || g.Baseline.Config.GOGC != "100" {
			t.Errorf("%s compared with %s", g.Label, g.Baseline.Label)
		}
	}
}

func TestParetoAndBudget(t *testing.T) {
	c, err := Compute(sweep(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var front []string
	for _, g := range c.Frontier.Groups {
		front = append(front, g.Label)
	}
	if got := strings.Join(front, "; "); got != "gogc=100 memlimit=off; gogc=50 memlimit=off; gogc=200 memlimit=off" {
		t.Errorf("frontier %s", got)
	}

	for _, tc := range []struct {
		budget, want, sentence string
	}{
		{"rss=500MiB", "gogc=100 memlimit=off", "Run gogc=100 memlimit=off: of the 3 configurations within rss.peak ≤ 500 MiB, it has the lowest gc.cpu (8.05%), significantly better than the next, gogc=100 memlimit=512MiB (9.05%, p=0.002); keep it."},
		{"rss=1GiB", "gogc=200 memlimit=off", "Run gogc=200 memlimit=off: of the 4 configurations within rss.peak ≤ 1.00 GiB, it has the lowest gc.cpu (4.05%), significantly better than the next, the baseline gogc=100 memlimit=off (8.05%, p=0.002)."},
		{"gc-cpu=10%", "gogc=100 memlimit=off", "it has the lowest rss.peak (400 MiB)"},
		{"gc-cpu=5%", "gogc=200 memlimit=off", "Run gogc=200 memlimit=off: it is the only configuration within gc.cpu ≤ 5.00% (rss.peak 700 MiB); the baseline gogc=100 memlimit=off is over budget (gc.cpu 8.05%)."},
		{"rss=460MiB,gc-cpu=9.5%", "gogc=100 memlimit=off", "of the 2 configurations within rss.peak ≤ 460 MiB and gc.cpu ≤ 9.50%, it has the lowest pause.p99"},
		{"rss=100MiB", "", "No configuration fits rss.peak ≤ 100 MiB: the best median of rss.peak is 250 MiB, with gogc=50 memlimit=off."},
	} {
		bs, err := ParseBudgets(tc.budget)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Compute(sweep(), Options{Budgets: bs})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Recommendation
		got := ""
		if r.Group != nil {
			got = r.Group.Label
		}
		if got != tc.want || !strings.Contains(r.Sentence, tc.sentence) {
			t.Errorf("--budget %s: %q\n%s\nwant %q containing %q", tc.budget, got, r.Sentence, tc.want, tc.sentence)
		}
	}
	var unknown *UnknownMetricError
	if _, err := ParseBudgets("ram=1GiB"); !errors.As(err, &unknown) || !strings.Contains(err.Error(), "rss.peak") {
		t.Errorf("unknown budget metric: %v", err)
	}
}

func TestCheck(t *testing.T) {
	limits, err := ParseLimits("pause.p99=+10%,rss.peak=+5%, throughput=-5%")
	if err != nil {
		t.Fatal(err)
	}
	if limits[2].Max != 0.05 || limits[0].Metric != "pause.p99" {
		t.Errorf("limits %+v", limits)
	}
	base := mkRuns("100", "off", map[string][]float64{
		"pause.p99": {300e-6, 310e-6, 305e-6, 299e-6, 302e-6, 301e-6},
		"rss.peak":  {400 * MiB, 405 * MiB, 398 * MiB, 402 * MiB, 401 * MiB, 399 * MiB},
	})
	limits = limits[:2]

	// Same configuration, same distribution (a reshuffle): passes.
	same := mkRuns("100", "off", map[string][]float64{
		"pause.p99": {301e-6, 299e-6, 310e-6, 302e-6, 305e-6, 300e-6},
		"rss.peak":  {399 * MiB, 402 * MiB, 398 * MiB, 405 * MiB, 401 * MiB, 400 * MiB},
	})
	res, err := Check(base, same, limits, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 0 || len(res.Rows) != 2 {
		t.Errorf("same: %d failed of %d", res.Failed, len(res.Rows))
	}

	// Injected regression: pause p99 up 30%, RSS up 2% (within its 5%).
	worse := mkRuns("100", "off", map[string][]float64{
		"pause.p99": {390e-6, 403e-6, 396e-6, 389e-6, 393e-6, 391e-6},
		"rss.peak":  {408 * MiB, 413 * MiB, 406 * MiB, 410 * MiB, 409 * MiB, 407 * MiB},
	})
	res, err = Check(base, worse, limits, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || !res.Rows[0].Fail || res.Rows[1].Fail {
		t.Errorf("regression: %+v", res.Rows)
	}
	var b bytes.Buffer
	WriteCheck(&b, res)
	if !strings.Contains(b.String(), "FAIL") || !strings.Contains(b.String(), "+30.02%") {
		t.Errorf("check table:\n%s", b.String())
	}

	// No shared configuration.
	other := mkRuns("50", "off", map[string][]float64{"pause.p99": {1, 2, 3}})
	if _, err := Check(base, other, limits, 0.05); !errors.Is(err, ErrNoSharedConfig) {
		t.Errorf("no shared config: %v", err)
	}
	if _, err := ParseLimits("pause.p42=+10%"); err == nil || !strings.Contains(err.Error(), "known: duration") {
		t.Errorf("unknown metric: %v", err)
	}
	if _, err := ParseLimits("pause.p99=10ms"); err == nil {
		t.Error("a limit without % parsed")
	}
}

// TestGolden checks every renderer against testdata/sweep.*; run with
// -update to rewrite them after a deliberate change.
func TestGolden(t *testing.T) {
	bs, _ := ParseBudgets("rss=1GiB")
	c, err := Compute(sweep(), Options{Budgets: bs})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		ext   string
		write func(*bytes.Buffer, *Comparison) error
	}{
		{"txt", func(b *bytes.Buffer, c *Comparison) error { return WriteText(b, c) }},
		{"md", func(b *bytes.Buffer, c *Comparison) error { return WriteMarkdown(b, c) }},
		{"json", func(b *bytes.Buffer, c *Comparison) error { return WriteJSON(b, c) }},
		{"bench", func(b *bytes.Buffer, c *Comparison) error { return WriteBench(b, c) }},
	} {
		t.Run(r.ext, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.write(&b, c); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "sweep."+r.ext), []byte(b.String()), *update)
		})
	}
}

// TestBenchstatReads runs benchstat (from golang.org/x/perf, in go.mod) on
// the --format bench output.
func TestBenchstatReads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds benchstat; skipped with -short")
	}
	c, err := Compute(sweep(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "sweep.bench")
	var b bytes.Buffer
	if err := WriteBench(&b, c); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "golang.org/x/perf/cmd/benchstat", "-col", "/gogc", "-filter", "/memlimit:off", f)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("benchstat: %v\n%s", err, out)
	}
	s := string(out)
	for _, want := range []string{"gc-cpu-%", "rss-peak-B", "pause-p99-sec", "vs base", "p=0.002 n=6", "~ (p="} {
		if !strings.Contains(s, want) {
			t.Errorf("benchstat output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "parse") || strings.Contains(s, "syntax") {
		t.Errorf("benchstat complained:\n%s", s)
	}
}

func TestBenchUnit(t *testing.T) {
	for _, tc := range []struct {
		m    MetricInfo
		want string
	}{
		{MetricInfo{Name: "pause.p99", Unit: UnitSeconds}, "pause-p99-sec"},
		{MetricInfo{Name: "rss.peak", Unit: UnitBytes}, "rss-peak-B"},
		{MetricInfo{Name: "gc.cpu", Unit: UnitFraction}, "gc-cpu-%"},
		{MetricInfo{Name: "gc.cycles_per_min", Unit: "1/min"}, "gc-cycles/min"},
		{MetricInfo{Name: "throughput", Unit: "1/s"}, "throughput/s"},
		{MetricInfo{Name: "alloc.rate", Unit: "bytes/s"}, "alloc-rate-B/s"},
		{MetricInfo{Name: "gc.cycles", Unit: "count"}, "gc-cycles"},
	} {
		if got := BenchUnit(tc.m); got != tc.want {
			t.Errorf("BenchUnit(%s in %s) = %q, want %q", tc.m.Name, tc.m.Unit, got, tc.want)
		}
	}
}

func TestEndedWarning(t *testing.T) {
	runs := mkRuns("100", "off", map[string][]float64{"gc.cpu": {1, 2}})
	runs[1].Ended = "interrupted"
	c, err := Compute(runs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].Error(), runs[1].File+" did not end normally (interrupted)") {
		t.Errorf("warnings %q", c.Warnings)
	}
	if err := CheckMetrics("--metrics", []string{"gc.cpu", "gc.cpus"}); err == nil || !strings.Contains(err.Error(), `"gc.cpus"`) {
		t.Errorf("CheckMetrics: %v", err)
	}
}

// TestNoBaselineForWorkload: runs of another workload at GOGC=50, with no
// GOGC=100 run of their own, are compared with nothing — not with the
// other workload's baseline, which would test the workloads — and a
// warning says so.
func TestNoBaselineForWorkload(t *testing.T) {
	runs := append(mkRuns("100", "off", map[string][]float64{"gc.cpu": {1, 2, 3, 4, 5}}),
		mkRuns("50", "off", map[string][]float64{"gc.cpu": {6, 7, 8, 9, 10}})...)
	other := mkRuns("50", "off", map[string][]float64{"gc.cpu": {60, 70, 80, 90, 100}})
	for i := range other {
		other[i].Config.Workload = "other"
	}
	c, err := Compute(append(runs, other...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	g := group(t, c, "gogc=50 memlimit=off workload=other")
	if !g.NoBaseline || !g.IsBaseline() || !math.IsNaN(g.Stats[0].P) {
		t.Errorf("other workload: no baseline %v, p %v; want compared with nothing", g.NoBaseline, g.Stats[0].P)
	}
	if w := strings.Join(warningTexts(c.Warnings), "\n"); !strings.Contains(w, "gogc=50 memlimit=off workload=other shares its workload and parameters with no baseline run") {
		t.Errorf("warnings %q", w)
	}
	if st := group(t, c, "gogc=50 memlimit=off workload=app").Stats[0]; !st.Significant {
		t.Errorf("the app's own GOGC=50 is no longer compared with its baseline: %+v", st)
	}
	var b bytes.Buffer
	WriteText(&b, c)
	if !strings.Contains(b.String(), "no baseline") {
		t.Errorf("text does not say no baseline:\n%s", b.String())
	}
	if _, err := Check(runs[:5], other, []Limit{{"gc.cpu", 0.1}}, 0.05); !errors.Is(err, ErrNoSharedConfig) || strings.Contains(err.Error(), "baseline: gogc=50") {
		t.Errorf("check against another configuration: %v", err)
	}
}

// TestMissingMetricNote: a metric that only some runs of a configuration
// measured has a footnote saying its n counts those runs.
func TestMissingMetricNote(t *testing.T) {
	runs := mkRuns("100", "off", map[string][]float64{"gc.cpu": {1, 2, 3, 4, 5}, "pause.p99": {1, 2, 3, 4, 5}})
	short := mkRuns("50", "off", map[string][]float64{"pause.p99": {1, 2, 3, 4, 5}, "gc.cpu": {2}})
	c, err := Compute(append(runs, short...), Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := group(t, c, "gogc=50 memlimit=off").Stats[c.Metric("gc.cpu")]
	if st.N != 1 || !slices.ContainsFunc(st.Notes, func(n int) bool { return strings.Contains(c.Notes[n-1], "could not measure this metric") }) {
		t.Errorf("gc.cpu from 1 of 5 runs: n=%d notes %v %q", st.N, st.Notes, c.Notes)
	}
	if st := group(t, c, "gogc=50 memlimit=off").Stats[c.Metric("pause.p99")]; len(st.Notes) > 0 && strings.Contains(c.Notes[st.Notes[0]-1], "could not measure") {
		t.Errorf("pause.p99 from every run has the missing-runs note")
	}
}

// TestJSONInfiniteInterval: with five runs there is no 95% interval; JSON
// says so with null bounds, not a finite upper bound beside a null lower.
func TestJSONInfiniteInterval(t *testing.T) {
	c, err := Compute(mkRuns("100", "off", map[string][]float64{"pause.p99": {1, 2, 3, 4, 5}}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, `"ci_lo": null`) || !strings.Contains(s, `"ci_hi": null`) {
		t.Errorf("five runs: bounds are not both null:\n%s", s)
	}
}

func warningTexts(ws []error) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Error())
	}
	return out
}
