package report

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/internal/golden"

	"github.com/gcprobe/gcprobe/analyze/compare"
	"github.com/gcprobe/gcprobe/record"
)

var update = flag.Bool("update", false, "rewrite testdata inputs and golden files")

func TestMain(m *testing.M) {
	flag.Parse()
	if *update {
		for name, data := range genFiles(nil) {
			p := filepath.Join("testdata", name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				panic(err)
			}
		}
	}
	os.Exit(m.Run())
}

func TestGeneratedUpToDate(t *testing.T) {
	for name, data := range genFiles(t) {
		got, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("testdata/%s is out of date with gen_test.go: run go test -update", name)
		}
	}
}

// cases are the reports the tests build: a scenario run, an attached run
// with a heap profile, and a sweep of three GOGC values, six runs each.
var cached map[string]*Report

func cases(t *testing.T) map[string]*Report {
	t.Helper()
	if cached != nil {
		return cached
	}
	read := func(paths ...string) []*record.Run {
		var runs []*record.Run
		for _, p := range paths {
			r, err := record.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, r)
		}
		return runs
	}
	sweep, _ := filepath.Glob("testdata/sweep/*.jsonl")
	slices.Sort(sweep)
	ctx := context.Background()
	cached = map[string]*Report{
		"scenario": Build(ctx, read("testdata/scenario.jsonl"), Options{}),
		"attached": Build(ctx, read("testdata/attached.jsonl"), Options{}),
		"sweep":    Build(ctx, read(sweep...), Options{Budgets: []compare.Budget{{Metric: "rss.peak", Value: "700MiB"}}}),
	}
	return cached
}

// TestMarkdown compares each report's Markdown with its golden file, and
// checks every chart it links is a PNG of the expected size that is not
// blank.
func TestMarkdown(t *testing.T) {
	for name, rep := range cases(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var b bytes.Buffer
			if err := WriteMarkdown(&b, rep, filepath.Join(dir, "charts"), "charts"); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", name+".md"), b.Bytes(), *update)
			links := regexp.MustCompile(`!\[[^\]]*\]\(([^)]+)\)`).FindAllStringSubmatch(b.String(), -1)
			if len(links) == 0 {
				t.Fatalf("only %d charts linked", len(links))
			}
			for _, l := range links {
				checkPNG(t, filepath.Join(dir, l[1]))
			}
		})
	}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// 768x336, or as tall as a chart of many rows needs.
	if got := img.Bounds().Size(); got.X != 768 || got.Y < 336 {
		t.Errorf("%s: size %v, want 768x336 or taller", path, got)
	}
	if f := inked(img); f < 0.02 {
		t.Errorf("%s: only %.3f of the pixels are drawn: blank chart", path, f)
	}
}

// inked is the share of pixels that are not white, over every third pixel
// of every third row.
func inked(img image.Image) float64 {
	b := img.Bounds()
	n, all := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
			all++
		}
	}
	return float64(n) / float64(all)
}

// external matches anything in a page that would make a browser fetch:
// src/href attributes, CSS url() and @import, scripts, iframes, objects.
var external = regexp.MustCompile(`(?i)([\s:](src|href|srcset|action|poster|data)\s*=|url\(|@import|<script|<iframe|<object|<embed|<link|<img|<image)`)

// TestHTMLSelfContained checks every report page references nothing
// outside itself, escapes what came from the record, and holds its charts.
func TestHTMLSelfContained(t *testing.T) {
	for _, bad := range []string{`<img src="http://x/a.png">`, `<image xlink:href="https://x/a.png"/>`, `<style>@font-face{src:url(https://x/f.woff)}</style>`, `<link rel="stylesheet" href="a.css">`} {
		if !external.MatchString(bad) {
			t.Fatalf("the check misses %s", bad)
		}
	}
	for name, rep := range cases(t) {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteHTML(&b, rep); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			if m := external.FindString(page); m != "" {
				i := strings.Index(page, m)
				t.Errorf("page references something outside itself: %q in %q", m, page[max(0, i-80):min(len(page), i+80)])
			}
			want := len(rep.Figures)
			for _, r := range rep.Runs {
				want += len(r.Figures)
			}
			if got := strings.Count(page, "<svg"); got != want || want == 0 {
				t.Errorf("%d inline SVG charts, want %d", got, want)
			}
			if strings.Contains(page, "alert(") && !strings.Contains(page, "&lt;script&gt;alert(") {
				t.Errorf("HTML from the record is not escaped")
			}
		})
	}
}

func TestAttachedProfileTables(t *testing.T) {
	rep := cases(t)["attached"]
	ps := rep.Runs[0].Profiles
	if len(ps) != 1 || ps[0].Err != "" || ps[0].Top == nil || ps[0].Churn == nil {
		t.Fatalf("profiles = %+v", ps)
	}
	if ps[0].Top.Rows[0].Name != "main.decodeEvent" || ps[0].Churn.Rows[0].Name != "main.decodeEvent" {
		t.Errorf("top allocator %q, top churn %q: want main.decodeEvent", ps[0].Top.Rows[0].Name, ps[0].Churn.Rows[0].Name)
	}
	var b bytes.Buffer
	WriteHTML(&b, rep)
	if !strings.Contains(b.String(), "main.&lt;script&gt;alert(2)&lt;/script&gt;") {
		t.Error("the HTML function name is not shown escaped")
	}
}

