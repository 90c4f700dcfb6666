package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/analyze/summary"
	"github.com/gcprobe/gcprobe/internal/promtest"
	"github.com/gcprobe/gcprobe/internal/testservice"
	"github.com/gcprobe/gcprobe/profiler/promimport"
	"github.com/gcprobe/gcprobe/record"
)

// TestImportPrometheusFleet runs the whole fleet path against a real
// Prometheus scraping three real Go services every second: one of them
// with a memory limit below its live heap (a GC death spiral), one on
// another version with GOGC=200. gcprobe imports them, names the spiral,
// groups them by version and gates on them.
func TestImportPrometheusFleet(t *testing.T) {
	t.Parallel() // mostly waiting for scrapes
	spiral := testservice.Start(t, "prometheus-all", "GOMEMLIMIT=2MiB")
	// GOGC=400 keeps the healthy instance's GC CPU well under the
	// fleet's absolute 25% mark even on a contended machine: at the default
	// its small heap under this load reached 32% with a load average of 9,
	// a real figure that the summary rightly named.
	healthy := testservice.Start(t, "prometheus-all", "GOGC=400")
	other := testservice.Start(t, "prometheus", "GOGC=200")
	srv := promtest.Start(t, []promtest.Target{
		{Job: "api", Addr: healthy.Addr, Labels: map[string]string{"instance": "api-1", "version": "v1"}},
		{Job: "api", Addr: other.Addr, Labels: map[string]string{"instance": "api-2", "version": "v2"}},
		{Job: "api", Addr: spiral.Addr, Labels: map[string]string{"instance": "api-7", "version": "v1"}},
	}, promtest.Options{})
	srv.WaitScrapes(t, `{job="api"}`, 3, 1) // Prometheus starts scraping a few seconds after it is ready
	done := make(chan struct{}, 2)
	for _, s := range []*testservice.Service{spiral, healthy} {
		go func() { s.Load(3*time.Second, 3000, 256, 2); done <- struct{}{} }()
	}
	other.Load(3*time.Second, 3000, 256, 2)
	<-done
	<-done
	srv.WaitScrapes(t, `{job="api"}`, 3, 5)

	dir := filepath.Join(t.TempDir(), "fleet")
	r := gcprobe(t, "import", "prometheus", "--url", srv.URL, "--selector", `{job="api"}`, "--since", "30s", "--step", "1s", "-o", dir)
	if r.code != 0 || !strings.Contains(r.stderr, "imported 3 instances into "+dir) {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "not exported: go_gc_heap_live_bytes (the live heap) by 1") || !strings.Contains(r.stderr, "WithGoCollectorRuntimeMetrics") {
		t.Errorf("the import does not say which instance lacks which opt-in metric:\n%s", r.stderr)
	}
	for _, name := range []string{"api-1", "api-2", "api-7"} {
		if _, err := os.Stat(filepath.Join(dir, name+".jsonl")); err != nil {
			t.Error(err)
		}
	}

	t.Run("summary names the spiral", func(t *testing.T) {
		r := gcprobe(t, "summary", dir)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var spiralLine string
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "api-7:") {
				spiralLine = l
			}
			// A long pause on this shared machine is real, and may be named;
			// a GC rate or CPU share is not, for an instance with no limit.
			if l := strings.TrimSpace(l); (strings.HasPrefix(l, "api-1:") || strings.HasPrefix(l, "api-2:")) && strings.Contains(l, "GC") {
				t.Errorf("a healthy instance called a GC outlier: %s", l)
			}
		}
		if !strings.Contains(spiralLine, "GC CPU") || !strings.Contains(spiralLine, "at GOMEMLIMIT=2.00 MiB — the limit is below its live heap") {
			t.Errorf("no outlier line for api-7:\n%s", r.stdout)
		}
	})

	t.Run("compare --by version", func(t *testing.T) {
		r := gcprobe(t, "compare", "--by", "version", "--metrics", "gc.cycles_per_min,rss.median", dir)
		if r.code != 0 || !strings.Contains(r.stdout, "version=v1") || !strings.Contains(r.stdout, "version=v2") {
			t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("check --by job", func(t *testing.T) {
		r := gcprobe(t, "check", "--by", "job", "--baseline", dir, "--max", "rss.median=+10%", dir)
		if r.code != 0 {
			t.Fatalf("a fleet against itself failed the check: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			args  []string
			code  int
			words string
		}{
			{"not a Prometheus API", []string{"--url", healthy.URL}, 1, "not a Prometheus query API"},
			{"selector matches nothing", []string{"--url", srv.URL, "--selector", `{job="nope"}`}, 1, "matches no scraped target"},
			{"beyond retention", []string{"--url", srv.URL, "--since", "2026-01-01T00:00:00Z", "--until", "2026-01-02T00:00:00Z", "--step", "1m"}, 1, "retention"},
			{"too many points", []string{"--url", srv.URL, "--since", "100h", "--step", "15s"}, 2, "--step"},
			{"bad --since", []string{"--url", srv.URL, "--since", "yesterday"}, 2, "--since"},
			{"no --url", nil, 2, "--url is required"},
			{"bad selector", []string{"--url", srv.URL, "--selector", `job="api"`}, 1, "label selector in braces"},
		} {
			t.Run(c.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				args := append([]string{"import", "prometheus", "-o", out}, c.args...)
				r := gcprobe(t, args...)
				if r.code != c.code || !strings.Contains(r.stderr, c.words) || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("exit %d (want %d), stderr %q; want one line with %q", r.code, c.code, r.stderr, c.words)
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("%s was written", out)
				}
			})
		}
	})
}

// TestAgentRoundTrip: a service embedding the gcprobe agent is scraped by a
// real Prometheus at its /debug/gcprobe/metrics, and attached to directly
// over the same minutes. The import from Prometheus gives the same GC cycles
// (±1) as attach, and the exact pause total of the service's own
// runtime/debug count, which attach's histogram estimate is within the
// width of the runtime's buckets of.
func TestAgentRoundTrip(t *testing.T) {
	t.Parallel() // mostly waiting for scrapes, as the fleet test is
	svc := testservice.Start(t, "agent")
	srv := promtest.Start(t, []promtest.Target{{Job: "agent", Addr: svc.Addr, Path: "/debug/gcprobe/metrics",
		Labels: map[string]string{"instance": "svc"}}}, promtest.Options{})
	srv.WaitScrapes(t, `{job="agent"}`, 1, 2)
	before := svc.GCStats(t)
	since := time.Now().Add(-1500 * time.Millisecond).UTC().Format(time.RFC3339)

	dir := t.TempDir()
	attached := filepath.Join(dir, "attach.jsonl")
	done := make(chan result, 1)
	go func() {
		done <- gcprobe(t, "attach", "--url", svc.URL, "--source", "agent", "--duration", "4s", "--interval", "250ms", "-o", attached)
	}()
	time.Sleep(500 * time.Millisecond)
	svc.Load(3*time.Second, 3000, 256, 2)
	if r := <-done; r.code != 0 {
		t.Fatalf("attach: exit %d: %s", r.code, r.stderr)
	}
	after := svc.GCStats(t)
	srv.WaitScrapes(t, `{job="agent"}`, 1, 8) // scrapes after the load stopped
	time.Sleep(1100 * time.Millisecond)

	fleet := filepath.Join(dir, "fleet")
	if r := gcprobe(t, "import", "prometheus", "--url", srv.URL, "--selector", `{job="agent"}`, "--since", since, "--step", "1s", "-o", fleet); r.code != 0 {
		t.Fatalf("import: exit %d: %s", r.code, r.stderr)
	}
	imported := summaryOf(t, filepath.Join(fleet, "svc.jsonl"))
	direct := summaryOf(t, attached)
	want := after.NumGC - before.NumGC
	if want < 5 {
		t.Fatalf("only %d cycles under load", want)
	}
	// ±1 against the service's own count as well: the import starts at the
	// scrape before the first reading, and the scrapes themselves allocate,
	// so a cycle can fall between that scrape and the reading.
	if d, w := imported.Cycles.Total-direct.Cycles.Total, int64(imported.Cycles.Total)-want; d < -1 || d > 1 || w < -1 || w > 1 {
		t.Errorf("cycles: imported %d, attached %d, the service counted %d", imported.Cycles.Total, direct.Cycles.Total, want)
	}
	exact := float64(after.PauseTotalNs-before.PauseTotalNs) / 1e9
	tol := 0.01*exact + 1e-6
	if int64(imported.Cycles.Total) != want {
		// The cycle more or less brings its two stop-the-world
		// pauses, each at most the longest.
		tol += 2 * imported.Pauses.Longest
	}
	if math.Abs(imported.Pauses.Total-exact) > tol {
		t.Errorf("pause total: imported %gs, the service counted %gs", imported.Pauses.Total, exact)
	}
	if math.Abs(direct.Pauses.Total-exact) > 0.25*exact {
		t.Errorf("pause total: attached %gs (a histogram estimate), the service counted %gs", direct.Pauses.Total, exact)
	}
	t.Logf("cycles: imported %d, attached %d, service %d; pause total: imported %.6fs, attached %.6fs, service %.6fs",
		imported.Cycles.Total, direct.Cycles.Total, want, imported.Pauses.Total, direct.Pauses.Total, exact)
}

func summaryOf(t *testing.T, path string) summary.Summary {
	t.Helper()
	run, err := record.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return summary.Compute(run)
}

// One instance is "1 instance", not "1 instances".
func TestPromImportLineCountsInstances(t *testing.T) {
	res := &promimport.Result{Instances: []promimport.Instance{{}}, Queries: 20}
	if got := promImportLine(res, 1, "fleet", time.Second); !strings.HasPrefix(got, "imported 1 instance into fleet in 1s (20 queries)") {
		t.Errorf("line %q", got)
	}
}
