package attach

import (
	"context"
	"expvar"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/gcprobe/gcprobe/profiler"
	"github.com/gcprobe/gcprobe/record"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TestMemoryClassesFromEverySource polls the real handlers of this process
// (the agent, expvar, client_golang with and without the runtime/metrics
// classes) and checks that each gives the 13 classes, summing to what
// runtime/metrics reads for /memory/classes/total at the same time.
func mustGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMemoryClassesFromEverySource(t *testing.T) {
	p, err := profiler.New(profiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	p.Start(ctx)
	withClasses := prometheus.NewRegistry()
	withClasses.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)))
	plain := prometheus.NewRegistry()
	plain.MustRegister(collectors.NewGoCollector())
	for _, tc := range []struct {
		name, source string
		h            http.Handler
		from         string
	}{
		{"agent", SourceAgent, p.Handler(), record.FromRuntimeMetrics},
		{"expvar", SourceExpvar, expvar.Handler(), record.FromMemStats},
		{"prometheus classes", SourcePrometheus, promhttp.HandlerFor(withClasses, promhttp.HandlerOpts{}), record.FromPrometheus},
		{"prometheus memstats", SourcePrometheus, promhttp.HandlerFor(plain, promhttp.HandlerOpts{}), record.FromPrometheus},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(mux(tc.source, tc.h))
			defer srv.Close()
			s := newSource(tc.source, newFetcher(5*time.Second), srv.URL)
			r, err := s.poll(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			m := r.sample.GoMemory
			if m == nil {
				t.Fatalf("no memory classes in %+v", r.sample)
			}
			if m.From != tc.from {
				t.Errorf("from %q, want %q", m.From, tc.from)
			}
			// The same reading's total: /memory/classes/total, MemStats.Sys,
			// go_memory_classes_total_bytes or go_memstats_sys_bytes.
			want := r.sample.GoTotalBytes
			if tc.name == "prometheus classes" {
				fams, _ := parseProm("", mustGet(t, srv.URL+"/metrics"))
				v, _ := value(fams, "go_memory_classes_total_bytes")
				// A second scrape: its own classes against its own total.
				m = promMemory(fams)
				want = uint64(v)
			}
			if got := m.TotalBytes(); got != want {
				t.Errorf("classes sum to %d, the source's total is %d", got, want)
			}
			// And this is the process's memory: near what runtime/metrics says now.
			total := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
			metrics.Read(total)
			if now, got := float64(total[0].Value.Uint64()), float64(m.TotalBytes()); got < 0.7*now || got > 1.3*now {
				t.Errorf("classes sum to %.0f, runtime/metrics total now %.0f", got, now)
			}
			if m.HeapObjectsBytes == 0 || m.HeapStacksBytes == 0 || m.MetadataOtherBytes == 0 {
				t.Errorf("classes left empty: %+v", m)
			}
		})
	}
}

// A client_golang registry without the Go collector's memory gauges gives
// no classes at all, rather than zeros.
func TestPrometheusWithoutClasses(t *testing.T) {
	body := []byte("# TYPE go_gc_duration_seconds summary\ngo_gc_duration_seconds_sum 0.01\ngo_gc_duration_seconds_count 3\n" +
		"# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes 1e6\n")
	fams, err := parseProm("test", body)
	if err != nil {
		t.Fatal(err)
	}
	if m := promMemory(fams); m != nil {
		t.Errorf("classes from an incomplete set: %+v", m)
	}
	r, err := newPrometheus(nil, "test", time.Now()).read(body, 0)
	if err != nil || r.sample.GoMemory != nil {
		t.Errorf("sample %+v, err %v", r.sample, err)
	}
}