func TestSweepComparison(t *testing.T) {
	rep := cases(t)["sweep"]
	c := rep.Comparison
	if c == nil || len(c.Groups) != 3 {
		t.Fatalf("comparison %+v (%s)", c, rep.ComparisonNote)
	}
	if c.Recommendation == nil || c.Recommendation.Group == nil {
		t.Fatalf("no recommendation under a 700MiB budget: %+v", c.Recommendation)
	}
	names := map[string]bool{}
	for _, f := range rep.Figures {
		names[f.Name] = true
	}
	for _, want := range []string{"pareto", "metric-gc-cpu", "metric-rss-peak", "metric-latency-p99"} {
		if !names[want] {
			t.Errorf("sweep report lacks chart %s (has %v)", want, names)
		}
	}
}

// TestMissingProfile: a profile the record names but that is gone is
// reported in the report, which is still built.
func TestMissingProfile(t *testing.T) {
	data, err := os.ReadFile("testdata/attached.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "attached.jsonl")
	os.WriteFile(p, data, 0o644)
	run, err := record.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	rep := Build(context.Background(), []*record.Run{run}, Options{})
	ps := rep.Runs[0].Profiles
	if len(ps) != 1 || !strings.Contains(ps[0].Err, "attached.heap.pb.gz") {
		t.Fatalf("profiles = %+v, want an error naming the missing file", ps)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil || !strings.Contains(b.String(), "attached.heap.pb.gz") {
		t.Errorf("the page does not say the profile is missing (err %v)", err)
	}
}

// TestHeapAndAllocsProfiles: gcprobe attach --profiles heap,allocs writes
// two profiles with the same samples. The report shows what holds memory
// (inuse_space) from the heap one, what allocates (alloc_space) from the
// allocs one, and churn once — not one table twice.
func TestHeapAndAllocsProfiles(t *testing.T) {
	data, err := os.ReadFile("testdata/attached.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	allocs := `{"t":10,"profile":{"kind":"allocs","path":"attached.allocs.pb.gz","when":"end"}}` + "\n"
	os.WriteFile(filepath.Join(dir, "attached.jsonl"), append(data, allocs...), 0o644)
	prof := heapProfile(t)
	os.WriteFile(filepath.Join(dir, "attached.heap.pb.gz"), prof, 0o644)
	os.WriteFile(filepath.Join(dir, "attached.allocs.pb.gz"), prof, 0o644)
	run, err := record.ReadFile(filepath.Join(dir, "attached.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ps := Build(context.Background(), []*record.Run{run}, Options{}).Runs[0].Profiles
	if len(ps) != 2 || ps[0].Top == nil || ps[1].Top == nil {
		t.Fatalf("profiles = %+v", ps)
	}
	heap, alloc := ps[0], ps[1]
	if heap.Kind != "heap" || heap.Top.SampleType != "inuse_space" || heap.Top.Rows[0].Name != "main.(*Cache).Put" {
		t.Errorf("heap: %s by %s, top %q; want inuse_space, main.(*Cache).Put", heap.Kind, heap.Top.SampleType, heap.Top.Rows[0].Name)
	}
	if alloc.Kind != "allocs" || alloc.Top.SampleType != "alloc_space" || alloc.Top.Rows[0].Name != "main.decodeEvent" {
		t.Errorf("allocs: %s by %s, top %q; want alloc_space, main.decodeEvent", alloc.Kind, alloc.Top.SampleType, alloc.Top.Rows[0].Name)
	}
	if heap.Churn == nil || alloc.Churn != nil {
		t.Errorf("churn tables: heap %v, allocs %v; want one, with the heap profile", heap.Churn != nil, alloc.Churn != nil)
	}
}

// TestBudgetInWrongUnit: a budget the runs cannot answer (a percentage for
// a memory metric) costs the recommendation, which the report says, and
// keeps the comparison.
func TestBudgetInWrongUnit(t *testing.T) {
	sweep, _ := filepath.Glob("testdata/sweep/*.jsonl")
	var runs []*record.Run
	for _, f := range sweep {
		r, err := record.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	rep := Build(context.Background(), runs, Options{Budgets: []compare.Budget{{Metric: "rss.peak", Value: "10%"}}})
	if rep.Comparison == nil || len(rep.Comparison.Groups) != 3 {
		t.Fatalf("no comparison: %s", rep.ComparisonNote)
	}
	if !strings.Contains(rep.ComparisonNote, "no recommendation: --budget rss.peak") {
		t.Errorf("the comparison's note %q does not say why there is no recommendation", rep.ComparisonNote)
	}
}

// TestMarkdownLinkWithSpace: -o "my report.md" puts charts in "my
// report_charts"; a Markdown link ends at a space, so the link must be
// escaped for the images to show.
func TestMarkdownLinkWithSpace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my report_charts")
	var b bytes.Buffer
	if err := WriteMarkdown(&b, cases(t)["scenario"], dir, "my report_charts (1)"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "](my%20report_charts%20%281%29/") || strings.Contains(b.String(), "](my report") {
		t.Errorf("image links are not escaped:\n%.600s", b.String())
	}
}

// TestCutShortRunWarned: the report's comparison warns about a run that did
// not end normally, as gcprobe compare does, since both build their input
// the same way.
func TestCutShortRunWarned(t *testing.T) {
	sweep, _ := filepath.Glob("testdata/sweep/*.jsonl")
	slices.Sort(sweep)
	var runs []*record.Run
	for _, p := range sweep[:4] {
		r, err := record.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	cut := *runs[0]
	cut.Events = cut.Events[:len(cut.Events)-1] // drop the end event
	runs[0] = &cut
	rep := Build(context.Background(), runs, Options{})
	var md, html strings.Builder
	if err := WriteMarkdown(&md, rep, t.TempDir(), "charts"); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": md.String(), "html": html.String()} {
		if !strings.Contains(out, "did not end normally (cut short: no end event)") {
			t.Errorf("%s report does not warn about the cut-short run", name)
		}
	}
}
