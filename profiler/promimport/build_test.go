package promimport

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gcprobe/gcprobe/record"
)

func TestContinuous(t *testing.T) {
	for _, c := range []struct {
		name   string
		in     series
		want   series
		resets []int
	}{
		{"no reset", series{1, 2, 3}, series{1, 2, 3}, nil},
		{"one restart", series{5, 9, 2, 4}, series{5, 9, 11, 13}, []int{2}},
		{"two restarts and a gap", series{5, nan, 1, 0, 3}, series{5, nan, 6, 6, 9}, []int{2, 3}},
		{"starts late", series{nan, nan, 7, 8}, series{nan, nan, 7, 8}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := continuous(c.in, nil)
			if !slices.EqualFunc(got, c.want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
				t.Errorf("continuous(%v) = %v, want %v", c.in, got, c.want)
			}
			if r := resets(c.in); !slices.Equal(r, c.resets) {
				t.Errorf("resets(%v) = %v, want %v", c.in, r, c.resets)
			}
		})
	}
}

// TestRestartWithoutReset: a process that restarted and counted past its
// old value before its first scrape shows no reset; its start time says.
func TestRestartWithoutReset(t *testing.T) {
	start := series{100, 100, 160, 160}
	count := series{10, 12, 15, 20}
	r := changes(start)
	if !slices.Equal(r, []int{2}) {
		t.Fatalf("changes = %v", r)
	}
	if got := continuous(count, r); !slices.Equal(got, series{10, 12, 27, 32}) {
		t.Errorf("continuous = %v", got)
	}
}

func TestPauseDelta(t *testing.T) {
	h := &histSeries{
		le:     []float64{1e-5, 1e-4, math.Inf(1)},
		counts: []series{{1, 3, 3, 0}, {2, 5, 6, 0}, {2, 5, 7, 0}},
	}
	if got := pauseDelta(h, 1); got == nil || !slices.Equal(got.Buckets, []record.Bucket{{Lo: 0, Hi: 1e-5, Count: 2}, {Lo: 1e-5, Hi: 1e-4, Count: 1}}) {
		t.Errorf("step 1: %+v", got)
	}
	if got := pauseDelta(h, 2); got == nil || !slices.Equal(got.Buckets, []record.Bucket{{Lo: 1e-5, Hi: 1e-4, Count: 1}, {Lo: 1e-4, Hi: math.Inf(1), Count: 1}}) {
		t.Errorf("step 2: %+v", got)
	}
	if got := pauseDelta(h, 3); got != nil {
		t.Errorf("a reset gave %+v, want nothing", got)
	}
}

func TestParseSelector(t *testing.T) {
	for in, want := range map[string]string{`{job="api"}`: `job="api"`, ` {} `: ``, `{job=~"a|b", zone!="x"}`: `job=~"a|b", zone!="x"`} {
		if got, err := parseSelector(in); err != nil || got != want {
			t.Errorf("parseSelector(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`job="api"`, `up{job="api"}`, `{a="{"}`, ``} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("parseSelector(%q) accepted", bad)
		}
	}
}

func FuzzParseSelector(f *testing.F) {
	f.Add(`{job="api"}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		inner, err := parseSelector(s)
		if err != nil {
			return
		}
		if again, err := parseSelector("{" + inner + "}"); err != nil || again != inner {
			t.Errorf("%q: inner %q parses again as %q, %v", s, inner, again, err)
		}
	})
}

func TestWriteDir(t *testing.T) {
	insts := []Instance{
		{Labels: map[string]string{"job": "api", "instance": "10.0.0.1:8080"}, Header: record.Header{Source: record.SourcePrometheus},
			Events: []record.Event{{T: 0, Sample: &record.Sample{GCCyclesTotal: 3}}, {T: 15, End: &record.End{Reason: record.EndImported}}}},
		{Labels: map[string]string{"job": "web", "instance": "10.0.0.1:8080"}, Header: record.Header{Source: record.SourcePrometheus}},
	}
	dir := t.TempDir()
	paths, err := WriteDir(dir, insts)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"api-10.0.0.1_8080.jsonl", "web-10.0.0.1_8080.jsonl"}; len(paths) != 2 || filepath.Base(paths[0]) != want[0] || filepath.Base(paths[1]) != want[1] {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	run, err := record.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Events) != 2 || run.Events[0].T != 0 || run.Events[0].Sample.GCCyclesTotal != 3 {
		t.Errorf("read back %+v", run.Events)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.part"))
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	// A directory that cannot be written leaves nothing half-written.
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o500)
	if _, err := WriteDir(ro, insts); err == nil && os.Geteuid() != 0 {
		t.Error("wrote into a read-only directory")
	}
	entries, _ := os.ReadDir(ro)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
