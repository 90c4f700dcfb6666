package promimport

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/gcprobe/gcprobe/internal/promtest"
	"github.com/gcprobe/gcprobe/internal/testservice"
	"github.com/gcprobe/gcprobe/record"
)

// last returns the last sample of an instance.
func last(in Instance) record.Sample {
	for i := len(in.Events) - 1; i >= 0; i-- {
		if s := in.Events[i].Sample; s != nil {
			return *s
		}
	}
	return record.Sample{}
}

func byInstance(t *testing.T, res *Result, name string) Instance {
	t.Helper()
	for _, in := range res.Instances {
		if in.Labels["instance"] == name {
			return in
		}
	}
	t.Fatalf("no instance %q among %d", name, len(res.Instances))
	return Instance{}
}

// TestFleet imports two real Go services and a non-Go exporter from a real
// Prometheus that scraped them every second, one of the services
// restarting in between, and checks the records against the services' own
// runtime/debug counts.
func TestFleet(t *testing.T) {
	t0 := time.Now().Add(-2 * time.Second).Truncate(time.Second)
	// a: every runtime metric exported, a memory limit well above its heap.
	a := testservice.Start(t, "prometheus-all", "GOMEMLIMIT=1GiB")
	// b: client_golang's defaults only, GOGC=50; restarted below.
	b1 := testservice.Start(t, "prometheus", "GOGC=50")
	exporter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("# TYPE queue_depth gauge\nqueue_depth 3\n"))
	}))
	defer exporter.Close()
	targets := func(b *testservice.Service) []promtest.Target {
		return []promtest.Target{
			{Job: "api", Addr: a.Addr, Labels: map[string]string{"instance": "api-a", "version": "v2"}},
			{Job: "api", Addr: b.Addr, Labels: map[string]string{"instance": "api-b", "version": "v1"}},
			{Job: "api", Addr: strings.TrimPrefix(exporter.URL, "http://"), Labels: map[string]string{"instance": "exporter"}},
		}
	}
	srv := promtest.Start(t, targets(b1), promtest.Options{})
	done := make(chan struct{})
	go func() { a.Load(2*time.Second, 2000, 256, 2); close(done) }()
	b1.Load(2*time.Second, 2000, 256, 2)
	<-done
	srv.WaitScrapes(t, `{job="api"}`, 3, 4)
	time.Sleep(1500 * time.Millisecond) // a scrape after the load stopped
	b1Final := b1.GCStats(t)
	b1Start := queryValue(t, srv, `process_start_time_seconds{instance="api-b"}`)
	b1.Stop()
	b2 := testservice.Start(t, "prometheus", "GOGC=50")
	srv.Reload(t, targets(b2))
	// a works again after Prometheus has surely scraped it (a slow start
	// of Prometheus can miss the first load entirely): its pause histogram
	// then changes between two scrapes.
	done = make(chan struct{})
	go func() { a.Load(time.Second, 500, 256, 2); close(done) }()
	b2.Load(time.Second, 500, 256, 2)
	<-done
	waitFor(t, srv, `process_start_time_seconds{instance="api-b"}`, func(v float64) bool { return v != b1Start })
	time.Sleep(1500 * time.Millisecond)
	end := time.Now()
	aStats, b2Stats := a.GCStats(t), b2.GCStats(t)

	o := Options{URL: srv.URL, Selector: `{job="api"}`, Start: t0, End: end, Step: time.Second, GCProbeVersion: "test"}
	res, err := Import(context.Background(), srv.API, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Instances) != 2 || len(res.NotGo) != 1 || res.NotGo[0] != "exporter" {
		t.Fatalf("instances %d, not Go %v; want 2 and [exporter]", len(res.Instances), res.NotGo)
	}

	t.Run("header", func(t *testing.T) {
		in := byInstance(t, res, "api-a")
		h := in.Header
		if h.Source != record.SourcePrometheus || h.GoVersion != runtime.Version() {
			t.Errorf("source %q, Go %q; want prometheus, %s", h.Source, h.GoVersion, runtime.Version())
		}
		want := map[string]string{"GOGC": "100", "GOMEMLIMIT": strconv.Itoa(1 << 30), "GOMAXPROCS": strconv.Itoa(runtime.GOMAXPROCS(0))}
		for k, v := range want {
			if h.Env[k] != v {
				t.Errorf("Env[%s] = %q, want %q", k, h.Env[k], v)
			}
		}
		if h.Labels["version"] != "v2" || h.Labels["job"] != "api" {
			t.Errorf("labels %v", h.Labels)
		}
		if g := byInstance(t, res, "api-b").Header.Env["GOGC"]; g != "50" {
			t.Errorf("api-b GOGC = %q, want 50", g)
		}
	})

	t.Run("cycles and pauses match the service's own counts", func(t *testing.T) {
		in := byInstance(t, res, "api-a")
		s := last(in)
		if d := int64(s.GCCyclesTotal) - aStats.NumGC; d < -1 || d > 0 {
			t.Errorf("cycles %d, service counted %d", s.GCCyclesTotal, aStats.NumGC)
		}
		if aStats.NumGC < 10 {
			t.Errorf("only %d cycles: the load did not make the GC work", aStats.NumGC)
		}
		if got, want := s.PauseSecondsTotal, float64(aStats.PauseTotalNs)/1e9; math.Abs(got-want) > 0.01*want {
			t.Errorf("pause total %gs, service counted %gs", got, want)
		}
		if s.PauseMaxRecentSeconds <= 0 || s.PauseMaxRecentSeconds > s.PauseSecondsTotal {
			t.Errorf("pause max %g of total %g", s.PauseMaxRecentSeconds, s.PauseSecondsTotal)
		}
	})

	t.Run("opt-in metrics", func(t *testing.T) {
		a := byInstance(t, res, "api-a")
		if len(a.Missing) != 0 {
			t.Errorf("api-a exports every runtime metric, missing %v", a.Missing)
		}
		s := last(a)
		if s.GCCPUSecondsTotal <= 0 || s.TotalCPUSecondsTotal <= s.GCCPUSecondsTotal || s.HeapLiveBytes == 0 {
			t.Errorf("api-a: GC CPU %g of %g, live heap %d", s.GCCPUSecondsTotal, s.TotalCPUSecondsTotal, s.HeapLiveBytes)
		}
		var pauses uint64
		for _, e := range a.Events {
			if e.Pauses != nil {
				for _, b := range e.Pauses.Buckets {
					pauses += b.Count
				}
			}
		}
		if pauses == 0 {
			t.Error("api-a: no pause histogram deltas")
		}
		b := byInstance(t, res, "api-b")
		if m := s.GoMemory; m == nil || m.From != record.FromPrometheus || m.HeapObjectsBytes == 0 || m.TotalBytes() < s.HeapLiveBytes {
			t.Errorf("api-a exports the memory classes, the record has %+v", m)
		}
		if len(b.Missing) != 4 {
			t.Errorf("api-b exports the defaults only, missing %v", b.Missing)
		}
		if !hasNote(b, "not exported: "+mHeapLive) || !hasNote(b, "WithGoCollectorRuntimeMetrics") {
			t.Error("api-b: no note saying what is missing and how to enable it")
		}
	})

	t.Run("restart", func(t *testing.T) {
		b := byInstance(t, res, "api-b")
		if b.Restarts != 1 || !hasNote(b, "restarted") {
			t.Fatalf("restarts %d, note %v", b.Restarts, hasNote(b, "restarted"))
		}
		s := last(b)
		// Each of the two processes may run a cycle after its last
		// scrape and before the test reads its own count: −1 each.
		want := b1Final.NumGC + b2Stats.NumGC
		if d := int64(s.GCCyclesTotal) - want; d < -2 || d > 0 {
			t.Errorf("cycles across the restart %d, want %d+%d", s.GCCyclesTotal, b1Final.NumGC, b2Stats.NumGC)
		}
		prev := uint64(0)
		for _, e := range b.Events {
			if e.Sample != nil {
				if e.Sample.GCCyclesTotal < prev {
					t.Fatalf("the cycle count went back at %gs", e.T)
				}
				prev = e.Sample.GCCyclesTotal
			}
		}
	})

	t.Run("bad input", func(t *testing.T) {
		bad := []struct {
			name   string
			api    v1.API
			o      func(*Options)
			target error
			words  string
		}{
			{"selector matches nothing", srv.API, func(o *Options) { o.Selector = `{job="nope"}` }, ErrNoTargets, "matches no scraped target"},
			{"non-Go targets", srv.API, func(o *Options) { o.Selector = `{instance="exporter"}` }, ErrNotGo, "not Go programs"},
			{"beyond retention", srv.API, func(o *Options) {
				o.Start, o.End = t0.Add(-40*24*time.Hour), t0.Add(-39*24*time.Hour)
				o.Step = time.Minute
			}, ErrNoTargets, "retention"},
			{"not a Prometheus API", newAPI(t, a.URL), nil, ErrNotPrometheus, "not a Prometheus"},
			{"server times out", newAPI(t, "http://"+silentServer(t)), nil, ErrTimeout, "did not answer"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				o := o
				if c.o != nil {
					c.o(&o)
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_, err := Import(ctx, c.api, o)
				if !errors.Is(err, c.target) || !strings.Contains(err.Error(), c.words) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v; want %v, one line with %q", err, c.target, c.words)
				}
			})
		}
	})
}

func hasNote(in Instance, words string) bool {
	for _, e := range in.Events {
		if e.Note != nil && strings.Contains(e.Note.Message, words) {
			return true
		}
	}
	return false
}

// waitFor waits until an instant query's first value satisfies ok.
func waitFor(t *testing.T, srv *promtest.Server, q string, ok func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		v, _, _, err := srv.API.Query(context.Background(), q, time.Now())
		if vec, isVec := v.(model.Vector); err == nil && isVec && len(vec) > 0 && ok(float64(vec[0].Value)) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not reach the expected value within 15s", q)
}

func newAPI(t *testing.T, url string) v1.API {
	t.Helper()
	c, err := api.NewClient(api.Config{Address: url})
	if err != nil {
		t.Fatal(err)
	}
	return v1.NewAPI(c)
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

// queryValue returns an instant query's first value now.
func queryValue(t *testing.T, srv *promtest.Server, q string) float64 {
	t.Helper()
	v, _, _, err := srv.API.Query(context.Background(), q, time.Now())
	vec, ok := v.(model.Vector)
	if err != nil || !ok || len(vec) == 0 {
		t.Fatalf("%s: %v %v", q, v, err)
	}
	return float64(vec[0].Value)
}
