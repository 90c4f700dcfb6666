package profiler

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"strings"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/record"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// serve mounts the agent as the docs say, on a 127.0.0.1 test server.
func serve(t *testing.T, p *Probe) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/debug/gcprobe/", p.Handler())
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv.URL + "/debug/gcprobe/"
}

func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	code, ctype, body := get(t, url)
	if code != http.StatusOK || ctype != "application/json" {
		t.Fatalf("GET %s: %d %s: %s", url, code, ctype, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

func TestAgentStatus(t *testing.T) {
	p := newProbe(t, Options{})
	p.sample()
	url := serve(t, p)
	var st Status
	getJSON(t, url, &st)
	if st.Header.Source != record.SourceProbe || st.Header.PID == 0 || st.Header.GoVersion != runtime.Version() {
		t.Errorf("header: %+v", st.Header)
	}
	if st.Sample.HeapGoalBytes == 0 || st.Sample.Goroutines == 0 || st.Next == 0 {
		t.Errorf("status: %+v", st)
	}
	// The shape pollers decode, by name.
	var raw map[string]json.RawMessage
	getJSON(t, url, &raw)
	for _, k := range []string{"header", "sample", "next"} {
		if raw[k] == nil {
			t.Errorf("status has no %q: %v", k, raw)
		}
	}
}

func TestAgentEvents(t *testing.T) {
	p := newProbe(t, Options{})
	p.sample()
	url := serve(t, p)
	var page EventPage
	getJSON(t, url+"events?since=0", &page)
	if page.Next == 0 || page.Lost != 0 || uint64(len(page.Events)) != page.Next {
		t.Fatalf("events since 0: next %d, lost %d, %d events", page.Next, page.Lost, len(page.Events))
	}
	// A poller that passes next loses nothing and sees nothing twice.
	seen := page.Next
	cycles := 0
	for range 3 {
		runtime.GC()
		p.sample()
		var more EventPage
		getJSON(t, fmt.Sprintf("%sevents?since=%d", url, seen), &more)
		if more.Lost != 0 || more.Next != seen+uint64(len(more.Events)) {
			t.Fatalf("since %d: next %d, lost %d, %d events", seen, more.Next, more.Lost, len(more.Events))
		}
		for _, e := range more.Events {
			if e.GC != nil {
				cycles++
			}
			if e.Kind() == "" {
				t.Errorf("event of no kind: %+v", e)
			}
		}
		seen = more.Next
	}
	if cycles < 3 {
		t.Errorf("%d GC events polled for 3 runtime.GC calls", cycles)
	}
	// Without since: everything kept.
	getJSON(t, url+"events", &page)
	if page.Next != seen || uint64(len(page.Events)) != seen {
		t.Errorf("events without since: next %d, %d events; want %d", page.Next, len(page.Events), seen)
	}
}

func TestAgentLost(t *testing.T) {
	p := newProbe(t, Options{Keep: 2})
	for range 5 {
		p.sample()
	}
	var page EventPage
	getJSON(t, serve(t, p)+"events?since=1", &page)
	if len(page.Events) != 2 || page.Lost != page.Next-2-1 {
		t.Errorf("since 1 with Keep 2: %d events, next %d, lost %d", len(page.Events), page.Next, page.Lost)
	}
}

func TestAgentErrors(t *testing.T) {
	p := newProbe(t, Options{})
	url := serve(t, p)
	for _, tc := range []struct {
		url, method string
		code        int
		want        string
	}{
		{url + "events?since=-1", "GET", 400, "since"},
		{url + "events?since=abc", "GET", 400, "cursor"},
		{url + "events?since=1.5", "GET", 400, "since"},
		{url + "nope", "GET", 404, "/debug/gcprobe/metrics"},
		{url, "POST", 405, "POST"},
	} {
		req, _ := http.NewRequest(tc.method, tc.url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s %s: %d %q; want %d and %q", tc.method, tc.url, resp.StatusCode, body, tc.code, tc.want)
		}
	}
}

func TestAgentStripPrefix(t *testing.T) {
	p := newProbe(t, Options{})
	mux := http.NewServeMux()
	mux.Handle("/probe/", http.StripPrefix("/probe", p.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	var page EventPage
	getJSON(t, srv.URL+"/probe/events?since=0", &page)
}

func TestAgentMetrics(t *testing.T) {
	p := newProbe(t, Options{})
	runtime.GC()
	runtime.GC()
	p.sample()
	code, ctype, body := get(t, serve(t, p)+"metrics")
	if code != 200 || !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %s", code, ctype)
	}
	// The Prometheus project's own parser reads it.
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%v in\n%s", err, body)
	}
	value := func(name string) float64 {
		t.Helper()
		f := fams[name]
		if f == nil || len(f.Metric) != 1 {
			t.Fatalf("no %s in\n%s", name, body)
		}
		m := f.Metric[0]
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Counter != nil:
			return m.Counter.GetValue()
		}
		t.Fatalf("%s is neither gauge nor counter", name)
		return 0
	}
	if v := value("go_gc_cycles_total_gc_cycles_total"); v < 2 || uint64(v) != p.latest.GCCyclesTotal {
		t.Errorf("go_gc_cycles_total_gc_cycles_total %v, probe %d", v, p.latest.GCCyclesTotal)
	}
	if v := value("go_gc_cycles_forced_gc_cycles_total"); v < 2 {
		t.Errorf("go_gc_cycles_forced_gc_cycles_total %v after two runtime.GC", v)
	}
	for _, name := range []string{"go_gc_heap_live_bytes", "go_gc_heap_goal_bytes", "go_cpu_classes_gc_total_cpu_seconds_total", "go_cpu_classes_total_cpu_seconds_total",
		"go_memstats_next_gc_bytes", "go_memstats_heap_alloc_bytes", "go_memstats_sys_bytes", "go_gc_gogc_percent", "go_sched_gomaxprocs_threads"} {
		if v := value(name); v <= 0 {
			t.Errorf("%s = %v", name, v)
		}
	}
	if runtime.GOOS == "linux" {
		if v := value("process_resident_memory_bytes"); v <= 0 || value("gcprobe_rss_peak_bytes") < v {
			t.Errorf("rss %v, peak %v", v, value("gcprobe_rss_peak_bytes"))
		}
	}
	// The 13 memory classes sum to the runtime's total of the same read.
	var classes float64
	for _, name := range record.GoMemoryClasses() {
		classes += value(record.PrometheusName(name))
	}
	if total := value("go_memstats_sys_bytes"); classes != total || value("go_memory_classes_total_bytes") != total {
		t.Errorf("go_memory_classes_* sum to %v, go_memstats_sys_bytes is %v", classes, total)
	}
	// go_gc_duration_seconds is runtime/debug's, as client_golang's is.
	var st debug.GCStats
	debug.ReadGCStats(&st)
	if sm := fams["go_gc_duration_seconds"].GetMetric()[0].GetSummary(); sm == nil || int64(sm.GetSampleCount()) > st.NumGC || sm.GetSampleCount() < 2 ||
		sm.GetSampleSum() > st.PauseTotal.Seconds() || sm.GetSampleSum() <= 0 || len(sm.Quantile) != 5 {
		t.Errorf("go_gc_duration_seconds %v; ReadGCStats now: %d cycles, %v", sm, st.NumGC, st.PauseTotal)
	}
	h := fams["go_sched_pauses_total_gc_seconds"].GetMetric()[0].GetHistogram()
	if h == nil || h.GetSampleCount() < 4 || h.GetSampleSum() <= 0 || len(h.Bucket) != numPauseLe+1 {
		t.Fatalf("pause histogram: %v", h)
	}
	prev := uint64(0)
	for _, b := range h.Bucket {
		if b.GetCumulativeCount() < prev || b.GetCumulativeCount() > h.GetSampleCount() {
			t.Errorf("bucket le=%v count %d after %d (total %d)", b.GetUpperBound(), b.GetCumulativeCount(), prev, h.GetSampleCount())
		}
		prev = b.GetCumulativeCount()
	}
	for _, f := range fams {
		if f.GetHelp() == "" || !strings.HasPrefix(f.GetName(), "gcprobe_") && !strings.HasPrefix(f.GetName(), "go_") && !strings.HasPrefix(f.GetName(), "process_") {
			t.Errorf("metric %s: needs a HELP line and client_golang's name or the gcprobe_ prefix", f.GetName())
		}
	}
}

func BenchmarkAgentEvents(b *testing.B) {
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for range 40 { // 40 samples (10s at the default interval), with cycles
		runtime.GC()
		p.sample()
	}
	_, next, _ := p.EventsSince(0)
	h := p.Handler()
	req := httptest.NewRequest("GET", fmt.Sprintf("/debug/gcprobe/events?since=%d", next-12), nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}

func BenchmarkAgentMetrics(b *testing.B) {
	p, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	p.sample()
	h := p.Handler()
	req := httptest.NewRequest("GET", "/debug/gcprobe/metrics", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// Every Prometheus bound is an edge of the runtime's pause histogram, so no
// runtime bucket straddles one and the coarsened counts are exact.
func TestPauseLeAreRuntimeEdges(t *testing.T) {
	p := newProbe(t, Options{})
	edges := map[float64]bool{}
	for _, b := range p.pauseBounds {
		edges[b] = true
	}
	for _, le := range pauseLe() {
		if !edges[le] {
			t.Errorf("le=%g is not an edge of the runtime's buckets", le)
		}
	}
}

// Where RSS is not measured (outside Linux), the exposition leaves it out
// rather than report 0.
func TestMetricsWithoutRSS(t *testing.T) {
	p := newProbe(t, Options{})
	p.os.close()
	p.os = &cpuStats{}
	p.sample()
	if p.latest.RSSBytes != 0 || p.latest.RSSPeakBytes != 0 {
		t.Fatalf("RSS %d, peak %d without a reader", p.latest.RSSBytes, p.latest.RSSPeakBytes)
	}
	_, _, body := get(t, serve(t, p)+"metrics")
	if strings.Contains(body, "gcprobe_rss") || strings.Contains(body, "process_resident") || !strings.Contains(body, "go_memstats_sys_bytes") {
		t.Errorf("exposition without RSS:\n%s", body)
	}
}

// A poller of a running probe sees every cycle once, in order, while the
// program allocates.
func TestAgentPollerSeesEveryCycle(t *testing.T) {
	p := newProbe(t, Options{Interval: 10 * time.Millisecond, Keep: 1 << 16})
	url := serve(t, p)
	var st Status
	getJSON(t, url, &st)
	first := st.Sample.GCCyclesTotal
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	cursor, want := st.Next, first+1
	poll := func() {
		var page EventPage
		getJSON(t, fmt.Sprintf("%sevents?since=%d", url, cursor), &page)
		if page.Lost != 0 {
			t.Fatalf("lost %d events", page.Lost)
		}
		for _, e := range page.Events {
			if e.GC == nil {
				continue
			}
			if e.GC.N != want {
				t.Fatalf("GC event for cycle %d, want %d", e.GC.N, want)
			}
			want++
		}
		cursor = page.Next
	}
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) || want < first+4 {
		garbage(t, p, 1)
		poll()
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("too slow")
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	poll()
	if last := p.latest.GCCyclesTotal; want != last+1 {
		t.Errorf("polled cycles %d..%d, the runtime counted to %d", first+1, want-1, last)
	}
}

// TestAgentTrace: the agent serves snapshots of the program's flight
// recorder, at most one per AgentTraceGap, and says in its status that it
// does; a probe without one answers 404.
func TestAgentTrace(t *testing.T) {
	none := serve(t, newProbe(t, Options{}))
	var st Status
	getJSON(t, none, &st)
	if code, _, body := get(t, none+"trace"); st.FlightRecorder || code != http.StatusNotFound || !strings.Contains(body, "Options.FlightRecorder") {
		t.Errorf("without a recorder: status says %v; GET trace: %d %s", st.FlightRecorder, code, body)
	}

	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 200 * time.Millisecond})
	if err := fr.Start(); err != nil {
		t.Fatal(err)
	}
	defer fr.Stop()
	url := serve(t, newProbe(t, Options{FlightRecorder: fr}))
	getJSON(t, url, &st)
	if !st.FlightRecorder {
		t.Error("the status does not say the agent has a flight recorder")
	}
	runtime.GC() // something in the window
	code, ctype, body := get(t, url+"trace")
	if code != http.StatusOK || ctype != "application/octet-stream" || !strings.HasPrefix(body, "go 1.") || len(body) < 1000 {
		t.Fatalf("GET trace: %d %s, %d bytes starting %.10q", code, ctype, len(body), body)
	}
	if code, _, body := get(t, url+"trace"); code != http.StatusTooManyRequests || !strings.Contains(body, "at least 1s apart") {
		t.Errorf("a second snapshot at once: %d %s", code, body)
	}
	fr.Stop()
	st = Status{}
	getJSON(t, url, &st)
	if code, _, _ := get(t, url+"trace"); st.FlightRecorder || code != http.StatusNotFound {
		t.Errorf("after the recorder stopped: status says %v, GET trace %d", st.FlightRecorder, code)
	}
}
